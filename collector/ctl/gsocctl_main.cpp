// gsocctl: the central team's command line for gsoc-collector's Central API (gRPC, mutual TLS
// with an analyst certificate). Tables for people by default, --json for scripts.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "collector/ctl/EventTable.hpp"
#include "collector/ctl/PublicationTable.hpp"
#include "collector/notify/Acknowledgement.hpp"
#include "gsoc/v1/central.grpc.pb.h"
#include "gsoc/grpc/GrpcLifetime.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: gsocctl [CONNECTION] [--json] COMMAND [ARGS]

The central team's view of gsoc-collector: the correlated feed, campaigns, warnings (注意喚起) and
notices (通報), acknowledgements, sensor health, intelligence reports, retro-hunts and exports.

Commands:
  feed [FILTERS] [--follow]      publications since --since (default 24h), then with --follow
                                 each new one or revision as it is made, until interrupted
  campaigns|warnings|notices|intel [FILTERS] [--limit N]
                                 list one kind (newest N, oldest first)
  show ID                        one record in full: W-2026-0001, N-2026-0003, C-..., I-2026-0001
  ack ID [--agency A] [--state delivered|acknowledged|closed] [--note TEXT]
                                 a notice moves forward (default: acknowledged); a warning
                                 records that agency A acknowledged it
  sensors                        sensor health: last seen, events, spool, drops, clock offset
  intel add --actor NAME [--summary TEXT] [--target AGENCY]... [--indicator VALUE]...
            [--from TIME] [--until TIME]
                                 record an analyst's intelligence report (a hacktivist
                                 announcement, say) and hunt its indicators in stored history
  hunt INDICATOR [--days N] [--reason TEXT]
                                 retro-hunt: search stored history (default: the retention);
                                 agencies where it was seen get a notice
  events [FILTERS] [--sensor S] [--sid N] [--term VALUE] [--count-by DIMS] [--limit N]
                                 stored events, oldest first (default: the last 24h, at
                                 most 100), or with --count-by how many, grouped by a
                                 comma-separated list of agency, sensor, kind, sid, day;
                                 --kind here is an event kind (alert, flow, http, dns,
                                 tls, smtp, file); --term an indicator, address, domain,
                                 hash or sender the events carry
  export --stix|--misp [--campaign ID] [--notices] [-o FILE]
                                 STIX 2.1 bundle or MISP event JSON; notices (TLP:AMBER+STRICT)
                                 only with --notices
  web-token                      a sign-in link for the web console, valid once within 10
                                 minutes: https://ADDR/login?token=...

Filters: --agency A (repeatable), --severity low|medium|high|critical (at least), --kind K
  (campaign, warning, notice, intel; repeatable), --status S (notices: new, delivered,
  acknowledged, closed; campaigns: active, dormant, closed), --since T, --until T.
  T is a duration back from now (30m, 24h, 7d), Unix seconds, or 2026-12-01T09:00:00Z.

Connection (flags, else the environment variable in brackets):
  --collector HOST:PORT   the collector [GSOC_COLLECTOR; default localhost:7443]
  --pki DIR --analyst NAME   take DIR/ca.pem and DIR/analysts/NAME.{pem,key} (gsoc-pki analyst)
                          [GSOC_PKI, GSOC_ANALYST]
  --ca FILE --cert FILE --key FILE   or name the files [GSOC_CA, GSOC_CERT, GSOC_KEY]
  --server-name NAME      name to verify in the collector's certificate (default: the host)
  --timeout S             per-call deadline in seconds (default 30; not for feed --follow)

Exit status: 0 on success; 1 when the collector refuses or fails the call (the reason is printed);
2 on usage errors or unreadable certificate files.
)";

[[noreturn]] void usageError(const std::string& m) {
  std::cerr << "gsocctl: " << m << "\n(see gsocctl --help)\n";
  std::exit(2);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) usageError("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "30m", "24h", "7d" back from now; Unix seconds; or an RFC 3339 UTC time.
std::int64_t parseTime(const std::string& v, const std::string& flag) {
  const std::int64_t s = 1000000000LL;
  if (!v.empty() && v.find_first_not_of("0123456789") == v.size() - 1) {
    const std::int64_t n = std::stoll(v.substr(0, v.size() - 1));
    switch (v.back()) {
      case 's': return nowNs() - n * s;
      case 'm': return nowNs() - n * 60 * s;
      case 'h': return nowNs() - n * 3600 * s;
      case 'd': return nowNs() - n * 86400 * s;
      default: break;
    }
  }
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return std::stoll(v) * s;
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || (*end != '\0' && std::string(end) != "Z")) usageError(flag + ": '" + v + "' is not a time (30m, 24h, 7d, Unix seconds or 2026-12-01T09:00:00Z)");
  return static_cast<std::int64_t>(timegm(&tm)) * s;
}

gsoc::v1::Severity parseSeverity(const std::string& v) {
  if (v == "low") return gsoc::v1::SEVERITY_LOW;
  if (v == "medium") return gsoc::v1::SEVERITY_MEDIUM;
  if (v == "high") return gsoc::v1::SEVERITY_HIGH;
  if (v == "critical") return gsoc::v1::SEVERITY_CRITICAL;
  usageError("--severity: '" + v + "' is not low, medium, high or critical");
}

struct Options {
  std::string collector = env("GSOC_COLLECTOR", "localhost:7443");
  std::string pki = env("GSOC_PKI");
  std::string analyst = env("GSOC_ANALYST");
  std::string ca = env("GSOC_CA"), cert = env("GSOC_CERT"), key = env("GSOC_KEY");
  std::string server_name;
  int timeout_s = 30;
  bool json = false;
  std::vector<std::string> words;  // the command and its arguments
};

std::string jsonOf(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

// The words after the command, split into flags with values, switches and positional words.
class Arguments {
 public:
  Arguments(const std::vector<std::string>& words, std::size_t from) {
    for (std::size_t i = from; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "--follow" || w == "--stix" || w == "--misp" || w == "--notices") {
        switches_.push_back(w);
      } else if (w.starts_with("-")) {
        if (i + 1 >= words.size()) usageError(w + " needs a value");
        flags_.emplace_back(w, words[++i]);
      } else {
        positional_.push_back(w);
      }
    }
  }
  std::vector<std::string> all(const std::string& flag) {
    std::vector<std::string> out;
    for (auto& [f, v] : flags_) {
      if (f == flag) {
        out.push_back(v);
        f.clear();  // used
      }
    }
    return out;
  }
  std::string one(const std::string& flag, const std::string& fallback = "") {
    auto v = all(flag);
    return v.empty() ? fallback : v.back();
  }
  bool has(const std::string& s) const { return std::find(switches_.begin(), switches_.end(), s) != switches_.end(); }
  const std::vector<std::string>& positional() const { return positional_; }
  // Every flag must have been used by the command: a typo is an error, not silently ignored.
  void done() const {
    for (const auto& [f, v] : flags_) {
      if (!f.empty()) usageError("unknown option '" + f + "' for this command");
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> flags_;
  std::vector<std::string> switches_;
  std::vector<std::string> positional_;
};

gsoc::v1::Filter filterFrom(Arguments& a, const std::string& default_since) {
  gsoc::v1::Filter f;
  for (const auto& v : a.all("--agency")) f.add_agencies(v);
  for (const auto& v : a.all("--kind")) f.add_kinds(v);
  if (const std::string s = a.one("--severity"); !s.empty()) f.set_min_severity(parseSeverity(s));
  f.set_status(a.one("--status"));
  if (const std::string s = a.one("--since", default_since); !s.empty()) f.set_since_ns(parseTime(s, "--since"));
  if (const std::string s = a.one("--until"); !s.empty()) f.set_until_ns(parseTime(s, "--until"));
  return f;
}

const char* codeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED (is the collector reachable?)";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return "ERROR";
  }
}

int failed(const grpc::Status& s) {
  std::cerr << "gsocctl: the collector said " << codeName(s.error_code()) << ": " << s.error_message() << "\n";
  return 1;
}

std::unique_ptr<grpc::ClientContext> callContext(const Options& o, bool deadline = true) {
  auto c = std::make_unique<grpc::ClientContext>();
  if (deadline) c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(o.timeout_s));
  return c;
}

grpc::ClientContext* g_feed = nullptr;  // the live feed's call, cancelled on SIGINT
extern "C" void onInterrupt(int) {
  if (g_feed != nullptr) g_feed->TryCancel();
}

int run(const Options& o, gsoc::v1::Central::Stub& api) {
  const std::string& cmd = o.words[0];
  Arguments a(o.words, 1);
  if (cmd == "feed") {
    const bool follow = a.has("--follow");
    gsoc::v1::FeedRequest req;
    *req.mutable_filter() = filterFrom(a, "24h");
    a.done();
    if (!follow) {
      gsoc::v1::ListRequest list;
      *list.mutable_filter() = req.filter();
      gsoc::v1::ListReply reply;
      auto ctx = callContext(o);
      if (grpc::Status s = api.List(ctx.get(), list, &reply); !s.ok()) return failed(s);
      for (const auto& p : reply.publications()) {
        if (o.json) std::cout << jsonOf(p) << "\n";
        else gsoc::ctl::printFeedLine(std::cout, p);
      }
      return 0;
    }
    auto ctx = callContext(o, false);
    g_feed = ctx.get();
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    auto reader = api.Feed(ctx.get(), req);
    gsoc::v1::Publication p;
    while (reader->Read(&p)) {
      if (o.json) std::cout << jsonOf(p) << std::endl;
      else gsoc::ctl::printFeedLine(std::cout, p), std::cout.flush();
    }
    const grpc::Status s = reader->Finish();
    g_feed = nullptr;
    return s.ok() || s.error_code() == grpc::StatusCode::CANCELLED ? 0 : failed(s);
  }
  if (cmd == "campaigns" || cmd == "warnings" || cmd == "notices" || cmd == "intel") {
    if (cmd == "intel" && !a.positional().empty()) {
      if (a.positional()[0] != "add") usageError("intel: the only subcommand is 'add'");
      gsoc::v1::IntelReport r;
      r.set_actor(a.one("--actor"));
      r.set_summary(a.one("--summary"));
      for (const auto& t : a.all("--target")) r.add_targets(t);
      for (const auto& v : a.all("--indicator")) r.add_indicators()->set_value(v);
      if (const std::string s = a.one("--from"); !s.empty()) r.set_window_start_ns(parseTime(s, "--from"));
      if (const std::string s = a.one("--until"); !s.empty()) r.set_window_end_ns(parseTime(s, "--until"));
      a.done();
      if (r.actor().empty()) usageError("intel add needs --actor");
      gsoc::v1::AddIntelReply reply;
      auto ctx = callContext(o);
      if (grpc::Status s = api.AddIntel(ctx.get(), r, &reply); !s.ok()) return failed(s);
      if (o.json) {
        std::cout << jsonOf(reply) << "\n";
      } else {
        std::cout << "recorded " << reply.report().id() << " (" << reply.report().actor() << ")\n";
        reply.mutable_hunt()->set_indicator(std::to_string(reply.report().indicators_size()) + " indicators");
        gsoc::ctl::printHunt(std::cout, reply.hunt());
      }
      return 0;
    }
    gsoc::v1::ListRequest req;
    *req.mutable_filter() = filterFrom(a, "");
    req.mutable_filter()->clear_kinds();
    req.mutable_filter()->add_kinds(cmd == "intel" ? "intel" : cmd.substr(0, cmd.size() - 1));
    const std::string limit = a.one("--limit");
    if (!limit.empty()) req.set_limit(static_cast<std::uint32_t>(std::stoul(limit)));
    a.done();
    gsoc::v1::ListReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.List(ctx.get(), req, &reply); !s.ok()) return failed(s);
    if (o.json) std::cout << jsonOf(reply) << "\n";
    else gsoc::ctl::printTable(std::cout, {reply.publications().begin(), reply.publications().end()});
    return 0;
  }
  if (cmd == "show") {
    a.done();
    if (a.positional().size() != 1) usageError("show needs one ID");
    gsoc::v1::ShowRequest req;
    req.set_id(a.positional()[0]);
    gsoc::v1::Publication p;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Show(ctx.get(), req, &p); !s.ok()) return failed(s);
    if (o.json) std::cout << jsonOf(p) << "\n";
    else gsoc::ctl::printDetail(std::cout, p);
    return 0;
  }
  if (cmd == "ack") {
    if (a.positional().size() != 1) usageError("ack needs one ID (a notice or warning number)");
    gsoc::v1::AcknowledgeRequest req;
    req.set_id(a.positional()[0]);
    req.set_agency_id(a.one("--agency"));
    req.set_note(a.one("--note"));
    if (const std::string st = a.one("--state"); !st.empty()) {
      req.set_state(gsoc::collector::noticeStateFromName(st));
      if (req.state() == gsoc::v1::Notice::STATE_UNSPECIFIED || req.state() == gsoc::v1::Notice::STATE_NEW) {
        usageError("--state: '" + st + "' is not delivered, acknowledged or closed");
      }
    }
    a.done();
    gsoc::v1::Publication p;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Acknowledge(ctx.get(), req, &p); !s.ok()) return failed(s);
    if (o.json) {
      std::cout << jsonOf(p) << "\n";
    } else if (p.has_notice()) {
      std::cout << p.notice().number() << " is now " << gsoc::collector::noticeStateName(p.notice().state()) << "\n";
    } else {
      std::cout << p.number() << " acknowledged by " << req.agency_id() << " (" << p.warning().acknowledgements_size() << " agencies so far)\n";
    }
    return 0;
  }
  if (cmd == "sensors") {
    a.done();
    gsoc::v1::SensorsReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Sensors(ctx.get(), {}, &reply); !s.ok()) return failed(s);
    if (o.json) std::cout << jsonOf(reply) << "\n";
    else gsoc::ctl::printSensors(std::cout, reply);
    return 0;
  }
  if (cmd == "web-token") {
    a.done();
    gsoc::v1::WebTokenReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.WebToken(ctx.get(), {}, &reply); !s.ok()) return failed(s);
    std::string address = reply.web_address();
    // A console on every interface is reached at the host gsocctl reached the collector at.
    for (const std::string_view wildcard : {"0.0.0.0:", "[::]:"}) {
      if (address.starts_with(wildcard)) {
        std::string host = o.collector.substr(0, o.collector.rfind(':'));
        if (host.empty()) host = "localhost";
        address = host + ":" + address.substr(wildcard.size());
      }
    }
    const std::string url = "https://" + address + "/login?token=" + reply.token();
    if (o.json) std::cout << "{\"url\": \"" << url << "\", \"expires_ns\": \"" << reply.expires_ns() << "\"}\n";
    else std::cout << url << "\n";
    return 0;
  }
  if (cmd == "hunt") {
    if (a.positional().size() != 1) usageError("hunt needs one INDICATOR");
    gsoc::v1::HuntRequest req;
    req.set_indicator(a.positional()[0]);
    if (const std::string d = a.one("--days"); !d.empty()) req.set_days(static_cast<std::uint32_t>(std::stoul(d)));
    req.set_reason(a.one("--reason"));
    a.done();
    gsoc::v1::HuntReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Hunt(ctx.get(), req, &reply); !s.ok()) return failed(s);
    if (o.json) std::cout << jsonOf(reply) << "\n";
    else gsoc::ctl::printHunt(std::cout, reply);
    return 0;
  }
  if (cmd == "events") {
    gsoc::v1::EventsRequest req;
    for (const auto& v : a.all("--agency")) req.add_agencies(v);
    for (const auto& v : a.all("--sensor")) req.add_sensors(v);
    for (const auto& v : a.all("--kind")) req.add_kinds(v);
    for (const auto& v : a.all("--sid")) req.add_sids(static_cast<std::uint32_t>(std::stoul(v)));
    req.set_term(a.one("--term"));
    if (const std::string s = a.one("--since", "24h"); !s.empty()) req.set_since_ns(parseTime(s, "--since"));
    if (const std::string s = a.one("--until"); !s.empty()) req.set_until_ns(parseTime(s, "--until"));
    std::vector<std::string> by;
    for (const auto& list : a.all("--count-by")) {
      std::stringstream in(list);
      for (std::string d; std::getline(in, d, ',');) {
        if (!d.empty()) by.push_back(d), req.add_count_by(d);
      }
    }
    if (const std::string limit = a.one("--limit"); !limit.empty()) req.set_limit(static_cast<std::uint32_t>(std::stoul(limit)));
    a.done();
    gsoc::v1::EventsReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Events(ctx.get(), req, &reply); !s.ok()) return failed(s);
    if (o.json) std::cout << jsonOf(reply) << "\n";
    else if (!by.empty()) gsoc::ctl::printEventCounts(std::cout, by, reply);
    else gsoc::ctl::printEvents(std::cout, reply);
    return 0;
  }
  if (cmd == "export") {
    gsoc::v1::ExportRequest req;
    if (a.has("--stix") == a.has("--misp")) usageError("export needs exactly one of --stix and --misp");
    req.set_format(a.has("--stix") ? gsoc::v1::ExportRequest::FORMAT_STIX : gsoc::v1::ExportRequest::FORMAT_MISP);
    req.set_campaign_id(a.one("--campaign"));
    req.set_include_notices(a.has("--notices"));
    const std::string out = a.one("-o");
    a.done();
    gsoc::v1::ExportReply reply;
    auto ctx = callContext(o);
    if (grpc::Status s = api.Export(ctx.get(), req, &reply); !s.ok()) return failed(s);
    if (out.empty()) {
      std::cout << reply.json() << "\n";
    } else {
      std::ofstream f(out);
      f << reply.json() << "\n";
      if (!f) usageError("cannot write " + out);
      std::cerr << "gsocctl: wrote " << reply.objects() << " objects to " << out << "\n";
    }
    return 0;
  }
  usageError("unknown command '" + cmd + "'");
}

}  // namespace

int main(int argc, char** argv) {
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC's threads finish first
  Options o;
  std::vector<std::string> list(argv + 1, argv + argc);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& w = list[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= list.size()) usageError(w + " needs a value");
      return list[++i];
    };
    if (!o.words.empty()) {
      o.words.push_back(w);  // the command's own arguments
    } else if (w == "-h" || w == "--help" || w == "help") {
      std::cout << kUsage;
      return 0;
    } else if (w == "--json") {
      o.json = true;
    } else if (w == "--collector") {
      o.collector = value();
    } else if (w == "--pki") {
      o.pki = value();
    } else if (w == "--analyst") {
      o.analyst = value();
    } else if (w == "--ca") {
      o.ca = value();
    } else if (w == "--cert") {
      o.cert = value();
    } else if (w == "--key") {
      o.key = value();
    } else if (w == "--server-name") {
      o.server_name = value();
    } else if (w == "--timeout") {
      o.timeout_s = std::atoi(value().c_str());
    } else if (w.starts_with("-")) {
      usageError("unknown option '" + w + "'");
    } else {
      o.words.push_back(w);
    }
  }
  // --json may also follow the command.
  std::erase_if(o.words, [&o](const std::string& w) { return w == "--json" && (o.json = true); });
  if (o.words.empty()) usageError("no command");
  if (!o.pki.empty()) {
    if (o.ca.empty()) o.ca = o.pki + "/ca.pem";
    if (!o.analyst.empty() && o.cert.empty()) o.cert = o.pki + "/analysts/" + o.analyst + ".pem";
    if (!o.analyst.empty() && o.key.empty()) o.key = o.pki + "/analysts/" + o.analyst + ".key";
  }
  if (o.ca.empty() || o.cert.empty() || o.key.empty()) {
    usageError("an analyst certificate is required: --pki DIR --analyst NAME, or --ca, --cert and --key");
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = readFile(o.ca);
  tls.pem_cert_chain = readFile(o.cert);
  tls.pem_private_key = readFile(o.key);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);  // exports of a busy year
  if (!o.server_name.empty()) args.SetSslTargetNameOverride(o.server_name);
  auto channel = grpc::CreateCustomChannel(o.collector, grpc::SslCredentials(tls), args);
  auto api = gsoc::v1::Central::NewStub(channel);
  return run(o, *api);
}
