#include "gsoc/signatures/Classification.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace gsoc::signatures {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
}  // namespace

ClassificationTable ClassificationTable::withDefaults() {
  static constexpr std::string_view kDefaults = R"(
config classification: not-suspicious,Not Suspicious Traffic,3
config classification: unknown,Unknown Traffic,3
config classification: bad-unknown,Potentially Bad Traffic,2
config classification: attempted-recon,Attempted Information Leak,2
config classification: successful-recon-limited,Information Leak,2
config classification: successful-recon-largescale,Large Scale Information Leak,2
config classification: attempted-dos,Attempted Denial of Service,2
config classification: successful-dos,Denial of Service,2
config classification: attempted-user,Attempted User Privilege Gain,1
config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1
config classification: successful-user,Successful User Privilege Gain,1
config classification: attempted-admin,Attempted Administrator Privilege Gain,1
config classification: successful-admin,Successful Administrator Privilege Gain,1
config classification: rpc-portmap-decode,Decode of an RPC Query,2
config classification: shellcode-detect,Executable code was detected,1
config classification: string-detect,A suspicious string was detected,3
config classification: suspicious-filename-detect,A suspicious filename was detected,2
config classification: suspicious-login,An attempted login using a suspicious username was detected,2
config classification: system-call-detect,A system call was detected,2
config classification: tcp-connection,A TCP connection was detected,4
config classification: trojan-activity,A Network Trojan was detected,1
config classification: unusual-client-port-connection,A client was using an unusual port,2
config classification: network-scan,Detection of a Network Scan,3
config classification: denial-of-service,Detection of a Denial of Service Attack,2
config classification: non-standard-protocol,Detection of a non-standard protocol or event,2
config classification: protocol-command-decode,Generic Protocol Command Decode,3
config classification: web-application-activity,access to a potentially vulnerable web application,2
config classification: web-application-attack,Web Application Attack,1
config classification: misc-activity,Misc activity,3
config classification: misc-attack,Misc Attack,2
config classification: icmp-event,Generic ICMP event,3
config classification: inappropriate-content,Inappropriate Content was Detected,1
config classification: policy-violation,Potential Corporate Privacy Violation,1
config classification: default-login-attempt,Attempt to login by a default username and password,2
config classification: targeted-activity,Targeted Malicious Activity was Detected,1
config classification: exploit-kit,Exploit Kit Activity Detected,1
config classification: external-ip-check,Device Retrieving External IP Address Detected,2
config classification: domain-c2,Domain Observed Used for C2 Detected,1
config classification: pup-activity,Possibly Unwanted Program Detected,2
config classification: credential-theft,Successful Credential Theft Detected,1
config classification: social-engineering,Possible Social Engineering Attempted,2
config classification: coin-mining,Crypto Currency Mining Activity Detected,2
config classification: command-and-control,Malware Command and Control Activity Detected,1
)";
  ClassificationTable table;
  std::vector<std::string> errors;
  table.loadText(kDefaults, "built-in classification", errors);
  return table;
}

void ClassificationTable::loadText(std::string_view text, std::string_view origin, std::vector<std::string>& errors) {
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = trim(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    ++line_no;
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    if (line.empty() || line.front() == '#') continue;
    constexpr std::string_view kPrefix = "config classification:";
    auto report = [&](const std::string& message) {
      errors.push_back(std::string(origin) + ":" + std::to_string(line_no) + ": " + message);
    };
    if (!line.starts_with(kPrefix)) {
      report("expected 'config classification: name,description,priority'");
      continue;
    }
    line = trim(line.substr(kPrefix.size()));
    const std::size_t c1 = line.find(',');
    const std::size_t c2 = line.rfind(',');
    if (c1 == std::string_view::npos || c1 == c2) {
      report("expected three comma-separated fields");
      continue;
    }
    Classification entry;
    entry.name = std::string(trim(line.substr(0, c1)));
    entry.description = std::string(trim(line.substr(c1 + 1, c2 - c1 - 1)));
    const std::string_view prio = trim(line.substr(c2 + 1));
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(prio.data(), prio.data() + prio.size(), value);
    if (ec != std::errc() || ptr != prio.data() + prio.size() || value == 0 || value > 255) {
      report("priority must be a number from 1 to 255");
      continue;
    }
    entry.priority = static_cast<std::uint8_t>(value);
    entries_[entry.name] = std::move(entry);
  }
}

void ClassificationTable::loadFile(const std::filesystem::path& path, std::vector<std::string>& errors) {
  std::ifstream in(path);
  if (!in) {
    errors.push_back(path.string() + ": cannot open classification file");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  loadText(text.str(), path.string(), errors);
}

const Classification* ClassificationTable::find(std::string_view name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace gsoc::signatures
