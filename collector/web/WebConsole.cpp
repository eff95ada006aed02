#include "collector/web/WebConsole.hpp"

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stdexcept>

namespace gsoc::collector {
namespace {

StaticFiles checkedRoot(const std::filesystem::path& root) {
  // Checked at start: a console whose pages are missing would only say 404 to the analyst.
  if (!std::filesystem::is_regular_file(root / "feed.html")) {
    throw std::runtime_error("web_root '" + root.string() + "' has no feed.html: point web_root at collector/web/static");
  }
  return StaticFiles(root);
}

}  // namespace

WebConsole::WebConsole(const Options& options, EventStore& store, PublicationFeed& feed, Clock clock, ConsoleRoutes::Revoked revoked,
                       ConsoleRoutes::Actions actions)
    : sessions_(clock),
      views_(store, clock, options.silence_s, &rates_),
      routes_(views_, sessions_, feed, checkedRoot(options.root), std::move(revoked),
              [&store, clock](const std::string& peer, const std::string& analyst, const std::string& reason) {
                SensorIdentity who;  // the refusals table's columns: the peer and, when known, the analyst
                who.peer = peer;
                who.sensor_id = analyst;
                try {
                  store.recordRefusal(clock(), who, "web console: " + reason);
                } catch (const std::exception& e) {
                  std::cerr << "gsoc-collector: web: cannot record the refusal: " << e.what() << "\n";
                }
              },
              std::move(actions)),
      server_(options.server, routes_) {
  if (options.rate_sample_interval.count() <= 0) return;
  sampler_ = std::jthread([this, &store, clock, interval = options.rate_sample_interval](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;  // only the stop request wakes it early
    while (!stop.stop_requested()) {
      try {
        rates_.sample(clock(), store.sensors());
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: web: cannot sample the sensors' event totals: " << e.what() << "\n";
      }
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

}  // namespace gsoc::collector
