#pragma once
// ProtoJson: a gsoc.v1 record as the JSON the console's pages read, with the field names of the
// .proto (as `gsocctl --json` prints them), shared by every view so the pages see one shape.

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

namespace gsoc::collector {

// An empty object for a message protobuf cannot print (it cannot fail for a parsed one).
nlohmann::json protoJson(const google::protobuf::Message& m);

}  // namespace gsoc::collector
