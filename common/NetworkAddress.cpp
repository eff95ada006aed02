#include "common/NetworkAddress.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace gsoc::common {
namespace {

// One host:port or [v6]:port; the problem, or empty.
std::string hostPortError(std::string_view hp, bool listening) {
  std::string_view host;
  std::string_view port;
  if (hp.starts_with('[')) {
    const auto close = hp.find(']');
    if (close == std::string_view::npos) return "unclosed '[' around an IPv6 address";
    host = hp.substr(1, close - 1);
    if (close + 1 >= hp.size() || hp[close + 1] != ':') return "no port after the IPv6 address (expected [ADDRESS]:PORT)";
    port = hp.substr(close + 2);
  } else {
    const auto colon = hp.rfind(':');
    if (colon == std::string_view::npos) return "no port (expected HOST:PORT)";
    host = hp.substr(0, colon);
    port = hp.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return "an IPv6 address needs brackets (expected [ADDRESS]:PORT)";
  }
  if (host.empty() && !listening) return "no host (expected HOST:PORT)";
  const bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::uint32_t value = 0;
  const bool parsed = digits && std::from_chars(port.data(), port.data() + port.size(), value).ec == std::errc();
  const std::uint32_t lowest = listening ? 0 : 1;
  if (!parsed || value < lowest || value > 65535) {
    return "port '" + std::string(port) + "' is not a number from " + std::to_string(lowest) + " to 65535" +
           (listening ? " (0 picks a free port)" : "");
  }
  return {};
}

}  // namespace

std::string addressError(std::string_view address, bool listening) {
  const std::string quoted = "'" + std::string(address) + "': ";
  if (address.empty()) return "empty address";
  for (const std::string_view scheme : {"unix:", "unix-abstract:"}) {
    if (address.starts_with(scheme)) return address.size() > scheme.size() ? std::string() : quoted + "no path after " + std::string(scheme);
  }
  std::string_view rest = address;
  bool list = false;
  if (!listening) {
    if (rest.starts_with("dns:")) {
      rest.remove_prefix(4);
      if (rest.starts_with("//")) {  // dns://AUTHORITY/host:port
        const auto slash = rest.find('/', 2);
        if (slash == std::string_view::npos) return quoted + "no host:port after the DNS authority";
        rest.remove_prefix(slash + 1);
      }
    } else if (rest.starts_with("ipv4:") || rest.starts_with("ipv6:")) {
      rest.remove_prefix(5);
      list = true;
    }
  }
  while (true) {
    const auto comma = list ? rest.find(',') : std::string_view::npos;
    if (std::string problem = hostPortError(rest.substr(0, comma), listening); !problem.empty()) return quoted + problem;
    if (comma == std::string_view::npos) return {};
    rest.remove_prefix(comma + 1);
  }
}

}  // namespace gsoc::common
