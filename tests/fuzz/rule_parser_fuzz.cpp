// The rule parser (signatures/RuleParser) on any text, Suricata and Snort 2 spellings alike.
// It must parse or throw RuleParseError (its documented error) with an offset inside the text and
// a reason category; any other exception escapes and is a finding. Parsing the same text twice
// gives the same verdict.
#include <cstdint>
#include <string_view>

#include "gsoc/signatures/RuleParser.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gsoc::fuzz::check;
  static const auto variables = gsoc::signatures::RuleVariables::withDefaults();
  const gsoc::signatures::RuleParser parser(variables);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  bool parsed = false;
  try {
    const auto rule = parser.parse(text, &warnings);
    parsed = true;
  } catch (const gsoc::signatures::RuleParseError& e) {
    check(e.offset() <= text.size(), "error offset past the end of the rule");
    check(!e.reason().empty(), "error without a reason category");
    check(*e.what() != '\0', "error without a message");
  }
  bool again = false;
  try {
    (void)parser.parse(text);
    again = true;
  } catch (const gsoc::signatures::RuleParseError&) {
  }
  check(parsed == again, "the same rule parsed differently twice");
  return 0;
}
