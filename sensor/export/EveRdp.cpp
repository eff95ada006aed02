// EVE rdp objects, as Suricata's rdp logger writes them: the transaction id and its event type
// (initial_request, initial_response, connect_request, connect_response, tls_handshake) with
// the PDU's fields: the routing cookie and negotiation flags, the server's choice or refusal,
// the client's core data and channels, the server certificates' serial numbers. Unknown enum
// values log as "unknown", as Suricata's do, so that an out-of-date table shows.

#include "sensor/app/RdpParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

struct FlagName {
  std::uint32_t bit;
  std::string_view name;
};

void flagList(EveLine& out, std::string_view key, std::uint32_t flags, std::span<const FlagName> names) {
  out << ",\"" << key << "\":[";
  const char* sep = "";
  for (const FlagName& f : names) {
    if ((flags & f.bit) == 0) continue;
    out << sep << '"' << f.name << '"';
    sep = ",";
  }
  out << ']';
}

std::uint32_t colorDepth(const RdpClientCore& c) {
  if (c.has_high_color_depth) return c.high_color_depth;
  if (c.has_post_beta2_color_depth) {
    static constexpr std::uint32_t kDepths[] = {4, 8, 15, 16, 24};  // 0xca00 ... 0xca04
    return kDepths[c.post_beta2_color_depth - 0xca00];
  }
  if (c.color_depth == 0xca00) return 4;
  if (c.color_depth == 0xca01) return 8;
  return 0;
}

std::string_view connectionHint(std::uint8_t type) {
  static constexpr std::string_view kNames[] = {"", "modem", "low_broadband", "satellite", "high_broadband", "wan", "lan", "autodetect"};
  return type < std::size(kNames) ? kNames[type] : std::string_view{};
}

std::string_view failureReason(std::uint32_t code) {
  switch (code) {
    case 1: return "ssl required by server";
    case 2: return "ssl not allowed by server";
    case 3: return "ssl cert not on server";
    case 4: return "inconsistent flags";
    case 5: return "hybrid required by server";
    case 6: return "ssl with user auth required by server";
    default: return {};
  }
}

}  // namespace

void EveWriter::rdpObject(const RdpTransaction& tx) {
  const auto orUnknown = [](std::string_view s) { return s.empty() ? std::string_view("unknown") : s; };
  out_ << ",\"rdp\":{\"tx_id\":" << tx.tx_id;
  switch (tx.type) {
    case RdpTransaction::Type::InitialRequest: {
      out_ << ",\"event_type\":\"initial_request\"";
      if (tx.has_cookie) {
        out_ << ",\"cookie\":";
        string(tx.cookie);
      }
      if (tx.has_negotiation_request && tx.request_flags != 0) {
        static constexpr FlagName kFlags[] = {{0x01, "restricted_admin_mode_required"},
                                              {0x02, "redirected_authentication_mode_required"},
                                              {0x08, "correlation_info_present"}};
        flagList(out_, "flags", tx.request_flags, kFlags);
      }
      break;
    }
    case RdpTransaction::Type::InitialResponse: {
      out_ << ",\"event_type\":\"initial_response\"";
      if (tx.has_negotiation_response) {
        if (tx.response_flags != 0) {
          static constexpr FlagName kFlags[] = {{0x01, "extended_client_data"}, {0x02, "dynvc_gfx"},
                                                {0x08, "restricted_admin"},     {0x10, "redirected_authentication"}};
          flagList(out_, "server_supports", tx.response_flags, kFlags);
        }
        out_ << ",\"protocol\":\"" << orUnknown(rdpProtocolName(tx.protocol)) << '"';
      } else if (tx.has_negotiation_failure && !failureReason(tx.failure_code).empty()) {
        out_ << ",\"error_code\":" << tx.failure_code << ",\"reason\":\"" << failureReason(tx.failure_code) << '"';
      }
      break;
    }
    case RdpTransaction::Type::ConnectRequest: {
      out_ << ",\"event_type\":\"connect_request\"";
      if (tx.has_client_core) {
        const RdpClientCore& c = tx.client;
        out_ << ",\"client\":{\"version\":\"" << orUnknown(rdpClientVersionName(c.version)) << '"';
        out_ << ",\"desktop_width\":" << c.desktop_width << ",\"desktop_height\":" << c.desktop_height;
        if (const std::uint32_t depth = colorDepth(c); depth != 0) out_ << ",\"color_depth\":" << depth;
        out_ << ",\"keyboard_layout\":\"" << orUnknown(rdpKeyboardLayoutName(c.keyboard_layout)) << '"';
        const std::string build = rdpBuildName(c.client_build);
        out_ << ",\"build\":\"" << orUnknown(build) << '"';
        if (!c.client_name.empty()) {
          out_ << ",\"client_name\":";
          string(c.client_name);
        }
        if (const std::string_view kb = rdpKeyboardTypeName(c.keyboard_type); !kb.empty()) {
          out_ << ",\"keyboard_type\":\"" << kb << '"';
        }
        if (c.keyboard_subtype != 0) out_ << ",\"keyboard_subtype\":" << c.keyboard_subtype;
        if (c.keyboard_function_key != 0) out_ << ",\"function_keys\":" << c.keyboard_function_key;
        if (!c.ime_file_name.empty()) {
          out_ << ",\"ime\":";
          string(c.ime_file_name);
        }
        if (c.has_product_id) out_ << ",\"product_id\":" << c.product_id;
        if (c.has_serial_number && c.serial_number != 0) out_ << ",\"serial_number\":" << c.serial_number;
        if (c.has_early_capability_flags && c.early_capability_flags != 0) {
          static constexpr FlagName kFlags[] = {
              {0x0001, "support_errinfo_pdf"},        {0x0002, "want_32bpp_session"},
              {0x0004, "support_statusinfo_pdu"},     {0x0008, "strong_asymmetric_keys"},
              {0x0020, "valid_connection_type"},      {0x0040, "support_monitor_layout_pdu"},
              {0x0080, "support_netchar_autodetect"}, {0x0100, "support_dynvc_gfx_protocol"},
              {0x0200, "support_dynamic_time_zone"},  {0x0400, "support_heartbeat_pdu"}};
          flagList(out_, "capabilities", c.early_capability_flags, kFlags);
        }
        if (c.has_dig_product_id && !c.dig_product_id.empty()) {
          out_ << ",\"id\":";
          string(c.dig_product_id);
        }
        if (c.has_connection_type && c.connection_type != 0) out_ << ",\"connection_hint\":\"" << connectionHint(c.connection_type) << '"';
        if (c.has_physical_size) out_ << ",\"physical_width\":" << c.physical_width;
        if (c.physical_height != 0) out_ << ",\"physical_height\":" << c.physical_height;
        if (c.has_orientation) out_ << ",\"desktop_orientation\":" << c.orientation;
        if (c.has_scale_factors) out_ << ",\"scale_factor\":" << c.desktop_scale_factor;
        if (c.device_scale_factor != 0) out_ << ",\"device_scale_factor\":" << c.device_scale_factor;
        out_ << '}';
      }
      if (!tx.channels.empty()) {
        out_ << ",\"channels\":[";
        const char* sep = "";
        for (const std::string& channel : tx.channels) {
          out_ << sep;
          string(channel);
          sep = ",";
        }
        out_ << ']';
      }
      break;
    }
    case RdpTransaction::Type::ConnectResponse:
      out_ << ",\"event_type\":\"connect_response\"";
      break;
    case RdpTransaction::Type::TlsHandshake: {
      out_ << ",\"event_type\":\"tls_handshake\",\"x509_serials\":[";
      const char* sep = "";
      for (const std::string& serial : tx.x509_serials) {
        out_ << sep << '"' << serial << '"';
        sep = ",";
      }
      out_ << ']';
      break;
    }
  }
  out_ << '}';
}

}  // namespace gsoc::sensor
