#pragma once
// WebConsole: the central team's web console as one piece the collector owns: sign-in sessions,
// the sensors' events/s history, the JSON views over the store, the routes and the HTTPS server,
// built in that order and torn down in reverse (the server stops before what it serves goes
// away). A sampler thread reads the sensors' stored-event totals every rate_sample_interval into
// the history (the sensors page's sparklines); it stops first.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

#include "collector/web/ConsoleRoutes.hpp"
#include "collector/web/ConsoleViews.hpp"
#include "collector/web/StaticFiles.hpp"
#include "collector/web/WebServer.hpp"
#include "collector/web/SensorRateHistory.hpp"
#include "collector/web/WebSessions.hpp"

namespace gsoc::collector {

class WebConsole {
 public:
  using Clock = std::function<std::int64_t()>;
  struct Options {
    WebServer::Options server;
    std::filesystem::path root;      // the pages (web_root)
    std::uint32_t silence_s = 300;   // a sensor is stale after this (sensor_silence_timeout_s)
    std::chrono::milliseconds rate_sample_interval{10000};  // 0: no sampler (tests sample by hand)
  };
  // Throws std::runtime_error naming the key (web_address, web_root) when it cannot start.
  WebConsole(const Options& options, EventStore& store, PublicationFeed& feed, Clock clock, ConsoleRoutes::Revoked revoked,
             ConsoleRoutes::Actions actions);
  WebSessions& sessions() { return sessions_; }
  SensorRateHistory& rates() { return rates_; }
  [[nodiscard]] std::string boundAddress() const { return server_.boundAddress(); }

 private:
  WebSessions sessions_;
  SensorRateHistory rates_;
  ConsoleViews views_;
  ConsoleRoutes routes_;
  WebServer server_;
  std::jthread sampler_;  // last: stopped and joined before anything it reads goes away
};

}  // namespace gsoc::collector
