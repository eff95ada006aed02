#include "gsoc/signatures/Dataset.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "gsoc/signatures/Transform.hpp"

namespace gsoc::signatures {

std::optional<DatasetType> parseDatasetType(std::string_view text) {
  if (text == "string") return DatasetType::String;
  if (text == "md5") return DatasetType::Md5;
  if (text == "sha256") return DatasetType::Sha256;
  if (text == "ipv4") return DatasetType::Ipv4;
  if (text == "ip" || text == "ipv6") return DatasetType::Ip;
  return std::nullopt;
}

std::string_view datasetTypeName(DatasetType type) {
  switch (type) {
    case DatasetType::String: return "string";
    case DatasetType::Md5: return "md5";
    case DatasetType::Sha256: return "sha256";
    case DatasetType::Ipv4: return "ipv4";
    case DatasetType::Ip: return "ip";
  }
  return "";
}

namespace {

constexpr std::size_t kEntryOverhead = 64;  // a hash node and its bookkeeping, for the memcap

std::string_view trimLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// Calls `line` with each non-empty line of a load file, trimmed, and its 1-based number.
template <typename F>
void forEachLine(std::string_view text, F&& line) {
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view trimmed = trimLine(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (!trimmed.empty()) line(trimmed, number);
  }
}

bool decodeHex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    const auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != hex.data() + i + 2) return false;
    out.push_back(static_cast<char>(v));
  }
  return true;
}

std::string encodeBase64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8) |
                            std::uint8_t(in[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    const std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const std::uint32_t n = (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

// The member under a dotted key ("info.threat") of a JSON object; null when absent.
const google::protobuf::Value* jsonMember(const google::protobuf::Value& object, const std::string& key) {
  const google::protobuf::Value* v = &object;
  std::size_t start = 0;
  for (;;) {
    if (v->kind_case() != google::protobuf::Value::kStructValue) return nullptr;
    const std::size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const auto& fields = v->struct_value().fields();
    const auto it = fields.find(part);
    if (it == fields.end()) return nullptr;
    v = &it->second;
    if (dot == std::string::npos) return v;
    start = dot + 1;
  }
}

// The string under a dotted key of a JSON object.
std::optional<std::string> jsonValue(const google::protobuf::Value& object, const std::string& key) {
  const google::protobuf::Value* v = jsonMember(object, key);
  if (v != nullptr && v->kind_case() == google::protobuf::Value::kStringValue) return v->string_value();
  return std::nullopt;  // Suricata refuses non-string values for every type
}

// Removes the member under a dotted key ("ioc.host") from a JSON object, if it is there.
void eraseJsonMember(google::protobuf::Value& object, const std::string& key) {
  google::protobuf::Value* v = &object;
  std::size_t start = 0;
  for (;;) {
    if (v->kind_case() != google::protobuf::Value::kStructValue) return;
    const std::size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    auto* fields = v->mutable_struct_value()->mutable_fields();
    const auto it = fields->find(part);
    if (it == fields->end()) return;
    if (dot == std::string::npos) {
      fields->erase(it);
      return;
    }
    v = &it->second;
    start = dot + 1;
  }
}

}  // namespace

Dataset::Dataset(std::string name, DatasetType type, bool reputation, std::uint64_t memcap)
    : name_(std::move(name)), type_(type), reputation_(reputation), memcap_(memcap) {}

std::string_view Dataset::key(std::string_view value, char (&scratch)[kKeyScratchBytes]) const {
  // A hash also matches written in hex (either case), as the sensor's file.md5 and file.sha256
  // buffers and EVE hold it: filemd5 and filesha256 lists are such sets.
  const auto digest = [&](std::size_t bytes) -> std::string_view {
    if (value.size() == bytes) return value;
    if (value.size() != 2 * bytes) return {};
    for (std::size_t i = 0; i < bytes; ++i) {
      unsigned v = 0;
      const auto r = std::from_chars(value.data() + 2 * i, value.data() + 2 * i + 2, v, 16);
      if (r.ec != std::errc() || r.ptr != value.data() + 2 * i + 2) return {};
      scratch[i] = static_cast<char>(v);
    }
    return {scratch, bytes};
  };
  switch (type_) {
    case DatasetType::String: return value;
    case DatasetType::Md5: return digest(16);
    case DatasetType::Sha256: return digest(32);
    case DatasetType::Ipv4: return value.size() == 4 ? value : std::string_view();
    case DatasetType::Ip:
      if (value.size() == 16) return value;
      if (value.size() != 4) return {};
      std::memset(scratch, 0, sizeof scratch);
      std::memcpy(scratch, value.data(), 4);
      return {scratch, 16};
  }
  return {};
}

bool Dataset::contains(std::string_view value) const {
  char scratch[kKeyScratchBytes];
  const std::string_view k = key(value, scratch);
  if (k.empty() && type_ != DatasetType::String) return false;
  std::shared_lock lock(mutex_);
  return values_.find(k) != values_.end();
}

std::optional<std::uint16_t> Dataset::reputation(std::string_view value) const {
  char scratch[kKeyScratchBytes];
  const std::string_view k = key(value, scratch);
  if (k.empty() && type_ != DatasetType::String) return std::nullopt;
  std::shared_lock lock(mutex_);
  const auto it = values_.find(k);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

bool Dataset::add(std::string_view value, std::uint16_t reputation) {
  char scratch[kKeyScratchBytes];
  const std::string_view k = key(value, scratch);
  if (k.empty() && type_ != DatasetType::String) return false;
  {
    // Most `set`s on live traffic meet a value already there: answer them under the shared lock
    // so workers do not queue behind each other for nothing.
    std::shared_lock lock(mutex_);
    if (values_.find(k) != values_.end()) return false;
  }
  std::unique_lock lock(mutex_);
  if (values_.find(k) != values_.end()) return false;  // another worker added it meanwhile
  const std::uint64_t cost = k.size() + kEntryOverhead;
  if (memcap_ != 0 && bytes_ + cost > memcap_) {
    ++memcap_refusals_;
    return false;
  }
  values_.emplace(std::string(k), reputation);
  bytes_ += cost;
  return true;
}

bool Dataset::remove(std::string_view value) {
  char scratch[kKeyScratchBytes];
  const std::string_view k = key(value, scratch);
  if (k.empty() && type_ != DatasetType::String) return false;
  std::unique_lock lock(mutex_);
  const auto it = values_.find(k);
  if (it == values_.end()) return false;
  bytes_ -= it->first.size() + kEntryOverhead;
  values_.erase(it);
  return true;
}

bool Dataset::context(std::string_view value, std::string& out) const {
  char scratch[kKeyScratchBytes];
  const std::string_view k = key(value, scratch);
  if (k.empty() && type_ != DatasetType::String) return false;
  std::shared_lock lock(mutex_);
  if (values_.find(k) == values_.end()) return false;  // unset since it was loaded
  const auto it = contexts_.find(k);
  if (it == contexts_.end()) return false;
  out = it->second;
  return true;
}

std::size_t Dataset::size() const {
  std::shared_lock lock(mutex_);
  return values_.size();
}

std::uint64_t Dataset::memcapRefusals() const {
  std::shared_lock lock(mutex_);
  return memcap_refusals_;
}

void Dataset::loadFile(const std::filesystem::path& path, DatasetFormat format, const std::string& value_key,
                       const std::string& array_key, bool keep_context, bool remove_key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError("dataset " + name_ + ": fopen '" + path.string() + "' failed: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  loadText(text.str(), path.string(), format, value_key, array_key, keep_context, remove_key);
}

void Dataset::loadText(std::string_view text, std::string_view origin, DatasetFormat format, const std::string& value_key,
                       const std::string& array_key, bool keep_context, bool remove_key) {
  if (format == DatasetFormat::Csv) {
    int kind = 0;  // 0 none yet, 1 plain values, 2 value,reputation
    forEachLine(text, [&](std::string_view line, std::size_t line_no) { addLine(line, origin, line_no, kind); });
    return;
  }
  if (value_key.empty()) throw DatasetError("dataset " + name_ + ": a JSON load file needs value_key");
  google::protobuf::Value document;
  const google::protobuf::Value* array = &document;
  if (format == DatasetFormat::Json) {
    if (!google::protobuf::util::JsonStringToMessage(std::string(text), &document).ok()) {
      throw DatasetError("dataset " + name_ + ": " + std::string(origin) + " is not valid JSON");
    }
    array = array_key.empty() ? &document : jsonMember(document, array_key);
    if (array == nullptr || array->kind_case() != google::protobuf::Value::kListValue) {
      throw DatasetError("dataset " + name_ + ": " + std::string(origin) + " holds no JSON array" +
                         (array_key.empty() ? std::string() : " under '" + array_key + "'"));
    }
  }
  std::size_t line_no = 0;
  auto addJson = [&](const google::protobuf::Value& object) {
    if (jsonMember(object, value_key) == nullptr) return;  // an object without the key is no value (Suricata skips it)
    const std::optional<std::string> v = jsonValue(object, value_key);
    if (!v) {
      throw DatasetError("dataset " + name_ + ": " + std::string(origin) + ":" + std::to_string(line_no) + ": '" +
                         value_key + "' is not a string");
    }
    // JSON values are written as they are (not base64); digests and addresses as in CSV files.
    std::string value = *v;
    if (type_ == DatasetType::String) {
      add(value);
    } else {
      int kind = 1;
      value = addLine(*v, origin, line_no, kind);
    }
    if (!keep_context) return;
    google::protobuf::Value kept = object;
    if (remove_key) eraseJsonMember(kept, value_key);
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(kept, &json).ok()) return;
    char scratch[kKeyScratchBytes];
    const std::string_view k = key(value, scratch);
    std::unique_lock lock(mutex_);
    // The first object of a value is its context, as the value itself is added only once.
    if (values_.find(k) != values_.end()) contexts_.emplace(std::string(k), std::move(json));
  };
  if (format == DatasetFormat::Json) {
    for (const auto& object : array->list_value().values()) {
      ++line_no;
      addJson(object);
    }
    return;
  }
  forEachLine(text, [&](std::string_view line, std::size_t number) {
    line_no = number;
    google::protobuf::Value object;
    if (!google::protobuf::util::JsonStringToMessage(std::string(line), &object).ok()) {
      throw DatasetError("dataset " + name_ + ": " + std::string(origin) + ":" + std::to_string(line_no) + ": invalid JSON");
    }
    addJson(object);
  });
}

std::string Dataset::addLine(std::string_view line, std::string_view origin, std::size_t line_no, int& kind) {
  const std::string where = name_ + "/" + std::string(origin) + ":" + std::to_string(line_no);
  std::string_view value = line;
  std::uint16_t rep = 0;
  const std::size_t comma = line.find(',');
  const int this_kind = comma == std::string_view::npos ? 1 : 2;
  if (kind != 0 && kind != this_kind) throw DatasetError("Cannot mix dataset and datarep values for set " + where);
  // The first line decides; a datarep set's lines must all carry a reputation (Suricata 8).
  if (kind == 0 && reputation_ && this_kind == 1) throw DatasetError("Cannot mix dataset and datarep values for set " + where);
  kind = this_kind;
  if (comma != std::string_view::npos) {
    value = line.substr(0, comma);
    const std::string_view rep_text = trimLine(line.substr(comma + 1));
    unsigned long long n = 0;
    const auto r = std::from_chars(rep_text.data(), rep_text.data() + rep_text.size(), n);
    if (rep_text.empty() || r.ec != std::errc() || r.ptr != rep_text.data() + rep_text.size() || n > 65535) {
      throw DatasetError("invalid datarep value " + where + ": '" + std::string(rep_text) + "'");
    }
    rep = static_cast<std::uint16_t>(n);
  }
  std::string bytes;
  switch (type_) {
    case DatasetType::String:
      decodeBase64(value, bytes, Transform::Base64Mode::Strict);
      if (bytes.empty()) throw DatasetError("bad base64 encoding " + where);
      break;
    case DatasetType::Md5:
    case DatasetType::Sha256: {
      const std::size_t want = type_ == DatasetType::Md5 ? 32 : 64;
      if (value.size() != want || !decodeHex(value, bytes)) {
        throw DatasetError("bad " + std::string(datasetTypeName(type_)) + " value " + where + ": '" + std::string(value) + "'");
      }
      break;
    }
    case DatasetType::Ipv4: {
      const std::string text(value);
      in_addr a{};
      if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw DatasetError("bad ipv4 address " + where + ": '" + text + "'");
      bytes.assign(reinterpret_cast<const char*>(&a), 4);
      break;
    }
    case DatasetType::Ip: {
      const std::string text(value);
      if (text.find(':') != std::string::npos) {
        in6_addr a{};
        if (inet_pton(AF_INET6, text.c_str(), &a) != 1) throw DatasetError("bad ip address " + where + ": '" + text + "'");
        bytes.assign(reinterpret_cast<const char*>(&a), 16);
        // ::ffff:a.b.c.d is an IPv4 address: stored as the IPv4 bytes then zeros, as Suricata does.
        static constexpr char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\xff', '\xff'};
        if (std::memcmp(bytes.data(), kMapped, 12) == 0) bytes = bytes.substr(12, 4);
      } else {
        in_addr a{};
        if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw DatasetError("bad ip address " + where + ": '" + text + "'");
        bytes.assign(reinterpret_cast<const char*>(&a), 4);
      }
      break;
    }
  }
  const std::uint64_t refused_before = memcapRefusals();
  if (!add(bytes, rep) && memcapRefusals() != refused_before) {
    // Suricata refuses a set whose load file does not fit its memcap.
    throw DatasetError("dataset too large for set memcap: " + where);
  }
  return bytes;
}

std::string Dataset::encode(std::string_view k) const {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (type_) {
    case DatasetType::String: return encodeBase64(k);
    case DatasetType::Md5:
    case DatasetType::Sha256: {
      std::string out;
      for (const char c : k) {
        out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 15]);
        out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
      }
      return out;
    }
    case DatasetType::Ipv4:
    case DatasetType::Ip: {
      char text[INET6_ADDRSTRLEN] = {};
      const bool v4 = k.size() == 4 || std::all_of(k.begin() + 4, k.end(), [](char c) { return c == 0; });
      if (v4) inet_ntop(AF_INET, k.data(), text, sizeof text);
      else inet_ntop(AF_INET6, k.data(), text, sizeof text);
      return text;
    }
  }
  return {};
}

void Dataset::saveFile(const std::filesystem::path& path) const {
  std::vector<std::string> lines;
  {
    std::shared_lock lock(mutex_);
    lines.reserve(values_.size());
    for (const auto& entry : values_) {
      std::string line = encode(entry.first);
      if (reputation_) line += "," + std::to_string(entry.second);
      lines.push_back(std::move(line));
    }
  }
  std::sort(lines.begin(), lines.end());  // stable files: diffs show what changed
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw DatasetError("dataset " + name_ + ": cannot write '" + tmp.string() + "': " + std::strerror(errno));
    for (const std::string& line : lines) out << line << '\n';
    if (!out.flush()) throw DatasetError("dataset " + name_ + ": cannot write '" + tmp.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw DatasetError("dataset " + name_ + ": cannot rename to '" + path.string() + "': " + ec.message());
}

}  // namespace gsoc::signatures
