// EVE's JSON string escaping (sensor/export/JsonString) on any bytes: the output must be strict
// UTF-8, parse as exactly one JSON string, and hold the input itself when it is UTF-8 or
// Suricata's \xNN spelling of it when it is not (issue 15). isValidUtf8 is checked against an
// independent decoder.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/export/JsonString.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gsoc::fuzz::check;
  using gsoc::fuzz::strictUtf8;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool utf8 = gsoc::sensor::isValidUtf8(input);
  check(utf8 == strictUtf8(input), "isValidUtf8 disagrees with an independent decoder");

  std::string out = "x";  // appends: what was there stays
  gsoc::sensor::appendJsonString(out, input);
  check(out.size() >= 3 && out[0] == 'x' && out[1] == '"' && out.back() == '"', "not one quoted string appended");
  const std::string_view literal = std::string_view(out).substr(1);
  check(strictUtf8(literal), "output is not strict UTF-8");
  for (const char ch : literal) check(static_cast<unsigned char>(ch) >= 0x20, "raw control character in output");

  // nlohmann's parser is strict: it rejects invalid UTF-8, raw control characters and bad escapes.
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(literal);
  } catch (const nlohmann::json::exception&) {
    gsoc::fuzz::fail("output is not a valid JSON string");
  }
  check(parsed.is_string(), "output parses as something other than a string");
  check(parsed.get<std::string>() == gsoc::oracle::suricataText(input), "the string does not hold the input (or its \\xNN form)");
  return 0;
}
