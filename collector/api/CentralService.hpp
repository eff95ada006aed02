#pragma once
// CentralService: the Central gRPC API (proto/gsoc/v1/central.proto) for the central team:
// the live feed, listings, show, acknowledgements, sensor health, intelligence reports,
// retro-hunts, STIX/MISP export and stored events. It shares the ingest server's port and TLS; every call is
// authenticated from the client certificate, which must carry urn:gsoc:analyst:NAME and not be
// revoked. A sensor certificate gets PERMISSION_DENIED, no certificate UNAUTHENTICATED; both
// are logged and recorded as refusals. NAME is what the notice history and intelligence records
// say did it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "collector/api/PublicationFeed.hpp"
#include "collector/ingest/PeerIdentity.hpp"
#include "collector/notify/PublicationLedger.hpp"
#include "collector/notify/RetroHunter.hpp"
#include "collector/store/EventStore.hpp"
#include "collector/web/WebSessions.hpp"
#include "gsoc/v1/central.grpc.pb.h"

namespace gsoc::collector {

struct CentralCounters {
  std::uint64_t calls = 0;
  std::uint64_t refused = 0;
  std::uint64_t feed_streams = 0;    // now open
  std::uint64_t acknowledgements = 0;
  std::uint64_t hunts = 0;
};

class CentralService final : public gsoc::v1::Central::Service {
 public:
  using Clock = std::function<std::int64_t()>;
  CentralService(EventStore& store, PublicationLedger& ledger, RetroHunter& hunter, PublicationFeed& feed, Clock clock,
                 std::uint32_t silence_s, std::uint32_t hunt_days);
  void setRevocationList(RevocationList list);
  // True when the CRL last loaded revokes this certificate serial (the web console checks its
  // sessions' analysts with it).
  [[nodiscard]] bool revoked(const std::string& serial) const;
  // With the web console on: WebToken hands out sign-in tokens from `sessions` for the console
  // at `web_address` (as bound). Without, WebToken is FAILED_PRECONDITION.
  void enableWebTokens(WebSessions& sessions, std::string web_address);
  // The analysts who may move notices on and record acknowledgements (duty_officers); empty:
  // every analyst may. Set before serving.
  void setDutyOfficers(std::set<std::string, std::less<>> names) { duty_officers_ = std::move(names); }
  [[nodiscard]] bool mayAct(const std::string& analyst) const { return duty_officers_.empty() || duty_officers_.contains(analyst); }
  // Acknowledge for an analyst already authenticated (by certificate here, by session in the web
  // console): the role check, the lifecycle rules, the ledger and the log in one place.
  grpc::Status acknowledgeAs(const AnalystIdentity& analyst, const gsoc::v1::AcknowledgeRequest& request, gsoc::v1::Publication& reply);
  // Export for an analyst already authenticated (the web console's download buttons): the one
  // STIX/MISP code path, whoever asks.
  grpc::Status exportRecords(const gsoc::v1::ExportRequest& request, gsoc::v1::ExportReply& reply);
  // Ends open Feed streams (they return OK) so the server can stop.
  void shutdown() { stopping_ = true; }
  [[nodiscard]] CentralCounters counters() const;

  grpc::Status Feed(grpc::ServerContext* context, const gsoc::v1::FeedRequest* request,
                    grpc::ServerWriter<gsoc::v1::Publication>* writer) override;
  grpc::Status List(grpc::ServerContext* context, const gsoc::v1::ListRequest* request, gsoc::v1::ListReply* reply) override;
  grpc::Status Show(grpc::ServerContext* context, const gsoc::v1::ShowRequest* request, gsoc::v1::Publication* reply) override;
  grpc::Status Acknowledge(grpc::ServerContext* context, const gsoc::v1::AcknowledgeRequest* request, gsoc::v1::Publication* reply) override;
  grpc::Status Sensors(grpc::ServerContext* context, const gsoc::v1::SensorsRequest* request, gsoc::v1::SensorsReply* reply) override;
  grpc::Status AddIntel(grpc::ServerContext* context, const gsoc::v1::IntelReport* request, gsoc::v1::AddIntelReply* reply) override;
  grpc::Status Hunt(grpc::ServerContext* context, const gsoc::v1::HuntRequest* request, gsoc::v1::HuntReply* reply) override;
  grpc::Status Export(grpc::ServerContext* context, const gsoc::v1::ExportRequest* request, gsoc::v1::ExportReply* reply) override;
  grpc::Status Events(grpc::ServerContext* context, const gsoc::v1::EventsRequest* request, gsoc::v1::EventsReply* reply) override;
  grpc::Status WebToken(grpc::ServerContext* context, const gsoc::v1::WebTokenRequest* request, gsoc::v1::WebTokenReply* reply) override;

 private:
  grpc::Status authenticate(grpc::ServerContext* context, AnalystIdentity& analyst);
  std::vector<gsoc::v1::Publication> stored(const gsoc::v1::Filter& filter);
  std::int64_t huntSince(std::uint32_t days) const;

  EventStore& store_;
  PublicationLedger& ledger_;
  RetroHunter& hunter_;
  PublicationFeed& feed_;
  Clock clock_;
  std::uint32_t silence_s_;
  std::uint32_t hunt_days_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  RevocationList revoked_;
  WebSessions* web_sessions_ = nullptr;  // not owned; null without the web console
  std::string web_address_;
  CentralCounters counters_;
  std::set<std::string, std::less<>> duty_officers_;
};

}  // namespace gsoc::collector
