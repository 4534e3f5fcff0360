// A value or a positive errno: the hot path reports failures without exceptions or allocation.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace bvisor {

struct Errno {
  int value;
};

template <typename T>
class ErrnoOr {
 public:
  ErrnoOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  ErrnoOr(Errno e) : v_(e) {}                 // NOLINT
  bool Ok() const { return v_.index() == 0; }
  int Error() const { return Ok() ? 0 : std::get<1>(v_).value; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

 private:
  std::variant<T, Errno> v_;
};

}  // namespace bvisor
