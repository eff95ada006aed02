#pragma once
// Which way traffic goes on a flow (to the server, to the client, or either, as rules say it)
// and its transport protocol: the vocabulary rules, flows and app-layer parsers share.

#include <cstdint>

namespace gsoc::signatures {

enum class Transport : std::uint8_t { Any, Tcp, Udp, Icmp, Sctp };

enum class FlowDirection : std::uint8_t { Any, ToServer, ToClient };

}  // namespace gsoc::signatures
