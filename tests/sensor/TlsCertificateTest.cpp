// The server side of a TLS handshake built byte by byte: a ServerHello with a known random and a
// Certificate message carrying a self-signed certificate made here with OpenSSL. The parser must
// give the hello's random, each certificate's DER bytes as sent and Suricata's fingerprint form
// (SHA-1 of the DER, lower-case hex pairs joined by ':'), which the tls.random*, tls.certs and
// tls.cert_fingerprint buffers carry.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "sensor/ClientHello.hpp"
#include "sensor/app/AppLayer.hpp"
#include "sensor/app/TlsParser.hpp"

using gsoc::sensor::TlsHandshake;
using gsoc::sensor::TlsState;
using namespace gsoc::sensor::test;

namespace {

void put24(std::string& s, std::size_t v) {
  s.push_back(static_cast<char>(v >> 16));
  put16(s, static_cast<unsigned>(v & 0xffff));
}

// A self-signed certificate for CN=gsoc.test, DER-encoded.
std::string selfSignedDer(long serial = 0x1234) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(1024), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("gsoc.test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string handshakeRecord(unsigned type, const std::string& body) {
  std::string handshake(1, static_cast<char>(type));
  put24(handshake, body.size());
  handshake += body;
  std::string record = "\x16\x03\x03";
  put16(record, static_cast<unsigned>(handshake.size()));
  return record + handshake;
}

std::string serverFlight(const std::string& random, const std::string& der) {
  std::string hello;
  put16(hello, 0x0303);
  hello += random;
  hello.push_back(0);  // session id
  put16(hello, 0xc02f);
  hello.push_back(0);  // null compression
  std::string certificates;
  put24(certificates, der.size() + 3);
  put24(certificates, der.size());
  certificates += der;
  return handshakeRecord(2, hello) + handshakeRecord(11, certificates);
}

std::string fingerprintOf(const std::string& der) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), digest, &len, EVP_sha1(), nullptr);
  std::string out;
  char pair[4];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(pair, sizeof pair, i == 0 ? "%02x" : ":%02x", digest[i]);
    out += pair;
  }
  return out;
}

TEST(TlsCertificate, ServerFlightGivesRandomDerAndSuricataFingerprint) {
  std::string random;
  for (int i = 0; i < 32; ++i) random.push_back(static_cast<char>(0xa0 + i));
  const std::string der = selfSignedDer();
  ASSERT_GT(der.size(), 100u);
  const std::string flight = serverFlight(random, der);

  TlsState state;
  TlsHandshake out;
  int seen = 0;
  // Fed in two pieces, as a segment boundary inside the certificate would cut it.
  const std::size_t cut = flight.size() / 2;
  for (const std::string& piece : {flight.substr(0, cut), flight.substr(cut)}) {
    state.feed(gsoc::signatures::FlowDirection::ToClient, {reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()},
               [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) {
                 out = h;
                 ++seen;
               });
  }
  ASSERT_EQ(seen, 1);
  EXPECT_EQ(state.errors(), 0u);
  EXPECT_FALSE(out.client_hello);
  ASSERT_TRUE(out.has_random);
  EXPECT_EQ(std::string(out.random.begin(), out.random.end()), random);
  ASSERT_EQ(out.certificates.size(), 1u);
  EXPECT_EQ(out.certificates[0].der, der);
  EXPECT_EQ(out.certificates[0].subject, "CN=gsoc.test");
  EXPECT_EQ(out.certificates[0].serial, "12:34");
  EXPECT_EQ(out.certificates[0].not_before.size(), 19u);  // 2026-12-05T06:30:00
  EXPECT_EQ(out.certificates[0].not_before[10], 'T');
  EXPECT_GT(out.certificates[0].not_after, out.certificates[0].not_before);
  const std::string& fp = out.certificates[0].fingerprint;
  EXPECT_EQ(fp, fingerprintOf(der));
  EXPECT_EQ(fp.size(), 20u * 3 - 1);
}

// Suricata writes the serial as the DER integer's bytes: one with its high bit set keeps the
// leading 00 that makes it positive ("00:97:E6:..." in suricata-verify's captures).
TEST(TlsCertificate, SerialKeepsTheLeadingZeroOfTheDerInteger) {
  const std::string flight = serverFlight(std::string(32, 'r'), selfSignedDer(0x97e6));
  TlsState state;
  TlsHandshake out;
  state.feed(gsoc::signatures::FlowDirection::ToClient, {reinterpret_cast<const std::uint8_t*>(flight.data()), flight.size()},
             [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) { out = h; });
  ASSERT_EQ(out.certificates.size(), 1u);
  EXPECT_EQ(out.certificates[0].serial, "00:97:E6");
}

// A first certificate that does not decode: Suricata's events tell a tag-length header cut short
// (certificate_invalid_length) from a length past its container (invalid_certificate), and the
// handshake message is invalid either way (the captures of suricata-verify's bug-1450 cases).
TEST(TlsCertificate, AnUndecodableCertificateRaisesSuricatasEvents) {
  using gsoc::signatures::AnomalyEvent;
  const std::string cut_header("\x30\x05\x30\x84\xff\xff\xff\x00\x00", 9);
  const std::string overrun("\x30\x06\x30\x84\xff\xff\xff\xff\x00", 9);
  for (const auto& [der, expected] : {std::pair{cut_header, AnomalyEvent::TlsCertificateInvalidLength},
                                      std::pair{overrun, AnomalyEvent::TlsInvalidCertificate}}) {
    TlsState state;
    const std::string flight = serverFlight(std::string(32, 'r'), der);
    state.feed(gsoc::signatures::FlowDirection::ToClient, {reinterpret_cast<const std::uint8_t*>(flight.data()), flight.size()},
               [](gsoc::signatures::FlowDirection, const TlsHandshake&) {});
    EXPECT_TRUE(state.events.test(expected));
    EXPECT_TRUE(state.events.test(AnomalyEvent::TlsInvalidHandshakeMessage));
    EXPECT_FALSE(state.events.test(expected == AnomalyEvent::TlsInvalidCertificate ? AnomalyEvent::TlsCertificateInvalidLength
                                                                                 : AnomalyEvent::TlsInvalidCertificate));
  }
}

TEST(TlsCertificate, VersionNamesAreSuricatas) {
  EXPECT_EQ(gsoc::sensor::tlsVersionName(0x0301), "TLSv1");
  EXPECT_EQ(gsoc::sensor::tlsVersionName(0x0303), "TLS 1.2");
  EXPECT_EQ(gsoc::sensor::tlsVersionName(0x0304), "TLS 1.3");
  EXPECT_EQ(gsoc::sensor::tlsVersionName(0x0300), "SSLv3");
  EXPECT_EQ(gsoc::sensor::tlsVersionName(0x7f1c), "UNDETERMINED");
}

TEST(TlsCertificate, ClientHelloCarriesItsRandom) {
  TlsState state;
  TlsHandshake out;
  const std::string record = clientHello(0x0303, {0x002f}, "");
  state.feed(gsoc::signatures::FlowDirection::ToServer, {reinterpret_cast<const std::uint8_t*>(record.data()), record.size()},
             [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) { out = h; });
  ASSERT_TRUE(out.has_random);
  EXPECT_EQ(std::string(out.random.begin(), out.random.end()), std::string(32, 'r'));  // clientHello()'s filler
  out.clear();
  EXPECT_FALSE(out.has_random);
}

// Client authentication: the client's Certificate (its second flight, after the server's) comes
// out on its own, after the hello, with the certificates and nothing of the hello.
TEST(TlsCertificate, ClientCertificateAfterTheHello) {
  TlsState state;
  std::vector<TlsHandshake> out;
  const auto feed = [&](const std::string& bytes) {
    state.feed(gsoc::signatures::FlowDirection::ToServer, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
               [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) { out.push_back(h); });
  };
  feed(clientHello(0x0303, {0x002f}, ""));
  const std::string der = selfSignedDer(0x42);
  std::string certificates;
  put24(certificates, der.size() + 3);
  put24(certificates, der.size());
  certificates += der;
  feed(handshakeRecord(11, certificates) + handshakeRecord(16, std::string(4, 'k')) + std::string("\x14\x03\x03\x00\x01\x01", 6));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].client_hello);
  EXPECT_FALSE(out[1].client_hello);
  EXPECT_TRUE(out[1].client_certificate);
  ASSERT_EQ(out[1].certificates.size(), 1u);
  EXPECT_EQ(out[1].certificates[0].serial, "42");
  EXPECT_EQ(state.errors(), 0u);
}

// A hello's session id, for session_resumed (the server echoing the client's).
TEST(TlsCertificate, ServerHelloCarriesItsSessionId) {
  std::string hello;
  put16(hello, 0x0303);
  hello += std::string(32, 'r');
  hello.push_back(4);
  hello += "sess";
  put16(hello, 0xc02f);
  hello.push_back(0);
  const std::string record = handshakeRecord(2, hello) + std::string("\x14\x03\x03\x00\x01\x01", 6);
  TlsState state;
  TlsHandshake out;
  state.feed(gsoc::signatures::FlowDirection::ToClient, {reinterpret_cast<const std::uint8_t*>(record.data()), record.size()},
             [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) { out = h; });
  EXPECT_EQ(out.session_id, "sess");
}

// The app layer's timing: as Suricata in IDS mode, the server's flight is parsed when the client's
// next packet acknowledges it, so its inspection and the session record come with that packet;
// inline, as it arrives.
TEST(TlsAppLayer, IdsModeParsesTheServerFlightAtTheClientsAck) {
  using gsoc::signatures::FlowDirection;
  using namespace gsoc::sensor;
  const auto bytes = [](const std::string& s) { return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  for (const bool inline_mode : {false, true}) {
    std::vector<FlowDirection> inspected;
    int records = 0;
    AppLayer app([&](Flow&, FlowDirection dir, gsoc::signatures::MatchInput&) { inspected.push_back(dir); });
    app.setStreamInline(inline_mode);
    app.setMetadataSink([&](const AppMetadata& r) { records += r.kind == AppMetadata::Kind::Tls ? 1 : 0; });
    DecodedPacket first;
    first.src = *IpAddress::parse("10.0.0.1");
    first.dst = *IpAddress::parse("10.0.0.2");
    first.src_port = 50000;
    first.dst_port = 443;
    first.ip_proto = 6;
    Flow flow(1, FlowKey::of(first), first, 1 << 16);
    auto packet = [&](FlowDirection dir, const std::string& data) {
      ++flow.counters[dir == FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient].packets;
      if (!data.empty()) app.onStream(flow, dir, bytes(data), 0);  // the stream first, as SensorWorker does
      app.onPacket(flow, dir);
    };
    packet(FlowDirection::ToClient, "");  // the SYN/ACK: the server is on this link
    packet(FlowDirection::ToServer, clientHello(0x0303, {0x002f}, ""));
    EXPECT_EQ(inspected.size(), inline_mode ? 1u : 0u);
    packet(FlowDirection::ToClient, serverFlight(std::string(32, 's'), selfSignedDer()));  // acknowledges the hello
    ASSERT_GE(inspected.size(), 1u);
    EXPECT_EQ(inspected[0], FlowDirection::ToServer);
    EXPECT_EQ(records, inline_mode ? 1 : 0);
    packet(FlowDirection::ToServer, "");  // acknowledges the flight
    EXPECT_EQ(records, 1);
    EXPECT_EQ(inspected, (std::vector<FlowDirection>{FlowDirection::ToServer, FlowDirection::ToClient}));
    app.onFlowEnd(flow);
    EXPECT_EQ(records, 1);
    app.releaseState(flow);
  }
}

}  // namespace
