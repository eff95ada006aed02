#include "collector/correlate/CorrelationRule.hpp"

#include <yaml-cpp/yaml.h>

#include "collector/store/EventColumns.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace gsoc::collector {
namespace {

std::string where(const std::string& origin, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return origin + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

class RuleReader {
 public:
  RuleReader(std::string origin, std::string id) : origin_(std::move(origin)), id_(std::move(id)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& reason) const {
    throw CorrelationRuleError(where(origin_, node) + ": rule '" + id_ + "': " + reason);
  }
  std::string scalar(const YAML::Node& node, const char* key) const {
    if (!node.IsScalar()) fail(node, std::string("'") + key + "' must be a single value");
    return node.Scalar();
  }
  std::vector<std::string> scalars(const YAML::Node& node, const char* key) const {
    std::vector<std::string> out;
    if (node.IsSequence()) {
      for (const auto& v : node) out.push_back(scalar(v, key));
    } else {
      out.push_back(scalar(node, key));
    }
    if (out.empty()) fail(node, std::string("'") + key + "' is empty");
    return out;
  }
  EventField field(const YAML::Node& node, const std::string& path) const {
    try {
      return EventField(path);
    } catch (const std::invalid_argument& e) {
      fail(node, std::string("unknown field ") + e.what());
    }
  }
  EventSelection selection(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "'match' must be a mapping of field: value or [values]");
    EventSelection out;
    for (const auto& kv : node) out.clauses.push_back({field(kv.first, kv.first.Scalar()), scalars(kv.second, "match")});
    return out;
  }
  // "20%" or 0.2: a fraction in (0, 1].
  double fraction(const YAML::Node& node, const char* key) const {
    std::string text = scalar(node, key);
    double scale = 1.0;
    if (!text.empty() && text.back() == '%') {
      text.pop_back();
      scale = 0.01;
    }
    double v = 0;
    try {
      std::size_t used = 0;
      v = std::stod(text, &used) * scale;
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      fail(node, std::string("'") + key + "' must be a fraction (0.2 or 20%)");
    }
    if (!(v > 0 && v <= 1)) fail(node, std::string("'") + key + "' must be above 0 and at most 100%");
    return v;
  }
  // A whole scalar as a number; `what` says what it must be.
  double number(const YAML::Node& node, const char* key, const char* what) const {
    const std::string text = scalar(node, key);
    try {
      std::size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    fail(node, std::string("'") + key + "' must be " + what);
  }
  std::uint64_t count(const YAML::Node& node, const char* key, bool zero_ok) const {
    std::uint64_t v = 0;
    try {
      std::size_t used = 0;
      const std::string text = scalar(node, key);
      if (!text.empty() && text.front() == '-') throw std::invalid_argument(text);
      v = std::stoull(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      fail(node, std::string("'") + key + "' must be a " + (zero_ok ? "non-negative" : "positive") + " integer");
    }
    if (v == 0 && !zero_ok) fail(node, std::string("'") + key + "' must be at least 1");
    return v;
  }
  std::int64_t duration(const YAML::Node& node, const char* key) const {
    try {
      return parseDuration(scalar(node, key));
    } catch (const std::invalid_argument& e) {
      fail(node, std::string("'") + key + "': " + e.what());
    }
  }

 private:
  std::string origin_;
  std::string id_;
};

constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;

CorrelationRule readRule(const YAML::Node& node, const std::string& origin) {
  if (!node.IsMap()) throw CorrelationRuleError(where(origin, node) + ": a rule must be a mapping");
  const std::string id = node["id"] && node["id"].IsScalar() ? node["id"].Scalar() : std::string();
  RuleReader r(origin, id.empty() ? "?" : id);
  if (id.empty()) r.fail(node, "'id' is required");
  static const std::set<std::string> kKeys = {"id",     "title",  "type",       "match",    "group_by", "field",  "gte",
                                              "timespan", "suppress", "severity", "stages",   "raises",   "actions", "jitter",
                                              "regularity", "rare", "baseline", "bucket", "factor", "min_events",
                                              "learning", "max_hosts", "new_domain", "p_value", "season", "settle", "spans", "max_per_value", "slow",
                                              "unfamiliar"};
  for (const auto& kv : node) {
    if (!kKeys.contains(kv.first.Scalar())) r.fail(kv.first, "unknown key '" + kv.first.Scalar() + "'");
  }
  CorrelationRule rule;
  rule.id = id;
  rule.origin = where(origin, node);
  rule.title = node["title"] ? r.scalar(node["title"], "title") : id;
  constexpr const char* kTypes = "event_count, value_count, temporal, temporal_ordered, beaconing, new_value, rate_surge";
  if (!node["type"]) r.fail(node, std::string("'type' is required (") + kTypes + ")");
  const std::string type = r.scalar(node["type"], "type");
  using Type = CorrelationRule::Type;
  if (type == "event_count") rule.type = Type::EventCount;
  else if (type == "value_count") rule.type = Type::ValueCount;
  else if (type == "temporal") rule.type = Type::Temporal;
  else if (type == "temporal_ordered") rule.type = Type::TemporalOrdered;
  else if (type == "beaconing") rule.type = Type::Beaconing;
  else if (type == "new_value") rule.type = Type::NewValue;
  else if (type == "rate_surge") rule.type = Type::RateSurge;
  else r.fail(node["type"], "unknown type '" + type + "' (" + kTypes + ")");
  if (node["match"]) rule.selection = r.selection(node["match"]);
  if (node["group_by"]) {
    for (const auto& path : r.scalars(node["group_by"], "group_by")) rule.group_by.push_back(r.field(node["group_by"], path));
  }
  if (!node["timespan"]) r.fail(node, "'timespan' is required (e.g. 24h)");
  rule.timespan_ns = r.duration(node["timespan"], "timespan");
  rule.suppress_ns = node["suppress"] ? r.duration(node["suppress"], "suppress") : rule.timespan_ns;
  if (node["severity"]) {
    rule.severity = r.scalar(node["severity"], "severity");
    if (rule.severity != "low" && rule.severity != "medium" && rule.severity != "high" && rule.severity != "critical") {
      r.fail(node["severity"], "severity '" + rule.severity + "' (low, medium, high, critical)");
    }
  }
  if (node["raises"]) {
    rule.raises = r.scalar(node["raises"], "raises");
    static const std::set<std::string> kRaises = {"warning", "urgent_warning", "information", "notice"};
    if (!kRaises.contains(rule.raises)) r.fail(node["raises"], "raises '" + rule.raises + "' (warning, urgent_warning, information, notice)");
  }
  if (node["actions"]) rule.actions = r.scalars(node["actions"], "actions");
  if (node["gte"]) rule.gte = r.count(node["gte"], "gte", false);
  const bool staged = rule.type == Type::Temporal || rule.type == Type::TemporalOrdered;
  if (rule.type == Type::ValueCount || rule.type == Type::NewValue || rule.type == Type::Beaconing) {
    if (!node["field"]) {
      r.fail(node, type + (rule.type == Type::Beaconing ? " needs 'field' (the destination contacted)" : " needs 'field' (whose distinct values are counted)"));
    }
    rule.value_field.push_back(r.field(node["field"], r.scalar(node["field"], "field")));
  } else if (node["field"] && rule.type == Type::RateSurge) {
    rule.value_field.push_back(r.field(node["field"], r.scalar(node["field"], "field")));  // the source
  } else if (node["field"]) {
    r.fail(node["field"], "'field' belongs to value_count, new_value, beaconing and rate_surge rules");
  }
  // Keys that belong to one type only are refused elsewhere: a misplaced key is a mistake.
  auto only = [&](const char* key, bool allowed, const char* types) {
    if (node[key] && !allowed) r.fail(node[key], std::string("'") + key + "' belongs to " + types + " rules");
  };
  only("jitter", rule.type == Type::Beaconing, "beaconing");
  only("regularity", rule.type == Type::Beaconing, "beaconing");
  only("rare", rule.type == Type::Beaconing, "beaconing");
  only("slow", rule.type == Type::Beaconing, "beaconing");
  only("bucket", rule.type == Type::RateSurge, "rate_surge");
  only("factor", rule.type == Type::RateSurge, "rate_surge");
  only("min_events", rule.type == Type::RateSurge, "rate_surge");
  only("baseline", rule.type == Type::RateSurge || rule.type == Type::NewValue, "new_value and rate_surge");
  only("learning", rule.type == Type::NewValue, "new_value");
  only("max_hosts", rule.type == Type::NewValue, "new_value");
  only("settle", rule.type == Type::NewValue, "new_value");
  only("new_domain", rule.type == Type::NewValue, "new_value");
  only("p_value", rule.type == Type::RateSurge, "rate_surge");
  only("season", rule.type == Type::RateSurge, "rate_surge");
  only("spans", rule.type == Type::RateSurge, "rate_surge");
  only("max_per_value", rule.type == Type::RateSurge, "rate_surge");
  if (node["jitter"]) rule.jitter = r.fraction(node["jitter"], "jitter");
  if (node["regularity"]) rule.regularity = r.fraction(node["regularity"], "regularity");
  if (node["rare"]) rule.rare = r.count(node["rare"], "rare", true);
  // A slow beacon (hourly and slower) checks in a few times a day: fewer regular check-ins are
  // enough when the period is that long, but not a daily habit (a person's morning news site).
  if (const YAML::Node slow = node["slow"]) {
    if (!slow.IsMap() || !slow["gte"]) {
      r.fail(slow, "'slow' needs 'gte' (and optionally 'min_period', 'max_period', 'jitter'), e.g. {gte: 6, min_period: 1h, max_period: 6h, jitter: 15%}");
    }
    for (const auto& kv : slow) {
      const std::string k = kv.first.Scalar();
      if (k != "gte" && k != "min_period" && k != "max_period" && k != "jitter") {
        r.fail(kv.first, "unknown key 'slow." + k + "' (gte, min_period, max_period, jitter)");
      }
    }
    rule.slow_gte = r.count(slow["gte"], "slow.gte", false);
    if (rule.slow_gte < 3 || rule.slow_gte > rule.gte) r.fail(slow["gte"], "'slow.gte' must be at least 3 and at most 'gte'");
    if (slow["min_period"]) rule.slow_min_period_ns = r.duration(slow["min_period"], "slow.min_period");
    if (slow["max_period"]) rule.slow_max_period_ns = r.duration(slow["max_period"], "slow.max_period");
    // Few check-ins tell a beacon from a person's visits only when they are tighter.
    rule.slow_jitter = slow["jitter"] ? r.fraction(slow["jitter"], "slow.jitter") : rule.jitter;
    if (rule.slow_max_period_ns < rule.slow_min_period_ns) r.fail(slow, "'slow.max_period' must not be shorter than 'slow.min_period'");
  }
  if (rule.type == Type::Beaconing && rule.gte < 3) r.fail(node, "beaconing needs 'gte' of at least 3 (contacts; two intervals)");
  if (rule.type == Type::NewValue || rule.type == Type::RateSurge) {
    if (!node["baseline"]) r.fail(node, type + " needs 'baseline' (e.g. 14d)");
    rule.baseline_ns = r.duration(node["baseline"], "baseline");
  }
  if (rule.type == Type::NewValue) {
    rule.learning_ns = node["learning"] ? r.duration(node["learning"], "learning") : rule.baseline_ns;
    if (node["max_hosts"]) rule.max_hosts = r.count(node["max_hosts"], "max_hosts", true);
    if (node["settle"]) {
      rule.settle_ns = r.duration(node["settle"], "settle");
      if (rule.settle_ns > rule.timespan_ns) r.fail(node["settle"], "'settle' must not be longer than 'timespan'");
    }
    if (node["new_domain"]) {
      const std::string v = r.scalar(node["new_domain"], "new_domain");
      if (v != "true" && v != "false") r.fail(node["new_domain"], "'new_domain' must be true or false");
      rule.new_domain = v == "true";
    }
  }
  if (rule.type == Type::RateSurge) {
    if (!node["bucket"]) r.fail(node, "rate_surge needs 'bucket' (e.g. 10m)");
    rule.bucket_ns = r.duration(node["bucket"], "bucket");
    if (rule.baseline_ns < 2 * rule.bucket_ns) r.fail(node["baseline"], "'baseline' must span at least two buckets");
    if (node["factor"]) {
      rule.factor = r.number(node["factor"], "factor", "a number above 1");
      if (!(rule.factor > 1)) r.fail(node["factor"], "'factor' must be a number above 1");
    }
    if (node["min_events"]) rule.min_events = r.count(node["min_events"], "min_events", false);
    if (node["p_value"]) {
      rule.p_value = r.number(node["p_value"], "p_value", "a probability (1e-6)");
      if (!(rule.p_value > 0 && rule.p_value < 1)) r.fail(node["p_value"], "'p_value' must be above 0 and below 1");
    }
    // The season a bucket is compared with: the same time of day, or of the week once the
    // baseline holds two weeks; `season: none` compares with every bucket of the baseline.
    rule.season_ns = rule.baseline_ns >= 14 * kDayNs ? 7 * kDayNs : rule.baseline_ns >= kDayNs ? kDayNs : 0;
    if (node["season"]) {
      const std::string v = r.scalar(node["season"], "season");
      if (v == "none") rule.season_ns = 0;
      else rule.season_ns = r.duration(node["season"], "season");
      if (rule.season_ns > rule.baseline_ns) r.fail(node["season"], "'season' must not be longer than 'baseline'");
      if (rule.season_ns != 0 && rule.season_ns % rule.bucket_ns != 0) r.fail(node["season"], "'season' must be a whole number of buckets");
    }
    // One source (a scanner's burst, a crawler) counts at most `max_per_value` events a bucket:
    // an access surge is many sources, and a single one is other rules' business.
    if (node["max_per_value"]) {
      if (!node["field"]) r.fail(node["max_per_value"], "'max_per_value' needs 'field' (the source, e.g. tuple.src_ip)");
      rule.max_per_value = r.count(node["max_per_value"], "max_per_value", false);
    }
    // The windows counted against the expectation: the open bucket alone sees a sharp burst,
    // the last hour a long mild one that no single bucket shows.
    rule.spans_ns = {rule.bucket_ns, 3 * rule.bucket_ns, 6 * rule.bucket_ns};
    if (const YAML::Node spans = node["spans"]) {
      if (!spans.IsSequence() || spans.size() == 0) r.fail(spans, "'spans' must be a list of durations, e.g. [10m, 30m, 1h]");
      rule.spans_ns.clear();
      for (const auto& span : spans) {
        const std::int64_t ns = r.duration(span, "spans");
        if (ns % rule.bucket_ns != 0) r.fail(span, "'spans' must be whole numbers of buckets");
        if (ns * 2 > rule.baseline_ns) r.fail(span, "'spans' must be at most half the 'baseline'");
        rule.spans_ns.push_back(ns);
      }
      std::sort(rule.spans_ns.begin(), rule.spans_ns.end());  // shortest first: longer ones extend the sums
      rule.spans_ns.erase(std::unique(rule.spans_ns.begin(), rule.spans_ns.end()), rule.spans_ns.end());
    }
  }
  if (const YAML::Node u = node["unfamiliar"]) {
    if (!u.IsMap() || !u["field"]) r.fail(u, "'unfamiliar' needs 'field' (and optionally 'baseline', 'learning'), e.g. {field: smtp.mail_from}");
    for (const auto& kv : u) {
      const std::string k = kv.first.Scalar();
      if (k != "field" && k != "baseline" && k != "learning" && k != "known_suffixes") {
        r.fail(kv.first, "unknown key 'unfamiliar." + k + "' (field, baseline, learning, known_suffixes)");
      }
    }
    rule.unfamiliar.field.push_back(r.field(u["field"], r.scalar(u["field"], "field")));
    rule.unfamiliar.baseline_ns = u["baseline"] ? r.duration(u["baseline"], "baseline") : 14 * kDayNs;
    rule.unfamiliar.learning_ns = u["learning"] ? r.duration(u["learning"], "learning") : kDayNs;
    if (u["known_suffixes"]) rule.unfamiliar.known_suffixes = r.scalars(u["known_suffixes"], "known_suffixes");
  }
  if (staged) {
    if (!node["stages"] || !node["stages"].IsSequence() || node["stages"].size() < 2) r.fail(node, type + " needs 'stages', a list of at least two");
    if (node["stages"].size() > CorrelationRule::kMaxStages) r.fail(node["stages"], "at most 64 stages");
    for (const auto& s : node["stages"]) {
      if (!s.IsMap() || !s["name"] || !s["match"]) r.fail(s, "a stage needs 'name' and 'match'");
      rule.stages.push_back({r.scalar(s["name"], "name"), r.selection(s["match"])});
    }
  } else if (node["stages"]) {
    r.fail(node["stages"], "'stages' belong to temporal and temporal_ordered rules");
  }
  return rule;
}

}  // namespace

bool EventSelection::matches(const gsoc::v1::Event& event, FieldValues& scratch) const {
  for (const Clause& c : clauses) {
    if (c.field.isKind()) {  // the common first clause: compared without copies
      const std::string_view k = kindName(event);
      if (std::find(c.any_of.begin(), c.any_of.end(), k) == c.any_of.end()) return false;
      continue;
    }
    scratch.clear();
    c.field.values(event, scratch);
    const bool hit = std::any_of(scratch.begin(), scratch.end(),
                                 [&](const std::string& v) { return std::find(c.any_of.begin(), c.any_of.end(), v) != c.any_of.end(); });
    if (!hit) return false;
  }
  return true;
}

std::int64_t parseDuration(const std::string& text) {
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("'" + text + "' is not a duration (90s, 15m, 24h, 7d)");
  }
  const std::string unit = text.substr(used);
  const std::int64_t s = 1000000000LL;
  std::int64_t scale = 0;
  if (unit == "s") scale = s;
  else if (unit == "m") scale = 60 * s;
  else if (unit == "h") scale = 3600 * s;
  else if (unit == "d") scale = 86400 * s;
  if (scale == 0 || n <= 0) throw std::invalid_argument("'" + text + "' is not a positive duration (90s, 15m, 24h, 7d)");
  return n * scale;
}

std::vector<CorrelationRule> parseCorrelationRules(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw CorrelationRuleError(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence()) {
    throw CorrelationRuleError(origin + ":1:1: expected a mapping with a 'rules' list");
  }
  std::vector<CorrelationRule> rules;
  std::set<std::string> ids;
  for (const auto& node : root["rules"]) {
    CorrelationRule rule = readRule(node, origin);
    if (!ids.insert(rule.id).second) throw CorrelationRuleError(rule.origin + ": rule '" + rule.id + "': duplicate id");
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::vector<CorrelationRule> loadCorrelationRules(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw CorrelationRuleError(path.string() + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return parseCorrelationRules(text.str(), path.string());
}

}  // namespace gsoc::collector
