#include "gsoc/signatures/LdapNames.hpp"

namespace gsoc::signatures {
namespace {

struct Named {
  std::uint32_t code;
  std::string_view name;
};

constexpr Named kOperations[] = {
    {0, "bind_request"},
    {1, "bind_response"},
    {2, "unbind_request"},
    {3, "search_request"},
    {4, "search_result_entry"},
    {5, "search_result_done"},
    {6, "modify_request"},
    {7, "modify_response"},
    {8, "add_request"},
    {9, "add_response"},
    {10, "del_request"},
    {11, "del_response"},
    {12, "mod_dn_request"},
    {13, "mod_dn_response"},
    {14, "compare_request"},
    {15, "compare_response"},
    {16, "abandon_request"},
    {19, "search_result_reference"},
    {23, "extended_request"},
    {24, "extended_response"},
    {25, "intermediate_response"},
};

constexpr Named kResultCodes[] = {
    {0, "success"}, {1, "operations_error"}, {2, "protocol_error"}, {3, "time_limit_exceeded"},
    {4, "size_limit_exceeded"}, {5, "compare_false"}, {6, "compare_true"}, {7, "auth_method_not_supported"},
    {8, "stronger_auth_required"}, {10, "referral"}, {11, "admin_limit_exceeded"},
    {12, "unavailable_critical_extension"}, {13, "confidentiality_required"}, {14, "sasl_bind_in_progress"},
    {16, "no_such_attribute"}, {17, "undefined_attribute_type"}, {18, "inappropriate_matching"},
    {19, "constraint_violation"}, {20, "attribute_or_value_exists"}, {21, "invalid_attribute_syntax"},
    {32, "no_such_object"}, {33, "alias_problem"}, {34, "invalid_dns_syntax"}, {35, "is_leaf"},
    {36, "alias_dereferencing_problem"}, {48, "inappropriate_authentication"}, {49, "invalid_credentials"},
    {50, "insufficient_access_rights"}, {51, "busy"}, {52, "unavailable"}, {53, "unwilling_to_perform"},
    {54, "loop_detect"}, {60, "sort_control_missing"}, {61, "offset_range_error"}, {64, "naming_violation"},
    {65, "object_class_violation"}, {66, "not_allowed_on_non_leaf"}, {67, "not_allowed_on_rdn"},
    {68, "entry_already_exists"}, {69, "object_class_mods_prohibited"}, {70, "results_too_large"},
    {71, "affects_multiple_dsas"}, {76, "control_error"}, {80, "other"}, {81, "server_down"},
    {82, "local_error"}, {83, "encoding_error"}, {84, "decoding_error"}, {85, "timeout"}, {86, "auth_unknown"},
    {87, "filter_error"}, {88, "user_canceled"}, {89, "param_error"}, {90, "no_memory"}, {91, "connect_error"},
    {92, "not_supported"}, {93, "control_not_found"}, {94, "no_results_returned"},
    {95, "more_results_to_return"}, {96, "client_loop"}, {97, "referral_limit_exceeded"},
    {100, "invalid_response"}, {101, "ambiguous_response"}, {112, "tls_not_supported"},
    {113, "intermediate_response"}, {114, "unknown_type"}, {118, "canceled"}, {119, "no_such_operation"},
    {120, "too_late"}, {121, "cannot_cancel"}, {122, "assertion_failed"}, {123, "authorization_denied"},
    {4096, "e_sync_refresh_required"}, {16654, "no_operation"},
};

template <std::size_t N>
std::string_view nameOf(const Named (&table)[N], std::uint32_t code) {
  for (const Named& n : table) {
    if (n.code == code) return n.name;
  }
  return {};
}

template <std::size_t N>
std::optional<std::uint32_t> codeOf(const Named (&table)[N], std::string_view name) {
  for (const Named& n : table) {
    if (n.name == name) return n.code;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ldapOperationName(std::uint8_t op) {
  const std::string_view name = nameOf(kOperations, op);
  return name.empty() ? "unknown" : name;
}
std::optional<std::uint32_t> ldapOperationByName(std::string_view name) { return codeOf(kOperations, name); }
std::string_view ldapResultCodeName(std::uint32_t code) { return nameOf(kResultCodes, code); }
std::optional<std::uint32_t> ldapResultCodeByName(std::string_view name) { return codeOf(kResultCodes, name); }

}  // namespace gsoc::signatures
