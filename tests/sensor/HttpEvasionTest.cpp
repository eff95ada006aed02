// Every HTTP evasion variant of bench/traffic/HttpEvasions through the sensor pipeline: the file a
// browser would save is seen (a file.data rule matches it), and the app-layer events each
// variant names are raised, on packets and in the stream as a wire delivers them.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "bench/traffic/HttpEvasions.hpp"
#include "sensor/GeneratedFrames.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;

constexpr std::uint32_t kFileSid = 1;

// The file rule, and one rule per event any variant names (sids from 100 on).
std::string rulesFor(const std::vector<HttpEvasion>& variants, std::map<std::string, std::uint32_t>& event_sids) {
  std::string rules =
      "alert http any any -> any any (msg:\"EICAR test file downloaded\"; flow:established,to_client; file.data; "
      "content:\"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\"; sid:1;)\n";
  for (const HttpEvasion& v : variants) {
    for (const std::string& event : v.events) {
      if (event_sids.count(event) != 0) continue;
      const std::uint32_t sid = 100 + static_cast<std::uint32_t>(event_sids.size());
      event_sids[event] = sid;
      rules += "alert http any any -> any any (msg:\"" + event + "\"; app-layer-event:" + event + "; sid:" + std::to_string(sid) + ";)\n";
    }
  }
  return rules;
}

std::set<std::uint32_t> run(const signatures::CompiledRulesetPtr& ruleset, const HttpEvasion& variant) {
  std::set<std::uint32_t> sids;
  FlowInspector inspection(ruleset, [&](const AlertHit& hit) {
    if (hit.rule != nullptr) sids.insert(hit.rule->sid);
  });
  SensorWorker worker({}, inspectionHooks(inspection));
  test::GeneratedFrames frames(worker);
  for (const Bytes& frame : httpEvasionFrames(variant)) frames.send(frame);
  worker.finish();
  return sids;
}

TEST(HttpEvasion, EveryVariantIsSeenAsTheBrowserSeesIt) {
  const std::vector<HttpEvasion> variants = httpEvasions();
  std::map<std::string, std::uint32_t> event_sids;
  const auto ruleset = signatures::testing::compileRules(rulesFor(variants, event_sids));
  std::size_t accepted = 0;
  std::vector<std::string> missed;
  for (const HttpEvasion& v : variants) {
    const std::set<std::uint32_t> sids = run(ruleset, v);
    std::set<std::uint32_t> want;
    if (v.browser_accepts) {
      want.insert(kFileSid);
      ++accepted;
    }
    for (const std::string& event : v.events) want.insert(event_sids.at(event));
    std::set<std::uint32_t> got = sids;
    if (!v.browser_accepts) got.erase(kFileSid);  // seeing a file the browser refused is no fault
    if (got != want) {
      std::string text = v.family + "/" + v.name + " (" + v.quirk + "): got sids";
      for (const std::uint32_t s : sids) text += " " + std::to_string(s);
      missed.push_back(text);
    }
  }
  EXPECT_GE(variants.size(), 45U);
  EXPECT_GE(accepted, 40U);
  EXPECT_TRUE(missed.empty()) << missed.size() << " of " << variants.size() << " variants not seen as a browser sees them:\n"
                              << [&] {
                                   std::string all;
                                   for (const std::string& m : missed) all += "  " + m + "\n";
                                   return all;
                                 }();
}

TEST(HttpEvasion, VariantNamesAreUniqueAndFramesWellFormed) {
  std::set<std::string> names;
  for (const HttpEvasion& v : httpEvasions()) {
    EXPECT_TRUE(names.insert(v.name).second) << v.name;
    EXPECT_FALSE(httpEvasionFrames(v).empty());
    EXPECT_TRUE(v.browser_accepts || !v.events.empty()) << v.name << ": a refused variant must name the event it raises";
  }
}

}  // namespace
}  // namespace gsoc::sensor
