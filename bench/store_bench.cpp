// gsoc_bench_store: the event store's history at scale, for capacity planning (issue 18). It
// builds --days of history (--events in all, spread evenly over the days, from --agencies
// agencies with two sensors each) of varied events: flows, DNS lookups of 50,000 names with a
// popular head and a long tail, HTTP, TLS and mail with attachments, alerts of 1,000 signatures,
// addresses from a /16 of clients and a /12 of servers; a needle domain is looked up 5 times,
// spread over the period. It then reports:
//   ingest         events/s committed (2,000-event batches, 20,000 per transaction, as the
//                  BatchWriter commits), and bytes per event on disk;
//   hunt           wall time of a retro-hunt over the whole history for the needle (5 events),
//                  an attachment hash (one mail in 1,000), a popular name and a client address;
//   day counts     events of one day counted by agency and kind.
// Each query's figure is the median of three runs.
//
// Usage: gsoc_bench_store [--store sqlite|postgresql|clickhouse] [--dsn DSN] [--events 5000000]
//                         [--days 30] [--agencies 8] [--dir DIR] [--clickhouse URL[,URL]]
//                         [--cluster NAME] [--from-events FILE]
// --from-events FILE takes the history's events from a sensor's `--events` file (length-delimited
// gsoc.v1.Event) instead of the generated mix, over and over in the file's order, each with a new
// time (spread over --days as above), event_id, sensor and agency: bytes per event on disk and
// ingest for one agency's own traffic (bench/gsoc-capacity). The hunts are then skipped (the
// file holds no needle).
// With --store clickhouse the events go to the shards (a database of its own, dropped at the end;
// a cluster NAME over them with two or more) and the state to a SQLite file in DIR.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>
#include <unistd.h>

#include "collector/ingest/ArenaBatch.hpp"
#include "collector/store/EventStore.hpp"
#include "collector/store/ClickHouseEventStore.hpp"
#include "collector/store/PostgresEventStore.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "gsoc/v1/ingest.pb.h"

namespace fs = std::filesystem;
using namespace gsoc;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kStart = 1764547200LL * 1000000000LL;  // 2025-12-01 00:00 UTC
constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;
const std::string kNeedle = "update-check.badcdn.example";
const std::string kHash(64, 'e');

std::string ip4(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  return s;
}

class EventMaker {
 public:
  explicit EventMaker(std::uint64_t seed) : rng_(seed) {}
  void make(v1::Event& e, std::int64_t ts, bool needle) {
    e.set_timestamp_ns(ts);
    e.set_flow_id(rng_());
    auto* t = e.mutable_tuple();
    t->set_src_ip(ip4(0x0A000000U | static_cast<std::uint32_t>(rng_() % 65536)));          // 10.0.0.0/16 clients
    t->set_dst_ip(ip4(0xCB000000U | static_cast<std::uint32_t>(rng_() % (1U << 20))));     // servers
    t->set_src_port(static_cast<std::uint32_t>(rng_() % 30000 + 30000));
    t->set_dst_port(443);
    t->set_ip_proto(6);
    const unsigned kind = needle ? 500 : static_cast<unsigned>(rng_() % 1000);
    if (kind < 20) {
      auto* a = e.mutable_alert();
      a->set_sid(2030000 + static_cast<std::uint32_t>(rng_() % 1000));
      a->set_msg("ET POLICY signature " + std::to_string(a->sid()));
      a->set_severity(v1::SEVERITY_MEDIUM);
    } else if (kind < 400) {
      e.mutable_flow()->set_bytes_to_server(rng_() % 100000);
      e.mutable_flow()->set_tcp_state("closed");
    } else if (kind < 700) {
      auto* d = e.mutable_dns();
      d->set_query(needle ? kNeedle : name());
      d->set_qtype("A");
      d->set_rcode("NOERROR");
    } else if (kind < 850) {
      auto* h = e.mutable_http();
      h->set_method("GET");
      h->set_host(name());
      h->set_uri("/p?id=" + std::to_string(rng_() % 1000000));
      h->set_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
      h->set_status(200);
    } else if (kind < 995) {
      e.mutable_tls()->set_sni(name());
      e.mutable_tls()->set_version("TLS 1.3");
    } else {
      auto* m = e.mutable_smtp();
      m->set_mail_from("sender" + std::to_string(rng_() % 5000) + "@example.org");
      m->set_subject("invoice " + std::to_string(rng_() % 100000));
      m->add_attachments()->set_sha256(rng_() % 1000 == 0 ? kHash : std::to_string(rng_()) + std::string(44, 'f'));
    }
  }

 private:
  // A popular head (100 names take half the lookups) and a tail of 50,000.
  std::string name() {
    const std::uint64_t r = rng_();
    const std::uint64_t n = (r & 1) ? r % 100 : r % 50000;
    return "site" + std::to_string(n) + ".example.jp";
  }
  std::mt19937_64 rng_;
};

// Every event of a sensor's `--events` file (exits 2 when it cannot be read or holds none).
std::vector<v1::Event> readEvents(const std::string& path) {
  std::vector<v1::Event> out;
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    std::cerr << "gsoc_bench_store: cannot open " << path << "\n";
    std::exit(2);
  }
  {
    google::protobuf::io::FileInputStream in(fd);
    v1::Event e;
    bool clean_eof = false;
    while (google::protobuf::util::ParseDelimitedFromZeroCopyStream(&e, &in, &clean_eof)) out.push_back(e);
    if (!clean_eof) {
      std::cerr << "gsoc_bench_store: " << path << ": not a length-delimited gsoc.v1.Event file after " << out.size() << " events\n";
      std::exit(2);
    }
  }
  ::close(fd);
  if (out.empty()) {
    std::cerr << "gsoc_bench_store: " << path << " holds no events\n";
    std::exit(2);
  }
  return out;
}

template <typename F>
double medianSeconds(F&& f) {
  std::vector<double> t;
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    f();
    t.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[1];
}

}  // namespace

int main(int argc, char** argv) {
  std::string store_kind = "sqlite", dsn, dir_arg, cluster, from_events;
  std::vector<std::string> shards;
  std::int64_t events = 5000000;
  int days = 30, agencies = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--store") store_kind = value();
    else if (a == "--dsn") dsn = value();
    else if (a == "--events") events = std::stoll(value());
    else if (a == "--days") days = std::stoi(value());
    else if (a == "--agencies") agencies = std::stoi(value());
    else if (a == "--dir") dir_arg = value();
    else if (a == "--cluster") cluster = value();
    else if (a == "--from-events") from_events = value();
    else if (a == "--clickhouse") {
      const std::string urls = value();
      for (std::size_t at = 0; at < urls.size();) {
        const std::size_t comma = std::min(urls.find(',', at), urls.size());
        shards.push_back(urls.substr(at, comma - at));
        at = comma + 1;
      }
    } else {
      std::cerr << "usage: gsoc_bench_store [--store sqlite|postgresql|clickhouse] [--dsn DSN] [--events N] [--days D] [--agencies A] "
                   "[--dir DIR] [--clickhouse URL[,URL]] [--cluster NAME] [--from-events FILE]\n";
      return 2;
    }
  }
  if (events < 100000 || days < 1 || agencies < 1) {
    std::cerr << "gsoc_bench_store: --events at least 100000, --days and --agencies at least 1\n";
    return 2;
  }
  const fs::path dir = dir_arg.empty() ? fs::temp_directory_path() / ("gsoc-bench-store-" + std::to_string(::getpid())) : fs::path(dir_arg);
  fs::create_directories(dir);
  const fs::path db = dir / "history.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  collector::ClickHouseOptions clickhouse;
  clickhouse.shard_urls = shards;
  clickhouse.cluster = cluster;
  clickhouse.database = "gsoc_bench_" + std::to_string(::getpid());
  auto open = [&]() -> collector::EventStorePtr {
    if (store_kind == "postgresql") return std::make_unique<collector::PostgresEventStore>(dsn);
    if (store_kind == "clickhouse") {
      return std::make_unique<collector::ClickHouseEventStore>(clickhouse, std::make_unique<collector::SqliteEventStore>(db.string()));
    }
    return std::make_unique<collector::SqliteEventStore>(db.string());
  };

  // Build the history: sensors ship in time order, two per agency, 2,000 events a batch.
  std::vector<collector::SensorIdentity> ids;
  for (int a = 0; a < agencies; ++a) {
    for (int s = 0; s < 2; ++s) ids.push_back({"AG" + std::to_string(a), "ag" + std::to_string(a) + "-" + std::to_string(s), "", "bench"});
  }
  const std::int64_t span = static_cast<std::int64_t>(days) * kDayNs;
  const std::int64_t step = span / events;
  EventMaker maker(2026);
  const std::vector<v1::Event> sample = from_events.empty() ? std::vector<v1::Event>{} : readEvents(from_events);
  double commit_s = 0;
  {
    auto store = open();
    std::vector<std::uint64_t> next(ids.size(), 1);
    std::int64_t done = 0;
    std::int64_t needles = 0;
    while (done < events) {
      std::vector<collector::BatchPtr> batches;
      std::vector<collector::CommitBatch> commit;
      for (int b = 0; b < 10 && done < events; ++b) {
        const std::size_t s = static_cast<std::size_t>(done / 2000) % ids.size();
        collector::BatchPtr batch = collector::makeArenaBatch();
        batch->set_sensor_id(ids[s].sensor_id);
        batch->set_epoch(1);
        batch->set_first_sequence(next[s]);
        const int n = static_cast<int>(std::min<std::int64_t>(2000, events - done));
        for (int k = 0; k < n; ++k, ++done) {
          if (!sample.empty()) {
            v1::Event* e = batch->add_events();
            *e = sample[static_cast<std::size_t>(done) % sample.size()];
            e->set_timestamp_ns(kStart + done * step);
            e->set_sensor_id(ids[s].sensor_id);
            e->set_agency_id(ids[s].agency_id);
            e->set_event_id(ids[s].sensor_id + ":1:" + std::to_string(next[s] + static_cast<std::uint64_t>(k)));
            continue;
          }
          const bool needle = needles < 5 && done >= (needles * 2 + 1) * events / 10;
          needles += needle ? 1 : 0;
          maker.make(*batch->add_events(), kStart + done * step, needle);
        }
        next[s] += static_cast<std::uint64_t>(n);
        collector::CommitBatch c;
        c.identity = &ids[s];
        c.batch = batch.get();
        c.acked_through = next[s] - 1;
        commit.push_back(c);
        batches.push_back(std::move(batch));
      }
      const auto start = Clock::now();
      store->commit(commit);
      commit_s += std::chrono::duration<double>(Clock::now() - start).count();
      if (done % 1000000 < 20000) std::cerr << "gsoc_bench_store: " << done << " of " << events << " events stored\r" << std::flush;
    }
    std::cerr << "\n";
  }
  std::cout << std::fixed << std::setprecision(0) << "gsoc_bench_store: " << store_kind << ", " << events << " events over " << days
            << " days, " << agencies << " agencies";
  if (!sample.empty()) std::cout << ", events from " << from_events << " (" << sample.size() << ", repeated)";
  std::cout << "\n";
  std::cout << "ingest      " << static_cast<double>(events) / commit_s << " events/s (commit time only)";
  if (store_kind == "sqlite") std::cout << ", " << std::setprecision(1) << static_cast<double>(fs::file_size(db)) / static_cast<double>(events) << " bytes per event on disk";
  if (store_kind == "clickhouse") {
    // After the merges settle: the parts of the events and their term table on every shard.
    double bytes = 0;
    for (const auto& url : shards) {
      collector::ClickHouseClient shard(url);
      shard.query("OPTIMIZE TABLE " + clickhouse.database + ".events_local");
      bytes += std::stod(shard.query("SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = '" + clickhouse.database + "'"));
    }
    std::cout << ", " << std::setprecision(1) << bytes / static_cast<double>(events) << " bytes per event on disk (terms included)";
  }
  std::cout << "\n";

  if (!sample.empty()) {  // no needle to hunt for in a sensor's own events
    if (dir_arg.empty()) fs::remove_all(dir);
    for (const auto& url : shards) collector::ClickHouseClient(url).query("DROP DATABASE IF EXISTS " + clickhouse.database);
    return 0;
  }
  auto store = open();
  auto hunt = [&](const std::string& term, const char* what) {
    std::uint64_t found = 0;
    const double s = medianSeconds([&] {
      found = 0;
      collector::EventQuery q;
      q.since_ns = kStart;
      q.term = term;
      store->forEachEvent(q, [&](v1::Event&&) { ++found; });
    });
    std::cout << std::setprecision(3) << "hunt        " << std::setw(8) << s << " s  " << what << " (" << found << " events)\n";
  };
  hunt(kNeedle, "a rare domain over the whole history");
  hunt(kHash, "an attachment hash");
  hunt("site7.example.jp", "a popular name");
  hunt("10.0.18.52", "one client address");
  std::uint64_t groups = 0;
  const double day = medianSeconds([&] {
    collector::EventQuery q;
    q.since_ns = kStart + span / 2;
    q.until_ns = q.since_ns + kDayNs;
    const std::vector<collector::EventDimension> by{collector::EventDimension::Agency, collector::EventDimension::Kind};
    groups = store->countEvents(q, by).size();
  });
  std::cout << std::setprecision(3) << "day counts  " << std::setw(8) << day << " s  one day by agency and kind (" << groups << " groups)\n";
  if (dir_arg.empty()) fs::remove_all(dir);
  for (const auto& url : shards) collector::ClickHouseClient(url).query("DROP DATABASE IF EXISTS " + clickhouse.database);
  return 0;
}
