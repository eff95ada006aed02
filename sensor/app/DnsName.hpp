#pragma once
// A domain name (or an answer's text) as DNS bounds it: at most 255 bytes, held inline, so
// parsing a message into a reused DnsMessage allocates nothing. Reads as a string_view.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gsoc::sensor {

class DnsName {
 public:
  static constexpr std::size_t kCapacity = 255;

  DnsName() = default;
  explicit DnsName(std::string_view s) { assign(s); }

  // False (and the name unchanged) when the bytes would not fit.
  bool append(std::string_view s) {
    if (s.size() > kCapacity - size_) return false;
    s.copy(bytes_.data() + size_, s.size());
    size_ = static_cast<std::uint8_t>(size_ + s.size());
    return true;
  }
  bool push_back(char c) { return append(std::string_view(&c, 1)); }
  bool assign(std::string_view s) {
    clear();
    return append(s);
  }
  void clear() { size_ = 0; }

  [[nodiscard]] std::string_view view() const { return {bytes_.data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  friend bool operator==(const DnsName& a, std::string_view b) { return a.view() == b; }

 private:
  std::array<char, kCapacity> bytes_{};
  std::uint8_t size_ = 0;
};

}  // namespace gsoc::sensor
