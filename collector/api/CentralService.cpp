#include "collector/api/CentralService.hpp"

#include "collector/notify/Acknowledgement.hpp"

#include <iostream>
#include <map>

#include "collector/api/PublicationRecord.hpp"
#include "collector/notify/MispExport.hpp"
#include "collector/notify/StixExport.hpp"

namespace gsoc::collector {
namespace {

constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;
// Events per reply: a page an analyst reads, and a cap that keeps a reply within gRPC's limits.
constexpr std::uint64_t kDefaultEventLimit = 100;
constexpr std::uint64_t kMaxEventLimit = 100000;

// Store failures reach the analyst as UNAVAILABLE with the reason, never as a crash.
template <typename F>
grpc::Status guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    std::cerr << "gsoc-collector: central: " << what << " failed: " << e.what() << "\n";
    return {grpc::StatusCode::UNAVAILABLE, std::string(what) + " failed: " + e.what()};
  }
}

}  // namespace

CentralService::CentralService(EventStore& store, PublicationLedger& ledger, RetroHunter& hunter, PublicationFeed& feed, Clock clock,
                               std::uint32_t silence_s,
                               std::uint32_t hunt_days)
    : store_(store), ledger_(ledger), hunter_(hunter), feed_(feed), clock_(std::move(clock)), silence_s_(silence_s), hunt_days_(hunt_days) {}

void CentralService::setRevocationList(RevocationList list) {
  std::lock_guard lock(mutex_);
  revoked_ = std::move(list);
}

bool CentralService::revoked(const std::string& serial) const {
  std::lock_guard lock(mutex_);
  return revoked_.revoked(serial);
}

void CentralService::enableWebTokens(WebSessions& sessions, std::string web_address) {
  std::lock_guard lock(mutex_);
  web_sessions_ = &sessions;
  web_address_ = std::move(web_address);
}

CentralCounters CentralService::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

grpc::Status CentralService::authenticate(grpc::ServerContext* context, AnalystIdentity& analyst) {
  SensorIdentity peer;  // for the refusal record
  peer.peer = context->peer();
  const auto auth = context->auth_context();
  const auto pems = auth ? auth->FindPropertyValues("x509_pem_cert") : std::vector<grpc::string_ref>{};
  std::string error;
  grpc::Status status = grpc::Status::OK;
  if (pems.empty()) {
    error = "no client certificate";
    status = {grpc::StatusCode::UNAUTHENTICATED, "an analyst certificate signed by the gsoc CA is required (gsoc-pki analyst)"};
  } else if (auto parsed = analystFromCertificate(std::string_view(pems.front().data(), pems.front().size()), error)) {
    analyst = std::move(*parsed);
    std::lock_guard lock(mutex_);
    if (revoked_.revoked(analyst.serial)) {
      error = "analyst " + analyst.name + ": certificate serial " + analyst.serial + " is revoked";
      status = {grpc::StatusCode::PERMISSION_DENIED, "certificate revoked"};
    }
  } else {
    status = {grpc::StatusCode::PERMISSION_DENIED, error};
  }
  std::lock_guard lock(mutex_);
  ++counters_.calls;
  if (status.ok()) return status;
  ++counters_.refused;
  std::cerr << "gsoc-collector: central: refused " << peer.peer << ": " << error << "\n";
  try {
    peer.sensor_id = analyst.name;
    store_.recordRefusal(clock_(), peer, "central api: " + error);
  } catch (const std::exception& e) {
    std::cerr << "gsoc-collector: cannot record the refusal: " << e.what() << "\n";
  }
  return status;
}

std::vector<gsoc::v1::Publication> CentralService::stored(const gsoc::v1::Filter& filter) {
  std::vector<gsoc::v1::Publication> out;
  for (const Publication& s : store_.selectPublications(storeQueryFor(filter))) {
    auto p = toRecord(s);
    if (!p) {
      std::cerr << "gsoc-collector: central: stored " << s.kind << " " << s.id << " is unreadable; left out\n";
      continue;
    }
    if (matches(filter, *p)) out.push_back(std::move(*p));
  }
  return out;
}

std::int64_t CentralService::huntSince(std::uint32_t days) const {
  return clock_() - static_cast<std::int64_t>(days > 0 ? days : hunt_days_) * kDayNs;
}

grpc::Status CentralService::Feed(grpc::ServerContext* context, const gsoc::v1::FeedRequest* request,
                                  grpc::ServerWriter<gsoc::v1::Publication>* writer) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  // Subscribe before reading history, so nothing published in between is missed; what both
  // deliver is sent once.
  const auto subscription = feed_.subscribe(request->filter());
  {
    std::lock_guard lock(mutex_);
    ++counters_.feed_streams;
  }
  struct Closing {
    CentralService* self;
    ~Closing() {
      std::lock_guard lock(self->mutex_);
      --self->counters_.feed_streams;
    }
  } closing{this};
  std::map<std::pair<std::string, std::string>, std::string> sent;
  if (request->filter().since_ns() != 0) {
    grpc::Status status = guarded("feed history", [&] {
      for (const auto& p : stored(request->filter())) {
        if (!writer->Write(p)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
        sent[{p.kind(), p.id()}] = p.SerializeAsString();
      }
      return grpc::Status::OK;
    });
    if (!status.ok()) return status;
  }
  std::cerr << "gsoc-collector: central: analyst " << analyst.name << " follows the feed\n";
  gsoc::v1::Publication p;
  while (!context->IsCancelled() && !stopping_) {
    // A feed outlives many CRL reloads: a revoked analyst's feed ends within one wait.
    if (std::lock_guard lock(mutex_); revoked_.revoked(analyst.serial)) {
      std::cerr << "gsoc-collector: central: analyst " << analyst.name << ": certificate serial " << analyst.serial
                << " revoked while following the feed: feed ended\n";
      return {grpc::StatusCode::PERMISSION_DENIED, "certificate revoked"};
    }
    switch (subscription->next(p, std::chrono::milliseconds(200))) {
      case PublicationFeed::Subscription::Next::kTimeout: continue;
      case PublicationFeed::Subscription::Next::kOverflowed:
        return {grpc::StatusCode::RESOURCE_EXHAUSTED, "the feed fell too far behind; reconnect with since_ns to catch up from the store"};
      case PublicationFeed::Subscription::Next::kItem: break;
    }
    if (!sent.empty()) {
      auto it = sent.find({p.kind(), p.id()});
      if (it != sent.end() && it->second == p.SerializeAsString()) continue;
    }
    if (!writer->Write(p)) break;
  }
  return grpc::Status::OK;
}

grpc::Status CentralService::List(grpc::ServerContext* context, const gsoc::v1::ListRequest* request, gsoc::v1::ListReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  return guarded("list", [&] {
    auto all = stored(request->filter());
    // The newest `limit`, still oldest first.
    const std::size_t skip = request->limit() > 0 && all.size() > request->limit() ? all.size() - request->limit() : 0;
    for (std::size_t i = skip; i < all.size(); ++i) *reply->add_publications() = std::move(all[i]);
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Show(grpc::ServerContext* context, const gsoc::v1::ShowRequest* request, gsoc::v1::Publication* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  return guarded("show", [&] {
    const auto found = ledger_.find(request->id());
    if (!found) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no campaign, warning, notice or intelligence report '" + request->id() + "'");
    auto record = toRecord(*found);
    if (!record) return grpc::Status(grpc::StatusCode::DATA_LOSS, "stored record " + request->id() + " is unreadable");
    *reply = std::move(*record);
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Acknowledge(grpc::ServerContext* context, const gsoc::v1::AcknowledgeRequest* request, gsoc::v1::Publication* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  return acknowledgeAs(analyst, *request, *reply);
}

grpc::Status CentralService::acknowledgeAs(const AnalystIdentity& analyst, const gsoc::v1::AcknowledgeRequest& request, gsoc::v1::Publication& reply) {
  if (!mayAct(analyst.name)) {
    std::cerr << "gsoc-collector: central: refused " << analyst.name << " recording " << request.id() << ": not a duty officer\n";
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "analyst " + analyst.name +
                                                                 " reads only: moving notices and recording acknowledgements is for duty officers (duty_officers)");
  }
  return guarded("acknowledge", [&] {
    const std::string by = request.note().empty() ? analyst.name : analyst.name + " (" + request.note() + ")";
    auto outcome = acknowledge(ledger_, request.id(), request.state(), request.agency_id(), by, clock_());
    if (!outcome.publication) {
      const bool missing = outcome.error.starts_with("no notice");
      return grpc::Status(missing ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::FAILED_PRECONDITION, outcome.error);
    }
    auto record = toRecord(*outcome.publication);
    if (record) reply = std::move(*record);
    {
      std::lock_guard lock(mutex_);
      ++counters_.acknowledgements;
    }
    std::cerr << "gsoc-collector: central: " << analyst.name << " recorded " << outcome.publication->kind << " " << outcome.publication->number
              << (request.agency_id().empty() ? std::string() : " for " + request.agency_id()) << "\n";
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Sensors(grpc::ServerContext* context, const gsoc::v1::SensorsRequest*, gsoc::v1::SensorsReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  return guarded("sensors", [&] {
    const std::int64_t now = clock_();
    reply->set_now_ns(now);
    for (const SensorRow& r : store_.sensors()) {
      auto* h = reply->add_sensors();
      h->set_sensor_id(r.sensor_id);
      h->set_agency_id(r.agency_id);
      h->set_first_seen_ns(r.first_seen_ns);
      h->set_last_seen_ns(r.last_seen_ns);
      h->set_software_version(r.software_version);
      h->set_ruleset_version(r.ruleset_version);
      h->set_clock_offset_ns(r.clock_offset_ns);
      h->set_spool_depth(r.spool_depth);
      h->set_spool_dropped(r.spool_dropped);
      h->set_events(r.events);
      h->set_gap_events(r.gap_events);
      h->set_rejected_events(r.rejected_events);
      h->set_silent(now - r.last_seen_ns > static_cast<std::int64_t>(silence_s_) * 1000000000LL);
    }
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::AddIntel(grpc::ServerContext* context, const gsoc::v1::IntelReport* request, gsoc::v1::AddIntelReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  if (request->actor().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "an intelligence report needs an actor"};
  if (request->targets().empty() && request->indicators().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "an intelligence report needs at least one target agency or indicator"};
  }
  if (request->window_end_ns() != 0 && request->window_end_ns() < request->window_start_ns()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "the report's window ends before it starts"};
  }
  return guarded("intel add", [&] {
    *reply = hunter_.addIntel(*request, analyst.name, huntSince(0), clock_());
    std::cerr << "gsoc-collector: central: " << analyst.name << " entered " << reply->report().id() << " (" << request->actor() << "); hunt found "
              << reply->hunt().events() << " past events, " << reply->hunt().notices_size() << " notices\n";
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Hunt(grpc::ServerContext* context, const gsoc::v1::HuntRequest* request, gsoc::v1::HuntReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  if (request->indicator().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "hunt needs an indicator"};
  return guarded("hunt", [&] {
    *reply = hunter_.hunt(request->indicator(), huntSince(request->days()), request->reason().empty() ? "hunt by " + analyst.name : request->reason(),
                             clock_());
    {
      std::lock_guard lock(mutex_);
      ++counters_.hunts;
    }
    std::cerr << "gsoc-collector: central: " << analyst.name << " hunted " << request->indicator() << ": " << reply->events() << " events, "
              << reply->notices_size() << " notices\n";
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Export(grpc::ServerContext* context, const gsoc::v1::ExportRequest* request, gsoc::v1::ExportReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  return exportRecords(*request, *reply);
}

grpc::Status CentralService::exportRecords(const gsoc::v1::ExportRequest& request, gsoc::v1::ExportReply& reply) {
  if (request.format() == gsoc::v1::ExportRequest::FORMAT_UNSPECIFIED) return {grpc::StatusCode::INVALID_ARGUMENT, "export needs a format (stix or misp)"};
  return guarded("export", [&] {
    // A campaign's records are read by its id (an index), not by decoding every publication.
    PublicationQuery query;
    query.kinds = {"campaign", "warning", "notice"};
    query.campaign_id = request.campaign_id();
    std::vector<gsoc::v1::Publication> chosen;
    for (const Publication& s : store_.selectPublications(query)) {
      auto p = toRecord(s);
      if (!p) {
        std::cerr << "gsoc-collector: central: stored " << s.kind << " " << s.id << " is unreadable; left out of the export\n";
        continue;
      }
      chosen.push_back(std::move(*p));
    }
    if (!request.campaign_id().empty() && chosen.empty()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no campaign '" + request.campaign_id() + "'");
    }
    const ExportResult r = request.format() == gsoc::v1::ExportRequest::FORMAT_STIX ? exportStix(chosen, request.include_notices(), clock_())
                                                                                     : exportMisp(chosen, request.include_notices(), clock_());
    reply.set_json(r.json);
    reply.set_objects(r.objects);
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::Events(grpc::ServerContext* context, const gsoc::v1::EventsRequest* request, gsoc::v1::EventsReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  EventQuery query;
  if (request->since_ns() != 0) query.since_ns = request->since_ns();
  if (request->until_ns() != 0) query.until_ns = request->until_ns();
  query.agencies.assign(request->agencies().begin(), request->agencies().end());
  query.sensors.assign(request->sensors().begin(), request->sensors().end());
  query.kinds.assign(request->kinds().begin(), request->kinds().end());
  query.sids.assign(request->sids().begin(), request->sids().end());
  query.term = request->term();
  std::vector<EventDimension> by;
  for (const auto& name : request->count_by()) {
    const auto d = parseDimension(name);
    if (!d) return {grpc::StatusCode::INVALID_ARGUMENT, "count_by: '" + name + "' is not agency, sensor, kind, sid or day"};
    by.push_back(*d);
  }
  try {
    validateQuery(query);
  } catch (const std::invalid_argument& e) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
  }
  return guarded("events", [&] {
    if (!by.empty()) {
      for (auto& c : store_.countEvents(query, by)) {
        auto* g = reply->add_counts();
        for (auto& k : c.key) g->add_key(std::move(k));
        g->set_events(c.events);
      }
      return grpc::Status::OK;
    }
    // One more than asked tells whether there were more.
    const std::uint64_t limit = request->limit() == 0 ? kDefaultEventLimit : std::min<std::uint64_t>(request->limit(), kMaxEventLimit);
    query.limit = limit + 1;
    store_.forEachEvent(query, [&](gsoc::v1::Event&& e) {
      if (static_cast<std::uint64_t>(reply->events_size()) < limit) *reply->add_events() = std::move(e);
      else reply->set_truncated(true);
    });
    return grpc::Status::OK;
  });
}

grpc::Status CentralService::WebToken(grpc::ServerContext* context, const gsoc::v1::WebTokenRequest*, gsoc::v1::WebTokenReply* reply) {
  AnalystIdentity analyst;
  if (grpc::Status s = authenticate(context, analyst); !s.ok()) return s;
  WebSessions* sessions = nullptr;
  {
    std::lock_guard lock(mutex_);
    sessions = web_sessions_;
    reply->set_web_address(web_address_);
  }
  if (sessions == nullptr) return {grpc::StatusCode::FAILED_PRECONDITION, "the web console is off: start the collector with web_address (--web)"};
  return guarded("web token", [&] {
    const WebSessions::Token token = sessions->issueToken(analyst);
    reply->set_token(token.value);
    reply->set_expires_ns(token.expires_ns);
    std::cerr << "gsoc-collector: central: " << analyst.name << " took a web console sign-in token\n";
    return grpc::Status::OK;
  });
}

}  // namespace gsoc::collector
