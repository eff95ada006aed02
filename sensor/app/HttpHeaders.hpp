#pragma once
// An HTTP message's header fields, in order, as (name, value) pairs. clear() keeps the strings
// it held, so a message reused from a FreeList parses its next headers into the capacity the
// last ones grew (no allocation per header once warm); a copy holds only the live fields.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gsoc::sensor {

class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;
  using iterator = std::vector<Field>::iterator;
  using const_iterator = std::vector<Field>::const_iterator;

  HttpHeaders() = default;
  HttpHeaders(const HttpHeaders& other) : fields_(other.begin(), other.end()), size_(other.size_) {}
  HttpHeaders& operator=(const HttpHeaders& other) {
    if (this != &other) {
      clear();
      for (const Field& f : other) emplace_back(f.first, f.second);
    }
    return *this;
  }
  HttpHeaders(HttpHeaders&& other) noexcept : fields_(std::move(other.fields_)), size_(std::exchange(other.size_, 0)) {}
  HttpHeaders& operator=(HttpHeaders&& other) noexcept {
    fields_ = std::move(other.fields_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~HttpHeaders() = default;

  Field& emplace_back(std::string_view name, std::string_view value) {
    if (size_ == fields_.size()) fields_.emplace_back();
    Field& f = fields_[size_++];
    f.first.assign(name);
    f.second.assign(value);
    return f;
  }
  // HTTP/2's :authority becomes the first field, Host.
  void emplace_front(std::string_view name, std::string_view value) {
    emplace_back(name, value);
    std::rotate(fields_.begin(), fields_.begin() + static_cast<std::ptrdiff_t>(size_ - 1), fields_.begin() + static_cast<std::ptrdiff_t>(size_));
  }
  // Forgets the fields, keeping their strings for the next ones.
  void clear() { size_ = 0; }

  [[nodiscard]] iterator begin() { return fields_.begin(); }
  [[nodiscard]] iterator end() { return fields_.begin() + static_cast<std::ptrdiff_t>(size_); }
  [[nodiscard]] const_iterator begin() const { return fields_.begin(); }
  [[nodiscard]] const_iterator end() const { return fields_.begin() + static_cast<std::ptrdiff_t>(size_); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] Field& back() { return fields_[size_ - 1]; }
  [[nodiscard]] const Field& back() const { return fields_[size_ - 1]; }
  [[nodiscard]] Field& operator[](std::size_t i) { return fields_[i]; }
  [[nodiscard]] const Field& operator[](std::size_t i) const { return fields_[i]; }

 private:
  std::vector<Field> fields_;  // [0, size_) live; the rest kept for reuse
  std::size_t size_ = 0;
};

}  // namespace gsoc::sensor
