#pragma once
// Loads gsoc configuration files. A config is YAML whose shape is a protobuf message from
// gsoc/v1/config.proto; the YAML is checked against the message descriptor (every key known,
// every value of the right kind) and then read through protobuf's JSON mapping. Errors name the
// file, line, column and dotted key path, so an operator can fix the right line.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace gsoc::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `path` into `out` (which is cleared first). Throws ConfigError.
void loadYamlFile(const std::filesystem::path& path, google::protobuf::Message& out);

// Same for text already in memory; `origin` names it in error messages.
void loadYamlText(std::string_view text, std::string_view origin, google::protobuf::Message& out);

// For a value found bad after loading (by whoever reads the message): a ConfigError worded as the
// loader's own, "FILE:LINE:COLUMN: key 'a.b.c': reason", pointing at the deepest node of the dotted
// `key` that the file holds (the file alone when it cannot be read).
ConfigError keyError(const std::filesystem::path& path, std::string_view key, std::string_view reason);

}  // namespace gsoc::config
