#include "sensor/app/SmtpParser.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "gsoc/signatures/Sha256.hpp"

namespace gsoc::sensor {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool istarts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Base64 digit values; -1 for everything else (whitespace, line breaks, padding are skipped).
constexpr std::array<signed char, 256> kBase64 = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<signed char>(i);
    t['a' + i] = static_cast<signed char>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<signed char>(52 + i);
  t['+'] = 62;
  t['/'] = 63;
  return t;
}();

// Attachments are decoded whole to hash them (megabytes per mail): a table lookup per
// character into a buffer sized once.
std::string base64Decode(std::string_view in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  std::size_t n = 0;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = kBase64[static_cast<unsigned char>(c)];
    if (v < 0) continue;
    buffer = (buffer << 6 | static_cast<unsigned>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  out.resize(n);
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string quotedPrintableDecode(std::string_view in, bool header) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() + 0 && i + 1 < in.size()) {
      if (in[i + 1] == '\r' || in[i + 1] == '\n') {  // soft line break
        i += (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n') ? 2 : 1;
        continue;
      }
      if (i + 2 < in.size()) {
        const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
        if (hi >= 0 && lo >= 0) {
          out.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
          continue;
        }
      }
    }
    out.push_back(header && in[i] == '_' ? ' ' : in[i]);
  }
  return out;
}

// Value of `key=` in a header like `attachment; filename="x.pdf"`.
std::string parameter(std::string_view header, std::string_view key) {
  const std::string h = lower(header);
  std::size_t pos = 0;
  while ((pos = h.find(key, pos)) != std::string::npos) {
    const bool boundary = pos == 0 || h[pos - 1] == ';' || h[pos - 1] == ' ' || h[pos - 1] == '\t';
    std::size_t p = pos + key.size();
    while (p < h.size() && h[p] == ' ') ++p;
    if (boundary && p < h.size() && h[p] == '=') {
      ++p;
      while (p < h.size() && h[p] == ' ') ++p;
      if (p < header.size() && header[p] == '"') {
        const std::size_t end = header.find('"', p + 1);
        return std::string(header.substr(p + 1, end == std::string_view::npos ? std::string_view::npos : end - p - 1));
      }
      const std::size_t end = header.find_first_of("; \t\r\n", p);
      return std::string(header.substr(p, end == std::string_view::npos ? std::string_view::npos : end - p));
    }
    pos += key.size();
  }
  return {};
}

struct Part {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  [[nodiscard]] std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (lower(n) == name) return v;
    }
    return {};
  }
};

Part splitPart(std::string_view text) {
  Part part;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !part.headers.empty()) {
      part.headers.back().second += " " + std::string(trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) part.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  part.body = pos < text.size() ? text.substr(pos) : std::string_view();
  return part;
}

void walkMime(std::string_view text, MailTransaction& tx, int depth) {
  if (depth > 8) return;
  const Part part = splitPart(text);
  const std::string type = part.header("content-type");
  if (istarts(type, "multipart/")) {
    const std::string boundary = parameter(type, "boundary");
    if (boundary.empty()) return;
    const std::string delimiter = "--" + boundary;
    std::size_t pos = part.body.find(delimiter);
    while (pos != std::string_view::npos) {
      pos += delimiter.size();
      if (part.body.substr(pos, 2) == "--") break;
      const std::size_t next = part.body.find(delimiter, pos);
      std::string_view child = part.body.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
      while (!child.empty() && (child.front() == '\r' || child.front() == '\n')) child.remove_prefix(1);
      walkMime(child, tx, depth + 1);
      pos = next;
    }
    return;
  }
  std::string name = parameter(part.header("content-disposition"), "filename");
  if (name.empty()) name = parameter(type, "name");
  if (name.empty()) return;  // not an attachment
  const std::string encoding = lower(trim(part.header("content-transfer-encoding")));
  std::string content;
  if (encoding == "base64") content = base64Decode(part.body);
  else if (encoding == "quoted-printable") content = quotedPrintableDecode(part.body, false);
  else content = std::string(part.body);
  MailAttachment a;
  a.name = decodeEncodedWords(name);
  a.size = content.size();
  a.sha256 = signatures::Sha256::hex(content);
  a.content_type = std::string(trim(type.substr(0, type.find(';'))));
  tx.attachments.push_back(std::move(a));
}

std::string bareAddress(std::string_view arg) {
  const std::size_t lt = arg.find('<');
  if (lt != std::string_view::npos) {
    const std::size_t gt = arg.find('>', lt);
    return std::string(arg.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1));
  }
  return std::string(trim(arg.substr(0, arg.find(' '))));
}

}  // namespace

std::string decodeEncodedWords(std::string_view h) {
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  while (pos < h.size()) {
    const std::size_t start = h.find("=?", pos);
    if (start == std::string_view::npos) {
      out.append(h.substr(pos));
      break;
    }
    const std::size_t q1 = h.find('?', start + 2);
    const std::size_t q2 = q1 == std::string_view::npos ? q1 : h.find('?', q1 + 1);
    const std::size_t end = q2 == std::string_view::npos ? q2 : h.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out.append(h.substr(pos));
      break;
    }
    const std::string_view between = h.substr(pos, start - pos);
    if (!(last_was_word && trim(between).empty())) out.append(between);  // whitespace between words is dropped
    const char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(h[q1 + 1])));
    const std::string_view text = h.substr(q2 + 1, end - q2 - 1);
    out.append(encoding == 'B' ? base64Decode(text) : quotedPrintableDecode(text, true));
    pos = end + 2;
    last_was_word = true;
  }
  return out;
}

void parseMailMessage(std::string_view message, MailTransaction& tx) {
  const Part head = splitPart(message);
  tx.from = head.header("from");
  tx.subject = decodeEncodedWords(head.header("subject"));
  tx.message_id = head.header("message-id");
  walkMime(message, tx, 0);
}

void SmtpState::feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  if (dir != signatures::FlowDirection::ToServer) return;  // replies carry no metadata we keep
  pending_.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t pos = 0;
  for (;;) {
    const std::size_t eol = pending_.find('\n', pos);
    if (eol == std::string::npos) break;
    std::string_view line(pending_.data() + pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (in_data_) {
      if (line == ".") {
        finishMessage(sink);
        continue;
      }
      if (message_.size() < kMaxMessageBytes) {
        message_.append(line.starts_with("..") ? line.substr(1) : line).append("\r\n");
      } else {
        tx_.truncated = true;
      }
      continue;
    }
    command(line);
  }
  pending_.erase(0, pos);
  if (pending_.size() > 64 * 1024 && !in_data_) pending_.clear();  // no line end in sight: not SMTP
}

void SmtpState::command(std::string_view line) {
  if (istarts(line, "HELO ") || istarts(line, "EHLO ")) {
    helo_ = std::string(trim(line.substr(5)));
  } else if (istarts(line, "MAIL FROM:")) {
    tx_ = MailTransaction{};
    tx_.mail_from = bareAddress(line.substr(10));
  } else if (istarts(line, "RCPT TO:")) {
    tx_.rcpt_to.push_back(bareAddress(line.substr(8)));
  } else if (istarts(line, "DATA")) {
    in_data_ = true;
    message_.clear();
  } else if (istarts(line, "RSET")) {
    tx_ = MailTransaction{};
  }
}

void SmtpState::finishMessage(const TransactionSink& sink) {
  in_data_ = false;
  tx_.helo = helo_;
  parseMailMessage(message_, tx_);
  sink(tx_);
  tx_ = MailTransaction{};
  std::string().swap(message_);  // a mail can be megabytes: do not keep the capacity
}

}  // namespace gsoc::sensor
