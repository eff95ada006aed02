#pragma once
// JSON string literals for EVE from bytes off the wire: any input gives valid UTF-8 JSON, escaped
// the way Suricata's EVE writer escapes it, so values compare equal with Suricata's for the same
// traffic.

#include <string>
#include <string_view>

namespace gsoc::sensor {

// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF, no truncated sequence).
bool isValidUtf8(std::string_view bytes);

// Appends `bytes` to `out` as a quoted JSON string. `"`, `\` and control characters are escaped
// (\b \f \n \r \t, else \u00XX). Valid UTF-8 passes through as text. A string that is not valid
// UTF-8 is kept byte for byte instead: each byte from 0x80 up becomes the four characters \xNN
// (in JSON "\\xNN"), as Suricata writes it, so no strict JSON reader ever rejects the record.
void appendJsonString(std::string& out, std::string_view bytes);

}  // namespace gsoc::sensor
