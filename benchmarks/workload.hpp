#pragma once
// The data every backend benchmark uses: the design's Order model and its rows.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace syncorm_bench {

struct Order {
  std::int64_t id = 0;
  std::string customer;
  double amount = 0;
  int status = 0;
  std::optional<std::string> note;
};

/// Rows per workload; SYNCORM_BENCH_ROWS shrinks it for a quick smoke run.
inline std::int64_t row_count() {
  static const std::int64_t rows = [] {
    const char* configured = std::getenv("SYNCORM_BENCH_ROWS");
    return configured != nullptr ? std::atoll(configured) : 100'000;
  }();
  return rows;
}

/// `n` orders; a quarter have each status, a third have a note.
inline std::vector<Order> make_orders(std::int64_t n) {
  std::vector<Order> rows;
  rows.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    rows.push_back({.customer = "customer " + std::to_string(i % 1000),
                    .amount = static_cast<double>(i) * 0.5,
                    .status = static_cast<int>(i % 4),
                    .note = i % 3 == 0 ? std::optional<std::string>("gift wrap") : std::nullopt});
  }
  return rows;
}

}  // namespace syncorm_bench
