#include "sensor/transport/EventShipper.hpp"

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include <deque>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "gsoc/v1/ingest.grpc.pb.h"
#include "gsoc/signatures/BundleSignature.hpp"
#include "gsoc/v1/status.pb.h"

namespace gsoc::sensor {
namespace {

std::int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string describe(const grpc::Status& status) {
  static constexpr const char* kNames[] = {"OK",           "CANCELLED",         "UNKNOWN",       "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED", "NOT_FOUND",    "ALREADY_EXISTS", "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                                           "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",   "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const auto code = static_cast<std::size_t>(status.error_code());
  std::string out = code < std::size(kNames) ? kNames[code] : std::to_string(code);
  if (!status.error_message().empty()) out += ": " + status.error_message();
  return out;
}

}  // namespace

// One gRPC channel per collector address, all made up front: a channel connects only when used,
// so the addresses not shipped to cost nothing, and a failover needs no set-up.
struct EventShipper::Channels {
  struct Endpoint {
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<gsoc::v1::Ingest::Stub> stub;
  };
  std::vector<Endpoint> endpoints;     // fixed after construction
  std::atomic<std::size_t> current{0};  // moved by the ship thread; heartbeats follow it
  grpc::ClientContext* active = nullptr;  // the open Ship stream, cancelled by stop()
  std::mutex active_mutex;

  Endpoint& now() { return endpoints[current.load()]; }
};

EventShipper::EventShipper(EventSpool& spool, ShipperOptions options, StatusSource status)
    : spool_(spool), options_(std::move(options)), status_(std::move(status)), channels_(std::make_unique<Channels>()) {
  if (options_.address.empty()) throw std::invalid_argument("transport.collector_address is empty");
  for (const std::string& address : options_.more_addresses) {
    if (address.empty()) throw std::invalid_argument("transport.collector_addresses holds an empty address");
  }
  if (options_.ca_pem.empty() || options_.cert_pem.empty() || options_.key_pem.empty()) {
    throw std::invalid_argument("transport needs ca_file, cert_file and key_file (mutual TLS only)");
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options_.ca_pem;
  ssl.pem_cert_chain = options_.cert_pem;
  ssl.pem_private_key = options_.key_pem;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options_.keepalive_time.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options_.max_backoff.count()));
  args.SetMaxSendMessageSize(static_cast<int>(options_.batch_max_bytes) * 2 + (1 << 20));
  if (!options_.server_name.empty()) args.SetSslTargetNameOverride(options_.server_name);
  const auto credentials = grpc::SslCredentials(ssl);
  std::vector<std::string> addresses{options_.address};
  addresses.insert(addresses.end(), options_.more_addresses.begin(), options_.more_addresses.end());
  for (std::string& address : addresses) {
    Channels::Endpoint endpoint;
    endpoint.channel = grpc::CreateCustomChannel(address, credentials, args);
    endpoint.stub = gsoc::v1::Ingest::NewStub(endpoint.channel);
    endpoint.address = std::move(address);
    channels_->endpoints.push_back(std::move(endpoint));
  }
}

EventShipper::~EventShipper() { stop(); }

void EventShipper::start() {
  started_ = true;
  ship_thread_ = std::thread([this] { shipLoop(); });
  heartbeat_thread_ = std::thread([this] { heartbeatLoop(); });
}

void EventShipper::setError(std::string message) {
  std::lock_guard lock(counters_mutex_);
  if (message != last_error_) std::cerr << "gsoc-sensor: transport: " << message << "\n";
  last_error_ = std::move(message);
}

std::string EventShipper::lastError() const {
  std::lock_guard lock(counters_mutex_);
  return last_error_;
}

std::string EventShipper::currentAddress() const { return channels_->now().address; }

std::size_t EventShipper::addressCount() const { return channels_->endpoints.size(); }

ShipperCounters EventShipper::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

void EventShipper::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(pause_mutex_);
  pause_cv_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void EventShipper::shipLoop() {
  const std::size_t addresses = channels_->endpoints.size();
  int backoff_ms = 0;
  std::size_t failed_in_round = 0;  // addresses tried in a row without an ack
  while (!stopping_) {
    int floor_ms = 250;
    std::string failure;
    const bool progressed = runStream(floor_ms, failure);
    if (stopping_) break;
    if (addresses > 1) failOver(failure);
    // The next address is tried after the floor alone; only a whole round of addresses without
    // an ack doubles the backoff (with one address, every failure without progress, as before).
    failed_in_round = progressed ? 1 : failed_in_round + 1;
    if (progressed) {
      backoff_ms = floor_ms;
    } else if (failed_in_round >= addresses) {
      backoff_ms = std::min<int>(std::max(backoff_ms * 2, floor_ms), static_cast<int>(options_.max_backoff.count()));
      failed_in_round = 0;
    }
    pause(std::chrono::milliseconds(progressed || failed_in_round == 0 ? backoff_ms : floor_ms));
  }
  ship_done_ = true;
}

void EventShipper::failOver(const std::string& reason) {
  const std::size_t from = channels_->current.load();
  const std::size_t to = (from + 1) % channels_->endpoints.size();
  channels_->current = to;
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.failovers;
    last_error_ = reason;
  }
  // Logged every time, unlike setError's repeats: an operator counts and dates the moves.
  std::cerr << "gsoc-sensor: transport: failover from collector " << channels_->endpoints[from].address << " to "
            << channels_->endpoints[to].address << " (" << reason << "); resending after acknowledged sequence "
            << spool_.ackedThrough() << "\n";
}

bool EventShipper::runStream(int& backoff_floor_ms, std::string& failure) {
  Channels::Endpoint& endpoint = channels_->now();
  const bool several = channels_->endpoints.size() > 1;
  // Connect first (bounded), so an unreachable collector is a clear error, not a hung write.
  for (int tries = 0; !endpoint.channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::milliseconds(250)); ++tries) {
    if (stopping_) return false;
    // With another address to go to, a refused connection or a failed handshake (the channel in
    // TRANSIENT_FAILURE) is not waited out; a host that does not answer at all still takes 5 s.
    const bool refused = several && tries >= 1 && endpoint.channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE;
    if (tries == 20 || refused) {
      failure = "collector " + endpoint.address + " unreachable (connection or TLS handshake failed)";
      if (!several) setError(failure + "; retrying");
      return false;
    }
  }
  grpc::ClientContext context;
  {
    std::lock_guard lock(channels_->active_mutex);
    if (stopping_) return false;
    channels_->active = &context;
  }
  auto stream = endpoint.stub->Ship(&context);
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.streams;
  }

  struct InFlight {
    std::uint64_t first;
    std::uint64_t last;
  };
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<InFlight> in_flight;
  bool reader_done = false;
  bool progressed = false;
  auto last_progress = std::chrono::steady_clock::now();

  std::thread reader([&] {
    gsoc::v1::BatchAck ack;
    while (stream->Read(&ack)) {
      std::uint64_t events = 0;
      {
        std::lock_guard lock(mutex);
        while (!in_flight.empty() && in_flight.front().last <= ack.acked_through()) {
          events += in_flight.front().last - in_flight.front().first + 1;
          in_flight.pop_front();
        }
        last_progress = std::chrono::steady_clock::now();
        progressed = true;
      }
      spool_.ack(ack.acked_through());
      {
        std::lock_guard lock(counters_mutex_);
        if (ack.status() == gsoc::v1::BatchAck::STATUS_REJECTED) {
          counters_.events_rejected += events;
        } else {
          counters_.events_committed += ack.stored_events();
          counters_.events_duplicate += events - std::min<std::uint64_t>(events, ack.stored_events());
        }
      }
      if (ack.status() == gsoc::v1::BatchAck::STATUS_REJECTED) {
        setError("collector rejected events " + std::to_string(ack.first_sequence()) + ".." + std::to_string(ack.acked_through()) +
                 ": " + ack.reason());
      }
      cv.notify_all();
    }
    std::lock_guard lock(mutex);
    reader_done = true;
    cv.notify_all();
  });

  std::uint64_t next = spool_.ackedThrough() + 1;
  std::vector<SpoolRecord> records;
  // Each batch is parsed onto an arena whose first block is this buffer, reused: a batch of
  // thousands of events then costs no allocation per message or string (a fifth of the
  // transport's time went to malloc and free).
  std::vector<char> arena_block(2 * 1024 * 1024);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = arena_block.data();
  arena_options.initial_block_size = arena_block.size();
  arena_options.max_block_size = 1024 * 1024;
  bool cancelled = false;
  while (!stopping_) {
    {
      std::unique_lock lock(mutex);
      cv.wait_for(lock, std::chrono::milliseconds(100),
                  [&] { return reader_done || stopping_ || in_flight.size() < options_.max_in_flight; });
      if (reader_done) break;
      if (!in_flight.empty() && std::chrono::steady_clock::now() - last_progress > options_.ack_timeout) {
        failure = "no acknowledgement from " + endpoint.address + " for " + std::to_string(options_.ack_timeout.count() / 1000) + " s";
        if (!several) setError(failure + "; reconnecting");  // else failOver() logs it
        cancelled = true;
        break;
      }
      if (in_flight.size() >= options_.max_in_flight) continue;
    }
    spool_.read(next, options_.batch_max_events, options_.batch_max_bytes, records, std::chrono::milliseconds(100));
    if (records.empty()) continue;
    if (records.size() < options_.batch_max_events && options_.linger.count() > 0) {
      bool busy = false;
      {
        std::lock_guard lock(mutex);
        busy = !in_flight.empty();
      }
      if (busy) {
        pause(options_.linger);
        spool_.read(next, options_.batch_max_events, options_.batch_max_bytes, records, std::chrono::milliseconds(0));
      }
    }
    // A batch is a contiguous range: stop at a gap (events dropped by the spool's cap).
    std::size_t n = 1;
    while (n < records.size() && records[n].sequence == records[n - 1].sequence + 1) ++n;
    google::protobuf::Arena arena(arena_options);
    gsoc::v1::EventBatch& batch = *google::protobuf::Arena::CreateMessage<gsoc::v1::EventBatch>(&arena);
    batch.set_sensor_id(options_.sensor_id);
    batch.set_epoch(spool_.epoch());
    batch.set_first_sequence(records.front().sequence);
    for (std::size_t i = 0; i < n; ++i) {
      if (!batch.add_events()->ParseFromString(records[i].payload)) {
        // Cannot happen for records the spool checksummed; never send a half-parsed event.
        throw std::runtime_error("spool record " + std::to_string(records[i].sequence) + " is not a gsoc.v1.Event");
      }
    }
    batch.set_sent_ns(wallNs());
    const std::uint64_t last = records[n - 1].sequence;
    {
      std::lock_guard lock(mutex);
      in_flight.push_back(InFlight{records.front().sequence, last});
    }
    if (!stream->Write(batch)) break;
    next = last + 1;
    std::lock_guard lock(counters_mutex_);
    ++counters_.batches_sent;
    counters_.events_sent += n;
  }
  if (!cancelled && stopping_) {
    stream->WritesDone();  // graceful: the collector commits and acks what is in flight
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return reader_done; })) cancelled = true;
  }
  if (cancelled || !reader_done) context.TryCancel();
  reader.join();
  const grpc::Status status = stream->Finish();
  {
    std::lock_guard lock(channels_->active_mutex);
    channels_->active = nullptr;
  }
  if (!status.ok() && !(stopping_ && status.error_code() == grpc::StatusCode::CANCELLED)) {
    std::lock_guard lock(counters_mutex_);
    ++counters_.stream_failures;
  }
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) backoff_floor_ms = 2000;  // the collector asked us to slow down
  if (failure.empty()) failure = "stream to " + endpoint.address + " ended: " + (status.ok() ? std::string("OK") : describe(status));
  if (!status.ok() && !stopping_ && !several) {  // with several addresses failOver() logs it
    setError("stream to " + endpoint.address + " ended: " + describe(status) + "; resending after the last ack");
  }
  return progressed;
}

bool EventShipper::sendHeartbeat() {
  gsoc::v1::SensorStatus status = status_ ? status_() : gsoc::v1::SensorStatus();
  status.set_sensor_id(options_.sensor_id);
  status.set_clock_offset_ns(clock_offset_ns_.load());
  status.set_clock_synchronized(clock_measured_.load());
  status.set_spool_depth_events(spool_.depth());
  status.set_spool_bytes(spool_.bytes());
  const SpoolCounters sc = spool_.counters();
  status.set_spool_dropped_events(sc.dropped_full + sc.dropped_disk_full + sc.dropped_shutdown);
  Channels::Endpoint& endpoint = channels_->now();
  status.set_collector_address(endpoint.address);
  {
    std::lock_guard lock(counters_mutex_);
    status.set_bundle_version(active_bundle_);
    status.set_bundle_error(bundle_error_);
    status.set_collector_failovers(counters_.failovers);
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  gsoc::v1::HeartbeatReply reply;
  const std::int64_t sent = wallNs();
  status.set_timestamp_ns(sent);
  const grpc::Status result = endpoint.stub->Heartbeat(&context, status, &reply);
  const std::int64_t received = wallNs();
  std::lock_guard lock(counters_mutex_);
  if (!result.ok()) {
    ++counters_.heartbeat_failures;
    return false;
  }
  ++counters_.heartbeats;
  announced_bundle_ = reply.active_bundle_version();
  clock_offset_ns_ = reply.collector_time_ns() - (sent + (received - sent) / 2);
  clock_measured_ = true;
  return true;
}

void EventShipper::heartbeatLoop() {
  while (!stopping_) {
    if (sendHeartbeat()) maybeFetchBundle();
    pause(options_.heartbeat_interval);
  }
}

void EventShipper::setActiveBundleVersion(std::string version) {
  std::lock_guard lock(counters_mutex_);
  active_bundle_ = std::move(version);
  handed_bundle_.clear();
  bundle_error_.clear();
}

void EventShipper::reportBundleError(const std::string& version, std::string reason) {
  std::cerr << "gsoc-sensor: bundle " << version << " refused: " << reason << "\n";
  std::lock_guard lock(counters_mutex_);
  refused_bundle_ = version;
  handed_bundle_.clear();
  bundle_error_ = std::move(reason);
  ++counters_.bundles_refused;
}

void EventShipper::maybeFetchBundle() {
  std::string wanted;
  {
    std::lock_guard lock(counters_mutex_);
    if (!options_.on_bundle || announced_bundle_.empty() || announced_bundle_ == active_bundle_ ||
        announced_bundle_ == handed_bundle_ || announced_bundle_ == refused_bundle_) {
      return;
    }
    wanted = announced_bundle_;
  }
  if (options_.bundle_public_key_pem.empty()) {
    reportBundleError(wanted, "no transport.bundle_public_key_file configured: bundles from the collector are not loaded");
    return;
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  gsoc::v1::BundleRequest request;
  {
    std::lock_guard lock(counters_mutex_);
    request.set_have_version(active_bundle_);
  }
  gsoc::v1::SignatureBundle bundle;
  const grpc::Status result = channels_->now().stub->FetchBundle(&context, request, &bundle);
  if (!result.ok()) {
    setError("cannot fetch bundle " + wanted + ": " + describe(result));
    return;
  }
  if (const std::string error = signatures::bundleSignatureError(bundle, options_.bundle_public_key_pem); !error.empty()) {
    reportBundleError(bundle.version(), error);
    return;
  }
  {
    std::lock_guard lock(counters_mutex_);
    handed_bundle_ = bundle.version();
    ++counters_.bundles_fetched;
  }
  std::cerr << "gsoc-sensor: bundle " << bundle.version() << " fetched, signature verified (signer '" << bundle.signer() << "')\n";
  options_.on_bundle(std::move(bundle));
}

bool EventShipper::drain(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (spool_.depth() > 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void EventShipper::stop() {
  if (stopping_.exchange(true) || !started_) return;
  pause_cv_.notify_all();
  // A stream blocked in Write (flow control against a stalled collector) only returns when
  // cancelled: give the graceful path a few seconds, then cancel.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  while (!ship_done_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  {
    std::lock_guard lock(channels_->active_mutex);
    if (!ship_done_ && channels_->active != nullptr) channels_->active->TryCancel();
  }
  ship_thread_.join();
  heartbeat_thread_.join();
  sendHeartbeat();  // final status: counters and spool depth as the sensor stops
}

}  // namespace gsoc::sensor
