// Ed25519 bundle signatures: a signed bundle verifies; any change to it, another key, or no
// signature at all is refused with a reason.
#include "gsoc/signatures/BundleSignature.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

using namespace gsoc::signatures;

namespace {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair makeKey() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  auto text = [](BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<std::size_t>(n));
  };
  KeyPair out{text(priv), text(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return out;
}

gsoc::v1::SignatureBundle sampleBundle() {
  gsoc::v1::SignatureBundle b;
  b.set_format("gsoc-bundle/1");
  b.set_version("centre-1");
  auto* src = b.add_sources();
  src->set_kind(gsoc::v1::SourceFile::KIND_RULES);
  src->set_name("a.rules");
  src->set_content("alert tcp any any -> any any (msg:\"x\"; content:\"y\"; sid:1;)\n");
  (*b.mutable_variables())["HOME_NET"] = "[192.0.2.0/24]";
  (*b.mutable_variables())["EXTERNAL_NET"] = "!$HOME_NET";
  return b;
}

}  // namespace

TEST(BundleSignatureTest, SignedBundleVerifies) {
  const KeyPair key = makeKey();
  auto bundle = sampleBundle();
  signBundle(bundle, key.private_pem, "gsoc-collector");
  EXPECT_EQ(bundle.signature().size(), 64U);
  EXPECT_EQ(bundle.signer(), "gsoc-collector");
  EXPECT_EQ(bundleSignatureError(bundle, key.public_pem), "");
  // Survives a round trip through the wire format (map order may change).
  gsoc::v1::SignatureBundle copy;
  ASSERT_TRUE(copy.ParseFromString(bundle.SerializeAsString()));
  EXPECT_EQ(bundleSignatureError(copy, key.public_pem), "");
}

TEST(BundleSignatureTest, TamperingAnotherKeyOrNoSignatureIsRefused) {
  const KeyPair key = makeKey();
  const KeyPair other = makeKey();
  auto bundle = sampleBundle();
  EXPECT_NE(bundleSignatureError(bundle, key.public_pem).find("not signed"), std::string::npos);
  signBundle(bundle, key.private_pem, "gsoc-collector");
  EXPECT_NE(bundleSignatureError(bundle, other.public_pem).find("does not verify"), std::string::npos);
  auto altered = bundle;
  altered.mutable_sources(0)->set_content("pass ip any any -> any any (sid:1;)\n");
  EXPECT_NE(bundleSignatureError(altered, key.public_pem).find("does not verify"), std::string::npos);
  altered = bundle;
  altered.set_signer("someone else");
  EXPECT_NE(bundleSignatureError(altered, key.public_pem), "");
  EXPECT_NE(bundleSignatureError(bundle, "not a key").find("not an Ed25519 public key"), std::string::npos);
  EXPECT_THROW(signBundle(bundle, key.public_pem, "x"), std::runtime_error);
}
