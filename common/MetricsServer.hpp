#pragma once
// MetricsServer: a minimal HTTP/1.0 endpoint for Prometheus-style scraping. GET /metrics answers
// the text the render callback returns (exposition format 0.0.4); anything else is 404. One
// thread, one connection at a time, 2 s socket timeouts: a scraper, not a web server.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace gsoc::common {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  // Binds host:port (port 0: any free one); throws std::runtime_error naming the address.
  MetricsServer(const std::string& address, Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  void serve();
  Render render_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gsoc::common
