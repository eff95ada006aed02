// EVE ike objects, as Suricata 8's ike logger writes them: the header (versions, SPIs, message
// id, exchange type); for IKEv1 the server's chosen transform as alg_*/sa_* keys with their
// *_raw numbers, the payload types, and the ikev1 object with the flow's client and server key
// exchange and nonce, the initiator's proposals and the message's vendor ids; for IKEv2 the role
// (a responder's choice of algorithms with it), the payload types in order and the notify errors.

#include <string>

#include "sensor/app/IkeParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

void attributes(std::string& out, std::span<const IkeAttribute> transform, const auto& quote) {
  for (const IkeAttribute& a : transform) {
    const std::string_view key = ikeAttributeKey(a.type);
    out += ",\"";
    out += key;
    out += "\":\"";
    out += ikeAttributeValue(a.type, a.raw);
    out += "\",\"";
    out += key;
    out += "_raw\":";
    if (a.has_number) out += std::to_string(a.number);
    else out += quote(a.hex);
  }
}

std::string jsonQuoted(std::string_view s) { return "\"" + std::string(s) + "\""; }  // hex and names: nothing to escape

}  // namespace

void EveWriter::ikeObject(const IkeMessage& m, const IkeState& state) {
  std::string o;
  o += ",\"ike\":{\"version_major\":" + std::to_string(m.version_major) + ",\"version_minor\":" + std::to_string(m.version_minor);
  o += ",\"init_spi\":" + jsonQuoted(m.initSpi()) + ",\"resp_spi\":" + jsonQuoted(m.respSpi());
  o += ",\"message_id\":" + std::to_string(m.message_id) + ",\"exchange_type\":" + std::to_string(m.exchange_type);
  const bool to_client = m.direction == signatures::FlowDirection::ToClient;
  const auto quote = [](std::string_view s) { return jsonQuoted(s); };
  if (m.version_major == 1) {
    if (state.server.nb_transforms > 0) attributes(o, state.server.transform, quote);  // the chosen one
    if (to_client && m.transforms.size() > 1) {
      o += ",\"server_proposals\":[";
      for (std::size_t i = 0; i < m.transforms.size(); ++i) {
        o += i ? ",{" : "{";
        std::string inner;
        attributes(inner, m.transforms.transform(i), quote);
        o += inner.empty() ? inner : inner.substr(1);
        o += "}";
      }
      o += "]";
    }
    o += ",\"payload\":[";
    bool first = true;
    for (std::size_t t = 0; t < m.payload_types.size(); ++t) {
      const std::string_view name = m.payload_types[t] ? ikev1PayloadName(static_cast<std::uint8_t>(t)) : std::string_view{};
      if (name.empty()) continue;
      if (!first) o += ",";
      first = false;
      o += jsonQuoted(name);
    }
    o += "],\"ikev1\":{";
    if (state.has_doi) o += "\"doi\":" + std::to_string(state.doi) + ",";
    o += "\"encrypted_payloads\":";
    o += m.encrypted ? "true" : "false";
    if (!m.encrypted) {
      const auto participant = [&](const char* name, const IkeParticipant& p, bool proposals) {
        o += ",\"";
        o += name;
        o += "\":{";
        std::string inner;
        if (!p.key_exchange.empty()) {
          inner += ",\"key_exchange_payload\":" + jsonQuoted(p.key_exchange);
          inner += ",\"key_exchange_payload_length\":" + std::to_string(p.key_exchange.size() / 2);
        }
        if (!p.nonce.empty()) {
          inner += ",\"nonce_payload\":" + jsonQuoted(p.nonce);
          inner += ",\"nonce_payload_length\":" + std::to_string(p.nonce.size() / 2);
        }
        if (proposals) {
          inner += ",\"proposals\":[";
          for (std::size_t i = 0; i < m.transforms.size(); ++i) {
            inner += i ? ",{" : "{";
            std::string attrs;
            attributes(attrs, m.transforms.transform(i), quote);
            inner += attrs.empty() ? attrs : attrs.substr(1);
            inner += "}";
          }
          inner += "]";
        }
        o += inner.empty() ? inner : inner.substr(1);
        o += "}";
      };
      participant("client", state.client, !to_client && m.transforms.size() != 0);
      participant("server", state.server, false);
      if (!m.vendor_ids.empty()) {
        o += ",\"vendor_ids\":[";
        for (std::size_t i = 0; i < m.vendor_ids.size(); ++i) {
          if (i) o += ",";
          o += jsonQuoted(m.vendor_ids[i]);
        }
        o += "]";
      }
    }
    o += "}";
  } else if (m.version_major == 2) {
    if (m.flags & 0x08) {  // the initiator flag
      o += ",\"role\":\"initiator\"";
    } else {
      o += ",\"role\":\"responder\"";
      static constexpr const char* kKeys[] = {"alg_enc", "alg_prf", "alg_auth", "alg_dh", "alg_esn"};
      static constexpr std::uint8_t kTypes[] = {1, 2, 3, 4, 5};
      // Suricata's order: enc, auth, prf, dh, esn
      for (const std::size_t i : {0u, 2u, 1u, 3u, 4u}) {
        o += ",\"";
        o += kKeys[i];
        o += "\":" + jsonQuoted(ikev2TransformName(kTypes[i], state.v2_chosen[i]));
      }
    }
    o += ",\"payload\":[";
    for (std::size_t i = 0; i < m.v2_payloads.size(); ++i) {
      if (i) o += ",";
      o += jsonQuoted(ikev2PayloadName(m.v2_payloads[i]));
    }
    o += "],\"ikev2\":{\"errors\":" + std::to_string(m.v2_errors);
    if (!m.v2_notifies.empty()) {
      o += ",\"notify\":[";
      for (std::size_t i = 0; i < m.v2_notifies.size(); ++i) {
        if (i) o += ",";
        o += "\"NotifyType(" + std::to_string(m.v2_notifies[i]) + ")\"";
      }
      o += "]";
    }
    o += "}";
  }
  o += "}";
  out_ << o;
}

}  // namespace gsoc::sensor
