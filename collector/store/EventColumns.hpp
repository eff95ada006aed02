#pragma once
// EventColumns: the indexed columns of an event row, derived from a gsoc.v1.Event the same way
// for every store backend (so a query means the same thing on SQLite and PostgreSQL).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gsoc::v1 {
class Event;
}

namespace gsoc::collector {

struct EventColumns {
  const char* kind = "";      // alert, flow, http, dns, tls, smtp, file
  std::int64_t sid = -1;      // alerts only; -1 otherwise (stored as NULL)
  std::int32_t severity = 0;
  std::string src_ip;         // text form, empty when absent
  std::string dst_ip;
  std::string indicator;      // main observable; empty when the record has none
};

void deriveColumns(const gsoc::v1::Event& event, EventColumns& out);
// "alert", "flow", "http", "dns", "tls", "smtp", "file", or "" for an event with no body.
const char* kindName(const gsoc::v1::Event& event);
// The record's main observable (the `indicator` column): the indicator that hit, HTTP host, DNS
// query, TLS SNI, mail sender or file SHA-256; nullptr when the record has none.
const std::string* indicatorOf(const gsoc::v1::Event& event);
// True when the value is one of the event's observables: an address, the HTTP host, DNS query,
// TLS SNI, mail sender, an attachment's or file's SHA-256 or MD5, or the indicator that hit.
bool eventCarries(const gsoc::v1::Event& event, const std::string& value);
// Calls `visit` with each of those values the event has (empty ones left out for addresses and
// hashes; a record's own empty host or name is passed as it is).
void forEachObservable(const gsoc::v1::Event& event, const std::function<void(std::string_view)>& visit);
// One line on what the record is: "[1:2100001] msg", "GET host/uri", "query name A", ...
std::string eventSummary(const gsoc::v1::Event& event);
// 4 or 16 raw bytes to text ("192.0.2.1", "2001:db8::1"); empty for anything else.
std::string addressText(const std::string& raw);

}  // namespace gsoc::collector
