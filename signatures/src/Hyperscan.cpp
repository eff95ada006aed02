#include "gsoc/signatures/Hyperscan.hpp"

namespace gsoc::signatures::hs {
namespace {

std::string compileErrorText(hs_compile_error_t* error, const std::vector<Pattern>& patterns) {
  std::string message = error->message;
  if (error->expression >= 0 && static_cast<std::size_t>(error->expression) < patterns.size()) {
    message += " (pattern id " + std::to_string(patterns[static_cast<std::size_t>(error->expression)].id) + ")";
  }
  hs_free_compile_error(error);
  return message;
}

}  // namespace

DatabasePtr compileLiterals(const std::vector<Pattern>& patterns) {
  std::vector<const char*> expressions;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> flags, ids;
  for (const Pattern& p : patterns) {
    expressions.push_back(p.expression.data());
    lengths.push_back(p.expression.size());
    flags.push_back(p.flags);
    ids.push_back(p.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    throw HyperscanError("literal database: " + compileErrorText(error, patterns));
  }
  return DatabasePtr(db);
}

DatabasePtr compileRegexes(const std::vector<Pattern>& patterns) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags, ids;
  for (const Pattern& p : patterns) {
    expressions.push_back(p.expression.c_str());
    flags.push_back(p.flags);
    ids.push_back(p.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(patterns.size()),
                       HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    throw HyperscanError("regex database: " + compileErrorText(error, patterns));
  }
  return DatabasePtr(db);
}

std::string tryCompileRegex(const std::string& expression, unsigned flags) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile(expression.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    std::string message = error->message;
    hs_free_compile_error(error);
    return message;
  }
  hs_free_database(db);
  return {};
}

std::string serialize(const hs_database_t& db) {
  char* bytes = nullptr;
  std::size_t length = 0;
  if (hs_serialize_database(&db, &bytes, &length) != HS_SUCCESS) throw HyperscanError("cannot serialize database");
  std::string out(bytes, length);
  std::free(bytes);
  return out;
}

DatabasePtr deserialize(std::string_view bytes) {
  hs_database_t* db = nullptr;
  const hs_error_t rc = hs_deserialize_database(bytes.data(), bytes.size(), &db);
  if (rc == HS_SUCCESS) return DatabasePtr(db);
  if (rc == HS_DB_PLATFORM_ERROR) {
    char* info = nullptr;
    std::string built_for = "another platform";
    if (hs_serialized_database_info(bytes.data(), bytes.size(), &info) == HS_SUCCESS) {
      built_for = info;
      std::free(info);
    }
    throw HyperscanError("compiled database was built for " + built_for + "; this CPU (" +
                         describeCpuFeatures(hostPlatform().cpu_features) + ") cannot run it");
  }
  if (rc == HS_DB_VERSION_ERROR) throw HyperscanError("compiled database was built by another Hyperscan version");
  throw HyperscanError("compiled database is corrupt (hs error " + std::to_string(rc) + ")");
}

std::size_t databaseSize(const hs_database_t& db) {
  std::size_t size = 0;
  hs_database_size(&db, &size);
  return size;
}

void ensureScratch(ScratchPtr& scratch, const hs_database_t& db) {
  hs_scratch_t* raw = scratch.release();
  if (hs_alloc_scratch(&db, &raw) != HS_SUCCESS) throw HyperscanError("cannot allocate scratch space");
  scratch.reset(raw);
}

ScratchPtr cloneScratch(const hs_scratch_t& prototype) {
  hs_scratch_t* out = nullptr;
  if (hs_clone_scratch(&prototype, &out) != HS_SUCCESS) throw HyperscanError("cannot clone scratch space");
  return ScratchPtr(out);
}

void checkPlatform() {
  if (hs_valid_platform() != HS_SUCCESS) {
    throw HyperscanError("this CPU lacks SSSE3, which Hyperscan requires; gsoc cannot match on it");
  }
}

hs_platform_info_t hostPlatform() {
  hs_platform_info_t info{};
  hs_populate_platform(&info);
  return info;
}

std::string describeCpuFeatures(unsigned long long features) {
  std::string out;
  auto add = [&](unsigned long long bit, const char* name) {
    if (features & bit) out += out.empty() ? name : std::string(" ") + name;
  };
  add(HS_CPU_FEATURES_AVX2, "AVX2");
  add(HS_CPU_FEATURES_AVX512, "AVX512");
  add(HS_CPU_FEATURES_AVX512VBMI, "AVX512VBMI");
  return out.empty() ? "SSSE3 baseline" : out;
}

std::string version() { return hs_version(); }

}  // namespace gsoc::signatures::hs
