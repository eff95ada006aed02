#include "collector/web/StaticFiles.hpp"

#include <fstream>
#include <iterator>
#include <map>

namespace gsoc::collector {
namespace {

bool safeName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string contentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},                       {".txt", "text/plain; charset=utf-8"},
      {".json", "application/json"},         {".woff2", "font/woff2"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

std::optional<StaticFile> StaticFiles::find(std::string_view path) const {
  static const std::map<std::string, std::string, std::less<>> kPages = {
      {"/", "feed.html"}, {"/feed", "feed.html"}, {"/sensors", "sensors.html"}, {"/agencies", "agencies.html"},
      {"/notices", "notices.html"}, {"/campaign", "campaign.html"}, {"/campaign.html", "campaign.html"},
      {"/hunt", "hunt.html"}, {"/hunt.html", "hunt.html"}};
  std::string name;
  if (const auto page = kPages.find(path); page != kPages.end()) {
    name = page->second;
  } else if (constexpr std::string_view vendor = "/static/vendor/"; path.starts_with(vendor) && safeName(path.substr(vendor.size()))) {
    name = "vendor/" + std::string(path.substr(vendor.size()));
  } else if (constexpr std::string_view prefix = "/static/"; path.starts_with(prefix) && safeName(path.substr(prefix.size()))) {
    name = path.substr(prefix.size());
  } else {
    return std::nullopt;
  }
  const std::filesystem::path file = root_ / name;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return StaticFile{std::string(std::istreambuf_iterator<char>(in), {}), contentType(file)};
}

}  // namespace gsoc::collector
