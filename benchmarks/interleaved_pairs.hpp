#pragma once
// Ratios that hold on a noisy machine: many short syncorm/baseline pairs, the two sides timed one
// right after the other (which goes first alternates), and the median and interquartile range of
// the per-pair ratios. Two operations timed a millisecond apart see the same machine; two long
// benchmarks run seconds apart each catch a different neighbour's build, which is how one
// workload measured 0.79 in one run and 1.23 in the next.
//
// Every pairs benchmark reports the same counters, which benchmarks/results.py reads by name:
//   ratio, ratio_q1, ratio_q3   median, first and third quartile of variant / baseline (wall time)
//   cpu_ratio, cpu_ratio_q1, cpu_ratio_q3   the same in this thread's CPU time (preemption left out)
//   baseline_ns, variant_ns     median time of one operation of each side (a call / ops_per_call)
//   pairs                       how many pairs were timed
// and a label "<variant> / <baseline>" naming the two sides.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "workload.hpp"

namespace syncorm_bench {

/// Pairs per pairs benchmark: `at_most` on the full workload, a handful in a smoke run.
inline std::int64_t pair_count(std::int64_t at_most = 2000) { return std::clamp<std::int64_t>(row_count() / 50, 5, at_most); }

/// Rows (or lookups) per timed call of a per-row workload: short (100 rows of SQLite :memory: take
/// about 0.1 ms), so that most pairs run within one scheduler time slice even on a loaded machine,
/// and a pair that was preempted is an outlier outside the interquartile range.
inline std::int64_t chunk_rows(std::int64_t at_most = 100) { return std::min(row_count(), at_most); }

/// The `q` quantile (0..1) of `values`, which it sorts; linear between neighbours.
inline double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(at);
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (values[above] - values[below]) * (at - static_cast<double>(below));
}

namespace detail {

struct clocks {
  std::int64_t wall_ns = 0;
  std::int64_t cpu_ns = 0;
  static clocks now() noexcept {
    timespec wall{}, cpu{};
    ::clock_gettime(CLOCK_MONOTONIC, &wall);
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    return {wall.tv_sec * 1'000'000'000LL + wall.tv_nsec, cpu.tv_sec * 1'000'000'000LL + cpu.tv_nsec};
  }
};

}  // namespace detail

/// Per benchmark iteration: `between()` untimed (a reset, a refill), then `baseline()` and
/// `variant()` each timed on its own, in alternating order. Each call does `ops_per_call`
/// operations (rows inserted, lookups). Reports the counters listed at the top of this file.
template <class Baseline, class Variant, class Between>
void interleaved_pairs(benchmark::State& state, const std::string& label, double ops_per_call, Baseline&& baseline,
                       Variant&& variant, Between&& between) {
  std::vector<double> ratios, cpu_ratios, baseline_ns, variant_ns;
  auto timed = [](auto& operation) {
    const auto start = detail::clocks::now();
    operation();
    const auto end = detail::clocks::now();
    return detail::clocks{end.wall_ns - start.wall_ns, end.cpu_ns - start.cpu_ns};
  };
  bool variant_first = false;
  for (auto _ : state) {
    between();
    detail::clocks b{}, v{};
    if (variant_first) v = timed(variant);
    b = timed(baseline);
    if (!variant_first) v = timed(variant);
    variant_first = !variant_first;
    if (b.wall_ns <= 0 || b.cpu_ns <= 0) continue;  // below the clock's resolution: no ratio
    ratios.push_back(static_cast<double>(v.wall_ns) / static_cast<double>(b.wall_ns));
    cpu_ratios.push_back(static_cast<double>(v.cpu_ns) / static_cast<double>(b.cpu_ns));
    baseline_ns.push_back(static_cast<double>(b.wall_ns) / ops_per_call);
    variant_ns.push_back(static_cast<double>(v.wall_ns) / ops_per_call);
  }
  state.SetLabel(label);
  state.counters["pairs"] = static_cast<double>(ratios.size());
  state.counters["ratio_q1"] = quantile(ratios, 0.25);
  state.counters["ratio_q3"] = quantile(ratios, 0.75);
  state.counters["ratio"] = quantile(ratios, 0.5);
  state.counters["cpu_ratio_q1"] = quantile(cpu_ratios, 0.25);
  state.counters["cpu_ratio_q3"] = quantile(cpu_ratios, 0.75);
  state.counters["cpu_ratio"] = quantile(cpu_ratios, 0.5);
  state.counters["baseline_ns"] = quantile(baseline_ns, 0.5);
  state.counters["variant_ns"] = quantile(variant_ns, 0.5);
}

/// interleaved_pairs with nothing to do between pairs.
template <class Baseline, class Variant>
void interleaved_pairs(benchmark::State& state, const std::string& label, double ops_per_call, Baseline&& baseline,
                       Variant&& variant) {
  interleaved_pairs(state, label, ops_per_call, baseline, variant, [] {});
}

}  // namespace syncorm_bench

/// Registers a pairs benchmark: a fixed number of pairs (pair_count(), or pair_count(at_most) with
/// a third argument, for longer pairs), one repetition (the pairs are the repetitions), wall time.
#define SYNCORM_PAIRS_BENCHMARK(function, name, ...)                                                     \
  BENCHMARK(function)->Name(name)->Iterations(syncorm_bench::pair_count(__VA_ARGS__))->Repetitions(1) \
      ->UseRealTime()->Unit(benchmark::kMicrosecond)
