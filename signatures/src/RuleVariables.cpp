#include "gsoc/signatures/RuleVariables.hpp"

#include <cctype>
#include <charconv>
#include <set>

namespace gsoc::signatures {
namespace {

constexpr u128 kAddrMax = ~u128{0};
constexpr std::uint16_t kPortMax = 65535;

// Recursive-descent parser shared by address and port expressions; `Traits` supplies the atoms.
template <typename Traits>
class ExpressionParser {
 public:
  using Set = typename Traits::Set;

  ExpressionParser(const std::map<std::string, std::string>& vars, std::string_view text, std::size_t base,
                   std::set<std::string>& expanding)
      : vars_(vars), text_(text), base_(base), expanding_(expanding) {}

  Set parseAll() {
    Set result = parseElement();
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw ExpressionError(base_ + pos_, message); }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // Lists and negations nest by recursion: a bound keeps a hostile rule ("[[[[...") from
  // overflowing the stack (found by fuzzing, tests/fuzz/regressions/rule_parser).
  static constexpr int kMaxDepth = 64;

  Set parseElement() {
    if (depth_ == kMaxDepth) fail(std::string(Traits::kWhat) + " expression nested more than 64 deep");
    ++depth_;
    Set result = parseElementUnbounded();
    --depth_;
    return result;
  }

  Set parseElementUnbounded() {
    skipSpace();
    if (pos_ >= text_.size()) fail(std::string("empty ") + Traits::kWhat + " expression");
    if (text_[pos_] == '!') {
      ++pos_;
      return parseElement().complement(Traits::kMin, Traits::kMax);
    }
    if (text_[pos_] == '[') return parseList();
    if (text_[pos_] == '$') return parseVariable();
    return parseAtom();
  }

  Set parseList() {
    ++pos_;  // '['
    Set included;
    Set excluded;
    bool any_positive = false;
    for (;;) {
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == ']') fail("empty list element");
      const bool negated = pos_ < text_.size() && text_[pos_] == '!';
      if (negated) ++pos_;
      Set element = parseElement();
      if (negated) {
        excluded.unite(element);
      } else {
        included.unite(element);
        any_positive = true;
      }
      skipSpace();
      if (pos_ >= text_.size()) fail("missing ']'");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        break;
      }
      fail("expected ',' or ']'");
    }
    // A list of only negations means "everything except these", as in Suricata.
    if (!any_positive) included = Set::all(Traits::kMin, Traits::kMax);
    return included.minus(excluded, Traits::kMin, Traits::kMax);
  }

  Set parseVariable() {
    const std::size_t start = pos_;
    ++pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    const std::string name(text_.substr(start + 1, pos_ - start - 1));
    const auto it = vars_.find(name);
    if (it == vars_.end()) {
      pos_ = start;
      fail(std::string("unknown ") + Traits::kWhat + " variable $" + name);
    }
    if (!expanding_.insert(name).second) {
      pos_ = start;
      fail("variable $" + name + " refers to itself");
    }
    Set result;
    try {
      result = ExpressionParser(vars_, it->second, base_ + start, expanding_).parseAll();
    } catch (const ExpressionError& e) {
      throw ExpressionError(base_ + start, "in $" + name + " = \"" + it->second + "\": " + e.what());
    }
    expanding_.erase(name);
    return result;
  }

  Set parseAtom() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ']' && text_[pos_] != '[' &&
           !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    const std::string_view atom = text_.substr(start, pos_ - start);
    if (atom == "any") return Set::all(Traits::kMin, Traits::kMax);
    Set set;
    if (!Traits::addAtom(atom, set)) {
      pos_ = start;
      fail(std::string("invalid ") + Traits::kWhat + " '" + std::string(atom) + "'");
    }
    return set;
  }

  const std::map<std::string, std::string>& vars_;
  std::string_view text_;
  std::size_t base_;
  std::set<std::string>& expanding_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

struct AddressTraits {
  using Set = AddressSet;
  static constexpr const char* kWhat = "address";
  static constexpr u128 kMin = 0;
  static constexpr u128 kMax = kAddrMax;
  static bool addAtom(std::string_view atom, Set& set) {
    const auto range = parseCidr(atom);
    if (!range) return false;
    set.add(range->first.value(), range->last.value());
    return true;
  }
};

struct PortTraits {
  using Set = PortSet;
  static constexpr const char* kWhat = "port";
  static constexpr std::uint16_t kMin = 0;
  static constexpr std::uint16_t kMax = kPortMax;
  static bool parsePort(std::string_view text, std::uint16_t& out) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value > kPortMax) return false;
    out = static_cast<std::uint16_t>(value);
    return true;
  }
  static bool addAtom(std::string_view atom, Set& set) {
    const auto colon = atom.find(':');
    std::uint16_t lo = kMin, hi = kMax;
    if (colon == std::string_view::npos) {
      if (!parsePort(atom, lo)) return false;
      hi = lo;
    } else {
      const std::string_view a = atom.substr(0, colon), b = atom.substr(colon + 1);
      if (a.empty() && b.empty()) return false;
      if (!a.empty() && !parsePort(a, lo)) return false;
      if (!b.empty() && !parsePort(b, hi)) return false;
      if (lo > hi) return false;
    }
    set.add(lo, hi);
    return true;
  }
};

}  // namespace

RuleVariables RuleVariables::withDefaults() {
  RuleVariables vars;
  vars.setAddressGroup("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
  vars.setAddressGroup("EXTERNAL_NET", "!$HOME_NET");
  for (const char* name : {"HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS", "TELNET_SERVERS",
                           "AIM_SERVERS", "DC_SERVERS", "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_CLIENT",
                           "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER"}) {
    vars.setAddressGroup(name, "$HOME_NET");
  }
  vars.setPortGroup("HTTP_PORTS", "80");
  vars.setPortGroup("SHELLCODE_PORTS", "!80");
  vars.setPortGroup("ORACLE_PORTS", "1521");
  vars.setPortGroup("SSH_PORTS", "22");
  vars.setPortGroup("DNP3_PORTS", "20000");
  vars.setPortGroup("MODBUS_PORTS", "502");
  vars.setPortGroup("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]");
  vars.setPortGroup("FTP_PORTS", "21");
  vars.setPortGroup("GENEVE_PORTS", "6081");
  vars.setPortGroup("VXLAN_PORTS", "4789");
  vars.setPortGroup("TEREDO_PORTS", "3544");
  return vars;
}

void RuleVariables::setAddressGroup(const std::string& name, const std::string& expression) {
  address_groups_[name] = expression;
}

void RuleVariables::setPortGroup(const std::string& name, const std::string& expression) {
  port_groups_[name] = expression;
}

AddressSet RuleVariables::parseAddresses(std::string_view expression) const {
  std::set<std::string> expanding;
  return ExpressionParser<AddressTraits>(address_groups_, expression, 0, expanding).parseAll();
}

PortSet RuleVariables::parsePorts(std::string_view expression) const {
  std::set<std::string> expanding;
  return ExpressionParser<PortTraits>(port_groups_, expression, 0, expanding).parseAll();
}

}  // namespace gsoc::signatures
