#pragma once
// The names Suricata gives LDAP's protocol operations ("search_request", the [APPLICATION n]
// tag of RFC 4511's protocolOp) and result codes ("size_limit_exceeded"): the rule parser
// takes them as the ldap integer keywords' values, the sensor writes them in EVE ldap records.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gsoc::signatures {

// "unknown" for a tag that is no operation.
std::string_view ldapOperationName(std::uint8_t op);
std::optional<std::uint32_t> ldapOperationByName(std::string_view name);
// Empty for a code without a name (EVE then writes the number).
std::string_view ldapResultCodeName(std::uint32_t code);
std::optional<std::uint32_t> ldapResultCodeByName(std::string_view name);

}  // namespace gsoc::signatures
