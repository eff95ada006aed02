#include "sensor/app/HttpFile.hpp"

#include <algorithm>
#include <cctype>

namespace gsoc::sensor {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t findNoCase(std::string_view haystack, std::string_view needle) {
  const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                              [](char a, char b) { return lower(a) == lower(b); });
  return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

}  // namespace

std::string_view contentDispositionFilename(std::string_view value) {
  // "attachment; filename=\"a b.pdf\"" or "attachment; filename=a.pdf; size=3"
  std::size_t at = 0;
  for (;;) {
    const std::size_t found = findNoCase(value.substr(at), "filename");
    if (found == std::string_view::npos) return {};
    at += found + 8;
    std::size_t p = at;
    while (p < value.size() && value[p] == ' ') ++p;
    if (p < value.size() && value[p] == '=') {
      at = p + 1;
      break;
    }  // "filename*=" (RFC 5987) and other parameters that only start so are not it
  }
  while (at < value.size() && value[at] == ' ') ++at;
  std::string_view rest = value.substr(at);
  if (rest.starts_with('"')) {
    rest.remove_prefix(1);
    return rest.substr(0, rest.find('"'));
  }
  rest = rest.substr(0, rest.find(';'));
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}

bool httpFileOf(const HttpMessage& message, const HttpMessage* request, FileHasher* hasher, HttpFile& out) {
  if (message.body_length == 0 && message.body_wire_bytes == 0) return false;
  // HTTP/2 carries a file in DATA either way (Suricata's http2 files), HTTP/1 a request's only with PUT.
  if (message.request && message.method != "PUT" && !message.http2) return false;
  const HttpMessage* uri_of = message.request ? &message : request;
  std::string_view name;
  if (const std::string* disposition = message.header("Content-Disposition")) name = contentDispositionFilename(*disposition);
  if (name.empty() && uri_of != nullptr) {
    const std::string_view uri = uri_of->raw_uri;
    name = uri.substr(0, uri.find('?'));
  }
  out.name.assign(name);
  out.truncated = message.body_truncated;
  out.gaps = message.body_gaps;
  out.size = out.truncated ? std::max<std::uint64_t>(message.body_wire_bytes, message.body.size()) : message.body.size();
  out.md5.clear();
  out.sha256.clear();
  if (!out.truncated && hasher != nullptr) hasher->update(message.body).finishAndRestart(out.md5, out.sha256);
  return true;
}

}  // namespace gsoc::sensor
