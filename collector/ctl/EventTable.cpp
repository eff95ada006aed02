#include "collector/ctl/EventTable.hpp"

#include <algorithm>
#include <iomanip>

#include "collector/notify/PublicationFormat.hpp"
#include "collector/store/EventColumns.hpp"

namespace gsoc::ctl {
namespace {

std::string endpoint(const std::string& raw_ip, std::uint32_t port) {
  std::string text = collector::addressText(raw_ip);
  if (text.empty()) return "-";
  if (text.find(':') != std::string::npos) text = "[" + text + "]";
  return port != 0 ? text + ":" + std::to_string(port) : text;
}

}  // namespace

void printEvents(std::ostream& out, const gsoc::v1::EventsReply& reply) {
  for (const auto& e : reply.events()) {
    out << collector::utcText(e.timestamp_ns()) << "  " << std::left << std::setw(6) << e.agency_id() << std::setw(10) << e.sensor_id()
        << std::setw(6) << collector::kindName(e) << endpoint(e.tuple().src_ip(), e.tuple().src_port()) << " -> "
        << endpoint(e.tuple().dst_ip(), e.tuple().dst_port()) << "  " << collector::eventSummary(e) << std::right << "\n";
  }
  out << reply.events_size() << " events" << (reply.truncated() ? " (more match: narrow the query or raise --limit)" : "") << "\n";
}

void printEventCounts(std::ostream& out, const std::vector<std::string>& by, const gsoc::v1::EventsReply& reply) {
  std::vector<std::size_t> width;
  for (const auto& name : by) width.push_back(name.size());
  for (const auto& g : reply.counts()) {
    for (int i = 0; i < g.key_size() && static_cast<std::size_t>(i) < width.size(); ++i) {
      width[static_cast<std::size_t>(i)] = std::max(width[static_cast<std::size_t>(i)], std::max<std::size_t>(g.key(i).size(), 1));
    }
  }
  for (std::size_t i = 0; i < by.size(); ++i) out << std::left << std::setw(static_cast<int>(width[i]) + 2) << by[i];
  out << std::right << "events\n";
  std::uint64_t total = 0;
  for (const auto& g : reply.counts()) {
    for (int i = 0; i < g.key_size() && static_cast<std::size_t>(i) < width.size(); ++i) {
      out << std::left << std::setw(static_cast<int>(width[static_cast<std::size_t>(i)]) + 2) << (g.key(i).empty() ? "-" : g.key(i));
    }
    out << std::right << g.events() << "\n";
    total += g.events();
  }
  if (!by.empty()) out << "total " << total << " events\n";
}

}  // namespace gsoc::ctl
