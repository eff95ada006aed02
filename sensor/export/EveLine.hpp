#pragma once
// EveLine: EVE records being formatted, appended to a string with std::ostream's `<<` for the
// kinds of value EVE writes (text, characters, integers, printed as an ostream prints them) but
// without an ostream's sentry, locale and virtual calls per insertion: with those, formatting was
// a fifth of a sensor run with EVE on (issue 17).

#include <charconv>
#include <concepts>
#include <ios>
#include <string>
#include <string_view>
#include <type_traits>

namespace gsoc::sensor {

class EveLine {
 public:
  explicit EveLine(std::string& text) : text_(text) {}

  EveLine& operator<<(std::string_view s) {
    text_.append(s);
    return *this;
  }
  EveLine& operator<<(const char* s) {
    text_.append(s);
    return *this;
  }
  // Characters as characters, as an ostream writes them.
  EveLine& operator<<(char c) {
    text_.push_back(c);
    return *this;
  }
  EveLine& operator<<(unsigned char c) { return *this << static_cast<char>(c); }
  EveLine& operator<<(signed char c) { return *this << static_cast<char>(c); }
  EveLine& operator<<(bool b) { return *this << (b ? '1' : '0'); }
  template <std::integral T>
    requires(!std::is_same_v<T, bool> && !std::is_same_v<T, char> && !std::is_same_v<T, unsigned char> &&
             !std::is_same_v<T, signed char>)
  EveLine& operator<<(T value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    text_.append(digits, end);
    return *this;
  }
  void write(const char* data, std::streamsize size) { text_.append(data, static_cast<std::size_t>(size)); }

 private:
  std::string& text_;
};

}  // namespace gsoc::sensor
