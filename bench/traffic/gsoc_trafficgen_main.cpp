// gsoc-trafficgen: writes a capture of realistic mixed agency-uplink traffic (HTTP, TLS, DNS,
// SMTP with attachments) for benchmarks, tests and demos. Seeded: same seed, same bytes.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/traffic/DemoScenario.hpp"
#include "bench/traffic/HttpEvasions.hpp"
#include "bench/traffic/ScenarioFamily.hpp"
#include "bench/traffic/TrafficGenerator.hpp"
#include "sensor/capture/PcapWriter.hpp"

int main(int argc, char** argv) {
  std::string out;
  std::uint64_t bytes = 64ull << 20;
  std::uint64_t seed = 1;
  std::int64_t start_ns = 1'700'000'000'000'000'000;
  bool attacks = false;
  bool bytes_given = false;
  std::string profile;  // "uplink": issue 17's realistic uplink, in time order
  double seconds = 0;
  std::string demo_agency;
  gsoc::traffic::DemoPlan plan;
  gsoc::traffic::TrafficMix mix;
  // --scenario-*: one member of the seeded scenario family (bench/traffic/ScenarioFamily.hpp).
  bool scenario = false;
  gsoc::traffic::ScenarioOptions scenario_options;
  std::string scenario_agency;
  std::string manifest;
  std::string evasions_dir;  // --http-evasions: one capture per variant
  auto list = [](const std::string& v) {
    std::vector<std::string> items;
    std::size_t from = 0;
    while (from <= v.size()) {
      const std::size_t comma = std::min(v.find(',', from), v.size());
      if (comma > from) items.push_back(v.substr(from, comma - from));
      from = comma + 1;
    }
    return items;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "gsoc-trafficgen: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << "Usage: gsoc-trafficgen -o OUT.pcap [--bytes N] [--seed S] [--attacks] [--mix H,T,D,S] [--start UNIX_SECONDS]\n"
                   "       gsoc-trafficgen -o OUT.pcap --profile uplink [--seconds N | --bytes N] [--seed S] [--start UNIX_SECONDS]\n"
                   "       gsoc-trafficgen -o OUT.pcap --demo-agency NAME --demo-agencies A,B,C,... [--days D] [--start UNIX_SECONDS]\n"
                   "       gsoc-trafficgen [-o OUT.pcap --scenario-agency NAME] --scenario-seed S --scenario-agencies A,B,...\n"
                   "                       [--days D] [--start UNIX_SECONDS] [--scenario-manifest OUT.json] [--clean]\n"
                   "       gsoc-trafficgen --http-evasions DIR\n\n"
                   "Writes about N bytes (default 64 MiB) of mixed traffic from 192.0.2.0/24 clients to\n"
                   "203.0.113.130-249 servers: HTTP/1.1 with bodies, TLS sessions,\n"
                   "DNS lookups and SMTP deliveries with base64 attachments, MSS-sized segments.\n"
                   "--attacks mixes in the attacks the bundled default ruleset detects (Struts and JBoss\n"
                   "probes, a targeted mail with a disguised executable, C2 lookup and beacon).\n"
                   "--mix sets the shares of HTTP, TLS, DNS and SMTP sessions (default 0.45,0.3,0.2,0.05).\n"
                   "--start sets the first packet's time (default 1700000000, 2023-11-14T22:13:20Z).\n\n"
                   "--profile uplink writes one agency's realistic uplink in timestamp order, N seconds of it\n"
                   "(default 60: about 490 MB, 730k frames, 92k flows, 93 % of them DNS lookups; HTTP/1.1 with\n"
                   "keep-alive, TLS, inbound SMTP; heavy-tailed bodies; 5 % IPv6, 5 % VLAN-tagged), or about\n"
                   "--bytes N of it. A summary line gives the figures to check against the target (issue 17).\n\n"
                   "--demo-agency writes D days (default 3) of agency NAME's uplink for the demo, from\n"
                   "--start (midnight JST of day 0): background by time of day, and its part in the\n"
                   "campaigns the centre should find (bench/traffic/DemoScenario.hpp): a phishing wave,\n"
                   "C2 after it, a middleware scan, C2 beaconing, a new shared destination and a\n"
                   "night-time surge. Its place in --demo-agencies decides its part (eight or more).\n\n"
                   "--scenario-seed draws one plan of the scenario family (bench/traffic/ScenarioFamily.hpp) for\n"
                   "the 2-12 agencies of --scenario-agencies, from the seed alone: agency profiles, background,\n"
                   "decoys and randomized campaigns (phishing, C2 beaconing, scans, surges), D days (default 3)\n"
                   "from --start (midnight JST of day 0). -o with --scenario-agency writes that agency's uplink;\n"
                   "--scenario-manifest writes the plan's campaigns, indicators and expected warnings and notices\n"
                   "as JSON (the same from every agency's invocation; -o may then be left out). --clean: background\n"
                   "and decoys only, no campaigns.\n\n"
                   "--http-evasions writes one capture per HTTP evasion variant into DIR (created if needed):\n"
                   "the same EICAR test-file download through each quirk a browser accepts (chunking,\n"
                   "content-codings, header and status-line syntax, HTTP/0.9, bodies ended by the close, TCP\n"
                   "segmentation) and a few it refuses, named FAMILY-NAME.pcap, and manifest.tsv with each\n"
                   "variant's family, name, whether a browser saves the file, the app-layer events a sensor\n"
                   "should raise and what the quirk is (bench/traffic/HttpEvasions.hpp; bench/http_evasions.py\n"
                   "runs gsoc-sensor over them).\n";
      return 0;
    }
    try {
      if (a == "-o" || a == "--output") out = value();
      else if (a == "--http-evasions") evasions_dir = value();
      else if (a == "--bytes") {
        bytes = std::stoull(value());
        bytes_given = true;
      }
      else if (a == "--profile") profile = value();
      else if (a == "--seconds") seconds = std::stod(value());
      else if (a == "--seed") seed = std::stoull(value());
      else if (a == "--start") start_ns = std::stoll(value()) * 1'000'000'000LL;
      else if (a == "--attacks") attacks = true;
      else if (a == "--demo-agency") demo_agency = value();
      else if (a == "--days") plan.days = std::stoi(value());
      else if (a == "--scenario-seed") {
        scenario = true;
        scenario_options.seed = std::stoull(value());
      }
      else if (a == "--scenario-agency") scenario_agency = value();
      else if (a == "--scenario-agencies") scenario_options.agencies = list(value());
      else if (a == "--scenario-manifest") manifest = value();
      else if (a == "--clean") scenario_options.clean = true;
      else if (a == "--demo-agencies") plan.agencies = list(value());
      else if (a == "--mix") {
        // http,tls,dns,smtp session shares, e.g. --mix 1,0,0,0 for HTTP only
        const std::string v = value();
        double parts[4] = {0, 0, 0, 0};
        if (std::sscanf(v.c_str(), "%lf,%lf,%lf,%lf", &parts[0], &parts[1], &parts[2], &parts[3]) != 4 ||
            parts[0] + parts[1] + parts[2] + parts[3] <= 0) {
          std::cerr << "gsoc-trafficgen: --mix expects four shares: http,tls,dns,smtp\n";
          return 2;
        }
        mix = {parts[0], parts[1], parts[2], parts[3]};
      }
      else {
        std::cerr << "gsoc-trafficgen: unknown option " << a << "\n";
        return 2;
      }
    } catch (const std::logic_error&) {
      std::cerr << "gsoc-trafficgen: " << a << ": not a number\n";
      return 2;
    }
  }
  if (!evasions_dir.empty()) {
    try {
      std::filesystem::create_directories(evasions_dir);
      std::ofstream manifest_file(evasions_dir + "/manifest.tsv", std::ios::binary | std::ios::trunc);
      manifest_file << "family\tname\tbrowser_accepts\tevents\tquirk\n";
      const auto variants = gsoc::traffic::httpEvasions();
      for (const gsoc::traffic::HttpEvasion& v : variants) {
        gsoc::sensor::PcapWriter writer(evasions_dir + "/" + v.family + "-" + v.name + ".pcap");
        std::int64_t ts = start_ns;
        for (const gsoc::traffic::Bytes& frame : gsoc::traffic::httpEvasionFrames(v)) writer.write(ts += 1'000'000, frame);
        std::string events;
        for (const std::string& e : v.events) events += (events.empty() ? "" : ",") + e;
        manifest_file << v.family << '\t' << v.name << '\t' << (v.browser_accepts ? "yes" : "no") << '\t' << events << '\t' << v.quirk << '\n';
      }
      if (!manifest_file.flush()) throw std::runtime_error("cannot write " + evasions_dir + "/manifest.tsv");
      std::cout << evasions_dir << ": " << variants.size() << " HTTP evasion captures and manifest.tsv\n";
    } catch (const std::exception& e) {
      std::cerr << "gsoc-trafficgen: " << e.what() << "\n";
      return 2;
    }
    return 0;
  }
  if (scenario || !scenario_agency.empty() || !manifest.empty() || scenario_options.clean) {
    if (!scenario || (out.empty() != scenario_agency.empty()) || (out.empty() && manifest.empty())) {
      std::cerr << "gsoc-trafficgen: a scenario needs --scenario-seed and --scenario-agencies, and -o with --scenario-agency "
                   "and/or --scenario-manifest\n";
      return 2;
    }
    try {
      scenario_options.days = plan.days;
      scenario_options.start_ns = start_ns;
      const gsoc::traffic::ScenarioPlan drawn = gsoc::traffic::drawScenarioPlan(scenario_options);
      if (!manifest.empty()) {
        std::ofstream m(manifest, std::ios::binary | std::ios::trunc);
        m << gsoc::traffic::scenarioManifestJson(drawn);
        if (!m.flush()) throw std::runtime_error("cannot write " + manifest);
      }
      if (out.empty()) return 0;
      const auto it = std::find(scenario_options.agencies.begin(), scenario_options.agencies.end(), scenario_agency);
      if (it == scenario_options.agencies.end()) {
        std::cerr << "gsoc-trafficgen: --scenario-agency must be one of --scenario-agencies\n";
        return 2;
      }
      gsoc::sensor::PcapWriter writer(out);
      gsoc::traffic::TrafficGenerator generator(scenario_options.seed, [&](std::int64_t ts, std::span<const std::uint8_t> frame) { writer.write(ts, frame); },
                                                start_ns);
      gsoc::traffic::scenarioAgencyTraffic(generator, drawn, static_cast<std::size_t>(it - scenario_options.agencies.begin()));
      const auto& c = generator.counters();
      std::cout << out << ": " << c.frames << " frames, " << c.bytes << " bytes; " << c.http_sessions << " HTTP, " << c.tls_sessions
                << " TLS, " << c.dns_lookups << " DNS, " << c.smtp_sessions << " SMTP, " << c.tcp_sessions << " raw TCP sessions\n";
    } catch (const std::exception& e) {
      std::cerr << "gsoc-trafficgen: " << e.what() << "\n";
      return 2;
    }
    return 0;
  }
  if (out.empty()) {
    std::cerr << "gsoc-trafficgen: -o OUT.pcap is required\n";
    return 2;
  }
  if (!profile.empty() || seconds != 0) {
    if (profile != "uplink" || seconds < 0 || (seconds != 0 && bytes_given) || attacks || !demo_agency.empty()) {
      std::cerr << "gsoc-trafficgen: --profile uplink takes --seconds N (default 60) or --bytes N, with --seed and --start\n";
      return 2;
    }
    try {
      gsoc::sensor::PcapWriter writer(out);
      gsoc::traffic::UplinkOptions options;
      options.seconds = bytes_given ? gsoc::traffic::uplinkSecondsForBytes(bytes) : (seconds != 0 ? seconds : 60.0);
      const gsoc::traffic::UplinkCounters c = gsoc::traffic::generateUplink(
          seed, options, [&](std::int64_t ts, std::span<const std::uint8_t> frame) { writer.write(ts, frame); }, start_ns);
      std::cout << out << ": uplink profile, " << options.seconds << " s: " << c.summary() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "gsoc-trafficgen: " << e.what() << "\n";
      return 2;
    }
    return 0;
  }
  try {
    gsoc::sensor::PcapWriter writer(out);
    gsoc::traffic::TrafficGenerator generator(seed, [&](std::int64_t ts, std::span<const std::uint8_t> frame) { writer.write(ts, frame); },
                                              start_ns);
    if (!demo_agency.empty()) {
      const auto it = std::find(plan.agencies.begin(), plan.agencies.end(), demo_agency);
      if (it == plan.agencies.end() || plan.days < 1) {
        std::cerr << "gsoc-trafficgen: --demo-agency must be one of --demo-agencies, and --days at least 1\n";
        return 2;
      }
      plan.start_ns = start_ns;
      gsoc::traffic::demoAgencyTraffic(generator, plan, static_cast<std::size_t>(it - plan.agencies.begin()));
    } else {
      generator.mixed(bytes / 2, mix);
      if (attacks) generator.attackScenarios();
      generator.mixed(bytes - bytes / 2, mix);
    }
    const auto& c = generator.counters();
    std::cout << out << ": " << c.frames << " frames, " << c.bytes << " bytes; " << c.http_sessions << " HTTP, " << c.tls_sessions
              << " TLS, " << c.dns_lookups << " DNS, " << c.smtp_sessions << " SMTP sessions\n";
  } catch (const std::exception& e) {
    std::cerr << "gsoc-trafficgen: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
