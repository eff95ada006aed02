#include "sensor/app/Hpack.hpp"

#include <array>

namespace gsoc::sensor {
namespace {

// RFC 7541 Appendix B, as code lengths per symbol (256 is EOS). The code is canonical: codes of
// one length are consecutive in symbol order, each length starting where the last one ended
// (shifted), so the lengths determine every code.
constexpr std::array<std::uint8_t, 257> kHuffmanLengths = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    30};
constexpr unsigned kMaxCodeLength = 30;
constexpr std::uint16_t kEos = 256;

// Canonical decoding tables: per length, the first code, how many codes, and where their
// symbols start in the symbols sorted by (length, symbol).
struct HuffmanTables {
  std::array<std::uint32_t, kMaxCodeLength + 1> first_code{};
  std::array<std::uint16_t, kMaxCodeLength + 1> count{};
  std::array<std::uint16_t, kMaxCodeLength + 1> first_index{};
  std::array<std::uint16_t, 257> symbols{};
};

constexpr HuffmanTables makeTables() {
  HuffmanTables t;
  for (const std::uint8_t length : kHuffmanLengths) ++t.count[length];
  std::uint16_t index = 0;
  std::uint32_t code = 0;
  for (unsigned length = 1; length <= kMaxCodeLength; ++length) {
    t.first_code[length] = code;
    t.first_index[length] = index;
    for (std::uint16_t s = 0; s < kHuffmanLengths.size(); ++s) {
      if (kHuffmanLengths[s] == length) t.symbols[index++] = s;
    }
    code = (code + t.count[length]) << 1;
  }
  return t;
}
constexpr HuffmanTables kHuffman = makeTables();

// RFC 7541 Appendix A.
constexpr std::array<std::pair<std::string_view, std::string_view>, 61> kStaticTable = {{
    {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
    {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
    {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
    {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""}, {"cache-control", ""},
    {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""}, {"content-length", ""},
    {"content-location", ""}, {"content-range", ""}, {"content-type", ""}, {"cookie", ""}, {"date", ""},
    {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""}, {"if-match", ""},
    {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""}, {"if-unmodified-since", ""},
    {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""}, {"proxy-authenticate", ""},
    {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""}, {"retry-after", ""},
    {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""}, {"transfer-encoding", ""},
    {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
}};

// Reads an integer with an N-bit prefix (RFC 7541 5.1); false when truncated or too large.
bool readInteger(std::span<const std::uint8_t> in, std::size_t& pos, unsigned prefix_bits, std::uint64_t& value) {
  if (pos >= in.size()) return false;
  const std::uint8_t mask = static_cast<std::uint8_t>((1u << prefix_bits) - 1);
  value = in[pos++] & mask;
  if (value < mask) return true;
  for (unsigned shift = 0; shift <= 56; shift += 7) {
    if (pos >= in.size()) return false;
    const std::uint8_t b = in[pos++];
    value += static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool readString(std::span<const std::uint8_t> in, std::size_t& pos, std::string& out) {
  if (pos >= in.size()) return false;
  const bool huffman = (in[pos] & 0x80) != 0;
  std::uint64_t length = 0;
  if (!readInteger(in, pos, 7, length) || length > in.size() - pos) return false;
  const auto bytes = in.subspan(pos, static_cast<std::size_t>(length));
  pos += static_cast<std::size_t>(length);
  if (!huffman) {
    out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return true;
  }
  auto decoded = huffmanDecode(bytes);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

}  // namespace

std::optional<std::string> huffmanDecode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve(data.size() * 8 / 5);
  std::uint32_t code = 0;
  unsigned length = 0;
  for (const std::uint8_t byte : data) {
    for (int bit = 7; bit >= 0; --bit) {
      code = code << 1 | ((byte >> bit) & 1u);
      ++length;
      const std::uint32_t offset = code - kHuffman.first_code[length];
      if (code >= kHuffman.first_code[length] && offset < kHuffman.count[length]) {
        const std::uint16_t symbol = kHuffman.symbols[kHuffman.first_index[length] + offset];
        if (symbol == kEos) return std::nullopt;  // EOS inside a string is an error (5.2)
        out.push_back(static_cast<char>(symbol));
        code = 0;
        length = 0;
      } else if (length == kMaxCodeLength) {
        return std::nullopt;
      }
    }
  }
  // Padding: fewer than 8 bits, all ones (the start of EOS).
  if (length >= 8 || code != (1u << length) - 1) return std::nullopt;
  return out;
}

const HeaderField* HpackDecoder::entry(std::uint64_t index) const {
  static const auto kStatic = [] {
    std::array<HeaderField, kStaticTable.size()> fields;
    for (std::size_t i = 0; i < kStaticTable.size(); ++i) fields[i] = {std::string(kStaticTable[i].first), std::string(kStaticTable[i].second)};
    return fields;
  }();
  if (index == 0) return nullptr;
  if (index <= kStatic.size()) return &kStatic[index - 1];
  const std::uint64_t dynamic = index - kStatic.size() - 1;
  return dynamic < table_.size() ? &table_[dynamic] : nullptr;
}

void HpackDecoder::evictTo(std::size_t limit) {
  while (size_ > limit && !table_.empty()) {
    size_ -= table_.back().first.size() + table_.back().second.size() + 32;
    table_.pop_back();
  }
}

void HpackDecoder::insert(HeaderField field) {
  const std::size_t cost = field.first.size() + field.second.size() + 32;
  if (cost > max_size_) {  // larger than the table: it empties it (4.4)
    evictTo(0);
    return;
  }
  evictTo(max_size_ - cost);
  size_ += cost;
  table_.push_front(std::move(field));
}

bool HpackDecoder::decode(std::span<const std::uint8_t> block, std::vector<HeaderField>& out) {
  std::size_t pos = 0;
  size_updates_.clear();
  while (pos < block.size()) {
    const std::uint8_t first = block[pos];
    std::uint64_t index = 0;
    if (first & 0x80) {  // indexed field (6.1)
      if (!readInteger(block, pos, 7, index)) return false;
      const HeaderField* f = entry(index);
      if (f == nullptr) return false;
      out.push_back(*f);
      continue;
    }
    if ((first & 0xe0) == 0x20) {  // dynamic table size update (6.3)
      if (!readInteger(block, pos, 5, index) || index > kMaxTableSize) return false;
      max_size_ = static_cast<std::size_t>(index);
      evictTo(max_size_);
      size_updates_.push_back(index);
      continue;
    }
    // Literals: with incremental indexing (01), without (0000) or never indexed (0001).
    const bool indexing = (first & 0xc0) == 0x40;
    if (!readInteger(block, pos, indexing ? 6 : 4, index)) return false;
    HeaderField field;
    if (index != 0) {
      const HeaderField* name = entry(index);
      if (name == nullptr) return false;
      field.first = name->first;
    } else if (!readString(block, pos, field.first)) {
      return false;
    }
    if (!readString(block, pos, field.second)) return false;
    if (indexing) insert(field);
    out.push_back(std::move(field));
  }
  return true;
}

}  // namespace gsoc::sensor
