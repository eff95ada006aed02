#pragma once
// PeerIdentity: who a connected sensor or analyst is, read from its verified client certificate.
// A sensor's identity is the URI SAN urn:gsoc:sensor:<AGENCY>:<SENSOR_ID> written by scripts/gsoc-pki;
// nothing a sensor puts in its payload can change it. RevocationList holds the serials a CRL
// (signed by the same CA, checked here) revokes; the collector refuses those peers.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

// Parses a PEM certificate's gsoc URI SAN and serial; nullopt (with `error` set) when there is
// none or the PEM is unreadable.
std::optional<SensorIdentity> identityFromCertificate(std::string_view pem, std::string& error);

// An analyst of the central team (URI SAN urn:gsoc:analyst:NAME, from `gsoc-pki analyst`): the
// only peers the Central API serves.
struct AnalystIdentity {
  std::string name;
  std::string serial;
};
std::optional<AnalystIdentity> analystFromCertificate(std::string_view pem, std::string& error);

class RevocationList {
 public:
  RevocationList() = default;
  // Loads a PEM CRL and verifies its signature against the CA certificate; throws
  // std::runtime_error naming the file when either is unreadable or the signature is wrong.
  static RevocationList load(const std::string& crl_path, const std::string& ca_pem);
  [[nodiscard]] bool revoked(const std::string& serial_hex) const { return serials_.contains(serial_hex); }
  [[nodiscard]] std::size_t size() const { return serials_.size(); }

 private:
  std::set<std::string> serials_;
};

}  // namespace gsoc::collector
