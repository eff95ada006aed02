// BatchValidator: the identity comes from the certificate; every other field is checked.
#include "collector/ingest/BatchValidator.hpp"

#include <gtest/gtest.h>

#include "gsoc/v1/ingest.pb.h"

using namespace gsoc::collector;

namespace {

constexpr std::int64_t kNow = 1790000000LL * 1000000000LL;

SensorIdentity mofa() { return SensorIdentity{"MOFA", "mofa-1", "1000", "ipv4:127.0.0.1:5000"}; }

gsoc::v1::EventBatch goodBatch(int n = 3) {
  gsoc::v1::EventBatch b;
  b.set_sensor_id("mofa-1");
  b.set_epoch(77);
  b.set_first_sequence(10);
  for (int i = 0; i < n; ++i) {
    auto* e = b.add_events();
    e->set_event_id("mofa-1:77:" + std::to_string(10 + i));
    e->set_sensor_id("mofa-1");
    e->set_agency_id("MOFA");
    e->set_timestamp_ns(kNow - 1000);
    e->mutable_tuple()->set_src_ip(std::string("\xc0\x00\x02\x01", 4));
    e->mutable_alert()->set_sid(1000 + static_cast<std::uint32_t>(i));
  }
  return b;
}

}  // namespace

TEST(BatchValidatorTest, AcceptsAWellFormedBatch) { EXPECT_TRUE(validateBatch(mofa(), goodBatch(), kNow).ok()); }

TEST(BatchValidatorTest, AnotherSensorOrAgencyIsForbidden) {
  auto b = goodBatch();
  b.set_sensor_id("mod-1");
  auto v = validateBatch(mofa(), b, kNow);
  EXPECT_EQ(v.verdict, Validation::Verdict::Forbidden);
  EXPECT_NE(v.reason.find("mod-1"), std::string::npos);

  b = goodBatch();
  b.mutable_events(1)->set_agency_id("MOD");
  v = validateBatch(mofa(), b, kNow);
  EXPECT_EQ(v.verdict, Validation::Verdict::Forbidden);
  EXPECT_NE(v.reason.find("claims agency 'MOD'"), std::string::npos);
  EXPECT_NE(v.reason.find("sequence 11"), std::string::npos);
}

TEST(BatchValidatorTest, MalformedFieldsAreInvalidWithTheEventNamed) {
  struct Case {
    const char* expect;
    void (*mutate)(gsoc::v1::EventBatch&);
  };
  const Case cases[] = {
      {"epoch 0", [](gsoc::v1::EventBatch& b) { b.set_epoch(0); }},
      {"first_sequence 0", [](gsoc::v1::EventBatch& b) { b.set_first_sequence(0); }},
      {"empty batch", [](gsoc::v1::EventBatch& b) { b.clear_events(); }},
      {"timestamp_ns", [](gsoc::v1::EventBatch& b) { b.mutable_events(2)->set_timestamp_ns(12); }},
      {"timestamp_ns", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->set_timestamp_ns(kNow + 2 * 86400LL * 1000000000LL); }},
      {"no body", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->clear_alert(); }},
      {"unknown direction", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->set_direction(static_cast<gsoc::v1::Direction>(9)); }},
      {"unknown severity", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->mutable_alert()->set_severity(static_cast<gsoc::v1::Severity>(42)); }},
      {"address of 3 bytes", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->mutable_tuple()->set_dst_ip("abc"); }},
      {"event_id", [](gsoc::v1::EventBatch& b) { b.mutable_events(1)->set_event_id("mofa-1:77:99"); }},
      {"a field of", [](gsoc::v1::EventBatch& b) { b.mutable_events(0)->mutable_alert()->set_msg(std::string(20000, 'm')); }},
      {"bytes, more than", [](gsoc::v1::EventBatch& b) {
         for (int i = 0; i < 40; ++i) b.mutable_events(0)->mutable_alert()->add_references(std::string(10000, 'r'));
       }},
  };
  for (const Case& c : cases) {
    auto b = goodBatch();
    c.mutate(b);
    const auto v = validateBatch(mofa(), b, kNow);
    EXPECT_EQ(v.verdict, Validation::Verdict::Invalid) << c.expect;
    EXPECT_NE(v.reason.find(c.expect), std::string::npos) << v.reason;
  }
}
