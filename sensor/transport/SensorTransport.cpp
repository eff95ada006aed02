#include "sensor/transport/SensorTransport.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/NetworkAddress.hpp"
#include "common/TlsMaterial.hpp"
#include "gsoc/v1/config.pb.h"

namespace gsoc::sensor {
namespace {

// `flag`: the command-line option that overrides the key, named in messages with it.
common::PemFile readPem(const std::string& path, const std::string& dir, const char* key, const char* flag = nullptr) {
  if (path.empty()) throw std::invalid_argument(std::string("transport.") + key + " is required (mutual TLS only)");
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(dir) / p;
  std::ifstream in(p);
  if (!in) throw std::runtime_error(std::string("transport.") + key + ": cannot read " + p.string());
  const std::string label = std::string("transport.") + key + (flag != nullptr ? std::string(" (") + flag + ")" : std::string());
  return common::PemFile{label, p.string(), std::string((std::istreambuf_iterator<char>(in)), {})};
}

// The collector addresses in the order they are tried: --collector (each given), else the config's
// collector_address then collector_addresses. Each is checked, and one listed twice is refused: a
// failover to the same front-end would only hide that the list is wrong.
std::vector<std::string> collectorAddresses(const gsoc::v1::TransportConfig& t, const TransportOverrides& o) {
  std::vector<std::string> out;
  std::vector<std::string> keys;
  auto add = [&](const std::string& address, std::string key, bool from_flag) {
    std::string problem = address.empty() ? std::string("an empty address") : common::addressError(address, false);
    if (problem.empty()) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == address) problem = "'" + address + "' is listed twice (also " + keys[i] + ")";
      }
    }
    if (!problem.empty()) {
      if (from_flag) throw std::invalid_argument("transport.collector_address (--collector) " + problem);
      throw TransportKeyError(std::move(key), problem);
    }
    out.push_back(address);
    keys.push_back(std::move(key));
  };
  if (!o.collector_addresses.empty()) {
    for (std::size_t i = 0; i < o.collector_addresses.size(); ++i) {
      add(o.collector_addresses[i], "--collector #" + std::to_string(i + 1), true);
    }
    return out;
  }
  if (!t.collector_address().empty()) add(t.collector_address(), "transport.collector_address", false);
  for (int i = 0; i < t.collector_addresses_size(); ++i) {
    add(t.collector_addresses(i), "transport.collector_addresses." + std::to_string(i), false);
  }
  return out;
}

}  // namespace

SensorTransport::SensorTransport(std::unique_ptr<EventSpool> spool, ShipperOptions options, EventShipper::StatusSource status)
    : spool_(std::move(spool)) {
  shipper_ = std::make_unique<EventShipper>(*spool_, std::move(options), std::move(status));
}

std::unique_ptr<SensorTransport> SensorTransport::create(const gsoc::v1::SensorConfig& config, const TransportOverrides& o,
                                                         const std::string& config_dir, EventShipper::StatusSource status,
                                                         std::function<void(gsoc::v1::SignatureBundle)> on_bundle) {
  const gsoc::v1::TransportConfig& t = config.transport();
  std::vector<std::string> addresses = collectorAddresses(t, o);
  if (addresses.empty()) return nullptr;
  if (config.sensor_id().empty() || config.agency_id().empty()) {
    throw std::invalid_argument("sensor_id and agency_id are required to ship events (they must match the sensor certificate)");
  }
  SpoolOptions spool;
  spool.dir = !o.spool_dir.empty() ? o.spool_dir : t.spool_dir();
  if (spool.dir.empty()) throw std::invalid_argument("transport.spool_dir is required to ship events (the spool makes outages lossless)");
  if (spool.dir.is_relative() && o.spool_dir.empty()) spool.dir = std::filesystem::path(config_dir) / spool.dir;
  if (t.spool_max_bytes() > 0) spool.max_bytes = t.spool_max_bytes();
  if (t.spool_segment_bytes() > 0) spool.segment_bytes = t.spool_segment_bytes();
  try {
    spool.full_policy = parseSpoolFullPolicy(t.spool_full_policy());
    spool.fsync = parseSpoolFsync(t.fsync());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("transport.") + e.what());
  }
  if (t.fsync_interval_ms() > 0) spool.fsync_interval = std::chrono::milliseconds(t.fsync_interval_ms());
  if (t.batch_max_events() > 0) spool.fsync_batch = t.batch_max_events();

  ShipperOptions ship;
  ship.address = addresses.front();
  ship.more_addresses.assign(std::make_move_iterator(addresses.begin() + 1), std::make_move_iterator(addresses.end()));
  const common::PemFile ca = readPem(!o.ca_file.empty() ? o.ca_file : t.ca_file(), config_dir, "ca_file", "--ca");
  const common::PemFile cert = readPem(!o.cert_file.empty() ? o.cert_file : t.cert_file(), config_dir, "cert_file", "--cert");
  const common::PemFile key = readPem(!o.key_file.empty() ? o.key_file : t.key_file(), config_dir, "key_file", "--key");
  // Checked here: gRPC would take them, fail each handshake and name no file.
  if (const std::string problem = common::tlsMaterialError(ca, cert, key); !problem.empty()) throw std::runtime_error(problem);
  ship.ca_pem = ca.pem;
  ship.cert_pem = cert.pem;
  ship.key_pem = key.pem;
  ship.server_name = t.server_name();
  ship.sensor_id = config.sensor_id();
  if (t.batch_max_events() > 0) ship.batch_max_events = t.batch_max_events();
  if (t.batch_max_bytes() > 0) ship.batch_max_bytes = t.batch_max_bytes();
  if (t.max_in_flight_batches() > 0) ship.max_in_flight = t.max_in_flight_batches();
  if (t.heartbeat_interval_s() > 0) ship.heartbeat_interval = std::chrono::seconds(t.heartbeat_interval_s());
  if (t.ack_timeout_s() > 0) ship.ack_timeout = std::chrono::seconds(t.ack_timeout_s());
  if (!t.bundle_public_key_file().empty()) ship.bundle_public_key_pem = readPem(t.bundle_public_key_file(), config_dir, "bundle_public_key_file").pem;
  ship.on_bundle = std::move(on_bundle);
  return std::unique_ptr<SensorTransport>(new SensorTransport(std::make_unique<EventSpool>(std::move(spool)), std::move(ship), std::move(status)));
}

bool SensorTransport::append(std::string_view record) {
  if (spool_->append(record) == 0) return false;  // refused at shutdown: counted by the spool
  ++appended_this_run_;
  return true;
}

bool SensorTransport::drain(std::chrono::milliseconds timeout, const std::function<bool()>& keep_waiting) {
  spool_->flush();
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (keep_waiting() && std::chrono::steady_clock::now() < until) {
    if (shipper_->drain(std::chrono::milliseconds(100))) return true;
  }
  return spool_->depth() == 0;
}

void SensorTransport::stop() {
  shipper_->stop();
  spool_->close();
}

std::string SensorTransport::summary() const {
  const ShipperCounters c = shipper_->counters();
  const SpoolCounters s = spool_->counters();
  std::ostringstream out;
  // With several addresses: where the shipper is now and how often it moved.
  out << "transport   " << shipper_->currentAddress();
  if (shipper_->addressCount() > 1) {
    out << " (" << c.failovers << (c.failovers == 1 ? " failover" : " failovers") << " among " << shipper_->addressCount()
        << " collector addresses)";
  }
  out << ": " << appended_this_run_ << " events spooled this run (" << s.recovered
      << " recovered from the last); collector stored " << c.events_committed << ", " << c.events_duplicate << " were duplicates, "
      << c.events_rejected << " rejected; " << c.streams << " streams (" << c.stream_failures << " failed), " << c.heartbeats
      << " heartbeats";
  if (shipper_->clockMeasured()) out << ", clock offset " << static_cast<double>(shipper_->clockOffsetNs()) / 1e6 << " ms";
  out << "\nspool       epoch " << spool_->epoch() << ", acknowledged through " << spool_->ackedThrough() << ", " << spool_->depth()
      << " events waiting" << (spool_->depth() > 0 ? " (shipped by the next run)" : "") << "; dropped " << s.dropped_full
      << " at the size cap, " << s.dropped_disk_full << " for a full disk (" << s.disk_full << " writes found it full), "
      << s.dropped_shutdown << " at shutdown; " << s.corrupt_records << " corrupt records (" << s.truncated_bytes << " bytes) cut at open";
  if (s.ack_mark_failures > 0) out << "; " << s.ack_mark_failures << " failed writes of the acked mark (the next run resends)";
  out << "\n";
  return out.str();
}

}  // namespace gsoc::sensor
