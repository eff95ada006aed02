#include "sensor/export/ZeroCounterFilter.hpp"

#include <cctype>
#include <optional>

namespace gsoc::sensor {
namespace {

// A recursive-descent copy of one JSON value that drops zero members. Each parse function
// appends the value's (filtered) text to `out` and returns false on malformed input.
class ZeroFilter {
 public:
  explicit ZeroFilter(std::string_view in) : in_(in) {}

  std::optional<std::string> run() {
    std::string out;
    if (!value(out) || (skipSpace(), pos_ != in_.size())) return std::nullopt;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void skipSpace() {
    while (pos_ < in_.size() && std::isspace(static_cast<unsigned char>(in_[pos_]))) ++pos_;
  }
  bool value(std::string& out) {
    skipSpace();
    if (pos_ >= in_.size()) return false;
    const char c = in_[pos_];
    if (c == '{') return container(out, '{', '}', true);
    if (c == '[') return container(out, '[', ']', false);
    if (c == '"') return string(out);
    const std::size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != ',' && in_[pos_] != '}' && in_[pos_] != ']' &&
           !std::isspace(static_cast<unsigned char>(in_[pos_]))) {
      ++pos_;
    }
    if (pos_ == start) return false;
    out.append(in_.substr(start, pos_ - start));
    return true;
  }
  bool string(std::string& out) {
    const std::size_t start = pos_++;
    while (pos_ < in_.size() && in_[pos_] != '"') pos_ += in_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= in_.size()) return false;
    ++pos_;
    out.append(in_.substr(start, pos_ - start));
    return true;
  }
  static bool isZero(std::string_view v) { return v == "0" || v == "0.0" || v == "-0"; }
  // An object drops members that are zero or empty objects; an array keeps its elements.
  bool container(std::string& out, char open, char close, bool object) {
    if (++depth_ > kMaxDepth) return false;
    ++pos_;
    out.push_back(open);
    bool first = true;
    skipSpace();
    if (pos_ < in_.size() && in_[pos_] == close) {
      ++pos_;
      out.push_back(close);
      --depth_;
      return true;
    }
    while (true) {
      std::string member;
      if (object) {
        skipSpace();
        if (pos_ >= in_.size() || in_[pos_] != '"' || !string(member)) return false;
        skipSpace();
        if (pos_ >= in_.size() || in_[pos_] != ':') return false;
        ++pos_;
        member.push_back(':');
      }
      std::string v;
      if (!value(v)) return false;
      // An "id" names its object (stats' detect engine 0), it counts nothing.
      if (!object || member == "\"id\":" || (!isZero(v) && v != "{}")) {
        if (!first) out.push_back(',');
        out.append(member).append(v);
        first = false;
      }
      skipSpace();
      if (pos_ >= in_.size()) return false;
      if (in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (in_[pos_] != close) return false;
      ++pos_;
      out.push_back(close);
      --depth_;
      return true;
    }
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string withoutZeroCounters(std::string_view json) {
  std::optional<std::string> filtered = ZeroFilter(json).run();
  return filtered ? std::move(*filtered) : std::string(json);
}

}  // namespace gsoc::sensor
