#pragma once
// BundlePublisher: picks the signature bundle the centre publishes (the newest *.gsocbundle in
// the collector's bundle_dir, by modification time, as written by `gsoc-rules compile`) and signs
// it with the centre's Ed25519 key, so sensors can verify where their rules came from.

#include <memory>
#include <string>

#include "gsoc/v1/bundle.pb.h"

namespace gsoc::collector {

using BundlePtr = std::shared_ptr<const gsoc::v1::SignatureBundle>;

// Null when the directory holds no bundle. Throws std::runtime_error naming the file on an
// unreadable bundle or key.
BundlePtr publishNewestBundle(const std::string& bundle_dir, const std::string& signing_key_pem);

}  // namespace gsoc::collector
