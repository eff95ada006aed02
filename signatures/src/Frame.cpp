#include "gsoc/signatures/Frame.hpp"

#include <array>

namespace gsoc::signatures {
namespace {

using B = BufferId;
using P = AppProto;

constexpr std::array kTypes = {
    FrameType{P::Http, "http1", "request", B::FrameHttp1Request},
    FrameType{P::Http, "http1", "response", B::FrameHttp1Response},
    FrameType{P::Smtp, "smtp", "command_line", B::FrameSmtpCommandLine},
    FrameType{P::Smtp, "smtp", "data", B::FrameSmtpData},
    FrameType{P::Smtp, "smtp", "response_line", B::FrameSmtpResponseLine},
    FrameType{P::Mqtt, "mqtt", "pdu", B::FrameMqttPdu},
    FrameType{P::Mqtt, "mqtt", "header", B::FrameMqttHeader},
    FrameType{P::Mqtt, "mqtt", "data", B::FrameMqttData},
    FrameType{P::Ssh, "ssh", "record.hdr", B::FrameSshRecordHdr},
    FrameType{P::Ssh, "ssh", "record.data", B::FrameSshRecordData},
    FrameType{P::Ssh, "ssh", "record.pdu", B::FrameSshRecordPdu},
    FrameType{P::Dcerpc, "dcerpc", "pdu", B::FrameDcerpcPdu},
    FrameType{P::Dcerpc, "dcerpc", "hdr", B::FrameDcerpcHdr},
    FrameType{P::Dcerpc, "dcerpc", "data", B::FrameDcerpcData},
    FrameType{P::Dns, "dns", "pdu", B::FrameDnsPdu},
    FrameType{P::Sip, "sip", "pdu", B::FrameSipPdu},
    FrameType{P::Sip, "sip", "request.line", B::FrameSipRequestLine},
    FrameType{P::Sip, "sip", "request.headers", B::FrameSipRequestHeaders},
    FrameType{P::Sip, "sip", "request.body", B::FrameSipRequestBody},
    FrameType{P::Sip, "sip", "response.line", B::FrameSipResponseLine},
    FrameType{P::Sip, "sip", "response.headers", B::FrameSipResponseHeaders},
    FrameType{P::Sip, "sip", "response.body", B::FrameSipResponseBody},
    FrameType{P::Smb, "smb", "nbss.pdu", B::FrameNbssPdu},
    FrameType{P::Smb, "smb", "nbss.hdr", B::FrameNbssHdr},
    FrameType{P::Smb, "smb", "smb1.pdu", B::FrameSmb1Pdu},
    FrameType{P::Smb, "smb", "smb1.hdr", B::FrameSmb1Hdr},
    FrameType{P::Smb, "smb", "smb1.data", B::FrameSmb1Data},
    FrameType{P::Smb, "smb", "smb2.pdu", B::FrameSmb2Pdu},
    FrameType{P::Smb, "smb", "smb2.hdr", B::FrameSmb2Hdr},
    FrameType{P::Smb, "smb", "smb2.data", B::FrameSmb2Data},
    FrameType{P::Smb, "smb", "smb3.pdu", B::FrameSmb3Pdu},
    FrameType{P::Smb, "smb", "smb3.hdr", B::FrameSmb3Hdr},
    FrameType{P::Smb, "smb", "smb3.data", B::FrameSmb3Data},
    FrameType{P::Ldap, "ldap", "pdu", B::FrameLdapPdu},
    FrameType{P::Websocket, "websocket", "pdu", B::FrameWebsocketPdu},
    FrameType{P::Websocket, "websocket", "header", B::FrameWebsocketHeader},
    FrameType{P::Websocket, "websocket", "data", B::FrameWebsocketData},
};

}  // namespace

std::span<const FrameType> frameTypes() { return kTypes; }

const FrameType* frameTypeOf(BufferId id) {
  for (const FrameType& t : kTypes) {
    if (t.buffer == id) return &t;
  }
  return nullptr;
}

const FrameType* findFrameType(std::string_view value, AppProto rule_app) {
  // A protocol prefix first (`dns.pdu`, `http.request`), then the bare type in the rule's protocol
  // (`pdu` in an mqtt rule), then a bare type any protocol has (`smb1.hdr`).
  if (const std::size_t dot = value.find('.'); dot != std::string_view::npos) {
    std::string_view proto = value.substr(0, dot);
    if (proto == "http") proto = "http1";
    const std::string_view name = value.substr(dot + 1);
    for (const FrameType& t : kTypes) {
      if (t.proto == proto && t.name == name && (rule_app == AppProto::None || appProtoMatches(rule_app, t.app))) return &t;
    }
  }
  for (const FrameType& t : kTypes) {
    if (t.name == value && rule_app != AppProto::None && appProtoMatches(rule_app, t.app)) return &t;
  }
  for (const FrameType& t : kTypes) {
    if (t.name == value && rule_app == AppProto::None) return &t;
  }
  return nullptr;
}

}  // namespace gsoc::signatures
