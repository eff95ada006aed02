// EVE stats without zero counters (Suricata's null-values: no).
#include <gtest/gtest.h>

#include "sensor/export/ZeroCounterFilter.hpp"

namespace gsoc::sensor {
namespace {

TEST(ZeroCounterFilter, DropsZeroMembersAndTheObjectsLeftEmpty) {
  EXPECT_EQ(withoutZeroCounters(R"({"decoder":{"ipv4":5,"ipv6":0,"malformed":{}},"flow":{"created":0},"detect":{"engines":[{"id":0,"rules_loaded":3}]}})"),
            R"({"decoder":{"ipv4":5},"detect":{"engines":[{"id":0,"rules_loaded":3}]}})");
  EXPECT_EQ(withoutZeroCounters(R"({ "a" : 0 , "b" : "x", "c": 1.5 })"), R"({"b":"x","c":1.5})");
  EXPECT_EQ(withoutZeroCounters("{}"), "{}");
  EXPECT_EQ(withoutZeroCounters(R"({"a":1,)"), R"({"a":1,)");  // not JSON: unchanged
}

}  // namespace
}  // namespace gsoc::sensor
