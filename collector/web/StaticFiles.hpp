#pragma once
// StaticFiles: the console's pages, scripts and styles, read from the web root (the repo's
// collector/web/static) on each request, so a page edited there shows on reload. Only names that
// cannot climb out of the root are served: the pages by their route (/, /sensors, /agencies) and
// /static/NAME and /static/vendor/NAME (third-party scripts, with their licences), where NAME is
// letters, digits, '.', '-' and '_' and does not start with a dot.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gsoc::collector {

struct StaticFile {
  std::string body;
  std::string content_type;
};

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  // The file a request path (without its query) names; nullopt for any other path, or when the
  // file is missing.
  [[nodiscard]] std::optional<StaticFile> find(std::string_view path) const;
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace gsoc::collector
