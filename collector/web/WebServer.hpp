#pragma once
// WebServer: the web console's HTTPS listener inside gsoc-collector, with the collector's own
// certificate and key. Boost.Beast over Boost.Asio SSL: Boost is already a dependency of the
// build (libboost-dev in scripts/bootstrap), Beast and Asio are header-only, so the console adds
// no package; and Beast is a complete HTTP/1.1 parser with limits, which a console exposed to
// browsers needs more than the scraper's hand-written reader (common/MetricsServer).
// Two threads run every connection as a coroutine; a connection waits at most 30 s for a
// request, at most 128 are open at once, a request is at most 64 KiB. What is answered is
// ConsoleRoutes' business; a live-feed stream (/api/stream) keeps its connection, checks for
// publications every 250 ms and sends a comment every 15 s so a gone browser is noticed.

#include <memory>
#include <string>

#include "collector/web/ConsoleRoutes.hpp"

namespace gsoc::collector {

class WebServer {
 public:
  struct Options {
    std::string address;  // HOST:PORT or [IPv6]:PORT; port 0 picks a free one
    std::string cert_pem;
    std::string key_pem;
  };
  // Binds and starts serving; throws std::runtime_error naming web_address (--web) when the
  // address is malformed or cannot be bound, and the TLS material when it does not load.
  WebServer(const Options& options, ConsoleRoutes& routes);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;
  // HOST:PORT as bound (the port chosen when 0 was asked).
  [[nodiscard]] std::string boundAddress() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gsoc::collector
