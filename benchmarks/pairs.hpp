#pragma once
// Interleaved pairs: two variants of one operation timed in turn, moments apart, for a ratio that
// holds on a busy machine (two benchmarks run seconds apart may each catch a different neighbour's
// build).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace syncorm_bench {

/// The median of `values` (which it reorders).
inline double median(std::vector<double>& values) {
  if (values.empty()) return 0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

/// Runs `baseline()` and `variant()` in turn, alternating which goes first, each timed on its own;
/// reports both medians (counters baseline_us and <variant_name>_us) and their ratio (variant /
/// baseline).
template <class Baseline, class Variant>
void time_pairs(benchmark::State& state, Baseline&& baseline, Variant&& variant, const std::string& variant_name) {
  std::vector<double> baseline_ns;
  std::vector<double> variant_ns;
  auto timed = [](auto& operation, std::vector<double>& into) {
    const auto start = std::chrono::steady_clock::now();
    operation();
    into.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  };
  bool variant_first = false;
  for (auto _ : state) {
    if (variant_first) timed(variant, variant_ns);
    timed(baseline, baseline_ns);
    if (!variant_first) timed(variant, variant_ns);
    variant_first = !variant_first;
  }
  const double baseline_median = median(baseline_ns);
  const double variant_median = median(variant_ns);
  state.counters["baseline_us"] = baseline_median / 1e3;
  state.counters[variant_name + "_us"] = variant_median / 1e3;
  state.counters["ratio"] = baseline_median > 0 ? variant_median / baseline_median : 0;
}

}  // namespace syncorm_bench
