#pragma once
// The names Suricata gives Kerberos 5 encryption types ("aes256-cts-hmac-sha1-96", "rc4-hmac"):
// the rule parser takes them as krb5.ticket_encryption values, the sensor writes them in EVE
// krb5 records.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gsoc::signatures {

// Empty for a type without a name.
std::string_view krb5EncryptionName(std::int32_t etype);
std::optional<std::int32_t> krb5EncryptionType(std::string_view name);

}  // namespace gsoc::signatures
