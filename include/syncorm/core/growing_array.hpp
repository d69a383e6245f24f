#pragma once
// A heap array of plain elements that only ever grows: the connection-lifetime tables (prepared
// statements by slot, savepoint statements by depth) and the after_commit queue. They could be
// std::vectors, but each std::vector type costs every translation unit that uses it dozens of
// member functions to instantiate and optimise, and these are in every translation unit that
// opens a database.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace syncorm::detail {

/// `size()` elements of trivially copyable `T`, each value-initialised when the array grows.
template <class T>
class growing_array {
  static_assert(std::is_trivially_copyable_v<T>, "growing_array copies its elements as bytes would be");

public:
  growing_array() = default;
  growing_array(growing_array&& other) noexcept
      : items_(std::exchange(other.items_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  growing_array(const growing_array&) = delete;
  growing_array& operator=(const growing_array&) = delete;
  growing_array& operator=(growing_array&&) = delete;
  ~growing_array() { delete[] items_; }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t index) noexcept { return items_[index]; }
  T* begin() noexcept { return items_; }
  T* end() noexcept { return items_ + size_; }

  /// Makes the array at least `count` elements long (at least doubling it, when it grows).
  void grow_to(std::size_t count) {
    if (count <= size_) return;
    const std::size_t size = count > 2 * size_ ? count : 2 * size_;
    T* larger = new T[size]{};
    for (std::size_t i = 0; i < size_; ++i) larger[i] = items_[i];
    delete[] items_;
    items_ = larger;
    size_ = size;
  }

private:
  T* items_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace syncorm::detail
