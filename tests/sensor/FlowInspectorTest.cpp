// FlowInspector: the worker's app layer and detection side by side. The app layer's transactions
// and anomaly events reach detection through the inspector, with their records; a ruleset swap
// sets what the new rules ask of the app layer (here: whether HTTP files are hashed).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/app/HttpFileInfo.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "sensor/GeneratedFrames.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using namespace traffic;
using signatures::testing::compileRules;

struct InspectedRun {
  explicit InspectedRun(std::string_view rules)
      : inspector(compileRules(rules), [this](const AlertHit& hit) { alerts.push_back(hit.rule->sid); }),
        worker({}, inspectionHooks(inspector)) {
    inspector.setMetadataSink([this](const AppMetadata& m) {
      if (m.kind == AppMetadata::Kind::HttpFile && m.file != nullptr) file_md5s.push_back(m.file->md5);
    });
  }
  void send(const Bytes& frame) { frames.send(frame); }
  // One HTTP download on its own connection, closed.
  void download(std::uint16_t client_port, std::string_view uri, std::string_view body) {
    PacketSpec spec;
    spec.sport = client_port;
    TcpConversation c(spec);
    for (const Bytes& f : c.handshake()) send(f);
    send(c.client("GET " + std::string(uri) + " HTTP/1.1\r\nHost: files.example\r\n\r\n"));
    send(c.server("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body)));
    for (const Bytes& f : c.close()) send(f);
  }

  FlowInspector inspector;
  SensorWorker worker;
  std::vector<std::uint32_t> alerts;
  test::GeneratedFrames frames{worker};
  std::vector<std::string> file_md5s;
};

TEST(FlowInspector, TransactionsReachDetectionThroughTheInspector) {
  InspectedRun run(R"(alert http any any -> any any (msg:"gate"; flow:to_server; http.uri; content:"/gate"; sid:1;)
alert http any any -> any any (msg:"ok"; flow:to_client; http.stat_code; content:"200"; sid:2;))");
  run.download(40001, "/gate", "hello");
  run.worker.finish();
  EXPECT_EQ(run.alerts, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(run.inspector.app().counters().http_requests, 1u);
  EXPECT_EQ(run.inspector.app().counters().http_responses, 1u);
  EXPECT_GE(run.inspector.detection().counters().transaction_inputs, 2u);
}

TEST(FlowInspector, ARulesetSwapDecidesWhetherFilesAreHashed) {
  // No rule needs a file's hashes: HTTP files are not hashed (a fifth of the time on web traffic).
  InspectedRun run(R"(alert http any any -> any any (msg:"gate"; http.uri; content:"/gate"; sid:1;))");
  run.download(40001, "/a.bin", "first file");
  // A filestore rule needs them: the next files are hashed.
  run.inspector.setRuleset(compileRules(R"(alert http any any -> any any (msg:"store"; filestore; sid:2;))"));
  run.download(40002, "/b.bin", "second file");
  run.worker.finish();
  ASSERT_EQ(run.file_md5s.size(), 2u);
  EXPECT_EQ(run.file_md5s[0], "");
  EXPECT_EQ(run.file_md5s[1].size(), 32u);
}

}  // namespace
}  // namespace gsoc::sensor
