// MQTT (sensor/app/MqttParser, MqttState: fixed headers, every packet type, v5 properties,
// transactions) over both directions, split where the input's records say (AppStream.hpp), with
// a small max-msg-length and max-tx so truncation and giving up are reached. Invariants: a
// transaction holds 1 to 4 packets and is handed over once (replies may complete transactions
// out of order, never twice); a truncated packet was over the limit and skipped at least its
// header, a kept payload is within it; QoS is 0-3; the error count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/MqttParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MqttLimits limits;
  limits.max_msg_length = 512;
  limits.max_tx = 8;
  MqttState mqtt(limits);
  std::uint64_t errors = 0;
  std::set<std::uint64_t> seen;
  const auto onTx = [&](FlowDirection, const MqttTransaction& tx) {
    check(tx.count >= 1 && tx.count <= MqttTransaction::kMaxMessages, "transaction with no packet or too many");
    check(seen.insert(tx.tx_id).second, "transaction handed over twice");
    for (const MqttMessage& m : tx.view()) {
      check(m.qos() <= 3, "QoS out of range");
      if (m.truncated) check(m.skipped_length >= 2 && m.remaining_length > limits.max_msg_length, "truncated packet within the limit");
      else check(m.payload.size() <= limits.max_msg_length, "payload beyond the limit");
    }
  };
  const MqttState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        mqtt.feed(dir, bytes, sink);
        check(mqtt.errors() >= errors, "error count went down");
        errors = mqtt.errors();
      },
      [](FlowDirection) {});
  mqtt.close(sink);
  mqtt.reset();
  return 0;
}
