#pragma once
// WebConsole: the central team's web console as one piece the collector owns: sign-in sessions,
// the JSON views over the store, the routes and the HTTPS server, built in that order and torn
// down in reverse (the server stops before what it serves goes away).

#include <cstdint>
#include <filesystem>
#include <string>

#include "collector/web/ConsoleRoutes.hpp"
#include "collector/web/ConsoleViews.hpp"
#include "collector/web/StaticFiles.hpp"
#include "collector/web/WebServer.hpp"
#include "collector/web/WebSessions.hpp"

namespace gsoc::collector {

class WebConsole {
 public:
  using Clock = std::function<std::int64_t()>;
  struct Options {
    WebServer::Options server;
    std::filesystem::path root;      // the pages (web_root)
    std::uint32_t silence_s = 300;   // a sensor is stale after this (sensor_silence_timeout_s)
  };
  // Throws std::runtime_error naming the key (web_address, web_root) when it cannot start.
  WebConsole(const Options& options, EventStore& store, PublicationFeed& feed, Clock clock, ConsoleRoutes::Revoked revoked,
             ConsoleRoutes::Actions actions);
  WebSessions& sessions() { return sessions_; }
  [[nodiscard]] std::string boundAddress() const { return server_.boundAddress(); }

 private:
  WebSessions sessions_;
  ConsoleViews views_;
  ConsoleRoutes routes_;
  WebServer server_;
};

}  // namespace gsoc::collector
