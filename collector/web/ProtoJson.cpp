#include "collector/web/ProtoJson.hpp"

#include <google/protobuf/util/json_util.h>

#include <string>

namespace gsoc::collector {

nlohmann::json protoJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;  // the names the .proto and `gsocctl --json` use
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) return nlohmann::json::object();
  return nlohmann::json::parse(out);
}

}  // namespace gsoc::collector
