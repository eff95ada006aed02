#pragma once
// The frame types rules can inspect with Suricata's `frame:` sticky buffer (Suricata 7+): each
// is a buffer (BufferId::Frame*) named by its protocol and its type as Suricata names them
// ("mqtt" + "pdu", "ssh" + "record.hdr", "smb" + "smb1.hdr"). A rule writes the type alone
// (`frame:pdu` in an mqtt rule) or prefixed by the protocol (`frame:dns.pdu`, `frame:http1.request`,
// where http is http1's alias). EVE's frame records and alerts name the type alone.

#include <span>
#include <string_view>

#include "gsoc/signatures/Buffer.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

struct FrameType {
  AppProto app = AppProto::None;
  std::string_view proto;  // the rule-side prefix ("http1", "ssh")
  std::string_view name;   // the type ("request", "record.pdu", "smb1.hdr")
  BufferId buffer = BufferId::Payload;
};

constexpr bool isFrameBuffer(BufferId id) { return id >= BufferId::FrameHttp1Request && id <= BufferId::FrameWebsocketData; }

std::span<const FrameType> frameTypes();
// The type a frame buffer holds (null for any other buffer).
const FrameType* frameTypeOf(BufferId id);
// The type `frame:<value>` selects in a rule for `rule_app` (None: any protocol); null if none.
const FrameType* findFrameType(std::string_view value, AppProto rule_app);

}  // namespace gsoc::signatures
