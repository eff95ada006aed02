#include "sensor/app/SdpParser.hpp"

namespace gsoc::sensor {

void SdpMessage::clear() {
  version.clear();
  origin.clear();
  session_name.clear();
  has_session_info = has_uri = has_email = has_phone_number = false;
  has_connection_data = has_timezone = has_encryption_key = false;
  bandwidths.clear();
  times.clear();
  attributes.clear();
  media.clear();
}

namespace {
void assign(std::string& field, bool& has, std::string_view value) {
  field.assign(value);
  has = true;
}
}  // namespace

bool parseSdp(std::string_view body, SdpMessage& out) {
  out.clear();
  bool first = true;
  while (!body.empty()) {
    const std::size_t eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') return false;
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (first) {
      if (type != 'v') return false;
      first = false;
    }
    if (!out.media.empty()) {
      // Lines after an m= describe that media.
      SdpMediaDescription& m = out.media.back();
      switch (type) {
        case 'm': break;  // the next media, below
        case 'i': assign(m.media_info, m.has_media_info, value); continue;
        case 'c': assign(m.connection_data, m.has_connection_data, value); continue;
        case 'b': m.bandwidths.next().assign(value); continue;
        case 'k': assign(m.encryption_key, m.has_encryption_key, value); continue;
        case 'a': m.attributes.next().assign(value); continue;
        default: continue;  // not a media line: ignored, as Suricata's parser would stop there
      }
    }
    switch (type) {
      case 'v': out.version.assign(value); break;
      case 'o': out.origin.assign(value); break;
      case 's': out.session_name.assign(value); break;
      case 'i': assign(out.session_info, out.has_session_info, value); break;
      case 'u': assign(out.uri, out.has_uri, value); break;
      case 'e': assign(out.email, out.has_email, value); break;
      case 'p': assign(out.phone_number, out.has_phone_number, value); break;
      case 'c': assign(out.connection_data, out.has_connection_data, value); break;
      case 'b': out.bandwidths.next().assign(value); break;
      case 't': {
        SdpTimeDescription& t = out.times.next();
        t.time.assign(value);
        t.has_repeat = false;
        break;
      }
      case 'r':
        if (!out.times.empty() && !out.times.back().has_repeat) assign(out.times.back().repeat_time, out.times.back().has_repeat, value);
        break;
      case 'z': assign(out.timezone, out.has_timezone, value); break;
      case 'k': assign(out.encryption_key, out.has_encryption_key, value); break;
      case 'a': out.attributes.next().assign(value); break;
      case 'm': {
        SdpMediaDescription& m = out.media.next();
        m.media.assign(value);
        m.has_media_info = m.has_connection_data = m.has_encryption_key = false;
        m.bandwidths.clear();
        m.attributes.clear();
        break;
      }
      default: break;  // an unknown type: ignored (RFC 4566 5)
    }
  }
  return !first;
}

}  // namespace gsoc::sensor
