#include "collector/correlate/CorrelationRule.hpp"

#include <yaml-cpp/yaml.h>

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

CorrelationRule readRule(const YAML::Node& node, const std::string& origin) {
  if (!node.IsMap()) throw CorrelationRuleError(where(origin, node) + ": a rule must be a mapping");
  const std::string id = node["id"] && node["id"].IsScalar() ? node["id"].Scalar() : std::string();
  RuleReader r(origin, id.empty() ? "?" : id);
  if (id.empty()) r.fail(node, "'id' is required");
  static const std::set<std::string> kKeys = {"id", "title", "type", "match", "group_by", "field", "gte", "timespan", "suppress", "severity", "stages", "raises", "actions"};
  for (const auto& kv : node) {
    if (!kKeys.contains(kv.first.Scalar())) r.fail(kv.first, "unknown key '" + kv.first.Scalar() + "'");
  }
  CorrelationRule rule;
  rule.id = id;
  rule.origin = where(origin, node);
  rule.title = node["title"] ? r.scalar(node["title"], "title") : id;
  if (!node["type"]) r.fail(node, "'type' is required (event_count, value_count, temporal, temporal_ordered)");
  const std::string type = r.scalar(node["type"], "type");
  if (type == "event_count") rule.type = CorrelationRule::Type::EventCount;
  else if (type == "value_count") rule.type = CorrelationRule::Type::ValueCount;
  else if (type == "temporal") rule.type = CorrelationRule::Type::Temporal;
  else if (type == "temporal_ordered") rule.type = CorrelationRule::Type::TemporalOrdered;
  else r.fail(node["type"], "unknown type '" + type + "' (event_count, value_count, temporal, temporal_ordered)");
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
  if (node["gte"]) {
    try {
      rule.gte = std::stoull(r.scalar(node["gte"], "gte"));
    } catch (const std::exception&) {
      r.fail(node["gte"], "'gte' must be a positive integer");
    }
    if (rule.gte == 0) r.fail(node["gte"], "'gte' must be at least 1");
  }
  const bool staged = rule.type == CorrelationRule::Type::Temporal || rule.type == CorrelationRule::Type::TemporalOrdered;
  if (rule.type == CorrelationRule::Type::ValueCount) {
    if (!node["field"]) r.fail(node, "value_count needs 'field' (whose distinct values are counted)");
    rule.value_field.push_back(r.field(node["field"], r.scalar(node["field"], "field")));
  } else if (node["field"]) {
    r.fail(node["field"], "'field' belongs to value_count rules");
  }
  if (staged) {
    if (!node["stages"] || !node["stages"].IsSequence() || node["stages"].size() < 2) r.fail(node, type + " needs 'stages', a list of at least two");
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

bool EventSelection::matches(const gsoc::v1::Event& event, std::vector<std::string>& scratch) const {
  for (const Clause& c : clauses) {
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
