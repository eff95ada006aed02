#include "gsoc/config/ConfigLoader.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace gsoc::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

class YamlToJson {
 public:
  explicit YamlToJson(std::string_view origin) : origin_(origin) {}

  std::string convert(const YAML::Node& root, const Descriptor& type) {
    std::ostringstream out;
    if (root.IsNull()) {
      out << "{}";
    } else {
      writeMessage(root, type, "", out);
    }
    return out.str();
  }

 private:
  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& what) const {
    const YAML::Mark mark = node.Mark();
    std::ostringstream msg;
    msg << origin_;
    if (mark.line >= 0) msg << ':' << (mark.line + 1) << ':' << (mark.column + 1);
    msg << ": ";
    if (!path.empty()) msg << "key '" << path << "': ";
    msg << what;
    throw ConfigError(msg.str());
  }

  // A list or mapping used as a key (`? [a, b]`, `{[a]: 1}`) names nothing: a ConfigError, not
  // yaml-cpp's conversion exception (found by fuzzing, tests/fuzz/regressions/config_yaml).
  std::string keyOf(const YAML::Node& key, const std::string& path) const {
    if (key.IsSequence() || key.IsMap()) fail(key, path, "a key must be a plain value, not a list or mapping");
    return key.as<std::string>();
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  static void writeString(std::string_view s, std::ostringstream& out) {
    out << '"';
    for (const char c : s) {
      switch (c) {
        case '"': out << "\\\""; break;
        case '\\': out << "\\\\"; break;
        case '\n': out << "\\n"; break;
        case '\r': out << "\\r"; break;
        case '\t': out << "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out << buf;
          } else {
            out << c;
          }
      }
    }
    out << '"';
  }

  void writeMessage(const YAML::Node& node, const Descriptor& type, const std::string& path, std::ostringstream& out) {
    if (!node.IsMap()) fail(node, path, "expected a mapping for " + type.name());
    out << '{';
    bool first = true;
    for (const auto& kv : node) {
      const std::string key = keyOf(kv.first, path);
      const FieldDescriptor* field = type.FindFieldByName(key);
      if (field == nullptr) field = type.FindFieldByCamelcaseName(key);
      if (field == nullptr) {
        fail(kv.first, join(path, key), "unknown key (not in " + type.full_name() + ")");
      }
      if (!first) out << ',';
      first = false;
      writeString(field->name(), out);
      out << ':';
      writeField(kv.second, *field, join(path, key), out);
    }
    out << '}';
  }

  void writeField(const YAML::Node& node, const FieldDescriptor& field, const std::string& path, std::ostringstream& out) {
    if (field.is_map()) {
      if (!node.IsMap()) fail(node, path, "expected a mapping");
      const FieldDescriptor& value_field = *field.message_type()->FindFieldByName("value");
      out << '{';
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out << ',';
        first = false;
        const std::string key = keyOf(kv.first, path);
        writeString(key, out);
        out << ':';
        writeSingle(kv.second, value_field, join(path, key), out);
      }
      out << '}';
      return;
    }
    if (field.is_repeated()) {
      if (!node.IsSequence()) fail(node, path, "expected a list");
      out << '[';
      for (std::size_t i = 0; i < node.size(); ++i) {
        if (i > 0) out << ',';
        writeSingle(node[i], field, path + "[" + std::to_string(i) + "]", out);
      }
      out << ']';
      return;
    }
    writeSingle(node, field, path, out);
  }

  void writeSingle(const YAML::Node& node, const FieldDescriptor& field, const std::string& path, std::ostringstream& out) {
    if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
      writeMessage(node, *field.message_type(), path, out);
      return;
    }
    if (!node.IsScalar()) fail(node, path, "expected a single value");
    const std::string text = node.Scalar();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_BOOL:
        if (text == "true" || text == "yes" || text == "on") {
          out << "true";
        } else if (text == "false" || text == "no" || text == "off") {
          out << "false";
        } else {
          fail(node, path, "expected true or false, got '" + text + "'");
        }
        return;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64: {
        long long value = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        const bool is_unsigned = field.cpp_type() == FieldDescriptor::CPPTYPE_UINT32 ||
                                 field.cpp_type() == FieldDescriptor::CPPTYPE_UINT64;
        if (ec != std::errc() || ptr != text.data() + text.size() || (is_unsigned && value < 0)) {
          fail(node, path, std::string("expected ") + (is_unsigned ? "a non-negative " : "an ") + "integer, got '" + text + "'");
        }
        writeString(text, out);
        return;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        std::istringstream in(text);
        double value = 0;
        if (!(in >> value) || !in.eof()) fail(node, path, "expected a number, got '" + text + "'");
        writeString(text, out);
        return;
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        if (field.enum_type()->FindValueByName(text) == nullptr) {
          fail(node, path, "unknown value '" + text + "' for " + field.enum_type()->name());
        }
        writeString(text, out);
        return;
      case FieldDescriptor::CPPTYPE_STRING:
        writeString(text, out);
        return;
      default:
        fail(node, path, "unsupported field type");
    }
  }

  std::string origin_;
};

}  // namespace

void loadYamlText(std::string_view text, std::string_view origin, google::protobuf::Message& out) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::ostringstream msg;
    msg << origin << ':' << (e.mark.line + 1) << ':' << (e.mark.column + 1) << ": invalid YAML: " << e.msg;
    throw ConfigError(msg.str());
  }
  const std::string json = YamlToJson(origin).convert(root, *out.GetDescriptor());
  out.Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &out, options);
  if (!status.ok()) {
    throw ConfigError(std::string(origin) + ": " + std::string(status.message()));
  }
}

void loadYamlFile(const std::filesystem::path& path, google::protobuf::Message& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot open config file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  loadYamlText(buffer.str(), path.string(), out);
}

}  // namespace gsoc::config

namespace gsoc::config {

ConfigError keyError(const std::filesystem::path& path, std::string_view key, std::string_view reason) {
  std::ostringstream msg;
  msg << path.string();
  try {
    YAML::Node node = YAML::LoadFile(path.string());
    YAML::Mark mark = node.Mark();
    // Walk the dotted path as far as the file has it; a set name may itself hold a dot, so at
    // each level the longest run of parts that is a key wins.
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= key.size();) {
      const std::size_t dot = std::min(key.find('.', start), key.size());
      parts.emplace_back(key.substr(start, dot - start));
      start = dot + 1;
    }
    std::size_t i = 0;
    while (i < parts.size() && (node.IsMap() || node.IsSequence())) {
      if (node.IsSequence()) {
        // A list element is named by its index ("transport.collector_addresses.1").
        const std::string& part = parts[i];
        if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) break;
        const std::size_t index = std::stoul(part);
        if (index >= node.size()) break;
        const YAML::Node& list = node;  // const: operator[] must not grow the tree
        YAML::Node element = list[index];
        if (element.Mark().line >= 0) mark = element.Mark();  // an empty element: the list's mark
        node.reset(element);
        ++i;
        continue;
      }
      bool found = false;
      YAML::Node next;
      for (std::size_t end = parts.size(); end > i && !found; --end) {
        std::string name = parts[i];
        for (std::size_t j = i + 1; j < end; ++j) name += "." + parts[j];
        for (const auto& kv : node) {
          if (kv.first.IsScalar() && kv.first.Scalar() == name) {
            next.reset(kv.second);  // reset rebinds; `=` would write into the tree
            mark = kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark();
            i = end;
            found = true;
            break;
          }
        }
      }
      if (!found) break;
      node.reset(next);
    }
    if (mark.line >= 0) msg << ':' << (mark.line + 1) << ':' << (mark.column + 1);
  } catch (const YAML::Exception&) {
    // The file was loaded once already; if it changed or vanished since, the key still names it.
  }
  msg << ": key '" << key << "': " << reason;
  return ConfigError(msg.str());
}

}  // namespace gsoc::config
