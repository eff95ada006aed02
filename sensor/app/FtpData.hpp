#pragma once
// FTP data connections (Suricata's ftp-data). A RETR or STOR on the control channel, after a
// PORT/EPRT (active) or a PASV/EPSV reply (passive) named the data port, makes the app layer
// expect a connection between the same two hosts to that port (FtpDataExpectations). The
// connection that comes is ftp-data: one transaction carrying one file, the command's file name,
// in one direction: the client's upload or the server's download, which is the data flow's
// to_client when the server connects (active STOR) or answers (passive RETR), else to_server.

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "sensor/app/FtpParser.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// The data direction of a transfer within its data connection (see above).
signatures::FlowDirection ftpDataDirection(const FtpTransfer& transfer);

// Transfers waiting for their data connection, a fixed ring per worker: the oldest is dropped
// when a control channel sets up more than kMax without their connections coming.
class FtpDataExpectations {
 public:
  static constexpr std::size_t kMax = 64;
  // `transfer` was set up on `control`: its strings are taken (swapped) into the table.
  void expect(const Flow& control, FtpTransfer& transfer);
  // A new TCP flow between the control channel's hosts to the expected port: the transfer it
  // carries, taken out of the table (swapped into `out`). False when none matches.
  bool claim(const Flow& flow, FtpTransfer& out);
  [[nodiscard]] bool empty() const { return live_ == 0; }

 private:
  struct Entry {
    bool used = false;
    IpAddress a;
    IpAddress b;
    FtpTransfer transfer;
  };
  std::array<Entry, kMax> entries_{};
  std::size_t next_ = 0;
  std::size_t live_ = 0;
};

class FtpDataState final : public AppState {
 public:
  // The bytes kept for file_data (Suricata inspects a file's start, within its depth); the size
  // counts every byte.
  static constexpr std::size_t kMaxFileBytes = 1 << 20;

  void start(FtpTransfer& transfer);
  // Bytes of the data connection: the file's when they go its way, ignored otherwise.
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  [[nodiscard]] const FtpTransfer& transfer() const { return transfer_; }
  [[nodiscard]] signatures::FlowDirection direction() const { return direction_; }
  [[nodiscard]] std::string_view data() const { return data_; }
  [[nodiscard]] std::uint64_t size() const { return size_; }
  [[nodiscard]] bool truncated() const { return size_ > data_.size() || depth_reached_; }
  // The file store's stream depth (Suricata's file-store stream-depth, which becomes the stored
  // flow's reassembly depth): the file takes whole chunks of the stream while they end within
  // the first `depth` bytes; the one that crosses it and all after are dropped, the file
  // TRUNCATED. 0: no limit.
  void limitToDepth(std::uint64_t depth) { depth_ = depth; }
  // ftpdata_command's byte (1 RETR, 2 STOR), viewed by the app layer's buffer.
  [[nodiscard]] const std::uint8_t& commandByte() const { return command_byte_; }
  bool finished = false;  // inspected and logged
  // The file's hashes (lower-case hex; empty when not hashed or truncated) and whether it was
  // written to the file store, set when the connection ends.
  std::string md5, sha256;
  bool stored = false;
  void reset();

 private:
  FtpTransfer transfer_;
  signatures::FlowDirection direction_ = signatures::FlowDirection::ToServer;
  std::uint8_t command_byte_ = 0;
  std::string data_;
  std::uint64_t size_ = 0;
  std::uint64_t depth_ = 0;
  bool depth_reached_ = false;
};

}  // namespace gsoc::sensor
