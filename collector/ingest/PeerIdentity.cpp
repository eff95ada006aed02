#include "collector/ingest/PeerIdentity.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>

#include "common/OpenSslPtr.hpp"

namespace gsoc::collector {
namespace {

template <auto Free>
using Deleter = common::OpenSslDeleter<Free>;
using common::BioPtr;
using common::X509Ptr;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

std::string serialHex(const ASN1_INTEGER* serial) {
  std::unique_ptr<BIGNUM, Deleter<BN_free>> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return out;
}

X509Ptr readCertificate(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

constexpr std::string_view kUriPrefix = "urn:gsoc:sensor:";
constexpr std::string_view kAnalystPrefix = "urn:gsoc:analyst:";


// The certificate's first URI SAN starting with `prefix`, without it; nullopt when there is none.
std::optional<std::string> uriSan(X509* cert, std::string_view prefix) {
  NamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const auto* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (text.starts_with(prefix)) return std::string(text.substr(prefix.size()));
  }
  return std::nullopt;
}

}  // namespace

std::optional<SensorIdentity> identityFromCertificate(std::string_view pem, std::string& error) {
  X509Ptr cert = readCertificate(pem);
  if (!cert) {
    error = "unreadable client certificate";
    return std::nullopt;
  }
  const auto rest = uriSan(cert.get(), kUriPrefix);
  if (!rest) {
    error = "client certificate has no urn:gsoc:sensor:AGENCY:SENSOR_ID subject alternative name";
    return std::nullopt;
  }
  const auto colon = rest->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest->size()) {
    error = "malformed gsoc SAN '" + std::string(kUriPrefix) + *rest + "' (expected urn:gsoc:sensor:AGENCY:SENSOR_ID)";
    return std::nullopt;
  }
  SensorIdentity id;
  id.agency_id = rest->substr(0, colon);
  id.sensor_id = rest->substr(colon + 1);
  id.serial = serialHex(X509_get0_serialNumber(cert.get()));
  return id;
}

std::optional<AnalystIdentity> analystFromCertificate(std::string_view pem, std::string& error) {
  X509Ptr cert = readCertificate(pem);
  if (!cert) {
    error = "unreadable client certificate";
    return std::nullopt;
  }
  const auto name = uriSan(cert.get(), kAnalystPrefix);
  if (!name || name->empty()) {
    error = "client certificate has no urn:gsoc:analyst:NAME subject alternative name (sensors may not use the Central API)";
    return std::nullopt;
  }
  return AnalystIdentity{*name, serialHex(X509_get0_serialNumber(cert.get()))};
}

RevocationList RevocationList::load(const std::string& crl_path, const std::string& ca_pem) {
  std::ifstream in(crl_path);
  if (!in) throw std::runtime_error("crl_file " + crl_path + ": cannot read");
  const std::string pem((std::istreambuf_iterator<char>(in)), {});
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CrlPtr crl(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!crl) throw std::runtime_error("crl_file " + crl_path + ": not a PEM certificate revocation list");
  X509Ptr ca = readCertificate(ca_pem);
  if (!ca) throw std::runtime_error("crl_file " + crl_path + ": the CA certificate is unreadable");
  EVP_PKEY* key = X509_get0_pubkey(ca.get());
  if (key == nullptr || X509_CRL_verify(crl.get(), key) != 1) {
    throw std::runtime_error("crl_file " + crl_path + ": signature does not verify against the CA");
  }
  RevocationList list;
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; revoked != nullptr && i < sk_X509_REVOKED_num(revoked); ++i) {
    list.serials_.insert(serialHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
  }
  return list;
}

}  // namespace gsoc::collector
