// The names Suricata 8 logs for EtherNet/IP commands and statuses, CIP services, statuses and
// classes, and ListIdentity's vendors and device types (EnipParser.hpp).

#include <string_view>

#include "sensor/app/EnipParser.hpp"

namespace gsoc::sensor {

namespace {

struct Name {
  std::uint32_t code;
  std::string_view name;
};

template <std::size_t N>
std::string_view find(const Name (&table)[N], std::uint32_t code) {
  for (const Name& n : table) {
    if (n.code == code) return n.name;
  }
  return {};
}

constexpr Name kCommands[] = {{0x00, "nop"},
                              {0x04, "list_services"},
                              {0x63, "list_identity"},
                              {0x64, "list_interfaces"},
                              {0x65, "register_session"},
                              {0x66, "unregister_session"},
                              {0x6f, "send_rr_data"},
                              {0x70, "send_unit_data"},
                              {0x72, "indicate_status"},
                              {0x73, "cancel"}};

constexpr Name kStatuses[] = {{0x00, "success"},         {0x01, "invalid_cmd"},     {0x02, "no_resources"},
                              {0x03, "incorrect_data"},  {0x64, "invalid_session"}, {0x65, "invalid_length"},
                              {0x69, "unsupported_prot_rev"}, {0x6a, "encap_header_error"}};

constexpr Name kServices[] = {{0x01, "Get Attributes All"},
                              {0x02, "Set Attributes All"},
                              {0x03, "Get Attribute List"},
                              {0x04, "Set Attribute List"},
                              {0x05, "Reset"},
                              {0x06, "Start"},
                              {0x07, "Stop"},
                              {0x08, "Create"},
                              {0x09, "Delete"},
                              {0x0a, "Multiple Service Packet"},
                              {0x0d, "Apply Attributes"},
                              {0x0e, "Get Attributes Single"},
                              {0x10, "Set Attributes Single"},
                              {0x11, "Find Next Object Instance"},
                              {0x15, "Restore"},
                              {0x16, "Save"},
                              {0x17, "No Forward Open"},
                              {0x18, "Get Member"},
                              {0x19, "Set Member"},
                              {0x1a, "Insert Member"},
                              {0x1b, "Remove Member"},
                              {0x1c, "Group Sync"},
                              {0x1d, "Get Connection Point Member List"},
                              {0x4b, "Execute PCCC Service"},
                              {0x4c, "Read Data"},
                              {0x4d, "Write Data"},
                              {0x4e, "Read Write Modify Data"},
                              {0x52, "Read Data Fragmented"},
                              {0x53, "Write Data Fragmented"},
                              {0x54, "Forward Open"}};

constexpr Name kCipStatuses[] = {{0x00, "Success"},
                                 {0x01, "Connection Failure"},
                                 {0x02, "Resource Unavailable"},
                                 {0x03, "Invalid Parameter Value"},
                                 {0x04, "Path Segment Error"},
                                 {0x05, "Path Destination Unknown"},
                                 {0x06, "Partial Transfer"},
                                 {0x07, "Connection Lost"},
                                 {0x08, "Service Not Supported"},
                                 {0x09, "Invalid Attribute Value"},
                                 {0x0a, "Attribute List Error"},
                                 {0x0b, "Already In Requested Mode/State"},
                                 {0x0c, "Object State Conflict"},
                                 {0x0d, "Object Already Exists"},
                                 {0x0e, "Attribute Not Settable"},
                                 {0x0f, "Privilege Violation"},
                                 {0x10, "Device State Conflict"},
                                 {0x11, "Reply Data Too Large"},
                                 {0x12, "Fragmentation Of A Primitive Value"},
                                 {0x13, "Not Enough Data"},
                                 {0x14, "Attribute Not Supported"},
                                 {0x15, "Too Much Data"},
                                 {0x16, "Object Does Not Exist"},
                                 {0x17, "Service Fragmentation Sequence Not In Progress"},
                                 {0x18, "No Stored Attribute Data"},
                                 {0x19, "Store Operation Failure"},
                                 {0x1a, "Routing Failure, Request Packet Too Large"},
                                 {0x1b, "Routing Failure, Response Packet Too Large"},
                                 {0x1c, "Missing Attribute List Entry Data"},
                                 {0x1d, "Invalid Attribute Value List"},
                                 {0x1e, "Embedded Service Error"},
                                 {0x1f, "Vendor Specific Error"},
                                 {0x20, "Invalid Parameter"},
                                 {0x21, "Write-Once Value Or Medium Already Written"},
                                 {0x22, "Invalid Reply Received"},
                                 {0x23, "Buffer Overflow"},
                                 {0x24, "Invalid Message Format"},
                                 {0x25, "Key Failure In Path"},
                                 {0x26, "Path Size Invalid"},
                                 {0x27, "Unexpected Attribute In List"},
                                 {0x28, "Invalid Member ID"},
                                 {0x29, "Member Not Settable"},
                                 {0x2a, "Group 2 Only Server General Failure"},
                                 {0x2b, "Unknown Modbus Error"},
                                 {0x2c, "Attribute Not Gettable"},
                                 {0xff, "Still Processing"}};

// The CIP object classes of the specification's common object library.
constexpr Name kClasses[] = {{0x01, "Identity"},
                             {0x02, "Message Router"},
                             {0x03, "DeviceNet"},
                             {0x04, "Assembly"},
                             {0x05, "Connection"},
                             {0x06, "Connection Manager"},
                             {0x07, "Register"},
                             {0x08, "Discrete Input Point"},
                             {0x09, "Discrete Output Point"},
                             {0x0a, "Analog Input Point"},
                             {0x0b, "Analog Output Point"},
                             {0x0e, "Presence Sensing"},
                             {0x0f, "Parameter"},
                             {0x10, "Parameter Group"},
                             {0x12, "Group"},
                             {0x1d, "Discrete Input Group"},
                             {0x1e, "Discrete Output Group"},
                             {0x1f, "Discrete Group"},
                             {0x20, "Analog Input Group"},
                             {0x21, "Analog Output Group"},
                             {0x22, "Analog Group"},
                             {0x23, "Position Sensor"},
                             {0x24, "Position Controller Supervisor"},
                             {0x25, "Position Controller"},
                             {0x26, "Block Sequencer"},
                             {0x27, "Command Block"},
                             {0x28, "Motor Data"},
                             {0x29, "Control Supervisor"},
                             {0x2a, "AC/DC Drive"},
                             {0x2b, "Acknowledge Handler"},
                             {0x2c, "Overload"},
                             {0x2d, "Softstart"},
                             {0x2e, "Selection"},
                             {0x30, "S-Device Supervisor"},
                             {0x31, "S-Analog Sensor"},
                             {0x32, "S-Analog Actuator"},
                             {0x33, "S-Single Stage Controller"},
                             {0x34, "S-Gas Calibration"},
                             {0x35, "Trip Point"},
                             {0x37, "File"},
                             {0x38, "S-Partial Pressure"},
                             {0x39, "Safety Supervisor"},
                             {0x3a, "Safety Validator"},
                             {0x3b, "Safety Discrete Output Point"},
                             {0x3c, "Safety Discrete Output Group"},
                             {0x3d, "Safety Discrete Input Point"},
                             {0x3e, "Safety Discrete Input Group"},
                             {0x3f, "Safety Dual Channel Output"},
                             {0x40, "S-Sensor Calibration"},
                             {0x41, "Event Log"},
                             {0x42, "Motion Device Axis"},
                             {0x43, "Time Sync"},
                             {0x44, "Modbus"},
                             {0x45, "Originator Connection List"},
                             {0x46, "Modbus Serial Link"},
                             {0x47, "Device Level Ring (DLR)"},
                             {0x48, "QoS"},
                             {0x4d, "Target Connection List"},
                             {0x4e, "Base Energy"},
                             {0x4f, "Electrical Energy"},
                             {0x50, "Non-Electrical Energy"},
                             {0x51, "Base Switch"},
                             {0x52, "SNMP"},
                             {0x53, "Power Management"},
                             {0x54, "RSTP Bridge"},
                             {0x55, "RSTP Port"},
                             {0x5d, "CIP Security"},
                             {0x5e, "EtherNet/IP Security"},
                             {0x5f, "Certificate Management"},
                             {0x67, "PCCC Class"},
                             {0xf0, "ControlNet"},
                             {0xf1, "ControlNet Keeper"},
                             {0xf2, "ControlNet Scheduling"},
                             {0xf3, "Connection Configuration"},
                             {0xf4, "Port"},
                             {0xf5, "TCP/IP Interface"},
                             {0xf6, "Ethernet Link"},
                             {0xf7, "CompoNet"},
                             {0xf8, "CompoNet Repeater"}};

// ODVA vendor ids of the most common vendors (others log as unknown-<id>).
constexpr Name kVendors[] = {{1, "Rockwell Automation/Allen-Bradley"},
                             {5, "Rockwell Automation/Reliance Elec."},
                             {40, "Wago Corporation"},
                             {47, "Omron Corporation"},
                             {48, "Turck Inc."},
                             {90, "HMS Industrial Networks AB"},
                             {108, "Beckhoff Automation GmbH"},
                             {145, "Siemens Energy & Automation/Drives"},
                             {243, "Schneider Automation Inc."},
                             {283, "Hilscher GmbH"}};

// ODVA device profiles.
constexpr Name kDeviceTypes[] = {{0, "Generic Device (deprecated)"},
                                 {1, "Control Station (deprecated)"},
                                 {2, "AC Drive Device"},
                                 {3, "Motor Overload"},
                                 {4, "Limit Switch"},
                                 {5, "Inductive Proximity Switch"},
                                 {6, "Photoelectric Sensor"},
                                 {7, "General Purpose Discrete I/O"},
                                 {8, "Encoder (deprecated)"},
                                 {9, "Resolver"},
                                 {10, "General Purpose Analog I/O (deprecated)"},
                                 {12, "Communications Adapter"},
                                 {13, "Barcode Scanner (deprecated)"},
                                 {14, "Programmable Logic Controller"},
                                 {16, "Position Controller"},
                                 {17, "Weigh Scale (deprecated)"},
                                 {18, "Message Display (deprecated)"},
                                 {19, "DC Drive"},
                                 {20, "Servo Drives (deprecated)"},
                                 {21, "Contactor"},
                                 {22, "Motor Starter"},
                                 {23, "Softstart Starter"},
                                 {24, "Human-Machine Interface"},
                                 {25, "Pneumatic Valve(s) (deprecated)"},
                                 {26, "Mass Flow Controller"},
                                 {27, "Pneumatic Valve(s)"},
                                 {28, "Vacuum Pressure Gauge"},
                                 {29, "Process Control Value"},
                                 {30, "Residual Gas Analyzer"},
                                 {31, "DC Power Generator"},
                                 {32, "RF Power Generator"},
                                 {33, "Turbomolecular Vacuum Pump"},
                                 {34, "Encoder"},
                                 {35, "Safety Discrete I/O Device"},
                                 {36, "Fluid Flow Controller"},
                                 {37, "CIP Motion Drive"},
                                 {38, "CompoNet Repeater"},
                                 {39, "Mass Flow Controller Enhanced"},
                                 {40, "CIP Modbus Device"},
                                 {41, "CIP Modbus Translator"},
                                 {42, "Safety Analog I/O Device"},
                                 {43, "Generic Device (keyable)"},
                                 {44, "Managed Ethernet Switch"}};

}  // namespace

std::string_view enipCommandName(std::uint16_t command) { return find(kCommands, command); }
std::string_view enipStatusName(std::uint32_t status) { return find(kStatuses, status); }
std::string_view cipServiceName(std::uint8_t service) { return find(kServices, service); }
std::string_view cipStatusName(std::uint8_t status) { return find(kCipStatuses, status); }
std::string_view cipClassName(std::uint32_t cls) { return cls == 0 ? std::string_view("") : find(kClasses, cls); }
std::string_view enipVendorName(std::uint16_t vendor) { return find(kVendors, vendor); }
std::string_view enipDeviceTypeName(std::uint16_t type) { return find(kDeviceTypes, type); }

int enipCommandByName(std::string_view name) {
  for (const Name& n : kCommands) {
    if (n.name == name) return static_cast<int>(n.code);
  }
  return -1;
}

}  // namespace gsoc::sensor
