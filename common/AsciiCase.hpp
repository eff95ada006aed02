#pragma once
// ASCII case folding for protocol text (HTTP header names, methods, hosts): only A-Z fold, as the
// protocols define it, whatever the process locale, and inline: std::tolower is a library call
// per byte, about 1 % of the sensor's time when every HTTP header lookup went through it.

#include <algorithm>
#include <string_view>

namespace gsoc {

constexpr char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool asciiEqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return x == y || asciiLower(x) == asciiLower(y); });
}

}  // namespace gsoc
