#pragma once
// unique_ptr ownership of OpenSSL objects: one deleter template and the aliases the sensor's and
// the collector's TLS code share, so every object is freed by its own *_free function.

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <memory>

namespace gsoc::common {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;

}  // namespace gsoc::common
