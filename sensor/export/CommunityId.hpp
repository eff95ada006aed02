#pragma once
// Community ID v1 flow hashes ("1:base64(sha1(...))"), so gsoc's flow records join with those of
// Zeek, Suricata and other tools that speak the same standard.

#include <cstdint>
#include <string>

#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::sensor {

std::string communityId(const signatures::IpAddress& src, const signatures::IpAddress& dst, std::uint8_t ip_proto,
                        std::uint16_t src_port, std::uint16_t dst_port, std::uint16_t seed = 0);

}  // namespace gsoc::sensor
