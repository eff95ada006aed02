#include "sensor/app/BittorrentDhtParser.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace gsoc::sensor {

namespace {

// Bencode as Suricata's decoder (bendy) reads it: strict integers (no leading zeros, no "-0"),
// dictionary keys in strictly increasing order, and at most three levels of nesting.
class Bencode {
 public:
  static constexpr int kMaxDepth = 3;
  explicit Bencode(std::span<const std::uint8_t> data) : data_(data) {}

  [[nodiscard]] int peek() const { return pos_ < data_.size() ? data_[pos_] : -1; }
  [[nodiscard]] bool isBytes() const { return peek() >= '0' && peek() <= '9'; }
  // A byte string ("4:spam").
  bool bytes(std::string_view& out) {
    std::size_t length = 0;
    const std::size_t start = pos_;
    while (pos_ < data_.size() && data_[pos_] >= '0' && data_[pos_] <= '9') {
      if (pos_ - start > 9) return false;  // more than a datagram can hold
      length = length * 10 + (data_[pos_++] - '0');
    }
    if (pos_ == start || pos_ >= data_.size() || data_[pos_] != ':') return false;
    if (data_[start] == '0' && pos_ - start > 1) return false;
    ++pos_;
    if (length > data_.size() - pos_) return false;
    out = std::string_view(reinterpret_cast<const char*>(data_.data() + pos_), length);
    pos_ += length;
    return true;
  }
  // An integer ("i42e") that fits in [0, max].
  bool unsignedInteger(std::uint64_t max, std::uint64_t& out) {
    std::string_view digits;
    if (!integer(digits) || digits.front() == '-') return false;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size() && out <= max;
  }
  bool integer(std::string_view& digits) {
    if (peek() != 'i') return false;
    const std::size_t start = ++pos_;
    while (pos_ < data_.size() && data_[pos_] != 'e') ++pos_;
    if (pos_ >= data_.size()) return false;
    digits = std::string_view(reinterpret_cast<const char*>(data_.data() + start), pos_ - start);
    ++pos_;
    const std::string_view number = digits.starts_with('-') ? digits.substr(1) : digits;
    if (number.empty() || !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    if (number.front() == '0' && (number.size() > 1 || digits.size() > 1)) return false;  // "i03e", "i-0e"
    return true;
  }
  // Opens a dictionary or a list one level deeper than `depth`.
  bool open(char kind, int depth) {
    if (peek() != kind || depth + 1 > kMaxDepth) return false;
    ++pos_;
    return true;
  }
  // The next key of an open dictionary, after `previous` (keys strictly increase); false at
  // its end (`end` set) or at a fault.
  bool nextKey(std::string_view& key, std::string_view previous, bool first, bool& end) {
    end = false;
    if (peek() == 'e') {
      ++pos_;
      end = true;
      return false;
    }
    if (!bytes(key)) return false;
    return first || key > previous;
  }
  // Walks an open dictionary: `value(key)` reads (or skips) each key's value in turn and is
  // false at a fault. True at the dictionary's end; false when a key is out of order, the data
  // ends first, or a value fails.
  template <typename OnValue>
  bool entries(OnValue&& value) {
    std::string_view key, previous;
    bool end = false;
    for (bool first = true;; first = false) {
      if (!nextKey(key, previous, first, end)) return end;
      if (!value(key)) return false;
      previous = key;
    }
  }
  // Whether a list has more entries: false at its end (consumed) or when the data ends first
  // (then bad()).
  bool more() {
    if (peek() == -1) {
      bad_ = true;
      return false;
    }
    if (peek() != 'e') return true;
    ++pos_;
    return false;
  }
  [[nodiscard]] bool bad() const { return bad_; }
  // Skips one value at `depth` (the level of the container holding it).
  bool skip(int depth) {
    std::string_view ignored;
    if (isBytes()) return bytes(ignored);
    if (peek() == 'i') return integer(ignored);
    const int c = peek();
    if (c != 'l' && c != 'd') return false;
    if (!open(static_cast<char>(c), depth)) return false;
    if (c == 'l') {
      while (more()) {
        if (!skip(depth + 1)) return false;
      }
      return !bad_;
    }
    return entries([&](std::string_view) { return skip(depth + 1); });
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

bool validUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    const std::size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if (n == 4 || (n != 0 && c < 0xc2) || s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((static_cast<std::uint8_t>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

// A compact peer: 4 octets and a port when fewer than 18 octets, else 16 and a port.
bool peer(std::string_view s, DhtPeer& out) {
  out.ip_size = s.size() < 18 ? 4 : 16;
  if (s.size() < out.ip_size + 2u) return false;
  std::copy_n(s.begin(), out.ip_size, out.ip.begin());
  out.port = static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[out.ip_size]) << 8) | static_cast<std::uint8_t>(s[out.ip_size + 1]));
  return true;
}

// Compact node infos, as many whole ones as `s` holds (the rest ignored, as Suricata's).
void nodes(std::string_view s, std::size_t ip_size, ReusingVector<DhtNode>& out) {
  const std::size_t size = 20 + ip_size + 2;
  for (; s.size() >= size; s.remove_prefix(size)) {
    DhtNode& node = out.next();
    std::copy_n(s.begin(), 20, node.id.begin());
    node.address.ip_size = static_cast<std::uint8_t>(ip_size);
    std::copy_n(s.begin() + 20, ip_size, node.address.ip.begin());
    node.address.port = static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[20 + ip_size]) << 8) |
                                                   static_cast<std::uint8_t>(s[21 + ip_size]));
  }
}

// What one message's outer dictionary held, before it is checked whole.
struct Fields {
  std::string_view y, q, t, v;
  bool has_y = false, has_q = false, has_a = false, has_r = false, has_e = false, has_t = false, has_v = false;
};

// The query arguments ("a", depth 1 holding it): into out's request fields.
bool arguments(Bencode& b, BittorrentDhtMessage& out) {
  if (!b.open('d', 1)) return false;
  bool has_id = false;
  const bool read = b.entries([&](std::string_view key) {
    std::string_view value;
    std::uint64_t number = 0;
    if (key == "id" || key == "target" || key == "info_hash" || key == "token") {
      if (!b.bytes(value)) return false;
      if (key == "id") {
        out.request_id.assign(value);
        has_id = true;
      } else {
        (key == "target" ? out.target : key == "info_hash" ? out.info_hash : out.request_token).emplace(value);
      }
      return true;
    }
    if (key == "implied_port") {
      if (!b.unsignedInteger(0xff, number)) return false;
      out.implied_port = static_cast<std::uint8_t>(number);
      return true;
    }
    if (key == "port") {
      if (!b.unsignedInteger(0xffff, number)) return false;
      out.port = static_cast<std::uint16_t>(number);
      return true;
    }
    return b.skip(2);
  });
  return read && has_id;
}

// The response ("r"): into out's response fields.
bool response(Bencode& b, BittorrentDhtMessage& out) {
  if (!b.open('d', 1)) return false;
  bool has_id = false;
  const bool read = b.entries([&](std::string_view key) {
    std::string_view value;
    if (key == "id" || key == "token" || key == "nodes" || key == "nodes6") {
      if (!b.bytes(value)) return false;
      if (key == "id") {
        out.response_id.assign(value);
        has_id = true;
      } else if (key == "token") {
        out.response_token.emplace(value);
      } else {
        nodes(value, key == "nodes" ? 4 : 16, key == "nodes" ? out.nodes : out.nodes6);
      }
      return true;
    }
    if (key == "values" && b.peek() == 'l') {
      if (!b.open('l', 2)) return false;
      while (b.more()) {
        if (!b.bytes(value) || !peer(value, out.values.next())) return false;
      }
      return !b.bad();
    }
    return b.skip(2);
  });
  return read && has_id;
}

// The error ("e"): a list holding its code and message.
bool error(Bencode& b, BittorrentDhtMessage& out) {
  if (!b.open('l', 1)) return false;
  bool has_num = false, has_msg = false;
  std::string_view value;
  while (b.more()) {
    if (b.peek() == 'i') {
      std::uint64_t number = 0;
      if (!b.unsignedInteger(0xffff, number)) return false;
      out.error_num = static_cast<std::uint16_t>(number);
      has_num = true;
    } else if (b.isBytes()) {
      if (!b.bytes(value) || !validUtf8(value)) return false;
      out.error_msg.assign(value);
      has_msg = true;
    } else if (!b.skip(2)) {
      return false;
    }
  }
  return !b.bad() && has_num && has_msg;
}

}  // namespace

void BittorrentDhtMessage::clear() {
  transaction_id.clear();
  client_version.reset();
  has_request = has_response = has_error = malformed = false;
  request_type.clear();
  request_id.clear();
  response_id.clear();
  target.reset();
  info_hash.reset();
  request_token.reset();
  response_token.reset();
  implied_port.reset();
  port.reset();
  nodes.clear();
  nodes6.clear();
  values.clear();
  error_num = 0;
  error_msg.clear();
}

bool looksLikeBittorrentDht(std::span<const std::uint8_t> data) {
  if (data.size() <= 5) return false;
  const std::string_view head(reinterpret_cast<const char*>(data.data()), 5);
  return head == "d1:ad" || head == "d1:rd" || head == "d2:ip" || head == "d1:el";
}

bool startsBittorrentDhtQuery(std::span<const std::uint8_t> data) {
  constexpr std::string_view kPattern = "d1:ad2:id20:";
  return data.size() >= kPattern.size() &&
         std::string_view(reinterpret_cast<const char*>(data.data()), kPattern.size()) == kPattern;
}

bool parseBittorrentDhtMessage(std::span<const std::uint8_t> data, BittorrentDhtMessage& out) {
  out.clear();
  // The arguments, response and error decode into `out` as they come; which of them the message
  // is ("y") is known at the end: as Suricata fills its transaction, a message whose dictionary
  // does not read keeps nothing, and one lacking its transaction id keeps its query, response
  // or error.
  Bencode b(data);
  Fields f;
  const bool ok = b.open('d', 0) && b.entries([&](std::string_view key) {
    if (key == "y" || key == "q" || key == "t" || key == "v") {
      std::string_view value;
      const bool read = b.bytes(value) && ((key != "y" && key != "q") || validUtf8(value));
      if (key == "y") f.y = value, f.has_y = read;
      else if (key == "q") f.q = value, f.has_q = read;
      else if (key == "t") f.t = value, f.has_t = read;
      else f.v = value, f.has_v = read;
      return read;
    }
    if (key == "a") return f.has_a = arguments(b, out);
    if (key == "r") return f.has_r = response(b, out);
    if (key == "e") return f.has_e = error(b, out);
    return b.skip(1);
  });
  const auto fail = [&] {
    out.malformed = true;
    return false;
  };
  if (!ok) {
    // Nothing of a dictionary that did not read is kept.
    out.clear();
    return fail();
  }
  if (!f.has_y) return fail();
  if (f.y == "q") {
    if (!f.has_q || !f.has_a) return fail();
    out.request_type.assign(f.q);
    out.has_request = true;
  } else if (f.y == "r") {
    if (!f.has_r) return fail();
    out.has_response = true;
  } else if (f.y == "e") {
    if (!f.has_e) return fail();
    out.has_error = true;
  } else {
    return fail();
  }
  if (!f.has_t) return fail();
  out.transaction_id.assign(f.t);
  if (f.has_v) out.client_version.emplace(f.v);
  return true;
}

void BittorrentDhtState::datagram(std::span<const std::uint8_t> payload, const MessageSink& sink) {
  if (!looksLikeBittorrentDht(payload)) return;
  if (!parseBittorrentDhtMessage(payload, message_)) {
    ++errors_;
    events.set(signatures::AnomalyEvent::BittorrentDhtMalformedPacket);
  }
  message_.tx_id = next_tx_id_++;
  sink(message_);
}

void BittorrentDhtState::reset() {
  message_.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor
