#pragma once
// TlsMaterial: the PEM files of a mutual-TLS endpoint, checked before they are handed to gRPC.
// gRPC takes unreadable PEM or a key that does not match its certificate without complaint and
// fails only at the first handshake, with its own log lines and no file name; these checks name
// the file and the problem at start-up instead.

#include <string>

namespace gsoc::common {

struct PemFile {
  std::string label;  // the key or option it came from, e.g. "transport.ca_file"
  std::string path;
  std::string pem;    // the file's content
};

// Checks that `ca` holds one or more certificates, `cert` a certificate (a chain: the first is
// the endpoint's), `key` an unencrypted private key, and that the key belongs to the
// certificate. Returns the first problem, naming the label and the path; empty when all is well.
std::string tlsMaterialError(const PemFile& ca, const PemFile& cert, const PemFile& key);

// OpenSSL frees its global state in an atexit handler, but gRPC's threads outlive main: a
// reconnection to an unreachable peer may start a TLS handshake while the process exits, and
// crashes it (or, under the sanitizers, hangs it). Call first thing in main, before gRPC or
// anything else uses OpenSSL: its state then lasts as long as the process. Throws
// std::runtime_error when OpenSSL cannot be initialised.
void keepOpenSslUntilExit();

}  // namespace gsoc::common
