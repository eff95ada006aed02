#pragma once
// Helpers shared by the signature tests: compile rule text, build inputs, collect fired sids.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Detector.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/Ruleset.hpp"

namespace gsoc::signatures::testing {

inline Ruleset loadRules(std::string_view text, RuleVariables vars = RuleVariables::withDefaults()) {
  RulesetLoader loader(std::move(vars), ClassificationTable::withDefaults());
  loader.loadText(text, "test.rules");
  return loader.take();
}

inline CompiledRulesetPtr compileRules(std::string_view text, IndicatorSet iocs = {}) {
  Ruleset rs = loadRules(text);
  for (const auto& e : rs.report.errors) ADD_FAILURE() << e.format();
  return RuleCompiler().compile(std::move(rs), std::move(iocs));
}

// A TCP packet from an internal client to an external server, established, to_server.
inline MatchInput tcpInput(std::string_view payload = {}) {
  MatchInput in;
  in.meta.transport = Transport::Tcp;
  in.meta.direction = FlowDirection::ToServer;
  in.meta.established = true;
  in.meta.src = *IpAddress::parse("192.168.1.10");
  in.meta.dst = *IpAddress::parse("203.0.113.5");
  in.meta.src_port = 49152;
  in.meta.dst_port = 80;
  in.meta.ip_proto = 6;
  in.meta.tcp_flags = 0x18;
  in.meta.payload_size = static_cast<std::uint32_t>(payload.size());
  if (!payload.empty()) in.buffers.set(BufferId::Payload, payload);
  return in;
}

inline MatchInput httpInput(std::string_view method, std::string_view uri, std::string_view host) {
  MatchInput in = tcpInput();
  in.meta.app = AppProto::Http;
  in.buffers.set(BufferId::HttpMethod, method);
  in.buffers.set(BufferId::HttpUri, uri);
  in.buffers.set(BufferId::HttpRawUri, uri);
  in.buffers.set(BufferId::HttpHost, host);
  return in;
}

inline std::vector<std::uint32_t> fire(Detector& detector, const MatchInput& input, FlowBits* flowbits = nullptr) {
  std::vector<std::uint32_t> sids;
  for (const RuleMatch& m : detector.match(input, flowbits)) sids.push_back(detector.ruleset().rules()[m.rule].sid);
  std::sort(sids.begin(), sids.end());
  return sids;
}

using Sids = std::vector<std::uint32_t>;

}  // namespace gsoc::signatures::testing
