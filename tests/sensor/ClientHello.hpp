#pragma once
// Builds TLS ClientHello records byte by byte for the sensor's tests.

#include <string>
#include <vector>

namespace gsoc::sensor::test {

inline void put16(std::string& s, unsigned v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xff));
}

inline std::string list16(const std::vector<unsigned>& values) {
  std::string s;
  for (unsigned v : values) put16(s, v);
  return s;
}

inline std::string extension(unsigned type, const std::string& data) {
  std::string s;
  put16(s, type);
  put16(s, static_cast<unsigned>(data.size()));
  return s + data;
}

// The server_name extension's data for one host name.
inline std::string sniData(const std::string& host) {
  std::string s;
  put16(s, static_cast<unsigned>(host.size() + 3));
  s.push_back(0);
  put16(s, static_cast<unsigned>(host.size()));
  return s + host;
}

// A handshake record holding one ClientHello with these ciphers and (encoded) extensions.
inline std::string clientHello(unsigned version, const std::vector<unsigned>& ciphers, const std::string& extensions) {
  std::string hello;
  put16(hello, version);
  hello += std::string(32, 'r');
  hello.push_back(0);  // session id
  put16(hello, static_cast<unsigned>(2 * ciphers.size()));
  hello += list16(ciphers);
  hello.push_back(1);
  hello.push_back(0);  // null compression
  if (!extensions.empty()) {
    put16(hello, static_cast<unsigned>(extensions.size()));
    hello += extensions;
  }
  std::string handshake = "\x01";
  handshake.push_back(0);
  put16(handshake, static_cast<unsigned>(hello.size()));
  handshake += hello;
  std::string record = "\x16\x03\x01";
  put16(record, static_cast<unsigned>(handshake.size()));
  return record + handshake;
}

}  // namespace gsoc::sensor::test
