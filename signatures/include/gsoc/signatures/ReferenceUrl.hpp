#pragma once
// A rule's `reference:system,id` as the address an analyst opens: the system's URL prefix from
// Suricata 8's reference.config (cve, url, nessus, bugtraq, ...) followed by the id, as
// Suricata's EVE alert `references` lists them. An id that is already an address (it has a
// scheme, "foobar://...") is kept as written; a system without a prefix gives the id alone.

#include <string>
#include <string_view>

namespace gsoc::signatures {

[[nodiscard]] std::string referenceUrl(std::string_view reference);

}  // namespace gsoc::signatures
