#include "sensor/app/HttpFile.hpp"

#include <algorithm>
#include <cctype>

#include "common/AsciiCase.hpp"

namespace gsoc::sensor {
namespace {

char lower(char c) { return asciiLower(c); }

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

std::optional<MultipartFile> firstMultipartFile(std::string_view content_type, std::string_view body) {
  if (findNoCase(content_type, "multipart/form-data") != 0) return std::nullopt;
  const std::size_t b = findNoCase(content_type, "boundary=");
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view boundary = content_type.substr(b + 9);
  if (boundary.starts_with('"')) {
    boundary.remove_prefix(1);
    boundary = boundary.substr(0, boundary.find('"'));
  } else {
    boundary = boundary.substr(0, boundary.find_first_of("; \t"));
  }
  if (boundary.empty() || boundary.size() > 70) return std::nullopt;  // RFC 2046: 1 to 70 characters
  std::string delimiter = "--";
  delimiter += boundary;
  // Each part: "--boundary" CRLF, headers, an empty line, content, CRLF "--boundary" ("--" after
  // the last one). Lines may end in a bare LF, as browsers' parsers accept.
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    std::size_t p = at + delimiter.size();
    if (body.substr(p, 2) == "--") return std::nullopt;  // the closing delimiter: no file part
    const std::size_t line_end = body.find('\n', p);
    if (line_end == std::string_view::npos) return std::nullopt;
    p = line_end + 1;
    std::string_view name;
    bool has_name = false;
    for (;;) {  // the part's headers
      const std::size_t eol = body.find('\n', p);
      if (eol == std::string_view::npos) return std::nullopt;
      std::string_view line = body.substr(p, eol - p);
      if (line.ends_with('\r')) line.remove_suffix(1);
      p = eol + 1;
      if (line.empty()) break;
      if (findNoCase(line, "content-disposition:") == 0 && findNoCase(line, "filename") != std::string_view::npos) {
        name = contentDispositionFilename(line.substr(20));
        has_name = true;
      }
    }
    std::size_t next = body.find(delimiter, p);
    if (has_name) {
      MultipartFile file{name, p, 0, next != std::string_view::npos};
      std::size_t end = file.complete ? next : body.size();
      if (file.complete && end > p && body[end - 1] == '\n') --end;  // the line end before the delimiter
      if (file.complete && end > p && body[end - 1] == '\r') --end;
      file.length = end - p;
      return file;
    }
    at = next;
  }
  return std::nullopt;
}

bool httpFileOf(const HttpMessage& message, const HttpMessage* request, FileHasher* hasher, HttpFile& out) {
  if (message.body_length == 0 && message.body_wire_bytes == 0) return false;
  out.content_offset = 0;
  out.content_length = static_cast<std::size_t>(-1);
  std::string_view name;
  // HTTP/2 carries a file in DATA either way (Suricata's http2 files), HTTP/1 a request's with PUT
  // or as a multipart/form-data upload.
  if (message.request && !message.http2 && message.method != "PUT") {
    const std::string* type = message.header("Content-Type");
    const auto part = type != nullptr ? firstMultipartFile(*type, message.body) : std::nullopt;
    if (!part) return false;
    out.name.assign(part->name);
    // A part cut short (no closing delimiter) is a truncated file, as in Suricata.
    out.truncated = message.body_truncated || !part->complete;
    out.gaps = message.body_gaps;
    out.content_offset = part->offset;
    out.content_length = part->length;
    out.size = part->length;
    out.md5.clear();
    out.sha256.clear();
    if (!out.truncated && hasher != nullptr) hasher->update(out.contentIn(message.body)).finishAndRestart(out.md5, out.sha256);
    return true;
  }
  const HttpMessage* uri_of = message.request ? &message : request;
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
