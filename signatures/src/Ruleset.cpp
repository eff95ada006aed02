#include "gsoc/signatures/Ruleset.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <utility>

#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {

namespace {

// A transactional (=>) rule as the two rules the Detector runs (Rule::TxHalf): the request half
// with the to_server inspections, which never alerts, and the response half with the to_client
// ones and everything that acts on a match (flowbits, thresholds, filestore...).
std::pair<Rule, Rule> splitTransactional(Rule&& rule) {
  Rule request = rule;
  Rule response = std::move(rule);
  request.tx_half = Rule::TxHalf::Request;
  response.tx_half = Rule::TxHalf::Response;
  request.flow.direction = FlowDirection::ToServer;
  response.flow.direction = FlowDirection::ToClient;
  std::erase_if(request.inspections, [](const BufferInspection& i) { return i.side != FlowDirection::ToServer; });
  std::erase_if(response.inspections, [](const BufferInspection& i) { return i.side != FlowDirection::ToClient; });
  request.noalert = true;
  request.flowbits.clear();
  request.flowints.clear();
  request.hostbits.clear();
  request.threshold.reset();
  request.detection_filter.reset();
  request.tags.clear();
  request.events.clear();
  request.filestore = false;
  request.dce_ifaces.clear();
  request.dce_opnums.clear();
  request.smb_version.reset();
  for (Rule* half : {&request, &response}) {  // each is evaluated on its side's transactions only
    half->inspects_payload = false;
    half->inspects_app_buffer = true;
    half->ip_only = false;
  }
  return {std::move(request), std::move(response)};
}

}  // namespace

std::string RuleDiagnostic::format() const {
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (sid != 0) out += "sid " + std::to_string(sid) + ": ";
  return out + message;
}

std::uint32_t peekSid(std::string_view text) {
  std::size_t pos = 0;
  while ((pos = text.find("sid", pos)) != std::string_view::npos) {
    const bool boundary = pos == 0 || text[pos - 1] == ';' || text[pos - 1] == ' ' || text[pos - 1] == '(';
    std::size_t p = pos + 3;
    while (p < text.size() && text[p] == ' ') ++p;
    if (boundary && p < text.size() && text[p] == ':') {
      ++p;
      while (p < text.size() && text[p] == ' ') ++p;
      std::uint32_t sid = 0;
      std::from_chars(text.data() + p, text.data() + text.size(), sid);
      return sid;
    }
    pos += 3;
  }
  return 0;
}

RulesetLoader::RulesetLoader(RuleVariables variables, ClassificationTable classifications, DatasetOptions datasets) {
  ruleset_.datasets = std::make_shared<DatasetRegistry>(std::move(datasets));
  ruleset_.variables = std::move(variables);
  ruleset_.classifications = std::move(classifications);
}

void RulesetLoader::loadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    RuleDiagnostic d;
    d.file = path.string();
    d.reason = "cannot open file";
    d.message = "cannot open rule file";
    ruleset_.report.errors.push_back(std::move(d));
    ++ruleset_.report.by_reason["cannot open file"];
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  loadText(text.str(), path.string());
}

void RulesetLoader::loadText(std::string_view text, std::string_view origin) {
  ruleset_.report.by_file[std::string(origin)];  // files with no rules still show up
  std::string joined;
  std::vector<std::pair<std::size_t, std::uint32_t>> line_starts;  // offset in `joined` -> line
  std::uint32_t first_line = 0;
  std::uint32_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (joined.empty()) {
      std::size_t lead = 0;
      while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
      if (lead == line.size() || line[lead] == '#') continue;  // blank or disabled
      first_line = line_no;
    }
    line_starts.emplace_back(joined.size(), line_no);
    if (!line.empty() && line.back() == '\\') {
      joined.append(line.substr(0, line.size() - 1));
      continue;
    }
    joined.append(line);
    loadRule(joined, origin, first_line, line_starts);
    joined.clear();
    line_starts.clear();
  }
  if (!joined.empty()) loadRule(joined, origin, first_line, line_starts);
}

void RulesetLoader::loadRule(std::string_view text, std::string_view origin, std::uint32_t line,
                             const std::vector<std::pair<std::size_t, std::uint32_t>>& line_starts) {
  LoadReport& report = ruleset_.report;
  ++report.rules_total;
  ++report.by_file[std::string(origin)].total;
  try {
    std::vector<std::string> notes;
    Rule rule = RuleParser(ruleset_.variables).parse(text, &notes);
    for (const std::string& n : notes) report.warnings.push_back(std::string(origin) + ":" + std::to_string(line) + ": " + n);
    rule.file = std::string(origin);
    rule.line = line;
    resolveDatasets(rule);  // before the sid is taken: a rule refused for its dataset holds none
    if (const Classification* c = ruleset_.classifications.find(rule.classtype)) {
      if (!rule.priority_explicit) rule.priority = c->priority;
    } else if (!rule.classtype.empty()) {
      report.warnings.push_back(std::string(origin) + ":" + std::to_string(line) + ": sid " + std::to_string(rule.sid) +
                                ": unknown classtype '" + rule.classtype + "'");
    }
    const auto key = std::make_pair(rule.gid, rule.sid);
    const auto [it, inserted] = seen_sids_.try_emplace(key, SeenSid{rule.file, rule.line, ruleset_.rules.size(), rule.rev});
    if (!inserted) {
      // As Suricata: a higher revision replaces the rule it updates; otherwise the later is dropped.
      SeenSid& first = it->second;
      // A transactional rule is two entries (splitTransactional): a later revision replaces
      // only a rule of one entry by another.
      const bool replaceable = !rule.transactional && ruleset_.rules[first.index].tx_half == Rule::TxHalf::None;
      if (rule.rev > first.rev && replaceable) {
        report.warnings.push_back(first.file + ":" + std::to_string(first.line) + ": sid " + std::to_string(rule.sid) +
                                  ": rev " + std::to_string(first.rev) + " replaced by rev " + std::to_string(rule.rev) +
                                  " at " + std::string(origin) + ":" + std::to_string(line));
        ++report.rules_replaced;
        --report.by_file[first.file].loaded;
        ++report.by_file[std::string(origin)].loaded;
        first = SeenSid{rule.file, rule.line, first.index, rule.rev};
        ruleset_.rules[first.index] = std::move(rule);
        return;
      }
      RuleDiagnostic d;
      d.file = std::string(origin);
      d.line = line;
      d.column = 1;
      d.sid = rule.sid;
      d.reason = "duplicate sid";
      d.message = "duplicate gid:sid " + std::to_string(rule.gid) + ":" + std::to_string(rule.sid) + " (first at " +
                  first.file + ":" + std::to_string(first.line) + ")";
      reject(std::move(d), origin);
      return;
    }
    if (rule.transactional) {
      auto [request, response] = splitTransactional(std::move(rule));
      ruleset_.rules.push_back(std::move(request));
      ruleset_.rules.push_back(std::move(response));
    } else {
      ruleset_.rules.push_back(std::move(rule));
    }
    ++report.rules_loaded;
    ++report.by_file[std::string(origin)].loaded;
  } catch (const RuleSkipped& e) {
    RuleDiagnostic d;
    d.file = std::string(origin);
    d.line = line;
    d.column = 1;
    d.sid = peekSid(text);
    d.reason = "requires";
    d.message = e.what();
    ++report.rules_skipped;
    report.skipped.push_back(std::move(d));
  } catch (const RuleParseError& e) {
    RuleDiagnostic d;
    d.file = std::string(origin);
    // Map the offset in the joined text back to the physical line and column.
    d.line = line;
    std::size_t line_offset = 0;
    for (const auto& [offset, physical] : line_starts) {
      if (offset <= e.offset()) {
        d.line = physical;
        line_offset = offset;
      }
    }
    d.column = static_cast<std::uint32_t>(e.offset() - line_offset + 1);
    d.sid = peekSid(text);
    d.reason = e.reason();
    d.message = e.what();
    reject(std::move(d), origin);
  }
}

void RulesetLoader::resolveDatasets(Rule& rule) {
  for (BufferInspection& insp : rule.inspections) {
    for (InspectItem& item : insp.items) {
      auto* d = std::get_if<DatasetMatch>(&item);
      if (d == nullptr) continue;
      try {
        d->set = ruleset_.datasets->resolve(*d, rule.file);
      } catch (const DatasetError& e) {
        // Suricata's message as it is (the harness and operators compare them); it names the set.
        throw RuleParseError(d->offset, d->op == DatasetMatch::Op::Reputation ? "datarep" : "dataset", e.what());
      }
    }
  }
}

void RulesetLoader::reject(RuleDiagnostic diagnostic, std::string_view /*origin*/) {
  ++ruleset_.report.by_reason[diagnostic.reason];
  ruleset_.report.errors.push_back(std::move(diagnostic));
}

}  // namespace gsoc::signatures
