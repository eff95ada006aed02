#include "sensor/app/SmtpParser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <utility>

namespace gsoc::sensor {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// `s` without the spaces around it (only spaces: a command argument's other bytes are its own).
std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool istarts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

// `s` equals `lowercase` (lower-case already) ignoring the case of `s`.
bool iequals(std::string_view s, std::string_view lowercase) {
  return s.size() == lowercase.size() && istarts(s, lowercase);
}

// Where lower-case `key` first occurs in `s` at or after `pos`, ignoring the case of `s`.
std::size_t ifind(std::string_view s, std::string_view key, std::size_t pos) {
  for (; pos + key.size() <= s.size(); ++pos) {
    if (istarts(s.substr(pos), key)) return pos;
  }
  return std::string_view::npos;
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

// Base64 decoding as a loop over the input that hands each byte to `put`: words in headers
// append to a string, attachments to the message's decoded contents. Whitespace, line breaks
// and any other character outside the alphabet are skipped; padding ends a quantum.
template <typename Put>
void base64Decode(std::string_view in, Put&& put) {
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') {  // padding ends a quantum (RFC 2045 6.8): its leftover bits are dropped
      buffer = 0;
      bits = 0;
      continue;
    }
    const int v = kBase64[static_cast<unsigned char>(c)];
    if (v < 0) continue;
    buffer = (buffer << 6 | static_cast<unsigned>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      put(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
}

// Four alphabet characters on a quantum boundary decode to three bytes at once; anything else
// (line breaks, padding, stray characters) goes through base64Decode's rules one character at a
// time. Output goes straight into the string's room (push_back per byte was 2.7 % of the sensor
// on the uplink profile, issue 17).
void base64DecodeAppend(std::string_view in, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + in.size() / 4 * 3 + 3);  // 6 bits per character at most
  char* dst = out.data() + start;
  std::size_t i = 0;
  while (i < in.size()) {
    if (in.size() - i >= 4) {
      const int a = kBase64[static_cast<unsigned char>(in[i])], b = kBase64[static_cast<unsigned char>(in[i + 1])];
      const int c = kBase64[static_cast<unsigned char>(in[i + 2])], d = kBase64[static_cast<unsigned char>(in[i + 3])];
      if ((a | b | c | d) >= 0) {
        const auto v = static_cast<unsigned>(a << 18 | b << 12 | c << 6 | d);
        dst[0] = static_cast<char>(v >> 16);
        dst[1] = static_cast<char>(v >> 8);
        dst[2] = static_cast<char>(v);
        dst += 3;
        i += 4;
        continue;
      }
    }
    // Up to the next quantum boundary (or the end) character by character.
    std::size_t j = i;
    int digits = 0;
    while (j < in.size()) {
      const char ch = in[j++];
      if (ch == '=') {
        digits = 0;
        break;
      }
      if (kBase64[static_cast<unsigned char>(ch)] >= 0 && ++digits == 4) break;
    }
    base64Decode(in.substr(i, j - i), [&](char ch) { *dst++ = ch; });
    i = j;
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void quotedPrintableDecodeAppend(std::string_view in, bool header, std::string& out) {
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
}

// Value of `key=` (`key` in lower case, matched in any case) in a header like
// `attachment; filename="x.pdf"`: a view into `header`.
std::string_view parameter(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = ifind(header, key, pos)) != std::string_view::npos) {
    const bool boundary = pos == 0 || header[pos - 1] == ';' || header[pos - 1] == ' ' || header[pos - 1] == '\t';
    std::size_t p = pos + key.size();
    while (p < header.size() && header[p] == ' ') ++p;
    if (boundary && p < header.size() && header[p] == '=') {
      ++p;
      while (p < header.size() && header[p] == ' ') ++p;
      if (p < header.size() && header[p] == '"') {
        const std::size_t end = header.find('"', p + 1);
        return header.substr(p + 1, end == std::string_view::npos ? std::string_view::npos : end - p - 1);
      }
      const std::size_t end = header.find_first_of("; \t\r\n", p);
      return header.substr(p, end == std::string_view::npos ? std::string_view::npos : end - p);
    }
    pos += key.size();
  }
  return {};
}

// An RFC 2231 parameter split into numbered sections (`filename*0=...; filename*1=...`), joined
// into `out`; empty when the header has no section 0.
std::string_view continuedParameter(std::string_view header, std::string_view key, std::string& out) {
  out.clear();
  std::array<char, 32> section;
  for (unsigned i = 0; i < 100; ++i) {
    if (key.size() + 4 > section.size()) break;
    const std::size_t n = key.copy(section.data(), key.size());
    section[n] = '*';
    std::size_t len = n + 1;
    if (i >= 10) section[len++] = static_cast<char>('0' + i / 10);
    section[len++] = static_cast<char>('0' + i % 10);
    const std::string_view value = parameter(header, std::string_view(section.data(), len));
    if (value.empty()) break;
    out.append(value);
  }
  return out;
}

// The header fields of one part, read into `scratch` (replacing the last part's): the part's
// body follows them.
std::string_view splitPart(std::string_view text, MailScratch& scratch) {
  auto& headers = scratch.headers;
  headers.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !headers.empty()) {  // a folded line continues the field
      headers.back().second.append(" ").append(trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto& [name, value] = headers.next();
    name.assign(trim(line.substr(0, colon)));
    value.assign(trim(line.substr(colon + 1)));
  }
  return pos < text.size() ? text.substr(pos) : std::string_view();
}

// The first field of the part just split named `name` (lower case; matched in any case).
std::string_view header(const MailScratch& scratch, std::string_view name) {
  for (const auto& [n, v] : scratch.headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

// The URLs of a text part, as Suricata's MIME decoder finds them (extract-urls with its
// default scheme, http://): each up to the next whitespace, quote or angle bracket, its scheme
// left out, once per message, the latest first as Suricata lists them.
void extractUrls(std::string_view text, ReusingVector<std::string>& urls) {
  constexpr std::string_view kSchemes[] = {"http://"};
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t best = std::string_view::npos;
    std::size_t skip = 0;
    for (const std::string_view scheme : kSchemes) {
      const std::size_t at = ifind(text, scheme, pos);
      if (at < best) {
        best = at;
        skip = scheme.size();
      }
    }
    if (best == std::string_view::npos) return;
    const std::size_t start = best + skip;
    std::size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
           text[end] != '\'' && text[end] != '<' && text[end] != '>') {
      ++end;
    }
    const std::string_view url = text.substr(start, end - start);
    if (!url.empty() && std::find(urls.begin(), urls.end(), url) == urls.end()) {
      urls.next().assign(url);
      urls.moveBackToFront();
    }
    pos = std::max(end, best + 1);
  }
}

// One line end ("\r\n" or "\n") off the end of `text`, if it ends with one.
void removeLineEnd(std::string_view& text) {
  if (!text.ends_with('\n')) return;
  text.remove_suffix(1);
  if (text.ends_with('\r')) text.remove_suffix(1);
}

void walkMime(std::string_view text, MailTransaction& tx, std::size_t depth, MailScratch& scratch) {
  if (depth > MailScratch::kMaxDepth) return;
  const std::string_view body = splitPart(text, scratch);
  const std::string_view type = header(scratch, "content-type");
  if (istarts(type, "multipart/")) {
    const std::string_view boundary = parameter(type, "boundary");
    if (boundary.empty()) return;
    // The children's headers replace this part's in the scratch: the delimiter is copied out.
    std::string& delimiter = scratch.delimiters[depth];
    delimiter.assign("--").append(boundary);
    std::size_t pos = body.find(delimiter);
    while (pos != std::string_view::npos) {
      pos += delimiter.size();
      if (body.substr(pos, 2) == "--") break;
      const std::size_t next = body.find(delimiter, pos);
      std::string_view child = body.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
      while (!child.empty() && (child.front() == '\r' || child.front() == '\n')) child.remove_prefix(1);
      // The line end before a delimiter belongs to the delimiter (RFC 2046 5.1.1), not to the
      // part: an attachment's content, size and hashes end before it. A part the message's end
      // cuts off ends before its last line end too, as Suricata's decoder holds each line end
      // back until a next line comes.
      removeLineEnd(child);
      walkMime(child, tx, depth + 1, scratch);
      pos = next;
    }
    return;
  }
  if (type.starts_with("message/")) {
    // An encapsulated message: its own header fields, encoding and file name follow, as in
    // Suricata's decoder, which starts over at them (whatever the enclosing part declared).
    walkMime(body, tx, depth + 1, scratch);
    return;
  }
  std::string_view name = parameter(header(scratch, "content-disposition"), "filename");
  if (name.empty()) name = continuedParameter(header(scratch, "content-disposition"), "filename", scratch.name);
  if (name.empty()) name = parameter(type, "name");
  if (name.empty()) name = continuedParameter(type, "name", scratch.name);
  if (name.empty()) {  // not an attachment: a text part's URLs
    if (type.empty() || istarts(type, "text/")) {
      const std::string_view encoding = trim(header(scratch, "content-transfer-encoding"));
      if (iequals(encoding, "base64")) {
        scratch.decoded.clear();
        base64DecodeAppend(body, scratch.decoded);
        extractUrls(scratch.decoded, tx.urls);
      } else if (iequals(encoding, "quoted-printable")) {
        scratch.decoded.clear();
        quotedPrintableDecodeAppend(body, false, scratch.decoded);
        extractUrls(scratch.decoded, tx.urls);
      } else {
        extractUrls(body, tx.urls);
      }
    }
    return;
  }
  if (name.size() > MailScratch::kMaxFileName) {
    scratch.long_filename = true;
    name = name.substr(0, MailScratch::kMaxFileName);
  }
  const std::string_view encoding = trim(header(scratch, "content-transfer-encoding"));
  MailAttachment& a = tx.attachments.next();
  // Decoded after the message's earlier attachments, kept for file_data, hashed from there.
  std::string& contents = scratch.contents;
  a.content_offset = contents.size();
  if (iequals(encoding, "base64")) {
    base64DecodeAppend(body, contents);
  } else if (iequals(encoding, "quoted-printable")) {
    quotedPrintableDecodeAppend(body, false, contents);
  } else {
    contents.append(body);
  }
  a.size = contents.size() - a.content_offset;
  scratch.hasher.update(std::string_view(contents).substr(a.content_offset));
  scratch.hasher.finishAndRestart(a.md5, a.sha256);
  decodeEncodedWords(name, a.name);
  a.content_type.assign(trim(type.substr(0, type.find(';'))));
}

// The reply codes Suricata's SMTP parser knows (its smtp_reply_map: RFC 5321's, with Suricata
// 8's additions for AUTH (RFC 4954) and RFC 7504); any other (400, 472) is an invalid reply.
bool knownReplyCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {"211", "214", "220", "221", "235", "250", "251", "252", "334", "354",
                                                "421", "432", "450", "451", "452", "454", "455", "500", "501", "502",
                                                "503", "504", "521", "530", "534", "535", "538", "550", "551", "552",
                                                "553", "554", "555", "556"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

// A command's argument as Suricata keeps it: spaces after the colon skipped, then up to the next
// space (what follows are ESMTP parameters such as SIZE=).
void commandArgument(std::string_view arg, std::string& out) {
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  out.assign(trim(arg.substr(0, arg.find(' '))));
}

// An address list header (To, Cc) split at the commas outside quotes and angle brackets, each
// address trimmed.
void splitAddresses(std::string_view field, ReusingVector<std::string>& out) {
  bool quoted = false;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= field.size(); ++i) {
    const char c = i < field.size() ? field[i] : ',';
    if (c == '"' && (i == 0 || field[i - 1] != '\\')) quoted = !quoted;
    else if (!quoted && c == '<') ++angle;
    else if (!quoted && c == '>' && angle > 0) --angle;
    if (c != ',' || (i < field.size() && (quoted || angle > 0))) continue;
    const std::string_view address = trim(field.substr(start, i - start));
    if (!address.empty()) out.next().assign(address);
    start = i + 1;
  }
}

}  // namespace

std::string_view mailboxAddress(std::string_view arg) {
  const std::size_t lt = arg.find('<');
  if (lt != std::string_view::npos) {
    const std::size_t gt = arg.find('>', lt);
    return arg.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  }
  return trim(arg.substr(0, arg.find(' ')));
}

void decodeEncodedWords(std::string_view h, std::string& out) {
  out.clear();
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
    if (encoding == 'B') base64DecodeAppend(text, out);
    else quotedPrintableDecodeAppend(text, true, out);
    pos = end + 2;
    last_was_word = true;
  }
}

std::string decodeEncodedWords(std::string_view header) {
  std::string out;
  decodeEncodedWords(header, out);
  return out;
}

void parseMailMessage(std::string_view message, MailTransaction& tx, MailScratch& scratch) {
  splitPart(message, scratch);
  tx.from.assign(header(scratch, "from"));
  decodeEncodedWords(header(scratch, "subject"), tx.subject);
  tx.message_id.assign(header(scratch, "message-id"));
  tx.date.assign(header(scratch, "date"));
  tx.x_mailer.assign(header(scratch, "x-mailer"));
  tx.to.clear();
  tx.cc.clear();
  tx.received.clear();
  tx.urls.clear();
  for (const auto& [name, value] : scratch.headers) {
    if (iequals(name, "to")) splitAddresses(value, tx.to);
    else if (iequals(name, "cc")) splitAddresses(value, tx.cc);
    else if (iequals(name, "received")) tx.received.next().assign(value);
  }
  // One large mail's attachments do not stay with the worker: a buffer grown past what the
  // workspace keeps of a message is freed, as SmtpWorkspace frees message buffers.
  if (scratch.contents.capacity() > SmtpWorkspace::kKeptMessageBytes) std::string().swap(scratch.contents);
  scratch.contents.clear();
  scratch.long_filename = false;
  removeLineEnd(message);  // the message's last line end, as a part's before a delimiter
  walkMime(message, tx, 0, scratch);
}

std::string_view attachmentContent(const MailScratch& scratch, const MailAttachment& a) {
  if (a.content_offset > scratch.contents.size() || a.size > scratch.contents.size() - a.content_offset) return {};
  return std::string_view(scratch.contents).substr(a.content_offset, a.size);
}

void parseMailMessage(std::string_view message, MailTransaction& tx) {
  MailScratch scratch;
  parseMailMessage(message, tx, scratch);
}

void MailTransaction::clear() {
  for (std::string* s : {&helo, &mail_from, &from, &subject, &message_id, &date, &x_mailer}) s->clear();
  rcpt_to.clear();
  received.clear();
  urls.clear();
  to.clear();
  cc.clear();
  attachments.clear();
  has_message = false;
  truncated = false;
  tx_id = 0;
}

void SmtpState::feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  if (tls_ || failed_) return;
  if (dir != signatures::FlowDirection::ToServer) {
    for (const std::uint8_t c : data) {
      if (c == '\n') {
        std::string_view line = reply_line_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        reply(line, sink);
        reply_line_.clear();
        if (tls_ || failed_) return;
        continue;
      }
      if (reply_line_.size() < kMaxLine) reply_line_.push_back(static_cast<char>(c));
    }
    return;
  }
  pending_.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t pos = 0;
  for (;;) {
    if (chunk_left_ > 0) {  // a BDAT chunk is bytes, not lines
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, pending_.size() - pos));
      pos += take;
      chunk_left_ -= take;
      if (chunk_left_ > 0) break;
      if (chunk_last_) {
        chunk_last_ = false;
        tx_open_ = false;
        tx_.helo = helo_;
        sink(tx_, MailStage::Received);
        awaiting_reply_ = true;
      }
      continue;
    }
    const std::size_t eol = pending_.find('\n', pos);
    if (eol == std::string::npos) break;
    std::string_view line(pending_.data() + pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // A line of Suricata's line buffer's size or longer, with its line end: its first kMaxLine
    // bytes, a carriage return among them if it falls there.
    const std::string_view cut(pending_.data() + pos, std::min(eol + 1 - pos, kMaxLine));
    const bool too_long = eol + 1 - pos >= kMaxLine;
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
    if (too_long) {
      events.set(signatures::AnomalyEvent::SmtpTruncatedLine);
      line = cut;
    }
    command(line, sink);
    if (tls_) {
      pending_.clear();
      return;
    }
  }
  pending_.erase(0, pos);
  if (pending_.size() > 64 * 1024 && !in_data_ && chunk_left_ == 0) pending_.clear();  // no line end in sight: not SMTP
}

void SmtpState::queue(Command c) {
  if (queue_size_ > 0) {
    // Nothing may follow DATA or STARTTLS before their reply, but the message after a DATA
    // the server's PIPELINING let through.
    const Command last = queue_[(queue_head_ + queue_size_ - 1) % kMaxQueued];
    if (last == Command::Data || last == Command::Starttls) events.set(signatures::AnomalyEvent::SmtpInvalidPipelinedSequence);
  }
  if (queue_size_ == kMaxQueued) {  // a client that never reads its replies: forget the oldest
    queue_head_ = (queue_head_ + 1) % kMaxQueued;
    --queue_size_;
  }
  queue_[(queue_head_ + queue_size_) % kMaxQueued] = c;
  ++queue_size_;
}

void SmtpState::open(const TransactionSink& sink) {
  if (tx_open_) return;
  complete(sink);  // a new transaction: the last mail is answered or never will be
  tx_.clear();
  tx_.tx_id = mails_++;
  tx_open_ = true;
  tx_data_ = false;
}

void SmtpState::finish(const TransactionSink& sink) {
  if (!tx_open_) return;
  tx_open_ = false;
  data_waiting_ = false;
  tx_.helo = helo_;
  sink(tx_, MailStage::Received);
  sink(tx_, MailStage::Complete);
  tx_.clear();
}

void SmtpState::command(std::string_view line, const TransactionSink& sink) {
  using signatures::AnomalyEvent;
  const bool rset = istarts(line, "RSET"), quit = istarts(line, "QUIT");
  const bool opened_before = tx_open_;
  if (!((rset || quit) && mails_ > 0)) open(sink);
  if (istarts(line, "HELO") || istarts(line, "EHLO")) {
    // A HELO inside a transaction resets it as RSET does (RFC 5321 4.1.4) once the server
    // accepts it; the session keeps its first name, as Suricata's does.
    if (!helo_.empty()) events.set(AnomalyEvent::SmtpDuplicateFields);
    else helo_.assign(trimSpaces(line.substr(4)));  // a cut line's carriage return stays, as in Suricata
    tx_.helo = helo_;
    if (opened_before) reset_tx_ = tx_.tx_id;
    queue(opened_before ? Command::HeloReset : Command::Other);
  } else if (istarts(line, "MAIL FROM:")) {
    if (!tx_.mail_from.empty()) events.set(AnomalyEvent::SmtpDuplicateFields);
    else commandArgument(line.substr(10), tx_.mail_from);
    queue(Command::Other);
  } else if (istarts(line, "RCPT TO:")) {
    commandArgument(line.substr(8), tx_.rcpt_to.next());
    queue(Command::Other);
  } else if (istarts(line, "DATA")) {
    queue(Command::Data);
    if (tx_data_) {  // a second DATA before the server answered the first
      events.set(AnomalyEvent::SmtpUnparsableContent);
      return;
    }
    tx_data_ = true;
    if (pipelining_) enterData();
    else data_waiting_ = true;
  } else if (istarts(line, "BDAT")) {
    // "BDAT <size> [LAST]": the chunk follows the command at once.
    std::string_view rest = trim(line.substr(4));
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && digits < 19 && rest[digits] >= '0' && rest[digits] <= '9') {
      size = size * 10 + static_cast<std::uint64_t>(rest[digits] - '0');
      ++digits;
    }
    const std::string_view tail = trim(rest.substr(digits));
    const bool last = iequals(tail, "last");
    if (digits == 0 || (!tail.empty() && !last) || (digits < rest.size() && rest[digits] != ' ' && rest[digits] != '\t')) {
      events.set(AnomalyEvent::SmtpInvalidBdat);
      queue(Command::Other);
      return;
    }
    queue(last ? Command::BdatLast : Command::Bdat);
    tx_data_ = true;
    chunk_left_ = size;
    chunk_last_ = last;
    if (size == 0 && last) {
      chunk_last_ = false;
      tx_open_ = false;
      tx_.helo = helo_;
      sink(tx_, MailStage::Received);
      awaiting_reply_ = true;
    }
  } else if (istarts(line, "STARTTLS")) {
    queue(Command::Starttls);
  } else if (rset) {
    // The reply ends the transaction the RSET was sent in, if any, not one opened since.
    const bool within = tx_open_ || awaiting_reply_;
    if (within) reset_tx_ = tx_.tx_id;
    queue(within ? Command::Rset : Command::Other);
  } else {
    queue(Command::Other);
  }
}

void SmtpState::reply(std::string_view line, const TransactionSink& sink) {
  using signatures::AnomalyEvent;
  if (line.size() < 3 || !knownReplyCode(line.substr(0, 3))) {
    events.set(AnomalyEvent::SmtpInvalidReply);
    ++errors_;
    failed_ = true;
    return;
  }
  if (line.size() >= 14 && istarts(line.substr(4), "pipelining")) pipelining_ = true;
  if (line.size() > 3 && line[3] == '-') return;  // the reply continues
  if (queue_size_ == 0) return;  // the greeting, or a reply to nothing we saw
  const Command c = queue_[queue_head_];
  queue_head_ = (queue_head_ + 1) % kMaxQueued;
  --queue_size_;
  const std::string_view code = line.substr(0, 3);
  switch (c) {
    case Command::Data:
      if (code == "354") {
        if (data_waiting_) enterData();
        data_waiting_ = false;
        break;
      }
      events.set(AnomalyEvent::SmtpDataCommandRejected);
      data_waiting_ = false;
      tx_data_ = false;
      if (in_data_) {  // the message PIPELINING let in is none
        endData();
        tx_.has_message = false;
      }
      break;
    case Command::DataEnd:
    case Command::BdatLast:
      if (awaiting_reply_) answered_ = true;
      break;
    case Command::Starttls:
      if (code != "220") {
        events.set(AnomalyEvent::SmtpTlsRejected);
        break;
      }
      complete(sink);
      finish(sink);
      tls_ = true;  // the flow is TLS from here
      break;
    case Command::Rset:
    case Command::HeloReset:
      if (code.front() != '2' || tx_.tx_id != reset_tx_) break;  // refused: the transaction goes on
      if (awaiting_reply_) answered_ = true;
      else if (!in_data_ && chunk_left_ == 0) finish(sink);
      break;
    case Command::Other:
    case Command::Bdat:
      break;
  }
}

void SmtpState::enterData() {
  if (in_data_) return;
  message_ = workspace_->takeMessage();  // lines inside DATA are text, so no DATA comes twice
  in_data_ = true;
  tx_.has_message = true;
}

void SmtpState::finishMessage(const TransactionSink& sink) {
  tx_.helo = helo_;
  parseMailMessage(message_, tx_, workspace_->scratch);
  if (workspace_->scratch.long_filename) events.set(signatures::AnomalyEvent::SmtpMimeLongFilename);
  endData();
  tx_open_ = false;
  sink(tx_, MailStage::Received);
  awaiting_reply_ = true;
  queue(Command::DataEnd);
}

void SmtpState::complete(const TransactionSink& sink) {
  if (!awaiting_reply_) return;
  awaiting_reply_ = false;
  answered_ = false;
  sink(tx_, MailStage::Complete);
  tx_.clear();
}

void SmtpState::close(const TransactionSink& sink) {
  complete(sink);
  if (in_data_) {  // the connection ended inside the message: what came of it
    finishMessage(sink);
    complete(sink);
  }
  finish(sink);
}

void SmtpState::endData() {
  if (!in_data_) return;
  in_data_ = false;
  // A mail can be megabytes: the workspace keeps only buffers of a usual size.
  workspace_->giveMessage(std::exchange(message_, std::string()));
}

void SmtpState::reset() {
  constexpr std::size_t kKeepBytes = 16 * 1024;  // a larger line buffer is freed, not kept
  endData();
  if (pending_.capacity() > kKeepBytes) std::string().swap(pending_);
  else pending_.clear();
  reply_line_.clear();
  tx_.clear();
  helo_.clear();
  tx_open_ = tx_data_ = data_waiting_ = pipelining_ = tls_ = failed_ = false;
  errors_ = 0;
  awaiting_reply_ = false;
  answered_ = false;
  chunk_left_ = 0;
  chunk_last_ = false;
  queue_head_ = queue_size_ = 0;
  reset_tx_ = 0;
  mails_ = 0;
  awaiting_ack.clear();
  events.clear();
}

}  // namespace gsoc::sensor
