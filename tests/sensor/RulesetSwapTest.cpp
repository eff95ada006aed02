// RulesetSwap: a reload recompiles the rule files in the background and installs the result
// between packets; a reload asked for while a compile runs is done after it, never dropped (the
// files may have changed again since that compile read them).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sensor/detect/RulesetSwap.hpp"

namespace gsoc::sensor {
namespace {

TEST(RulesetSwap, AReloadAskedForDuringACompileIsDoneAfterIt) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gsoc-ruleset-swap-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path rules = dir / "local.rules";
  std::ofstream(rules) << "alert tcp any any -> any any (msg:\"m\"; content:\"x\"; sid:1;)\n";
  RulesetOptions options;
  options.rules = {rules.string()};
  std::atomic<bool> reload{false};
  RulesetSwap swap(options, gsoc::v1::SensorConfig{}, dir.string(), reload);
  swap.loadInitial();
  ASSERT_NE(swap.active(), nullptr);

  // (The file is not rewritten meanwhile: the compile reads it on its own thread.)
  std::size_t installed = 0;
  const RulesetSwap::Install install = [&](const signatures::CompiledRulesetPtr& fresh) {
    EXPECT_EQ(fresh->rules().size(), 1U);
    ++installed;
  };
  reload = true;
  swap.service(install, nullptr);  // starts a compile
  reload = true;                   // asked again while it runs
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (installed < 2 && std::chrono::steady_clock::now() < deadline) {
    if (swap.due()) swap.service(install, nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(installed, 2U);
  EXPECT_FALSE(reload.load());
  EXPECT_FALSE(swap.due());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gsoc::sensor
