#pragma once
// A vector whose clear() keeps its elements for the next fill: next() hands out a kept element
// (with the capacity its strings and vectors grew) before it constructs a new one. Parsers that
// are reused message after message (a mail's recipients and attachments) then allocate nothing
// per element once warm. Readers see only the live elements [0, size()), as with a vector.
//
// next() returns an element as the last fill left it: the caller assigns every field it uses.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace gsoc {

template <typename T>
class ReusingVector {
 public:
  using const_iterator = typename std::vector<T>::const_iterator;

  // The next live element: a kept one (to be overwritten) or a new one.
  T& next() {
    if (size_ == elements_.size()) elements_.emplace_back();
    return elements_[size_++];
  }
  // Moves the last live element to the front, the others one place on (a list kept newest
  // first); elements are swapped, not copied.
  void moveBackToFront() {
    if (size_ > 1) std::rotate(elements_.begin(), elements_.begin() + static_cast<std::ptrdiff_t>(size_ - 1), elements_.begin() + static_cast<std::ptrdiff_t>(size_));
  }
  // Forgets the live elements, keeping them for next().
  void clear() { size_ = 0; }
  // Frees the kept elements too (a pooled owner lets go of what one large fill grew).
  void release() {
    elements_.clear();
    elements_.shrink_to_fit();
    size_ = 0;
  }

  [[nodiscard]] const_iterator begin() const { return elements_.begin(); }
  [[nodiscard]] const_iterator end() const { return elements_.begin() + static_cast<std::ptrdiff_t>(size_); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t kept() const { return elements_.size(); }
  [[nodiscard]] const T& operator[](std::size_t i) const { return elements_[i]; }
  [[nodiscard]] const T& front() const { return elements_.front(); }
  [[nodiscard]] const T& back() const { return elements_[size_ - 1]; }
  [[nodiscard]] T& back() { return elements_[size_ - 1]; }

 private:
  std::vector<T> elements_;  // [0, size_) live; the rest kept for reuse
  std::size_t size_ = 0;
};

}  // namespace gsoc
