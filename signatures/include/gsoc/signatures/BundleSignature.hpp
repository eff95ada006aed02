#pragma once
// BundleSignature: Ed25519 signatures over signature bundles, so a sensor loads only rulesets the
// centre published. The signed bytes are the bundle's deterministic protobuf serialization with
// the `signature` field empty (the signer name is covered). Keys are PEM files from
// `gsoc-pki signing-key` (OpenSSL); the collector holds the private key, sensors the public one.

#include <string>

#include "gsoc/v1/bundle.pb.h"

namespace gsoc::signatures {

// Signs in place (sets signer and signature). Throws std::runtime_error when the key is not an
// Ed25519 private key.
void signBundle(gsoc::v1::SignatureBundle& bundle, const std::string& private_key_pem, const std::string& signer);

// Empty when the signature verifies against the public key; otherwise why it does not (unsigned,
// wrong key, altered bundle, unreadable key).
std::string bundleSignatureError(const gsoc::v1::SignatureBundle& bundle, const std::string& public_key_pem);

}  // namespace gsoc::signatures
