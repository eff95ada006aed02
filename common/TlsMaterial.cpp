#include "common/TlsMaterial.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "common/OpenSslPtr.hpp"

namespace gsoc::common {
namespace {

template <auto Free>
using Deleter = common::OpenSslDeleter<Free>;
using common::BioPtr;
using common::X509Ptr;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;

// OpenSSL's reason for the last failure, for the message; clears the error queue so that gRPC,
// which shares it, does not find our errors later.
std::string openSslReason() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? std::string(" (") + reason + ")" : std::string();
}

BioPtr memoryBio(const std::string& pem) { return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

// Never prompts for a passphrase on the terminal: an encrypted key simply fails to load.
int noPassphrase(char*, int, int, void*) { return -1; }

std::string where(const PemFile& f) { return f.label + " " + f.path; }

}  // namespace

std::string tlsMaterialError(const PemFile& ca, const PemFile& cert, const PemFile& key) {
  ERR_clear_error();
  {
    BioPtr bio = memoryBio(ca.pem);
    int certificates = 0;
    while (bio) {
      X509Ptr c(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
      if (!c) break;
      ++certificates;
    }
    // The loop ends at the end of the file (no further PEM block) or at a damaged block.
    const unsigned long last = ERR_peek_last_error();
    const bool damaged = last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
    if (certificates == 0 || damaged) {
      const std::string reason = openSslReason();
      return where(ca) + ": " + (certificates == 0 ? "no PEM certificate in it" : "a damaged PEM block after its certificate(s)") + reason;
    }
    ERR_clear_error();
  }
  BioPtr cert_bio = memoryBio(cert.pem);
  X509Ptr certificate(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
  if (!certificate) return where(cert) + ": no PEM certificate in it" + openSslReason();
  BioPtr key_bio = memoryBio(key.pem);
  KeyPtr private_key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
  if (!private_key) return where(key) + ": no PEM private key in it (encrypted keys are not supported)" + openSslReason();
  if (X509_check_private_key(certificate.get(), private_key.get()) != 1) {
    ERR_clear_error();
    return where(key) + " is not the key of the certificate in " + where(cert);
  }
  ERR_clear_error();
  return {};
}

void keepOpenSslUntilExit() {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) != 1) throw std::runtime_error("OpenSSL cannot be initialised");
}

}  // namespace gsoc::common
