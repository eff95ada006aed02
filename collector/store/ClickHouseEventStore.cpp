#include "collector/store/ClickHouseEventStore.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "collector/store/EventColumns.hpp"
#include "collector/store/RowBinary.hpp"
#include "collector/store/StoreSchema.hpp"
#include "gsoc/v1/event.pb.h"
#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {
namespace {

constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;

// Days since 1970-01-01 as ClickHouse's Date holds them (UInt16): events outside its range are
// kept in its first or last day.
std::uint16_t dayOf(std::int64_t ts_ns) {
  const std::int64_t day = ts_ns >= 0 ? ts_ns / kDayNs : -1;
  return static_cast<std::uint16_t>(std::clamp<std::int64_t>(day, 0, 65535));
}

std::string dateLiteral(std::uint16_t day) {
  // Civil date from days since the epoch (Howard Hinnant's algorithm).
  const std::int64_t z = day + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char out[40];
  std::snprintf(out, sizeof out, "'%04d-%02d-%02d'", static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  return out;
}

template <typename List, typename Format>
std::string inList(const List& values, Format format) {
  std::string out = "(";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += format(v);
  }
  return out + ")";
}

// TabSeparated field: \t, \n and \\ escaped.
std::string unescapeTsv(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    const char c = field[++i];
    out.push_back(c == 't' ? '\t' : c == 'n' ? '\n' : c == '0' ? '\0' : c);
  }
  return out;
}

std::string dimensionSql(EventDimension d) {
  switch (d) {
    case EventDimension::Agency: return "agency";
    case EventDimension::Sensor: return "sensor";
    case EventDimension::Kind: return "kind";
    case EventDimension::Sid: return "if(sid < 0, '', toString(sid))";
    case EventDimension::Day: return "toString(intDiv(ts_ns, 86400000000000))";
  }
  return "''";
}

}  // namespace

ClickHouseEventStore::ClickHouseEventStore(ClickHouseOptions options, EventStorePtr state)
    : options_(std::move(options)), state_(std::move(state)) {
  if (options_.shard_urls.empty()) throw StoreError("store.clickhouse_shards: no shard given");
  if (options_.shard_urls.size() > 1 && options_.cluster.empty()) {
    throw StoreError("store.clickhouse_cluster: required with " + std::to_string(options_.shard_urls.size()) +
                     " shards (the cluster in the servers' <remote_servers> that the Distributed tables read over)");
  }
  for (const auto& url : options_.shard_urls) {
    writers_.push_back(std::make_unique<ClickHouseClient>(url, options_.timeout_s));
    createTables(*writers_.back());
  }
  // What a collector that died mid-commit left, settled under the streams' claims (another
  // front-end may be committing them right now).
  std::vector<StreamKey> keys;
  for (const PendingInsert& p : state_->pendingInserts()) keys.push_back(StreamKey{p.sensor_id, p.epoch});
  if (!keys.empty()) {
    const StreamClaim claim = state_->claimStreams(keys);
    const StreamRelease release(*state_);
    for (const PendingInsert& p : claim.pending) {
      try {
        settle(p);
      } catch (const StoreError& e) {
        std::cerr << "gsoc-collector: pending insert of " << p.sensor_id << ":" << p.epoch << " not settled yet: " << e.what() << "\n";
      }
    }
  }
}

ClickHouseEventStore::~ClickHouseEventStore() = default;

std::string ClickHouseEventStore::describe() const {
  std::string out = "clickhouse";
  for (const auto& url : options_.shard_urls) out += " " + url;
  if (!options_.cluster.empty()) out += " (cluster " + options_.cluster + ")";
  return out + ", state in " + state_->describe();
}

int ClickHouseEventStore::shardOf(std::string_view sensor_id) const {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : sensor_id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<int>(h % writers_.size());
}

std::string ClickHouseEventStore::table(const char* name) const {
  return options_.database + "." + name + (options_.cluster.empty() ? "_local" : "");
}

void ClickHouseEventStore::createTables(ClickHouseClient& shard) {
  const std::string& db = options_.database;
  shard.query("CREATE DATABASE IF NOT EXISTS " + db);
  shard.query("CREATE TABLE IF NOT EXISTS " + db + ".events_local (day Date, ts_ns Int64, received_ns Int64, agency String, "
              "sensor String, epoch UInt64, seq UInt64, kind String, sid Int64, severity Int32, terms Array(String), event String, "
              "commit_no UInt64) ENGINE = MergeTree PARTITION BY day ORDER BY (agency, ts_ns, sensor, epoch, seq)");
  shard.query("CREATE TABLE IF NOT EXISTS " + db + ".event_terms_local (day Date, term String, ts_ns Int64, agency String, "
              "sensor String, epoch UInt64, seq UInt64) ENGINE = MergeTree PARTITION BY day ORDER BY (term, ts_ns)");
  shard.query("CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + ".event_terms_mv TO " + db + ".event_terms_local AS SELECT day, "
              "arrayJoin(terms) AS term, ts_ns, agency, sensor, epoch, seq FROM " + db + ".events_local");
  if (options_.cluster.empty()) return;
  const std::string shards = shard.query("SELECT uniqExact(shard_num) FROM system.clusters WHERE cluster = " + clickHouseQuote(options_.cluster));
  if (std::stoull(shards) != options_.shard_urls.size()) {
    throw StoreError("store.clickhouse_cluster: '" + options_.cluster + "' has " + std::to_string(std::stoull(shards)) + " shards on " +
                     shard.url() + ", store.clickhouse_shards lists " + std::to_string(options_.shard_urls.size()));
  }
  for (const char* name : {"events", "event_terms"}) {
    shard.query("CREATE TABLE IF NOT EXISTS " + db + "." + name + " AS " + db + "." + name + "_local ENGINE = Distributed(" +
                options_.cluster + ", " + db + ", " + name + "_local)");
  }
}

std::uint64_t ClickHouseEventStore::settle(const PendingInsert& p) {
  if (p.shard < 0 || static_cast<std::size_t>(p.shard) >= writers_.size()) {
    throw StoreError("pending insert of " + p.sensor_id + " names shard " + std::to_string(p.shard) + " of " +
                     std::to_string(writers_.size()) + ": were store.clickhouse_shards changed?");
  }
  ClickHouseClient& shard = *writers_[static_cast<std::size_t>(p.shard)];
  const std::string where = " WHERE agency = " + clickHouseQuote(p.agency_id) + " AND ts_ns >= " + std::to_string(p.min_ts_ns) +
                            " AND ts_ns <= " + std::to_string(p.max_ts_ns) + " AND sensor = " + clickHouseQuote(p.sensor_id) +
                            " AND epoch = " + std::to_string(p.epoch) + " AND seq >= " + std::to_string(p.first_sequence) +
                            " AND seq <= " + std::to_string(p.last_sequence);
  const std::string count_sql = "SELECT count() FROM " + options_.database + ".events_local" + where;
  std::uint64_t found = std::stoull(shard.query(count_sql));
  if (found != 0 && found != p.events) {
    // A torn insert (larger than one part): take it back whole, the sensor resends it.
    std::cerr << "gsoc-collector: " << p.sensor_id << ":" << p.epoch << " has " << found << " of " << p.events
              << " events of an unfinished insert on " << shard.url() << "; deleting them\n";
    for (const char* name : {"events_local", "event_terms_local"}) shard.query("ALTER TABLE " + options_.database + "." + name + " DELETE" + where);
    for (int i = 0; i < 600 && (found = std::stoull(shard.query(count_sql))) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (found != 0) throw StoreError("the deletion of a torn insert on " + shard.url() + " did not finish");
  }
  const bool landed = found == p.events;
  state_->settlePendingInsert(p, landed);
  return landed ? p.last_sequence : p.first_sequence - 1;
}

void ClickHouseEventStore::commit(std::span<const CommitBatch> batches) {
  std::lock_guard lock(write_mutex_);
  std::vector<StreamKey> keys;
  for (const CommitBatch& b : batches) keys.push_back(StreamKey{b.identity->sensor_id, b.batch->epoch()});
  // The streams' marks as stored now, not as this front-end last saw them: another front-end may
  // have stored their later events since (a sensor that failed over and back).
  StreamClaim claim = state_->claimStreams(keys);
  const StreamRelease release(*state_);
  std::map<StreamKey, std::uint64_t>& marks = claim.marks;
  std::set<StreamKey> failed;
  std::string error;
  for (const PendingInsert& p : claim.pending) {
    const StreamKey key{p.sensor_id, p.epoch};
    try {
      marks[key] = std::max(marks[key], settle(p));
    } catch (const StoreError& e) {
      failed.insert(key);
      if (error.empty()) error = e.what();
    }
  }

  std::vector<CommitBatch> settled;
  std::vector<std::string> rows(writers_.size());
  std::vector<std::size_t> row_commit_at;  // where each row's commit_no goes, filled in once numbered
  std::vector<std::pair<std::size_t, StreamKey>> row_owner;
  std::map<StreamKey, PendingInsert> pending;
  EventColumns columns;
  std::vector<std::string> terms;
  std::string blob;
  for (const CommitBatch& b : batches) {
    const StreamKey key{b.identity->sensor_id, b.batch->epoch()};
    if (failed.contains(key)) continue;
    CommitBatch c = b;
    c.events_elsewhere = true;
    const std::uint64_t first = b.batch->first_sequence();
    std::uint64_t& mark = marks[key];
    if (mark >= first) c.skip = std::max(c.skip, static_cast<int>(std::min<std::uint64_t>(mark - first + 1, static_cast<std::uint64_t>(b.batch->events_size()))));
    if (!c.rejected) mark = std::max(mark, c.acked_through);
    settled.push_back(c);
    if (c.rejected || c.skip >= b.batch->events_size()) continue;
    const int shard = shardOf(key.sensor_id);
    PendingInsert& p = pending[key];
    if (p.events == 0) {
      p = PendingInsert{key.sensor_id, key.epoch, first + static_cast<std::uint64_t>(c.skip), 0, 0, shard, b.identity->agency_id,
                        INT64_MAX, INT64_MIN, 0};
    }
    std::string& out = rows[static_cast<std::size_t>(shard)];
    RowBinaryWriter row(out);
    const auto& events = b.batch->events();
    for (int i = c.skip; i < events.size(); ++i) {
      const gsoc::v1::Event& e = events[i];
      const std::uint64_t seq = first + static_cast<std::uint64_t>(i);
      deriveColumns(e, columns);
      terms.clear();
      forEachObservable(e, [&](std::string_view v) {
        if (std::find(terms.begin(), terms.end(), v) == terms.end()) terms.emplace_back(v);
      });
      blob.clear();
      e.SerializeToString(&blob);
      row.u16(dayOf(e.timestamp_ns())).i64(e.timestamp_ns()).i64(b.received_ns).str(b.identity->agency_id).str(key.sensor_id);
      row.u64(key.epoch).u64(seq).str(columns.kind).i64(columns.sid).i32(columns.severity).varint(terms.size());
      for (const auto& t : terms) row.str(t);
      row.str(blob);
      row_commit_at.push_back(out.size());
      row_owner.emplace_back(static_cast<std::size_t>(shard), key);
      row.u64(0);  // commit_no, known once the inserts are announced
      p.last_sequence = seq;
      ++p.events;
      p.min_ts_ns = std::min(p.min_ts_ns, e.timestamp_ns());
      p.max_ts_ns = std::max(p.max_ts_ns, e.timestamp_ns());
    }
  }

  std::vector<PendingInsert> announced;
  for (auto& [key, p] : pending) announced.push_back(p);
  if (!announced.empty()) state_->recordPendingInserts(announced);  // throws: nothing inserted, nothing committed
  for (const PendingInsert& p : announced) pending[StreamKey{p.sensor_id, p.epoch}].commit_no = p.commit_no;
  for (std::size_t r = 0; r < row_commit_at.size(); ++r) {
    const auto [shard, key] = row_owner[r];
    std::string patch;
    RowBinaryWriter(patch).u64(pending[key].commit_no);
    rows[shard].replace(row_commit_at[r], 8, patch);
  }
  for (CommitBatch& c : settled) {
    if (const auto it = pending.find(StreamKey{c.identity->sensor_id, c.batch->epoch()}); it != pending.end()) c.commit_no = it->second.commit_no;
  }

  const std::string insert = "INSERT INTO " + options_.database + ".events_local FORMAT RowBinary";
  for (std::size_t shard = 0; shard < writers_.size(); ++shard) {
    if (rows[shard].empty()) continue;
    try {
      writers_[shard]->insert(insert, rows[shard]);
    } catch (const StoreError& e) {
      // It may have landed all the same (a timeout after the server took it): the record stays
      // and is settled when the stream is next claimed.
      for (const auto& [key, p] : pending) {
        if (static_cast<std::size_t>(p.shard) == shard) failed.insert(key);
      }
      if (error.empty()) error = e.what();
    }
  }
  std::erase_if(settled, [&](const CommitBatch& c) { return failed.contains(StreamKey{c.identity->sensor_id, c.batch->epoch()}); });
  if (!settled.empty()) state_->commit(settled);  // throws: inserted, not committed; settled at the next claim
  if (failed.empty()) return;
  const std::string what = std::to_string(failed.size()) + " stream(s) not stored: " + error;
  if (settled.empty()) throw StoreError(what);
  throw PartialCommitError(what, std::move(failed));
}

std::uint64_t ClickHouseEventStore::forEachCommitted(std::uint64_t after, std::size_t max_events,
                                                     const std::function<void(gsoc::v1::Event&&)>& visit) {
  std::uint64_t through = after;
  std::vector<std::uint64_t> done;
  for (const CommitLogEntry& e : state_->commitLog(after, std::max<std::size_t>(1, max_events / 100))) {
    if (e.state == CommitState::Pending) {
      // An insert in flight, or one a dead front-end left: settled here once it is old enough.
      if (nowNs() - e.created_ns < kStaleCommitNs || !settleCommit(e.commit_no)) break;
      const auto again = state_->commitLog(e.commit_no - 1, 1);
      if (again.empty() || again[0].commit_no != e.commit_no || again[0].state == CommitState::Pending) break;
      if (again[0].state == CommitState::Done) done.push_back(e.commit_no);
    } else if (e.state == CommitState::Done) {
      done.push_back(e.commit_no);
    }
    through = e.commit_no;
  }
  if (done.empty()) return through;
  std::string list;
  for (const std::uint64_t n : done) list += (list.empty() ? "" : ",") + std::to_string(n);
  visitRows("SELECT sensor, epoch, seq, agency, event FROM " + table("events") + " WHERE commit_no IN (" + list +
                ") ORDER BY commit_no, sensor, epoch, seq FORMAT RowBinary",
            visit);
  return through;
}

bool ClickHouseEventStore::settleCommit(std::uint64_t commit_no) {
  std::lock_guard lock(write_mutex_);
  std::vector<StreamKey> keys;
  for (const PendingInsert& p : state_->pendingInserts()) {
    if (p.commit_no == commit_no) keys.push_back(StreamKey{p.sensor_id, p.epoch});
  }
  if (keys.empty()) {
    // No stream waits on it (its records replaced by later ones): nothing of it can be trusted.
    std::cerr << "gsoc-collector: commit " << commit_no << " is pending with no pending insert; voided\n";
    PendingInsert none;
    none.commit_no = commit_no;
    state_->settlePendingInsert(none, false);
    return true;
  }
  const StreamClaim claim = state_->claimStreams(keys);  // waits for a live front-end's commit
  const StreamRelease release(*state_);
  try {
    for (const PendingInsert& p : claim.pending) {
      if (p.commit_no == commit_no) settle(p);
    }
  } catch (const StoreError& e) {
    std::cerr << "gsoc-collector: commit " << commit_no << " cannot be settled yet: " << e.what() << "\n";
    return false;
  }
  return true;
}

std::uint64_t ClickHouseEventStore::deleteEventsBefore(std::int64_t cutoff_ns) {
  std::lock_guard lock(write_mutex_);
  const std::string before = dateLiteral(dayOf(cutoff_ns));
  std::uint64_t dropped = 0;
  for (const auto& shard : writers_) {
    for (const char* name : {"events_local", "event_terms_local"}) {
      const std::string parts = shard->query("SELECT partition, sum(rows) FROM system.parts WHERE active AND database = " +
                                             clickHouseQuote(options_.database) + " AND table = '" + name + "' AND max_date < " + before +
                                             " GROUP BY partition FORMAT TabSeparated");
      std::size_t at = 0;
      while (at < parts.size()) {
        const std::size_t end = parts.find('\n', at);
        const std::string_view line(parts.data() + at, (end == std::string::npos ? parts.size() : end) - at);
        at = end == std::string::npos ? parts.size() : end + 1;
        const std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos) continue;
        std::string partition = unescapeTsv(line.substr(0, tab));
        if (partition.size() >= 2 && partition.front() == '\'') partition = partition.substr(1, partition.size() - 2);
        shard->query("ALTER TABLE " + options_.database + "." + name + " DROP PARTITION " + clickHouseQuote(partition));
        if (std::string_view(name) == "events_local") dropped += std::stoull(std::string(line.substr(tab + 1)));
      }
    }
  }
  return dropped;
}

void ClickHouseEventStore::read(const std::string& sql, const std::function<void(std::string_view)>& chunk) {
  std::string errors;
  for (const auto& url : options_.shard_urls) {
    bool started = false;
    try {
      ClickHouseClient client(url, options_.timeout_s);
      client.query(sql, [&](std::string_view bytes) {
        started = true;
        chunk(bytes);
      });
      return;
    } catch (const StoreError& e) {
      if (started) throw;  // part of the answer is delivered: another shard cannot resume it
      errors += std::string(errors.empty() ? "" : "; ") + e.what();
    }
  }
  throw StoreError("no ClickHouse shard answered: " + errors);
}

std::string ClickHouseEventStore::whereSql(const EventQuery& q) {
  std::string where = " WHERE 1";
  if (q.since_ns != std::numeric_limits<std::int64_t>::min()) {
    where += " AND ts_ns >= " + std::to_string(q.since_ns) + " AND day >= " + dateLiteral(dayOf(q.since_ns));
  }
  if (q.until_ns != std::numeric_limits<std::int64_t>::max()) {
    where += " AND ts_ns < " + std::to_string(q.until_ns) + " AND day <= " + dateLiteral(dayOf(q.until_ns));
  }
  if (q.through_commit > 0) where += " AND commit_no <= " + std::to_string(q.through_commit);
  auto quoted = [](const std::string& v) { return clickHouseQuote(v); };
  if (!q.agencies.empty()) where += " AND agency IN " + inList(q.agencies, quoted);
  if (!q.sensors.empty()) where += " AND sensor IN " + inList(q.sensors, quoted);
  if (!q.kinds.empty()) where += " AND kind IN " + inList(q.kinds, quoted);
  if (!q.sids.empty()) where += " AND sid IN " + inList(q.sids, [](std::int64_t v) { return std::to_string(v); });
  if (!q.term.empty()) where += " AND has(terms, " + clickHouseQuote(q.term) + ")" + termKeys(q);
  return where;
}

std::string ClickHouseEventStore::termKeys(const EventQuery& q) {
  // The term table, ordered by term, names the (agency, time) of every event that carries it; a
  // condition on those keys lets each shard read only the granules of the events table that hold
  // them (its order), instead of every row's terms. A term on very many events (a popular name)
  // is answered by has() alone.
  std::string sql = "SELECT DISTINCT agency, ts_ns FROM " + table("event_terms") + " WHERE term = " + clickHouseQuote(q.term);
  if (q.since_ns != std::numeric_limits<std::int64_t>::min()) sql += " AND ts_ns >= " + std::to_string(q.since_ns);
  if (q.until_ns != std::numeric_limits<std::int64_t>::max()) sql += " AND ts_ns < " + std::to_string(q.until_ns);
  sql += " LIMIT " + std::to_string(kMaxTermKeys + 1) + " FORMAT TabSeparated";
  std::string answer;
  read(sql, [&](std::string_view bytes) { answer.append(bytes); });
  std::size_t rows = 0;
  std::string keys;
  for (std::size_t at = 0; at < answer.size();) {
    const std::size_t end = std::min(answer.find('\n', at), answer.size());
    const std::string_view line(answer.data() + at, end - at);
    at = end + 1;
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) continue;
    if (++rows > kMaxTermKeys) return "";
    keys += std::string(keys.empty() ? "" : ",") + "(" + clickHouseQuote(unescapeTsv(line.substr(0, tab))) + "," +
            std::string(line.substr(tab + 1)) + ")";
  }
  return rows == 0 ? " AND 0" : " AND (agency, ts_ns) IN (" + keys + ")";
}

void ClickHouseEventStore::forEachEvent(const EventQuery& query, const std::function<void(gsoc::v1::Event&&)>& visit) {
  validateQuery(query);
  std::string sql = "SELECT sensor, epoch, seq, agency, event FROM " + table("events") + whereSql(query) +
                    " ORDER BY ts_ns, received_ns, sensor, epoch, seq";
  if (query.limit > 0) sql += " LIMIT " + std::to_string(query.limit);
  sql += " FORMAT RowBinary";
  visitRows(sql, visit);
}

void ClickHouseEventStore::visitRows(const std::string& sql, const std::function<void(gsoc::v1::Event&&)>& visit) {
  std::string buffer;
  std::size_t done = 0;
  read(sql, [&](std::string_view bytes) {
    buffer.append(bytes);
    for (;;) {
      RowBinaryReader r(buffer, done);
      const auto sensor = r.str();
      const auto epoch = sensor ? r.u64() : std::nullopt;
      const auto seq = epoch ? r.u64() : std::nullopt;
      const auto agency = seq ? r.str() : std::nullopt;
      const auto event = agency ? r.str() : std::nullopt;
      if (!event) break;  // the rest of the row is in a later chunk
      done = r.position();
      gsoc::v1::Event e;
      if (!e.ParseFromArray(event->data(), static_cast<int>(event->size()))) {
        throw StoreError("a stored event of " + std::string(*sensor) + " (sequence " + std::to_string(*seq) + ") does not parse");
      }
      e.set_sensor_id(std::string(*sensor));
      e.set_agency_id(std::string(*agency));
      e.set_event_id(std::string(*sensor) + ":" + std::to_string(*epoch) + ":" + std::to_string(*seq));
      visit(std::move(e));
    }
    if (done > (1U << 20)) {
      buffer.erase(0, done);
      done = 0;
    }
  });
  if (done != buffer.size()) throw StoreError("the answer from ClickHouse ends inside a row");
}

std::vector<EventCount> ClickHouseEventStore::countEvents(const EventQuery& query, std::span<const EventDimension> by) {
  validateQuery(query);
  std::string columns;
  for (const auto d : by) columns += dimensionSql(d) + ", ";
  std::string sql = "SELECT " + columns + "count() FROM " + table("events") + whereSql(query);
  if (!by.empty()) sql += " GROUP BY " + columns.substr(0, columns.size() - 2);
  sql += " FORMAT TabSeparated";
  std::string answer;
  read(sql, [&](std::string_view bytes) { answer.append(bytes); });
  std::vector<EventCount> out;
  std::size_t at = 0;
  while (at < answer.size()) {
    const std::size_t end = std::min(answer.find('\n', at), answer.size());
    const std::string_view line(answer.data() + at, end - at);
    at = end + 1;
    EventCount count;
    std::size_t field = 0;
    for (std::size_t i = 0; i < by.size(); ++i) {
      const std::size_t tab = line.find('\t', field);
      count.key.push_back(unescapeTsv(line.substr(field, tab - field)));
      field = tab + 1;
    }
    count.events = std::stoull(std::string(line.substr(field)));
    if (count.events > 0 || by.empty()) out.push_back(std::move(count));
  }
  std::sort(out.begin(), out.end(), [](const EventCount& a, const EventCount& b) { return a.key < b.key; });
  return out;
}

std::uint64_t ClickHouseEventStore::eventCount() {
  std::string answer;
  read("SELECT count() FROM " + table("events"), [&](std::string_view bytes) { answer.append(bytes); });
  return std::stoull(answer);
}

}  // namespace gsoc::collector
