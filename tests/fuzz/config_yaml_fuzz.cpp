// YAML configuration loading (proto/config/ConfigLoader): byte 0 picks the message (rules,
// sensor or collector config), the rest is the file. The loader must fill the message or throw
// ConfigError (its documented error) naming the origin; any other exception escapes and is a
// finding. Loading the same text twice gives the same message.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <google/protobuf/util/message_differencer.h>

#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/v1/config.pb.h"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

std::unique_ptr<google::protobuf::Message> messageFor(std::uint8_t selector) {
  switch (selector % 3) {
    case 0: return std::make_unique<gsoc::v1::RulesConfig>();
    case 1: return std::make_unique<gsoc::v1::SensorConfig>();
    default: return std::make_unique<gsoc::v1::CollectorConfig>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gsoc::fuzz::check;
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto first = messageFor(data[0]);
  try {
    gsoc::config::loadYamlText(text, "fuzz.yaml", *first);
  } catch (const gsoc::config::ConfigError& e) {
    check(std::string_view(e.what()).starts_with("fuzz.yaml"), "a config error that does not name the file");
    return 0;
  }
  auto second = messageFor(data[0]);
  gsoc::config::loadYamlText(text, "fuzz.yaml", *second);
  // Compared field by field: serialized maps have no fixed order.
  check(google::protobuf::util::MessageDifferencer::Equals(*first, *second), "the same config loaded differently twice");
  return 0;
}
