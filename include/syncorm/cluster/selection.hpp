#pragma once
// Selection policies: which of a cluster's read (or write) sources a statement goes to. A policy is
// any default-constructible type callable as `std::size_t policy(std::span<const data_source>)`,
// returning an index into the span; the cluster calls it from many threads at once. The shipped
// ones skip sources out of rotation and return the span's size when none is in rotation.

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "../core/random.hpp"
#include "data_source.hpp"

namespace syncorm {

/// What a read_selection / write_selection policy must be.
template <class P>
concept selection_policy = std::default_initializable<P> && requires(P& policy, std::span<const data_source> sources) {
  { policy(sources) } -> std::convertible_to<std::size_t>;
};

namespace detail {
/// The first source in rotation at or after `start` (wrapping), or sources.size() if none is.
inline std::size_t next_healthy(std::span<const data_source> sources, std::size_t start) noexcept {
  const std::size_t n = sources.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (start + k) % n;
    if (sources[i].healthy()) return i;
  }
  return n;
}
}  // namespace detail

/// Any source in rotation, uniformly at random (the default for reads and writes).
struct random {
  std::size_t operator()(std::span<const data_source> sources) const noexcept {
    if (sources.size() <= 1) return sources.empty() || sources[0].healthy() ? 0 : sources.size();
    return detail::next_healthy(sources, detail::thread_random().below(static_cast<std::uint32_t>(sources.size())));
  }
};

/// Each source in rotation in turn.
struct round_robin {
  std::size_t operator()(std::span<const data_source> sources) noexcept {
    if (sources.empty()) return 0;
    return detail::next_healthy(sources, next_.fetch_add(1, std::memory_order_relaxed) % sources.size());
  }

private:
  std::atomic<std::size_t> next_{0};
};

/// A source in rotation with probability proportional to its weight.
struct weighted {
  std::size_t operator()(std::span<const data_source> sources) const noexcept {
    std::uint64_t total = 0;
    for (const data_source& s : sources)
      if (s.healthy()) total += s.weight();
    if (total == 0) return detail::next_healthy(sources, 0);  // in rotation but all of weight 0
    std::uint64_t pick = detail::thread_random().next() % total;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (!sources[i].healthy()) continue;
      if (pick < sources[i].weight()) return i;
      pick -= sources[i].weight();
    }
    return sources.size();
  }
};

static_assert(selection_policy<random> && selection_policy<round_robin> && selection_policy<weighted>);

}  // namespace syncorm
