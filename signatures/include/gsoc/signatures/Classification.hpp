#pragma once
// classification.config: classtype name -> description and priority (1 is most severe).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gsoc::signatures {

struct Classification {
  std::string name;
  std::string description;
  std::uint8_t priority = 3;
};

class ClassificationTable {
 public:
  // Suricata's shipped defaults, used when no file is given.
  static ClassificationTable withDefaults();
  // Parses `config classification: name,description,priority` lines. Malformed lines are
  // reported in `errors` as "origin:line: message" and skipped.
  void loadText(std::string_view text, std::string_view origin, std::vector<std::string>& errors);
  void loadFile(const std::filesystem::path& path, std::vector<std::string>& errors);

  [[nodiscard]] const Classification* find(std::string_view name) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, Classification, std::less<>> entries_;
};

}  // namespace gsoc::signatures
