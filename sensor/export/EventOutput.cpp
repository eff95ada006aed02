#include "sensor/export/EventOutput.hpp"

#include <iostream>
#include <stdexcept>

#include "gsoc/signatures/RuleVariables.hpp"
#include "sensor/control/SensorStats.hpp"
#include "sensor/export/ZeroCounterFilter.hpp"

namespace gsoc::sensor {

namespace sig = gsoc::signatures;

namespace {

// The agency's addresses for Event.locality: the ruleset's HOME_NET (the defaults, then the
// config's and the command line's variables); Suricata's default without a ruleset.
sig::AddressSet homeNetOf(const sig::CompiledRulesetPtr& ruleset) {
  return (ruleset ? ruleset->source().variables : sig::RuleVariables::withDefaults()).parseAddresses("$HOME_NET");
}

}  // namespace

WorkerOutput::WorkerOutput(std::unique_ptr<EveWriter> eve, std::unique_ptr<EventEncoder> encoder, EventSink* sink,
                           std::atomic<std::uint64_t>& alerts)
    : eve_(std::move(eve)), encoder_(std::move(encoder)), sink_(sink), alerts_(alerts) {}

void WorkerOutput::alert(const AlertHit& hit, const sig::CompiledRuleset& rules) {
  const auto* c = hit.rule != nullptr ? rules.source().classifications.find(hit.rule->classtype) : nullptr;
  const std::string_view category = c != nullptr ? std::string_view(c->description)
                                    : hit.rule != nullptr ? std::string_view(hit.rule->classtype) : std::string_view();
  ++alerts_;
  if (eve_) eve_->alertRecord(hit, category);
  if (sink_) sink_->write(encoder_->alert(hit, category));
}

void WorkerOutput::metadata(const AppMetadata& record) {
  if (eve_) eve_->metadataRecord(record);
  if (sink_) {
    const std::string_view body = encoder_->metadata(record);
    if (!body.empty()) sink_->write(body);
  }
}

void WorkerOutput::flowEnd(const Flow& flow, FlowEndReason reason) {
  if (eve_) eve_->flowRecord(flow, reason);
  if (sink_) sink_->write(encoder_->flow(flow, reason));
}

void WorkerOutput::setRuleset(const sig::CompiledRulesetPtr& ruleset) {
  if (!encoder_) return;
  encoder_->setHomeNet(homeNetOf(ruleset));
  encoder_->setRulesetVersion(ruleset->version());
}

EventOutput::EventOutput(const std::string& eve_path, EveFile::OpenMode eve_mode, std::string events_path,
                         EveSettings eve_settings, std::atomic<std::uint64_t>& alerts)
    : eve_path_(eve_path), events_path_(std::move(events_path)), settings_(std::move(eve_settings)), alerts_(alerts) {
  if (!eve_path_.empty()) {
    eve_file_ = std::make_unique<EveFile>(eve_path_, eve_mode);
    stats_eve_ = std::make_unique<EveWriter>(*eve_file_);
  }
  if (!events_path_.empty()) events_file_ = std::make_unique<EventFileWriter>(events_path_);
}

void EventOutput::startEvents(const std::string& sensor_id, const std::string& agency_id, std::uint64_t epoch,
                              SensorTransport* transport, const sig::CompiledRulesetPtr& ruleset) {
  if (!events_file_ && transport == nullptr) return;
  // Each worker serializes its own events (EventEncoder, from this prototype); the sink numbers
  // them and writes the file and the spool under its own short lock.
  event_prototype_ = std::make_unique<EventBuilder>(sensor_id, agency_id, ruleset ? ruleset->version() : std::string());
  event_prototype_->setHomeNet(homeNetOf(ruleset));
  sink_ = std::make_unique<EventSink>(sensor_id, epoch, 0, events_file_.get(), transport);
}

WorkerOutput& EventOutput::addWorker() {
  std::unique_ptr<EveWriter> eve;
  if (eve_file_) {
    eve = std::make_unique<EveWriter>(*eve_file_);
    eve->setDnsVersion(settings_.dns_version);
    eve->setDnsFilter(settings_.dns_requests, settings_.dns_responses, settings_.dns_types);
    eve->setSmbTypes(settings_.smb_types);
    eve->setHttpHeaderDumps(settings_.http_request_headers, settings_.http_response_headers);
    eve->setXff(settings_.xff);
    eve->setOptions(settings_.options);
    eve->setPgsqlPasswords(settings_.pgsql_passwords);
  }
  std::unique_ptr<EventEncoder> encoder;
  if (sink_) encoder = std::make_unique<EventEncoder>(*event_prototype_);
  workers_.push_back(std::make_unique<WorkerOutput>(std::move(eve), std::move(encoder), sink_.get(), alerts_));
  return *workers_.back();
}

void EventOutput::reopenEve() {
  if (!eve_file_) return;
  try {
    eve_file_->reopen();
    std::cerr << "gsoc-sensor: EVE output " << eve_path_ << " reopened (SIGUSR1)\n";
  } catch (const std::exception& e) {
    std::cerr << "gsoc-sensor: " << e.what() << "\n";
  }
}

void EventOutput::finish(std::int64_t last_ts, const SensorTotals& totals, const CaptureCounters& capture) {
  if (stats_eve_) {
    const std::string stats = statsJson(totals, capture);
    stats_eve_->statsRecord(last_ts, settings_.stats_zero_counters ? stats : withoutZeroCounters(stats));
    stats_eve_->flush();
  }
  if (events_file_) events_file_->flush();
}

std::uint64_t EventOutput::eveRecords() const {
  std::uint64_t records = stats_eve_ ? stats_eve_->records() : 0;
  for (const auto& worker : workers_) records += worker->eveRecords();
  return records;
}

}  // namespace gsoc::sensor
