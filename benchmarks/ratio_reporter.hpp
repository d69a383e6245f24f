#pragma once
// Console reporter that also keeps every benchmark's median and, at the end, prints for each
// workload each variant's median divided by its baseline's ("raw" — the C API done the fastest
// correct way — or "baseline"). Ratios, not absolute times: the machines these run on are shared
// and noisy, and a ratio taken in one run compares like with like. Wall-clock time is what users
// wait for (with PostgreSQL it includes the server); CPU time is this process's own cost.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace syncorm_bench {

class ratio_reporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run>& runs) override {
    // With repetitions, the median aggregate; with a single run (smoke runs), that run.
    for (const Run& run : runs) {
      // Pairs benchmarks (interleaved_pairs.hpp) report their own ratios as counters.
      if (run.error_occurred || run.counters.count("ratio_q1") != 0) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if (median || single) medians_[workload_and_variant(run)] = {run.GetAdjustedRealTime(), run.GetAdjustedCPUTime()};
    }
    ConsoleReporter::ReportRuns(runs);
  }

  /// Prints, per workload, each variant's median times and their ratios to the baseline's.
  void print_ratios() const {
    std::map<std::string, std::map<std::string, times>> by_workload;
    for (const auto& [name, t] : medians_) {
      const auto slash = name.rfind('/');
      if (slash != std::string::npos) by_workload[name.substr(0, slash)][name.substr(slash + 1)] = t;
    }
    std::printf("\n%-52s %-22s %12s %10s %10s\n", "workload", "variant", "median wall", "wall ratio", "cpu ratio");
    for (const auto& [workload, variants] : by_workload) {
      auto base = variants.find("raw");
      if (base == variants.end()) base = variants.find("baseline");
      for (const auto& [variant, t] : variants) {
        if (base == variants.end()) {
          std::printf("%-52s %-22s %12.3f\n", workload.c_str(), variant.c_str(), t.wall);
        } else {
          std::printf("%-52s %-22s %12.3f %10.3f %10.3f\n", workload.c_str(), variant.c_str(), t.wall,
                      t.wall / base->second.wall, t.cpu / base->second.cpu);
        }
      }
    }
    std::printf("(medians in each benchmark's time unit; ratio = variant / raw, or / baseline)\n");
  }

private:
  /// The name given to the benchmark (and its arguments), without the suffixes Google Benchmark
  /// adds for settings such as real_time or a fixed iteration count, which would hide the variant.
  static std::string workload_and_variant(const Run& run) {
    const auto& name = run.run_name;
    return name.args.empty() ? name.function_name : name.function_name + "/" + name.args;
  }

  struct times {
    double wall = 0;
    double cpu = 0;
  };
  std::map<std::string, times> medians_;
};

}  // namespace syncorm_bench
