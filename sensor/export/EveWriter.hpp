#pragma once
// EVE JSON lines, with Suricata's field names where they overlap (timestamp, flow_id, event_type,
// src_ip, src_port, dest_ip, dest_port, proto, app_proto, community_id, flow{...}, stats{...}),
// so existing tooling reads gsoc output. One writer per worker (not thread-safe): it formats each
// record into its own buffer and hands the finished lines to an EveFile, which workers share.

#include <cstdint>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/export/DnsTransactionIds.hpp"
#include "sensor/export/EveFile.hpp"
#include "sensor/export/EveLine.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {
struct SipMessage;

// "2026-11-22T01:02:03.123456+0000", as EVE writes it, in a fixed buffer.
class EveTimestamp {
 public:
  explicit EveTimestamp(std::int64_t ns);
  [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)

 private:
  std::array<char, 40> text_{};
  std::size_t size_ = 0;
};
inline std::string eveTimestamp(std::int64_t ns) { return std::string(EveTimestamp(ns).view()); }
std::string protoName(std::uint8_t ip_proto);

class EveWriter {
 public:
  // Generator id of alerts raised by indicator lists rather than rules.
  static constexpr std::uint32_t kIndicatorGid = 9000;
  using OpenMode = EveFile::OpenMode;
  // A writer with a file of its own. Throws std::runtime_error when it cannot be created.
  explicit EveWriter(const std::string& path, OpenMode mode = OpenMode::truncate);
  // A writer into a file that other writers (other workers) share.
  explicit EveWriter(EveFile& file);
  EveWriter(const EveWriter&) = delete;
  EveWriter& operator=(const EveWriter&) = delete;
  // The file's EveFile::reopen() (SIGUSR1 after logrotate).
  void reopen() { file_->reopen(); }
  void flowRecord(const Flow& flow, FlowEndReason reason);
  // `category`: the classtype's description from classification.config.
  void alertRecord(const AlertHit& hit, std::string_view category);
  // event_type "anomaly", as Suricata writes it: anomaly{type, event[, app_proto, layer]}.
  void anomalyRecord(const AnomalyHit& hit);
  // event_type http, dns, tls, smtp, ssh, mqtt, ftp, fileinfo (an HTTP file; one per mail attachment after
  // its smtp record).
  void metadataRecord(const AppMetadata& record);
  // A finished JSON object body for event_type "stats" (the caller builds the counters).
  void statsRecord(std::int64_t timestamp_ns, const std::string& stats_json);
  // The shape of dns records: 3, Suricata 8's (default), or 2, Suricata's older one (a "query"
  // record per question, an "answer" record per response; eve-log dns `version: 2`).
  void setDnsVersion(int version) { dns_version_ = version; }
  // Which dns messages are logged, as Suricata's eve-log dns `requests`, `responses` and
  // `types`: a message is logged when its kind is on and, with types given, one of its
  // questions asks for one of them. Transaction ids still count every message.
  void setDnsFilter(bool requests, bool responses, std::vector<std::uint16_t> types) {
    dns_requests_ = requests;
    dns_responses_ = responses;
    dns_types_ = std::move(types);
  }
  // Which smb records are logged, as Suricata's eve-log smb `types` (the kind of transaction:
  // negotiate, session_setup, tree_connect, create, file, rename, set_file_path_info, ioctl,
  // dcerpc, generic); empty: all. An SMB file's fileinfo record is written either way.
  void setSmbTypes(std::vector<std::string> types) { smb_types_ = std::move(types); }
  static bool isSmbType(std::string_view name);
  void flush() { file_->flush(); }
  [[nodiscard]] std::uint64_t records() const { return records_; }

 private:
  // Opens a record: timestamp, flow_id, event_type, the 5-tuple seen in `direction`, ids.
  void header(const Flow& flow, signatures::FlowDirection direction, std::int64_t ts, std::string_view event_type);
  // The same for a packet that reached no flow: no flow_id, and the 5-tuple only as far as the
  // packet decoded (none at all when its IP header did not).
  void header(const DecodedPacket& packet, std::int64_t ts, std::string_view event_type);
  // ,"mqtt":{...} or ,"ftp":{...}: a transaction's object, in its record and in its alerts.
  void appObject(const AppMetadata& record);
  void sipObject(const SipMessage& message);
  void ldapObject(const LdapTransaction& tx);
  void mailObjects(const MailTransaction& mail);
  // A JSON string literal for any bytes (JsonString.hpp).
  void string(std::string_view s);
  // ,"pcap_cnt":N after a header, when the capture position is known.
  void captureIndex(std::uint64_t index) {
    if (index != 0) out_ << ",\"pcap_cnt\":" << index;
  }
  // ,"http":{...}: the exchange's fields, from the request and the response as far as seen.
  void httpObject(const HttpMessage* request, const HttpMessage* response);
  // ,"fileinfo":{...} of an SMB file, or its object in an alert's "files" list (`name`: the key).
  void smbFileObject(const SmbTransaction& tx, bool in_alert);
  // ,"smb":{...}: an SMB transaction (r.smb, or r.dce in a named pipe) as Suricata logs it.
  void smbObject(const AppMetadata& r);
  // ,"dcerpc":{...}: one call as Suricata logs it over TCP (with the `session`'s interfaces), over
  // UDP (no session), or (`smb`) in an SMB record.
  void dcerpcObject(const DceTransaction& tx, const DceSession* session, bool smb);
  // Suricata's dns record(s) for one message, in version 3 or 2 (setDnsVersion).
  // False when the filter (setDnsFilter) leaves the message out: nothing was written.
  bool dnsRecord(const AppMetadata& r);
  void dnsObject(const DnsMessage& m, std::uint64_t tx_id, bool v2);
  void mdnsObject(const DnsMessage& m);
  void dnsRecordData(const DnsMessage::Answer& a, std::size_t txt_index);
  void dnsFieldsObject(const DnsMessage::Answer& a);

  // Opened by each public call: the lines it formatted go to the file when it returns.
  struct Commit {
    EveWriter& writer;
    ~Commit() {
      if (!writer.line_.empty()) writer.file_->write(writer.line_);
      writer.line_.clear();
    }
  };

  std::unique_ptr<EveFile> own_file_;  // with the path constructor
  EveFile* file_;
  std::string line_;  // this call's records, kept with its capacity
  EveLine out_{line_};
  std::string scratch_;  // reused by string(), so escaping allocates only while it grows
  std::uint64_t records_ = 0;
  DnsTransactionIds dns_tx_;
  int dns_version_ = 3;
  bool dns_requests_ = true;
  bool dns_responses_ = true;
  std::vector<std::uint16_t> dns_types_;  // empty: all
  std::vector<std::string> smb_types_;    // empty: all
};

}  // namespace gsoc::sensor
