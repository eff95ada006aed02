#pragma once
// DNS over HTTP/2 (RFC 8484), as Suricata 8 finds it in an HTTP/2 stream: a GET whose path has
// a "dns" query parameter (the message, base64url without padding), or a message sent with
// Content-Type application/dns-message (a POST's body, a response's body). Suricata collects
// such a body up to 64 KiB (a DNS message's limit); a longer one is not parsed and raises
// http2.dns_request_too_long or http2.dns_response_too_long.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gsoc::sensor {

struct HttpMessage;

struct DohPayload {
  enum class Kind : std::uint8_t { None, Dns, TooLong };
  Kind kind = Kind::None;
  std::span<const std::uint8_t> bytes;  // Dns: the DNS message, viewing the message or `scratch`
};

// What an HTTP/2 message carries for DoH. `scratch` holds a GET's decoded parameter; it must
// outlive the use of the bytes.
DohPayload dohPayload(const HttpMessage& message, std::string& scratch);

// RFC 4648's base64url alphabet ('-' and '_'), padding optional, as DoH's GET parameter uses
// it; false on any other character (or a dangling single character).
bool decodeBase64Url(std::string_view text, std::string& out);

}  // namespace gsoc::sensor
