#pragma once
// SDP (RFC 4566), the session description a SIP INVITE and its answer carry: the session's
// lines (o= origin, s= name, i= info, u= URI, e= email, p= phone, c= connection, b= bandwidth,
// t= and r= times, z= time zones, k= key, a= attributes) and each m= media description with its
// own i=, c=, b=, k= and a= lines, kept as Suricata's parser keeps them (the value after "x=",
// as written) for the sdp.* keywords and EVE's sip.sdp object. Strings and lists are reused
// message after message.

#include <string>
#include <string_view>

#include "common/ReusingVector.hpp"

namespace gsoc::sensor {

struct SdpTimeDescription {
  std::string time;         // t=
  std::string repeat_time;  // the first r= after it, if any
  bool has_repeat = false;
};

struct SdpMediaDescription {
  std::string media;  // m=
  std::string media_info, connection_data, encryption_key;
  bool has_media_info = false, has_connection_data = false, has_encryption_key = false;
  ReusingVector<std::string> bandwidths;
  ReusingVector<std::string> attributes;
};

struct SdpMessage {
  std::string version, origin, session_name;
  std::string session_info, uri, email, phone_number, connection_data, timezone, encryption_key;
  bool has_session_info = false, has_uri = false, has_email = false, has_phone_number = false;
  bool has_connection_data = false, has_timezone = false, has_encryption_key = false;
  ReusingVector<std::string> bandwidths;
  ReusingVector<SdpTimeDescription> times;
  ReusingVector<std::string> attributes;
  ReusingVector<SdpMediaDescription> media;
  void clear();
};

// Parses `body` into `out`; false (out unusable) when it does not start with a version line or
// holds a line that is not "x=value".
bool parseSdp(std::string_view body, SdpMessage& out);

}  // namespace gsoc::sensor
