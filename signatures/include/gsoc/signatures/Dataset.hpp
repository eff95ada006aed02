#pragma once
// Dataset: one named set of values behind Suricata's `dataset` and `datarep` keywords (strings,
// MD5 or SHA-256 digests, IPv4 or IP addresses), optionally with a reputation number per value.
// Rules test a buffer against it (isset, isnotset, a reputation comparison) or change it (set,
// unset) while traffic flows, so it is shared by every worker of a sensor and guarded by a
// reader/writer lock: a value set by one worker is seen by the flows of all the others, as in
// Suricata, where datasets are global to the engine. Lookups take the shared lock and never
// allocate (heterogeneous lookup on the buffer's string_view). Files are read and written in
// Suricata's formats: one value a line, strings base64-encoded, digests in hex, addresses as
// text, `value,reputation` for datarep.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gsoc::signatures {

enum class DatasetType : std::uint8_t { String, Md5, Sha256, Ipv4, Ip };
std::optional<DatasetType> parseDatasetType(std::string_view text);  // "string", "md5", "sha256", "ipv4", "ip"/"ipv6"
std::string_view datasetTypeName(DatasetType type);

// A load file, an unusable value or a definition that contradicts an earlier one. The message
// is Suricata's where it has one ("bad base64 encoding ua-seen/...").
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How a dataset's load file is laid out: Suricata's one value a line, or JSON (an array of
// objects, or one object a line) with the value under `value_key`.
enum class DatasetFormat : std::uint8_t { Csv, Json, JsonLines };

class Dataset {
 public:
  // `reputation`: created by `datarep`, so its load file carries `value,reputation` lines.
  Dataset(std::string name, DatasetType type, bool reputation, std::uint64_t memcap = 0);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] DatasetType type() const { return type_; }
  [[nodiscard]] bool reputation() const { return reputation_; }  // a datarep set

  // `value` is the buffer as the rule sees it (after transforms): any bytes for strings, the
  // raw 16/32-byte digest, 4 (ipv4, ip) or 16 (ip) address bytes. A value of the wrong size is
  // never in the set and cannot be added.
  [[nodiscard]] bool contains(std::string_view value) const;
  [[nodiscard]] std::optional<std::uint16_t> reputation(std::string_view value) const;
  // True when the value was not there before (Suricata's `set` matches only then).
  bool add(std::string_view value, std::uint16_t reputation = 0);
  // True when the value was there.
  bool remove(std::string_view value);
  // datajson: the JSON object a value came with from a JSON load file, which Suricata adds to
  // the alert under the rule's context_key. False (and `out` untouched) when it has none.
  // Copied out under the lock: a worker may `unset` the value meanwhile.
  bool context(std::string_view value, std::string& out) const;
  [[nodiscard]] std::size_t size() const;
  // Values refused because the set had reached its memcap.
  [[nodiscard]] std::uint64_t memcapRefusals() const;

  // Adds every value of a load file. Throws DatasetError naming the set, file and line.
  // `array_key`: with format json, the (dotted) key of the array inside the top-level object.
  // `keep_context`: with a JSON format, each value keeps its object (context()), without the
  // value's own key when `remove_key` (Suricata's datajson).
  void loadFile(const std::filesystem::path& path, DatasetFormat format = DatasetFormat::Csv,
                const std::string& value_key = {}, const std::string& array_key = {}, bool keep_context = false,
                bool remove_key = false);
  // Adds the values of one file's text (the same formats); `origin` names it in errors.
  void loadText(std::string_view text, std::string_view origin, DatasetFormat format = DatasetFormat::Csv,
                const std::string& value_key = {}, const std::string& array_key = {}, bool keep_context = false,
                bool remove_key = false);
  // Writes every value, sorted, in the load format (through a temporary file and a rename, so a
  // crash never leaves half a file). Throws DatasetError.
  void saveFile(const std::filesystem::path& path) const;

 private:
  // The stored form of `value`: the bytes themselves, or for `ip` the 16-byte form (an IPv4
  // address in the first four bytes, as Suricata keeps it). Empty when the size is wrong.
  static constexpr std::size_t kKeyScratchBytes = 32;  // a SHA-256 digest
  [[nodiscard]] std::string_view key(std::string_view value, char (&scratch)[kKeyScratchBytes]) const;
  // Adds one load-file line; returns the value as a buffer would hold it (for its context).
  std::string addLine(std::string_view line, std::string_view origin, std::size_t line_no, int& kind);
  [[nodiscard]] std::string encode(std::string_view key) const;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::string name_;
  DatasetType type_;
  bool reputation_;
  std::uint64_t memcap_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::uint16_t, Hash, std::equal_to<>> values_;  // -> reputation
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> contexts_;  // -> JSON object (datajson)
  std::uint64_t bytes_ = 0;
  std::uint64_t memcap_refusals_ = 0;
};

}  // namespace gsoc::signatures
