#pragma once
// ControlSocket: the sensor's operator interface on a Unix stream socket (config key
// `control_socket`). One command per line, one reply line each; `gsoc-sensor` answers
//   version   the active ruleset version
//   stats     packets, bytes, alerts and drops so far
//   reload    recompile the rules in the background and swap them in, as SIGHUP does
//   help      the commands
// e.g. `echo stats | socat - UNIX-CONNECT:/run/gsoc/sensor.sock`. The socket file is created
// with mode 0660 (replacing a stale one) and removed on destruction. Commands are served by one
// thread, one client at a time; the handler runs on that thread and must be thread-safe.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace gsoc::sensor {

class ControlSocket {
 public:
  // Returns the reply (without the newline) to a command line (without it).
  using Handler = std::function<std::string(std::string_view command)>;

  // Throws std::runtime_error naming the path when it cannot listen.
  ControlSocket(std::string path, Handler handler);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void serve();
  void converse(int client);

  std::string path_;
  Handler handler_;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace gsoc::sensor
