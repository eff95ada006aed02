#include "gsoc/signatures/RuleCompiler.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "gsoc/signatures/Sha256.hpp"
#include "gsoc/v1/bundle.pb.h"

namespace gsoc::signatures {

namespace {
constexpr const char* kCompilerVersion = "gsoc-rule-compiler/2";

std::string_view directionName(FlowDirection dir) {
  switch (dir) {
    case FlowDirection::Any: return "any";
    case FlowDirection::ToServer: return "to_server";
    case FlowDirection::ToClient: return "to_client";
  }
  return "any";
}

struct FastPattern {
  BufferId buffer;
  std::string literal;  // what the raw buffer must contain
  bool nocase;
  bool explicit_choice;
};

// The literal a content guarantees in the raw (untransformed) buffer, and whether it holds there
// only caselessly. The prefilter databases scan raw buffers, so a content after a transform is a
// fast pattern only when the transform chain keeps it a substring of the raw value:
// - dotprefix inspects "." + raw: a leading '.' may be the prepended one, so it is dropped;
// - to_lowercase / to_uppercase / header_lowercase change case only: the literal, caseless.
// Any other transform (whitespace, url_decode, digests, xor, pcrexform...) can turn the raw
// bytes into anything, so its contents are not fast patterns: the rule is prefiltered on another
// buffer's content when it has one, and otherwise is an unprefiltered candidate of its group and
// is verified by applying the chain. The alternative, Hyperscan databases over transformed
// buffers, would apply every chain of the ruleset to every input before the scan; a few rules
// verified per input (ET Open has none but dotprefix) cost far less than that.
std::optional<std::pair<std::string, bool>> rawLiteral(const BufferInspection& insp, const ContentMatch& c) {
  std::string literal = c.pattern;
  if (c.fast_pattern_chop) literal = literal.substr(c.fast_pattern_chop->first, c.fast_pattern_chop->second);
  bool nocase = c.nocase;
  bool dotprefix = false;
  for (const Transform& t : insp.transforms) {
    switch (t.kind) {
      case Transform::Kind::DotPrefix: dotprefix = true; break;
      case Transform::Kind::ToLowercase:
      case Transform::Kind::ToUppercase:
      case Transform::Kind::HeaderLowercase: nocase = true; break;
      default: return std::nullopt;
    }
  }
  if (dotprefix && !literal.empty() && literal.front() == '.' && (!c.fast_pattern_chop || c.fast_pattern_chop->first == 0)) {
    literal.erase(0, 1);
  }
  return std::make_pair(std::move(literal), nocase);
}

// Buffers whose values come from a tiny vocabulary ("GET", "200", "HTTP/1.1"): a content there
// matches nearly every transaction, so it is the fast pattern only when nothing else is.
bool lowSelectivity(BufferId buffer) {
  return buffer == BufferId::HttpMethod || buffer == BufferId::HttpStatCode || buffer == BufferId::HttpProtocol ||
         buffer == BufferId::HttpContentLen;
}

// A rule that mixes the payload with app-layer buffers matches only in transactions, where the
// payload is not scanned: its prefilter must be on an app-layer buffer.
bool prefilterable(const Rule& rule, BufferId buffer) {
  return buffer != BufferId::Payload || !rule.inspects_app_buffer;
}

// Explicit fast_pattern wins; otherwise the longest positive content outside low-selectivity
// buffers, then the longest anywhere (first on ties).
std::optional<FastPattern> chooseFastPattern(const Rule& rule) {
  std::optional<FastPattern> best;
  bool best_low = true;
  for (const BufferInspection& insp : rule.inspections) {
    // A buffer that may be absent cannot be what every match of the rule contains.
    if (!prefilterable(rule, insp.buffer) || insp.absent != BufferInspection::Absent::No) continue;
    for (const InspectItem& item : insp.items) {
      const auto* c = std::get_if<ContentMatch>(&item);
      if (c == nullptr || c->negated) continue;
      auto raw = rawLiteral(insp, *c);
      if (!raw || raw->first.empty()) continue;
      auto& [literal, nocase] = *raw;
      if (c->fast_pattern) return FastPattern{insp.buffer, std::move(literal), nocase, true};
      const bool low = lowSelectivity(insp.buffer);
      const bool better = !best || (best_low && !low) || (low == best_low && literal.size() > best->literal.size());
      if (better) {
        best = FastPattern{insp.buffer, std::move(literal), nocase, false};
        best_low = low;
      }
    }
  }
  return best;
}

struct PendingGroup {
  std::vector<hs::Pattern> literals;
  std::vector<hs::Pattern> regexes;
};

std::string groupName(std::size_t pc, std::size_t dir, std::size_t slot) {
  const std::string buffer = slot == CompiledRuleset::kPacketPayloadSlot ? std::string("payload.packet")
                                                                         : std::string(bufferName(static_cast<BufferId>(slot)));
  return protoClassName(pc) + "/" + std::string(directionName(static_cast<FlowDirection>(dir))) + "/" + buffer;
}

// The group slot of a prefilter on `buffer`: packet-only payload rules get their own.
std::size_t slotOf(const Rule& rule, BufferId buffer) {
  if (buffer == BufferId::Payload && (rule.packet_only || rule.flow.no_stream)) return CompiledRuleset::kPacketPayloadSlot;
  return index(buffer);
}

std::string cacheFileName(const std::string& hash) {
  const hs_platform_info_t platform = hs::hostPlatform();
  std::ostringstream name;
  name << hash.substr(0, 32) << "-hs" << hs::version().substr(0, hs::version().find(' ')) << "-cpu" << std::hex
       << platform.cpu_features << "-t" << platform.tune << ".gsocdb";
  return name.str();
}

std::map<std::string, std::string> readCache(const std::filesystem::path& path, std::string& note) {
  std::map<std::string, std::string> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // a cold compile; the entry is written afterwards
  gsoc::v1::SignatureBundle cached;
  if (!cached.ParseFromIstream(&in)) {
    note = "cache file " + path.string() + " is corrupt; recompiling";
    return out;
  }
  for (const auto& db : cached.databases()) out.emplace(db.group(), db.serialized());
  return out;
}

void writeCache(const std::filesystem::path& path, const CompiledRuleset& compiled, std::string& note) {
  gsoc::v1::SignatureBundle cached;
  cached.set_format("gsoc-cache/1");
  cached.set_ruleset_sha256(compiled.hash());
  compiled.serializeDatabases(cached);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !cached.SerializeToOstream(&out)) {
      note += (note.empty() ? "" : "; ") + std::string("cannot write cache ") + tmp.string();
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) note += (note.empty() ? "" : "; ") + std::string("cannot write cache: ") + ec.message();
  else note += (note.empty() ? "" : "; ") + std::string("wrote ") + path.filename().string();
}

}  // namespace

std::size_t protoClassOf(Transport transport) { return static_cast<std::size_t>(transport); }
std::size_t protoClassOf(AppProto app) { return kTransportClassCount + static_cast<std::size_t>(app); }

std::string protoClassName(std::size_t pc) {
  static constexpr const char* kTransport[kTransportClassCount] = {"ip", "tcp", "udp", "icmp", "sctp"};
  if (pc < kTransportClassCount) return kTransport[pc];
  return std::string(appProtoName(static_cast<AppProto>(pc - kTransportClassCount)));
}

std::vector<std::pair<std::string, const hs_database_t*>> CompiledRuleset::databases() const {
  std::vector<std::pair<std::string, const hs_database_t*>> out;
  for (const auto& [name, db] : databases_) out.emplace_back(name, db.get());
  return out;
}

void CompiledRuleset::serializeDatabases(gsoc::v1::SignatureBundle& out) const {
  out.set_database_key(database_key_);
  out.set_hyperscan_version(hs::version());
  const hs_platform_info_t platform = hs::hostPlatform();
  out.mutable_platform()->set_cpu_features(platform.cpu_features);
  out.mutable_platform()->set_tune(platform.tune);
  for (const auto& [name, db] : databases()) {
    auto* entry = out.add_databases();
    entry->set_group(name);
    entry->set_serialized(hs::serialize(*db));
  }
}

std::string RuleCompiler::rulesetHash(const Ruleset& ruleset) {
  Sha256 sha;
  sha.update(kCompilerVersion).update("\n").update(hs::version()).update("\n");
  for (const auto& [name, value] : ruleset.variables.addressGroups()) sha.update(name).update("=").update(value).update("\n");
  for (const auto& [name, value] : ruleset.variables.portGroups()) sha.update(name).update("=").update(value).update("\n");
  for (const Rule& rule : ruleset.rules) sha.update(rule.text).update("\n");
  return sha.hexDigest();
}

CompiledRulesetPtr RuleCompiler::compile(Ruleset ruleset, IndicatorSet indicators) const {
  hs::checkPlatform();
  const auto started = std::chrono::steady_clock::now();
  auto out = std::make_shared<CompiledRuleset>();
  out->hash_ = rulesetHash(ruleset);
  out->version_ = options_.version.empty() ? out->hash_.substr(0, 12) : options_.version;
  out->source_ = std::move(ruleset);
  std::vector<Rule>& rules = out->source_.rules;
  CompileStats& stats = out->stats_;

  // Flowbit names -> dense ids; verification order puts setters before readers.
  std::map<std::string, std::uint32_t> flowbit_ids;
  std::map<std::string, std::uint32_t> flowint_ids;
  std::map<std::string, std::uint32_t> hostbit_ids;
  auto flowintId = [&](const std::string& name) {
    return flowint_ids.try_emplace(name, static_cast<std::uint32_t>(flowint_ids.size())).first->second;
  };
  out->order_.resize(rules.size());
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    for (HostbitOp& op : rules[i].hostbits) {
      op.id = hostbit_ids.try_emplace(op.name, static_cast<std::uint32_t>(hostbit_ids.size())).first->second;
    }
    for (FlowintOp& op : rules[i].flowints) {
      op.id = flowintId(op.name);
      if (!op.value_name.empty()) op.value_id = flowintId(op.value_name);
    }
    for (FlowbitOp& op : rules[i].flowbits) {
      op.ids.clear();
      for (const std::string& name : op.names) {
        const auto [it, inserted] = flowbit_ids.try_emplace(name, static_cast<std::uint32_t>(flowbit_ids.size()));
        if (inserted) out->flowbit_names_.push_back(name);
        op.ids.push_back(it->second);
      }
    }
    const bool checks = rules[i].checksFlowbits();
    const bool changes = rules[i].changesFlowbits();
    const std::uint32_t rank = checks ? (changes ? 1 : 2) : 0;
    out->order_[i] = rank << 28 | i;
  }

  // Group every rule by its prefilter.
  constexpr std::size_t kSlots = CompiledRuleset::kGroupSlots;
  std::vector<PendingGroup> pending(kProtoClassCount * kDirectionCount * kSlots);
  auto slot = [](std::size_t pc, std::size_t dir, std::size_t b) { return (pc * kDirectionCount + dir) * kSlots + b; };
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    Rule& rule = rules[i];
    const std::size_t pc = rule.app != AppProto::None ? protoClassOf(rule.app) : protoClassOf(rule.transport);
    const auto dir = static_cast<std::size_t>(rule.flow.direction);
    // Event rules wait for their event, whatever else they inspect: events are rare, contents
    // are not. A rule naming an event gsoc never raises is placed nowhere (it cannot match).
    if (!rule.events.empty() || rule.names_unraised_event) {
      if (!rule.names_unraised_event) out->event_rules_[static_cast<std::size_t>(rule.events.front())].push_back(i);
      ++stats.event_rules;
      continue;
    }
    if (auto fp = chooseFastPattern(rule)) {
      const unsigned flags = HS_FLAG_SINGLEMATCH | (fp->nocase ? HS_FLAG_CASELESS : 0u);
      pending[slot(pc, dir, slotOf(rule, fp->buffer))].literals.push_back({std::move(fp->literal), flags, i});
      ++stats.literal_patterns;
      continue;
    }
    // No positive content: prefilter on a pcre that does not depend on a previous match.
    bool placed = false;
    for (BufferInspection& insp : rule.inspections) {
      if (!prefilterable(rule, insp.buffer)) continue;
      for (InspectItem& item : insp.items) {
        auto* p = std::get_if<PcreMatch>(&item);
        if (p == nullptr || p->negated || p->relative || p->dollar_endonly || !insp.transforms.empty()) continue;
        std::string expr = p->source;
        if (p->extended) expr = "(?x)" + expr;
        if (p->anchored) expr = "^(?:" + expr + ")";
        unsigned flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
        if (p->caseless) flags |= HS_FLAG_CASELESS;
        if (p->dotall) flags |= HS_FLAG_DOTALL;
        if (p->multiline) flags |= HS_FLAG_MULTILINE;
        if (hs::tryCompileRegex(expr, flags).empty()) {
          p->confirmed_by_prefilter = insp.items.size() == 1 && !insp.size;
          ++stats.regex_patterns;
        } else if (hs::tryCompileRegex(expr, flags | HS_FLAG_PREFILTER).empty()) {
          flags |= HS_FLAG_PREFILTER;
          ++stats.prefilter_patterns;
        } else {
          continue;
        }
        pending[slot(pc, dir, slotOf(rule, insp.buffer))].regexes.push_back({std::move(expr), flags, i});
        placed = true;
        break;
      }
      if (placed) break;
    }
    if (placed) continue;
    // Index by the narrower address side; with `<>` that side may be either end of the packet.
    // Only rules with no buffer to inspect: they run on packets alone, so stream chunks and
    // transactions skip the index lookups entirely.
    const bool src_narrower = AddressIndex::coverage(rule.src) <= AddressIndex::coverage(rule.dst);
    const AddressSet& side = src_narrower ? rule.src : rule.dst;
    if (AddressIndex::isBroad(side) || !rule.inspections.empty() || rule.hasTransactionFacts()) {
      out->unprefiltered_[pc][dir].push_back(i);
      ++stats.unprefiltered_rules;
      continue;
    }
    if (src_narrower || rule.bidirectional) out->source_index_[pc][dir].add(side, i);
    if (!src_narrower || rule.bidirectional) out->destination_index_[pc][dir].add(side, i);
    ++stats.address_indexed_rules;
  }
  for (auto& per_dir : out->source_index_) for (AddressIndex& index : per_dir) index.build();
  for (auto& per_dir : out->destination_index_) for (AddressIndex& index : per_dir) index.build();

  // The database key: every pattern of every group, as laid out above.
  Sha256 key;
  key.update(kCompilerVersion).update("\n").update(hs::version()).update("\n");
  for (std::size_t i = 0; i < pending.size(); ++i) {
    for (const auto* list : {&pending[i].literals, &pending[i].regexes}) {
      for (const hs::Pattern& p : *list) {
        key.update(std::to_string(i)).update(":").update(std::to_string(p.id)).update(":").update(std::to_string(p.flags));
        key.update(":").update(std::to_string(p.expression.size())).update(":").update(p.expression).update("\n");
      }
    }
  }
  out->database_key_ = key.hexDigest();

  // Build (or load) the databases.
  std::map<std::string, std::string> available;
  if (!options_.precompiled.empty()) {
    if (options_.precompiled_key == out->database_key_) {
      available = options_.precompiled;
    } else {
      stats.cache_note = "shipped databases were laid out by another compiler version; recompiling";
    }
  }
  std::filesystem::path cache_path;
  if (!options_.cache_dir.empty() && available.empty()) {
    cache_path = options_.cache_dir / cacheFileName(out->database_key_);
    available = readCache(cache_path, stats.cache_note);
  }
  bool compiled_any = false;
  std::map<std::string, hs::SharedDatabase> built;  // by name: identical unions share a database
  auto build = [&](const std::string& name, const std::vector<hs::Pattern>& patterns, bool literal) -> hs::SharedDatabase {
    if (patterns.empty()) return nullptr;
    if (const auto it = built.find(name); it != built.end()) return it->second;
    hs::SharedDatabase db;
    if (const auto it = available.find(name); it != available.end()) {
      try {
        db = hs::SharedDatabase(hs::deserialize(it->second).release(), hs::DatabaseDeleter{});
        ++stats.groups_from_cache;
      } catch (const hs::HyperscanError& e) {
        stats.cache_note = name + ": " + e.what() + "; recompiling";
      }
    }
    if (!db) {
      compiled_any = true;
      db = hs::SharedDatabase((literal ? hs::compileLiterals(patterns) : hs::compileRegexes(patterns)).release(), hs::DatabaseDeleter{});
    }
    built.emplace(name, db);
    out->databases_.emplace_back(name, db);
    return db;
  };
  // Merged scan groups: for each (transport, app, direction, slot) the union of the groups an
  // input of that kind must be scanned against.
  std::vector<hs::Pattern> literals, regexes;
  for (std::size_t t = 0; t < kTransportClassCount; ++t) {
    for (std::size_t a = 0; a < kAppProtoCount; ++a) {
      if (!CompiledRuleset::appValidOn(static_cast<Transport>(t), static_cast<AppProto>(a))) continue;
      std::vector<std::size_t> classes = {protoClassOf(Transport::Any)};
      if (t != 0) classes.push_back(t);
      if (a != 0) classes.push_back(protoClassOf(static_cast<AppProto>(a)));
      if (a != 0) {
        const AlsoMatchingApps also = alsoMatchingApps(static_cast<AppProto>(a));  // appProtoMatches
        for (std::size_t i = 0; i < also.count; ++i) classes.push_back(protoClassOf(also.apps[i]));
      }
      for (std::size_t d = 0; d < 2; ++d) {
        const std::size_t dirs[2] = {static_cast<std::size_t>(FlowDirection::Any),
                                     static_cast<std::size_t>(d == 0 ? FlowDirection::ToServer : FlowDirection::ToClient)};
        for (std::size_t b = 0; b < kSlots; ++b) {
          literals.clear();
          regexes.clear();
          std::string name;
          for (const std::size_t pc : classes) {
            for (const std::size_t dir : dirs) {
              const PendingGroup& p = pending[slot(pc, dir, b)];
              if (p.literals.empty() && p.regexes.empty()) continue;
              name += (name.empty() ? "" : "+") + groupName(pc, dir, b);
              literals.insert(literals.end(), p.literals.begin(), p.literals.end());
              regexes.insert(regexes.end(), p.regexes.begin(), p.regexes.end());
            }
          }
          GroupDatabases& g = out->scan_groups_[t][a][d][b];
          g.literals = build(name + "/literal", literals, true);
          g.regexes = build(name + "/regex", regexes, false);
        }
      }
    }
  }
  for (const auto& [name, db] : out->databases()) {
    ++stats.databases;
    stats.database_bytes += hs::databaseSize(*db);
  }
  stats.cache_hit = !compiled_any && stats.databases > 0 && stats.groups_from_cache == stats.databases;
  if (!cache_path.empty() && compiled_any) writeCache(cache_path, *out, stats.cache_note);

  out->indicators_ = std::make_unique<IndicatorMatcher>(std::move(indicators));
  out->needs_file_hashes_ = out->indicators_->hasHashes() || std::any_of(out->rules().begin(), out->rules().end(), [](const Rule& r) {
    return r.filestore || std::any_of(r.inspections.begin(), r.inspections.end(), [](const BufferInspection& i) {
             return i.buffer == BufferId::FileMd5 || i.buffer == BufferId::FileSha256;
           });
  });
  stats.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace gsoc::signatures
