// TFTP as TftpState reads it: a read and a write request (mode lower-cased), the server's
// datagrams left alone, and requests without their NULs or with a name that is not UTF-8
// counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/TftpParser.hpp"

using gsoc::sensor::parseTftpRequest;
using gsoc::sensor::TftpState;
using gsoc::sensor::TftpTransaction;
using gsoc::signatures::FlowDirection;

namespace {

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST(TftpParser, ReadAndWriteRequests) {
  TftpTransaction tx;
  ASSERT_TRUE(parseTftpRequest(bytes(std::string("\0\1rfc1350.txt\0OCTET\0", 20)), tx));
  EXPECT_EQ(tx.opcode, 1);
  EXPECT_EQ(tx.file, "rfc1350.txt");
  EXPECT_EQ(tx.mode, "octet");
  EXPECT_EQ(gsoc::sensor::tftpPacketName(tx.opcode), "read");
  ASSERT_TRUE(parseTftpRequest(bytes(std::string("\0\2a\0netascii\0", 13)), tx));
  EXPECT_EQ(gsoc::sensor::tftpPacketName(tx.opcode), "write");
  EXPECT_EQ(tx.file, "a");
  EXPECT_EQ(gsoc::sensor::tftpPacketName(5), "error");
}

TEST(TftpParser, StateTakesClientRequestsAndCountsMalformed) {
  TftpState state;
  std::vector<std::string> files;
  const auto sink = [&](const TftpTransaction& tx) { files.push_back(std::to_string(tx.tx_id) + ":" + tx.file); };
  state.datagram(FlowDirection::ToServer, bytes(std::string("\0\1one\0octet\0", 12)), sink);
  state.datagram(FlowDirection::ToClient, bytes(std::string("\0\3\0\1data", 8)), sink);        // the server's: not parsed
  state.datagram(FlowDirection::ToServer, bytes(std::string("\0\1no-nul", 8)), sink);          // the name runs off the end
  state.datagram(FlowDirection::ToServer, bytes(std::string("\0\1\xff\xfe\0octet\0", 10)), sink);  // not UTF-8
  state.datagram(FlowDirection::ToServer, bytes(std::string("\1", 1)), sink);
  state.datagram(FlowDirection::ToServer, bytes(std::string("\0\2two\0octet\0", 12)), sink);
  EXPECT_EQ(files, (std::vector<std::string>{"0:one", "1:two"}));
  EXPECT_EQ(state.errors(), 3u);
}
