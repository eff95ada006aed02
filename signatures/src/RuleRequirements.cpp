#include "gsoc/signatures/RuleRequirements.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace gsoc::signatures {

std::string EngineVersion::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

bool providesFeature(std::string_view name) {
  // Suricata's names for what gsoc computes and a rule may depend on.
  static constexpr std::array<std::string_view, 2> kFeatures{"ja3", "ja4"};
  for (const std::string_view f : kFeatures) {
    if (f == name) return true;
  }
  return false;
}

namespace {

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Reads `value` word by word, remembering offsets for errors.
struct Cursor {
  std::string_view text;
  std::size_t base = 0;  // offset of `text` in the whole value
  std::size_t pos = 0;

  void skipSpace() {
    while (pos < text.size() && isSpace(text[pos])) ++pos;
  }
  [[nodiscard]] bool done() {
    skipSpace();
    return pos >= text.size();
  }
  [[nodiscard]] std::size_t offset() const { return base + pos; }
};

enum class Op { Less, LessEqual, Equal, GreaterEqual, Greater };

Op readOp(Cursor& c) {
  c.skipSpace();
  const std::string_view rest = c.text.substr(c.pos);
  static constexpr std::array<std::pair<std::string_view, Op>, 6> kOps{{
      {">=", Op::GreaterEqual}, {"<=", Op::LessEqual}, {"==", Op::Equal},
      {">", Op::Greater}, {"<", Op::Less}, {"=", Op::Equal},
  }};
  for (const auto& [token, op] : kOps) {
    if (rest.starts_with(token)) {
      c.pos += token.size();
      return op;
    }
  }
  throw RequirementSyntaxError(c.offset(), "requires: expected a comparison (<, <=, =, >=, >) before a version");
}

EngineVersion readVersion(Cursor& c) {
  c.skipSpace();
  const std::size_t start = c.pos;
  std::array<int, 3> parts{0, 0, 0};
  std::size_t n = 0;
  while (true) {
    const char* first = c.text.data() + c.pos;
    const char* last = c.text.data() + c.text.size();
    int part = 0;
    const auto [ptr, ec] = std::from_chars(first, last, part);
    if (ec != std::errc() || n >= parts.size()) {
      throw RequirementSyntaxError(c.base + start, "requires: '" + std::string(c.text.substr(start)) + "' is not a version");
    }
    parts[n++] = part;
    c.pos += static_cast<std::size_t>(ptr - first);
    if (c.pos < c.text.size() && c.text[c.pos] == '.') {
      ++c.pos;
      continue;
    }
    break;
  }
  if (c.pos < c.text.size() && !isSpace(c.text[c.pos]) && c.text[c.pos] != '|') {
    throw RequirementSyntaxError(c.base + start, "requires: '" + std::string(c.text.substr(start)) + "' is not a version");
  }
  return {parts[0], parts[1], parts[2]};
}

bool holds(const EngineVersion& have, Op op, const EngineVersion& want) {
  switch (op) {
    case Op::Less: return have < want;
    case Op::LessEqual: return have <= want;
    case Op::Equal: return have == want;
    case Op::GreaterEqual: return have >= want;
    case Op::Greater: return have > want;
  }
  return false;
}

// `>= 7.0.3 < 8 | >= 9`: alternatives split by '|', each a conjunction of comparisons.
bool versionMet(Cursor c, const EngineVersion& have) {
  bool any = false;
  bool alternative = true;
  bool empty_alternative = true;
  while (!c.done()) {
    if (c.text[c.pos] == '|') {
      if (empty_alternative) throw RequirementSyntaxError(c.offset(), "requires: empty version alternative before '|'");
      any = any || alternative;
      alternative = true;
      empty_alternative = true;
      ++c.pos;
      continue;
    }
    const Op op = readOp(c);
    const EngineVersion want = readVersion(c);
    alternative = alternative && holds(have, op, want);
    empty_alternative = false;
  }
  if (empty_alternative) throw RequirementSyntaxError(c.offset(), "requires: version needs a comparison, as in 'version >= 8'");
  return any || alternative;
}

}  // namespace

std::optional<std::string> unmetRequirement(std::string_view value, const RequirementContext& context) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    Cursor item{value.substr(start, end - start), start, 0};
    item.skipSpace();
    const std::size_t kind_start = item.pos;
    while (item.pos < item.text.size() && !isSpace(item.text[item.pos])) ++item.pos;
    const std::string_view kind = item.text.substr(kind_start, item.pos - kind_start);
    Cursor argument{item.text.substr(item.pos), item.base + item.pos, 0};
    argument.skipSpace();
    std::string_view word = argument.text.substr(argument.pos);
    while (!word.empty() && isSpace(word.back())) word.remove_suffix(1);

    if (kind.empty()) throw RequirementSyntaxError(item.offset(), "requires: empty requirement");
    if (kind == "version") {
      if (!versionMet(argument, context.version)) {
        return "version " + std::string(word) + " (gsoc follows Suricata " + context.version.text() + ")";
      }
    } else if (kind == "feature") {
      if (!providesFeature(word)) return "feature " + std::string(word);
    } else if (kind == "keyword") {
      if (!context.has_keyword || !context.has_keyword(word)) return "keyword " + std::string(word);
    } else {
      return "unknown requirement '" + std::string(kind) + "'";
    }
    if (end == value.size()) break;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace gsoc::signatures
