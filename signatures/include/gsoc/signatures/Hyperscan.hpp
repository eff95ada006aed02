#pragma once
// Thin RAII layer over the Hyperscan C API: owned databases and scratch, literal and regex
// compilation with readable errors, serialization for the cache and bundles, and the platform
// check. Everything else in gsoc talks to Hyperscan through these.

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gsoc::signatures::hs {

struct DatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct ScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using DatabasePtr = std::unique_ptr<hs_database_t, DatabaseDeleter>;
using SharedDatabase = std::shared_ptr<hs_database_t>;  // one database serving several scan groups
using ScratchPtr = std::unique_ptr<hs_scratch_t, ScratchDeleter>;

class HyperscanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Pattern {
  std::string expression;   // literal bytes or regex text
  unsigned flags = 0;
  unsigned id = 0;
};

// Block-mode databases. Throw HyperscanError naming the offending pattern id on failure.
DatabasePtr compileLiterals(const std::vector<Pattern>& patterns);
DatabasePtr compileRegexes(const std::vector<Pattern>& patterns);
// Tries one regex alone; returns the compile error text, empty on success.
std::string tryCompileRegex(const std::string& expression, unsigned flags);

std::string serialize(const hs_database_t& db);
// Throws HyperscanError with a clear message when the bytes were built for another CPU.
DatabasePtr deserialize(std::string_view bytes);
std::size_t databaseSize(const hs_database_t& db);

// Grows `scratch` (or creates it) so it can scan `db`.
void ensureScratch(ScratchPtr& scratch, const hs_database_t& db);
ScratchPtr cloneScratch(const hs_scratch_t& prototype);

// Throws HyperscanError when this CPU cannot run Hyperscan at all (needs SSSE3).
void checkPlatform();
hs_platform_info_t hostPlatform();
std::string describeCpuFeatures(unsigned long long features);
std::string version();

}  // namespace gsoc::signatures::hs
