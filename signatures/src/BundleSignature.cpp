#include "gsoc/signatures/BundleSignature.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace gsoc::signatures {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Deterministic (map entries sorted) so signer and verifier hash the same bytes.
std::string signedBytes(const gsoc::v1::SignatureBundle& bundle) {
  gsoc::v1::SignatureBundle copy = bundle;
  copy.clear_signature();
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return out;
}

PkeyPtr readKey(const std::string& pem, bool private_key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  PkeyPtr key(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key && EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return nullptr;
  return key;
}

}  // namespace

void signBundle(gsoc::v1::SignatureBundle& bundle, const std::string& private_key_pem, const std::string& signer) {
  PkeyPtr key = readKey(private_key_pem, true);
  if (!key) throw std::runtime_error("signing key is not an Ed25519 private key in PEM form");
  bundle.set_signer(signer);
  const std::string message = signedBytes(bundle);
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  signature.resize(length);
  bundle.set_signature(signature);
}

std::string bundleSignatureError(const gsoc::v1::SignatureBundle& bundle, const std::string& public_key_pem) {
  if (bundle.signature().empty()) return "bundle " + bundle.version() + " is not signed";
  PkeyPtr key = readKey(public_key_pem, false);
  if (!key) return "the bundle public key is not an Ed25519 public key in PEM form";
  const std::string message = signedBytes(bundle);
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return "cannot set up Ed25519 verification";
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(bundle.signature().data()), bundle.signature().size(),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (ok != 1) return "bundle " + bundle.version() + " signature (signer '" + bundle.signer() + "') does not verify against the configured public key";
  return {};
}

}  // namespace gsoc::signatures
