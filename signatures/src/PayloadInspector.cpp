#include "gsoc/signatures/PayloadInspector.hpp"

#include "gsoc/signatures/Transform.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace gsoc::signatures {
namespace {

constexpr std::array<unsigned char, 256> makeLowerTable() {
  std::array<unsigned char, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = static_cast<unsigned char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return t;
}
constexpr auto kLower = makeLowerTable();

bool isRelative(const InspectItem& item) {
  return std::visit(
      [](const auto& v) -> bool {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ContentMatch>) return v.relative();
        else if constexpr (std::is_same_v<T, DatasetMatch>) return false;
        else return v.relative;
      },
      item);
}

bool compareReputation(DatasetMatch::Compare op, std::uint16_t have, std::uint16_t want) {
  switch (op) {
    case DatasetMatch::Compare::Greater: return have > want;
    case DatasetMatch::Compare::Less: return have < want;
    case DatasetMatch::Compare::GreaterEqual: return have >= want;
    case DatasetMatch::Compare::LessEqual: return have <= want;
    case DatasetMatch::Compare::Equal: return have == want;
  }
  return false;
}

// One dataset/datarep keyword on the whole buffer. With `match subdomain` a lookup also tries
// every suffix that starts at a '.' ("a.evil.com" -> ".evil.com", ".com"), so a set of domains
// (written with their leading dot, after dotprefix) matches their subdomains.
bool datasetMatches(const DatasetMatch& d, std::string_view buf, std::string_view& matched) {
  if (!d.set || buf.empty()) return false;  // an empty buffer matches nothing, as in Suricata
  Dataset& set = *d.set;
  auto found = [&](std::string_view value) -> bool {
    matched = value;
    if (d.op == DatasetMatch::Op::Reputation) {
      const std::optional<std::uint16_t> rep = set.reputation(value);
      return rep && compareReputation(d.compare, *rep, d.reputation);
    }
    return set.contains(value);
  };
  auto anyFound = [&]() -> bool {
    if (found(buf)) return true;
    if (!d.match_subdomain) return false;
    for (std::size_t dot = buf.find('.', 1); dot != std::string_view::npos; dot = buf.find('.', dot + 1)) {
      if (found(buf.substr(dot))) return true;
    }
    return false;
  };
  switch (d.op) {
    case DatasetMatch::Op::Set: return set.add(buf);
    case DatasetMatch::Op::Unset: return set.remove(buf);
    case DatasetMatch::Op::IsSet: return anyFound();
    case DatasetMatch::Op::IsNotSet: return !anyFound();
    case DatasetMatch::Op::Reputation: return anyFound();
  }
  return false;
}

// Reads `bytes` bytes at `pos` as a number. False when out of bounds or not a number.
bool extractNumber(std::string_view buf, std::int64_t pos, std::uint8_t bytes, Endian endian, NumberBase base,
                   std::uint64_t& out) {
  if (pos < 0 || static_cast<std::uint64_t>(pos) > buf.size()) return false;
  if (bytes == 0) {  // string mode, "to the end of the buffer"
    bytes = static_cast<std::uint8_t>(std::min<std::size_t>(buf.size() - static_cast<std::size_t>(pos), 20));
    if (bytes == 0) return false;
  }
  if (static_cast<std::uint64_t>(pos) + bytes > buf.size()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(buf.data()) + pos;
  out = 0;
  if (base == NumberBase::Binary) {
    for (std::uint8_t i = 0; i < bytes; ++i) {
      const unsigned char b = endian == Endian::Big ? p[i] : p[bytes - 1 - i];
      out = (out << 8) | b;
    }
    return true;
  }
  const unsigned radix = base == NumberBase::Hex ? 16 : base == NumberBase::Oct ? 8 : 10;
  unsigned digits = 0;
  for (std::uint8_t i = 0; i < bytes; ++i) {
    const unsigned char c = p[i];
    unsigned d = 0;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (radix == 16 && kLower[c] >= 'a' && kLower[c] <= 'f') d = kLower[c] - 'a' + 10;
    else break;
    if (d >= radix) break;
    out = out * radix + d;
    ++digits;
  }
  return digits > 0;
}

std::uint64_t applyBitmask(std::uint64_t value, std::optional<std::uint64_t> mask) {
  if (!mask || *mask == 0) return value;
  value &= *mask;
  return value >> __builtin_ctzll(*mask);
}

}  // namespace

std::size_t findContent(std::string_view hay, std::size_t from, std::size_t to, std::string_view needle, bool nocase) {
  if (to > hay.size()) to = hay.size();
  if (from > to || needle.size() > to - from) return std::string_view::npos;
  if (!nocase) {
    const std::size_t p = hay.substr(0, to).find(needle, from);
    return p;
  }
  const auto* h = reinterpret_cast<const unsigned char*>(hay.data());
  const auto* n = reinterpret_cast<const unsigned char*>(needle.data());
  const unsigned char first = kLower[n[0]];
  const std::size_t last = to - needle.size();
  for (std::size_t i = from; i <= last; ++i) {
    if (kLower[h[i]] != first) continue;
    std::size_t j = 1;
    while (j < needle.size() && kLower[h[i + j]] == kLower[n[j]]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

std::int64_t PayloadInspector::value(std::int8_t var, std::int64_t literal) const {
  return var == kNoVariable ? literal : static_cast<std::int64_t>(variables_[static_cast<std::size_t>(var)]);
}

void PayloadInspector::recordContext(const DatasetMatch& d, std::string_view value) {
  if (!d.set || !d.definition || d.definition->context_key.empty()) return;
  if (context_count_ == contexts_.size()) contexts_.emplace_back();
  AlertContext& c = contexts_[context_count_];
  if (!d.set->context(value, c.json)) return;
  c.key = d.definition->context_key;
  ++context_count_;
}

bool PayloadInspector::inspect(const BufferInspection& inspection, std::string_view buffer, bool prefilter_hit,
                               std::size_t min_end) {
  if (inspection.size && !inspection.size->matches(buffer.size())) return false;
  steps_ = 0;
  prefilter_hit_ = prefilter_hit;
  min_end_ = min_end;
  return matchFrom(inspection, 0, buffer, 0);
}

bool PayloadInspector::matchFrom(const BufferInspection& inspection, std::size_t index, std::string_view buf,
                                 std::size_t prev_end) {
  const auto& items = inspection.items;
  if (index == items.size()) return min_end_ == 0 || prev_end > min_end_;  // ends in new bytes
  if (++steps_ > kMaxSteps) return false;
  const bool retry = index + 1 < items.size() && isRelative(items[index + 1]);
  const auto len = static_cast<std::int64_t>(buf.size());
  const auto prev = static_cast<std::int64_t>(prev_end);

  if (const auto* c = std::get_if<ContentMatch>(&items[index])) {
    const auto plen = static_cast<std::int64_t>(c->pattern.size());
    std::int64_t start = 0;
    std::int64_t end = len;
    if (c->startswith) {
      end = plen;
    } else if (c->relative()) {
      start = prev + value(c->distance_var, c->distance.value_or(0));
      if (c->within) end = std::min(len, start + value(c->within_var, *c->within));
    } else {
      start = value(c->offset_var, c->offset.value_or(0));
      if (c->depth) end = std::min(len, start + value(c->depth_var, *c->depth));
    }
    start = std::max<std::int64_t>(start, 0);
    end = std::min(end, len);
    if (c->endswith) start = std::max(start, len - plen);  // the only place it can end at the buffer end
    std::size_t found = start <= end ? findContent(buf, static_cast<std::size_t>(start), static_cast<std::size_t>(end), c->pattern, c->nocase)
                                     : std::string_view::npos;
    if (c->negated) {
      if (found != std::string_view::npos) return false;
      return matchFrom(inspection, index + 1, buf, prev_end);
    }
    while (found != std::string_view::npos) {
      if (matchFrom(inspection, index + 1, buf, found + c->pattern.size())) return true;
      if (!retry || steps_ > kMaxSteps) return false;
      found = findContent(buf, found + 1, static_cast<std::size_t>(end), c->pattern, c->nocase);
    }
    return false;
  }

  if (const auto* p = std::get_if<PcreMatch>(&items[index])) {
    if (p->confirmed_by_prefilter && prefilter_hit_) return matchFrom(inspection, index + 1, buf, prev_end);
    // A relative pcre sees the buffer from the previous match on, so '^' anchors there (Suricata).
    const std::size_t base = p->relative ? std::min(prev_end, buf.size()) : 0;
    const std::string_view subject = buf.substr(base);
    auto m = p->regex->match(subject, 0, match_data_);
    if (p->negated) {
      if (m) return false;
      return matchFrom(inspection, index + 1, buf, prev_end);
    }
    while (m) {
      if (matchFrom(inspection, index + 1, buf, base + m->end)) return true;
      if (!retry || steps_ > kMaxSteps || m->start >= subject.size()) return false;
      m = p->regex->match(subject, m->start + 1, match_data_);
    }
    return false;
  }

  if (const auto* t = std::get_if<ByteTest>(&items[index])) {
    const std::int64_t pos = (t->relative ? prev : 0) + value(t->offset_var, t->offset);
    std::uint64_t read = 0;
    if (!extractNumber(buf, pos, t->bytes, t->endian, t->base, read)) return false;
    read = applyBitmask(read, t->bitmask);
    const auto expected = static_cast<std::uint64_t>(value(t->value_var, static_cast<std::int64_t>(t->value)));
    bool ok = false;
    switch (t->op) {
      case ByteTest::Op::Lt: ok = read < expected; break;
      case ByteTest::Op::Gt: ok = read > expected; break;
      case ByteTest::Op::Le: ok = read <= expected; break;
      case ByteTest::Op::Ge: ok = read >= expected; break;
      case ByteTest::Op::Eq: ok = read == expected; break;
      case ByteTest::Op::And: ok = (read & expected) != 0; break;
      case ByteTest::Op::Or: ok = (read ^ expected) != 0; break;
    }
    if (t->negated) ok = !ok;
    return ok && matchFrom(inspection, index + 1, buf, prev_end);
  }

  if (const auto* j = std::get_if<ByteJump>(&items[index])) {
    const std::int64_t pos = (j->relative ? prev : 0) + value(j->offset_var, j->offset);
    // A byte count from a variable must be one the keyword could have been written with.
    const std::int64_t count = value(j->bytes_var, j->bytes);
    if (j->bytes_var != kNoVariable && (count < 1 || count > (j->base == NumberBase::Binary ? 8 : 23))) return false;
    const auto bytes = static_cast<std::uint8_t>(count);
    std::uint64_t read = 0;
    if (!extractNumber(buf, pos, bytes, j->endian, j->base, read)) return false;
    read = applyBitmask(read, j->bitmask);
    if (read > (std::uint64_t{1} << 32)) return false;
    auto jump = static_cast<std::int64_t>(read) * j->multiplier;
    if (j->align) jump = (jump + 3) & ~std::int64_t{3};
    std::int64_t base = pos + bytes;
    if (j->from_beginning) base = 0;
    if (j->from_end) base = len;
    const std::int64_t target = base + jump + j->post_offset;
    if (target < 0 || target > len) return false;
    return matchFrom(inspection, index + 1, buf, static_cast<std::size_t>(target));
  }

  if (const auto* e = std::get_if<ByteExtract>(&items[index])) {
    const std::int64_t pos = (e->relative ? prev : 0) + e->offset;
    std::uint64_t read = 0;
    if (!extractNumber(buf, pos, e->bytes, e->endian, e->base, read)) return false;
    read = applyBitmask(read, e->bitmask) * e->multiplier;
    if (e->align != 0) read = (read + e->align - 1) / e->align * e->align;
    variables_[static_cast<std::size_t>(e->var)] = read;
    return matchFrom(inspection, index + 1, buf, static_cast<std::size_t>(pos + e->bytes));
  }

  if (const auto* mth = std::get_if<ByteMath>(&items[index])) {
    const std::int64_t bytes = value(mth->bytes_var, mth->bytes);
    if (bytes < 1 || bytes > (mth->base == NumberBase::Binary ? 8 : 10)) return false;
    const std::int64_t pos = (mth->relative ? prev : 0) + mth->offset;
    std::uint64_t read = 0;
    if (!extractNumber(buf, pos, static_cast<std::uint8_t>(bytes), mth->endian, mth->base, read)) return false;
    const auto rvalue = static_cast<std::uint64_t>(value(mth->rvalue_var, static_cast<std::int64_t>(mth->rvalue)));
    switch (mth->op) {
      case ByteMath::Op::Add: read += rvalue; break;
      case ByteMath::Op::Sub: read -= rvalue; break;
      case ByteMath::Op::Mul: read *= rvalue; break;
      case ByteMath::Op::Div:
        if (rvalue == 0) return false;
        read /= rvalue;
        break;
      case ByteMath::Op::Shl: read = rvalue >= 64 ? 0 : read << rvalue; break;
      case ByteMath::Op::Shr: read = rvalue >= 64 ? 0 : read >> rvalue; break;
    }
    read = applyBitmask(read, mth->bitmask);
    variables_[static_cast<std::size_t>(mth->var)] = read;
    return matchFrom(inspection, index + 1, buf, static_cast<std::size_t>(pos + bytes));
  }

  if (const auto* b = std::get_if<Base64Decode>(&items[index])) {
    const std::int64_t start = (b->relative ? prev : 0) + b->offset;
    if (start >= len) return false;
    std::string_view encoded = buf.substr(static_cast<std::size_t>(start));
    if (b->bytes != 0) encoded = encoded.substr(0, b->bytes);
    decodeBase64(encoded, base64_);
    if (base64_.empty()) return false;
    if (!b->data) return matchFrom(inspection, index + 1, buf, prev_end);
    // base64_data ends the list (Suricata): the decoded inspection decides. Its keywords see the
    // decoded bytes from their start, with no stream window to end after.
    const std::size_t outer_min_end = min_end_;
    min_end_ = 0;
    const bool ok = (!b->data->size || b->data->size->matches(base64_.size())) && matchFrom(*b->data, 0, base64_, 0);
    min_end_ = outer_min_end;
    return ok;
  }

  if (const auto* ds = std::get_if<DatasetMatch>(&items[index])) {
    // The whole buffer, wherever the cursor is; the cursor stays for the keywords after it.
    std::string_view matched;
    if (!datasetMatches(*ds, buf, matched) || !matchFrom(inspection, index + 1, buf, prev_end)) return false;
    if (ds->op == DatasetMatch::Op::IsSet) recordContext(*ds, matched);
    return true;
  }

  const auto& d = std::get<IsDataAt>(items[index]);
  const std::int64_t pos = (d.relative ? prev : 0) + value(d.position_var, d.position);
  bool has = pos < len;
  if (d.negated) has = !has;
  return has && matchFrom(inspection, index + 1, buf, prev_end);
}

}  // namespace gsoc::signatures
