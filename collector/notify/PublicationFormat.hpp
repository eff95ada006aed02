#pragma once
// PublicationFormat: what every publishing path shares: records kept as the proto's JSON (field
// names as in the .proto), read back from the store, sorted sets of names in them, stable ids from hashed parts, UTC times in
// the SOC's format and the indicator kind of an observed value.

#include <cstdint>
#include <vector>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/util/json_util.h>

#include "collector/store/EventStore.hpp"
#include "gsoc/v1/common.pb.h"
#include "gsoc/v1/correlation.pb.h"

namespace gsoc::collector {

std::string toJson(const google::protobuf::Message& m);

// A campaign's status as Publication::status and `gsocctl --status` name it: "active",
// "dormant", "closed" ("" when unspecified).
std::string campaignStatusName(gsoc::v1::Campaign::Status status);

// Adds `values` to a repeated string field, which stays sorted and without duplicates.
void mergeSorted(google::protobuf::RepeatedPtrField<std::string>& field, const std::vector<std::string>& values);

template <typename Message>
bool fromStore(EventStore& store, const std::string& kind, const std::string& id, Message& out) {
  const auto p = store.publication(kind, id);
  return p && google::protobuf::util::JsonStringToMessage(p->json, &out).ok();
}

// "<prefix>-" and 12 hex digits of FNV-1a over the parts: the same parts give the same id, so a
// restart or a second hunt finds the record it made before.
std::string stableId(std::string_view prefix, const std::vector<std::string>& parts);

// The ids a campaign's publications are kept under: its warning ("W:" + campaign) and its one
// notice per agency ("N:" + campaign + ":" + agency). Whoever publishes or reads them (the
// publisher, retro-hunts, the console's campaign page) finds them by these, never by a scan.
std::string warningIdOf(std::string_view campaign_id);
std::string noticeIdOf(std::string_view campaign_id, std::string_view agency_id);

// "2026-12-02 09:14 UTC"
std::string utcText(std::int64_t ns);
// RFC 3339 in UTC with milliseconds, as STIX wants it: "2026-12-02T09:14:05.000Z".
std::string rfc3339(std::int64_t ns);

// A name-based (version 5, SHA-1) UUID in gsoc's namespace: exports give the same object the
// same id every time, so a receiving platform updates it instead of duplicating it.
std::string uuid5(std::string_view name);

// What kind of indicator a value is, from the event field it came from (may be "") and its
// shape; KIND_UNSPECIFIED for values agencies cannot block (a signature id, say).
gsoc::v1::Indicator::Kind indicatorKindOf(std::string_view field_path, std::string_view value);

}  // namespace gsoc::collector
