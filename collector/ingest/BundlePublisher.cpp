#include "collector/ingest/BundlePublisher.hpp"

#include <filesystem>

#include "gsoc/signatures/Bundle.hpp"
#include "gsoc/signatures/BundleSignature.hpp"

namespace gsoc::collector {

BundlePtr publishNewestBundle(const std::string& bundle_dir, const std::string& signing_key_pem) {
  namespace fs = std::filesystem;
  fs::path newest;
  fs::file_time_type newest_time{};
  for (const auto& entry : fs::directory_iterator(bundle_dir)) {
    if (entry.path().extension() != ".gsocbundle") continue;
    if (newest.empty() || entry.last_write_time() > newest_time) {
      newest = entry.path();
      newest_time = entry.last_write_time();
    }
  }
  if (newest.empty()) return nullptr;
  auto bundle = std::make_shared<gsoc::v1::SignatureBundle>(signatures::readBundle(newest));
  signatures::signBundle(*bundle, signing_key_pem, "gsoc-collector");
  return bundle;
}

}  // namespace gsoc::collector
