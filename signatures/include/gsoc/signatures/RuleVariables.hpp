#pragma once
// Address and port variables for rule headers ($HOME_NET, $HTTP_PORTS...) and the parser for
// header expressions: `any`, addresses, CIDRs, port ranges (`1024:`), lists, negation and
// variables nested to any depth. Values come from configuration; defaults follow suricata.yaml.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gsoc/signatures/IntervalSet.hpp"
#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::signatures {

using AddressSet = IntervalSet<u128>;
using PortSet = IntervalSet<std::uint16_t>;

// A malformed expression; `offset` is where in the text the problem starts.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(std::size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
  [[nodiscard]] std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

class RuleVariables {
 public:
  // HOME_NET is the RFC 1918 ranges, EXTERNAL_NET is !$HOME_NET, server groups are $HOME_NET and
  // the usual port groups are set, as in Suricata's shipped configuration.
  static RuleVariables withDefaults();

  void setAddressGroup(const std::string& name, const std::string& expression);
  void setPortGroup(const std::string& name, const std::string& expression);
  [[nodiscard]] const std::map<std::string, std::string>& addressGroups() const { return address_groups_; }
  [[nodiscard]] const std::map<std::string, std::string>& portGroups() const { return port_groups_; }

  // Throw ExpressionError on malformed text or unknown variables.
  [[nodiscard]] AddressSet parseAddresses(std::string_view expression) const;
  [[nodiscard]] PortSet parsePorts(std::string_view expression) const;

 private:
  std::map<std::string, std::string> address_groups_;
  std::map<std::string, std::string> port_groups_;
};

}  // namespace gsoc::signatures
