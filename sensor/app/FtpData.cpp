#include "sensor/app/FtpData.hpp"

#include <algorithm>
#include <utility>

namespace gsoc::sensor {

using signatures::FlowDirection;

FlowDirection ftpDataDirection(const FtpTransfer& transfer) {
  const bool retr = transfer.command == FtpTransfer::Command::Retr;
  // Active: the server opens the data connection; passive: the client does.
  return (transfer.active ? !retr : retr) ? FlowDirection::ToClient : FlowDirection::ToServer;
}

void FtpDataExpectations::expect(const Flow& control, FtpTransfer& transfer) {
  Entry& e = entries_[next_];
  next_ = (next_ + 1) % kMax;
  if (!e.used) ++live_;
  e.used = true;
  e.a = control.client;
  e.b = control.server;
  std::swap(e.transfer, transfer);
}

bool FtpDataExpectations::claim(const Flow& flow, FtpTransfer& out) {
  if (live_ == 0 || flow.ip_proto != 6) return false;
  // The newest first: a port reused by a later transfer is that one's.
  for (std::size_t i = 0; i < kMax; ++i) {
    Entry& e = entries_[(next_ + kMax - 1 - i) % kMax];
    if (!e.used || e.transfer.port != flow.server_port) continue;
    const bool same_hosts = (flow.client == e.a && flow.server == e.b) || (flow.client == e.b && flow.server == e.a);
    if (!same_hosts) continue;
    e.used = false;
    --live_;
    std::swap(out, e.transfer);
    return true;
  }
  return false;
}

void FtpDataState::start(FtpTransfer& transfer) {
  std::swap(transfer_, transfer);
  direction_ = ftpDataDirection(transfer_);
  command_byte_ = static_cast<std::uint8_t>(transfer_.command);
}

void FtpDataState::feed(FlowDirection dir, std::span<const std::uint8_t> data) {
  if (dir != direction_ || finished || depth_reached_) return;
  if (depth_ != 0 && size_ + data.size() > depth_) {
    depth_reached_ = true;
    return;
  }
  size_ += data.size();
  const std::size_t room = kMaxFileBytes - data_.size();
  data_.append(reinterpret_cast<const char*>(data.data()), std::min(room, data.size()));
}

void FtpDataState::reset() {
  transfer_.file_name.clear();
  transfer_.port = 0;
  transfer_.active = false;
  transfer_.command = FtpTransfer::Command::Retr;
  direction_ = FlowDirection::ToServer;
  command_byte_ = 0;
  data_.clear();
  size_ = 0;
  depth_ = 0;
  depth_reached_ = false;
  finished = false;
  md5.clear();
  sha256.clear();
  stored = false;
  events.clear();
}

}  // namespace gsoc::sensor
