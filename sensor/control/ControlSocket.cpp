#include "sensor/control/ControlSocket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gsoc::sensor {
namespace {

constexpr int kPollMs = 200;           // how often the thread looks at the stop flag
constexpr std::size_t kMaxLine = 4096;  // a longer command is refused, not buffered

std::runtime_error failure(const std::string& path, const char* what) {
  return std::runtime_error("control socket " + path + ": " + what + ": " + std::strerror(errno));
}

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

ControlSocket::ControlSocket(std::string path, Handler handler) : path_(std::move(path)), handler_(std::move(handler)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof addr.sun_path) {
    throw std::runtime_error("control socket '" + path_ + "': the path must be 1 to " + std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw failure(path_, "socket");
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path_.c_str());  // a previous run's
  if (::bind(listener_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::chmod(path_.c_str(), 0660) != 0 ||
      ::listen(listener_, 4) != 0) {
    const auto error = failure(path_, "cannot listen");
    ::close(listener_);
    throw error;
  }
  thread_ = std::thread([this] { serve(); });
}

ControlSocket::~ControlSocket() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  ::unlink(path_.c_str());
}

void ControlSocket::serve() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    converse(client);
    ::close(client);
  }
}

// Answers the client's lines until it closes, goes quiet for a while, or the sensor stops.
void ControlSocket::converse(int client) {
  std::string pending;
  int idle_polls = 0;
  char buffer[1024];
  while (!stop_ && idle_polls < 25) {  // 5 s without a byte: the client is gone
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) {
      ++idle_polls;
      continue;
    }
    idle_polls = 0;
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t eol = 0;
    while ((eol = pending.find('\n')) != std::string::npos) {
      std::string_view line(pending.data(), eol);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string reply;
      try {
        reply = handler_(line);
      } catch (const std::exception& e) {
        reply = std::string("error: ") + e.what();
      }
      if (!sendAll(client, reply + "\n")) return;
      pending.erase(0, eol + 1);
    }
    if (pending.size() > kMaxLine) {
      sendAll(client, "error: command longer than 4096 bytes\n");
      return;
    }
  }
}

}  // namespace gsoc::sensor
