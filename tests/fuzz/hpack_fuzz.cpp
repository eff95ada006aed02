// HPACK (sensor/app/Hpack): each record is one header block for the same decoder, so dynamic
// table updates carry from block to block as on a connection; each record is also decoded as a
// Huffman string literal. Invariants: the dynamic table never exceeds the bound a peer may set
// (kMaxTableSize) and counts at least RFC 7541's 32 bytes per entry; a decoded Huffman string has
// no more symbols than its bits allow. After a failed block decoding stops, as on a connection.
#include <cstdint>
#include <vector>

#include "sensor/app/Hpack.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gsoc::fuzz::check;
  gsoc::fuzz::RecordReader reader(data, size);
  gsoc::sensor::HpackDecoder decoder;
  std::vector<gsoc::sensor::HeaderField> fields;
  std::vector<std::uint8_t> copy;
  bool broken = false;
  while (auto record = reader.next()) {
    copy.assign(record->bytes.begin(), record->bytes.end());
    if (auto text = gsoc::sensor::huffmanDecode(copy)) {
      // Huffman codes are at least 5 bits: n bytes hold at most 8n/5 symbols.
      check(text->size() <= copy.size() * 8 / 5, "more Huffman symbols than the bits allow");
    }
    if (broken) continue;
    fields.clear();
    if (!decoder.decode(copy, fields)) {
      broken = true;  // as Http2Connection: the direction is not decoded further
      continue;
    }
    check(decoder.tableSize() <= gsoc::sensor::HpackDecoder::kMaxTableSize, "dynamic table over its bound");
    check(decoder.tableSize() >= 32 * decoder.tableEntries(), "table size below 32 bytes per entry");
  }
  return 0;
}
