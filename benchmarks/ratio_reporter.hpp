#pragma once
// Console reporter that also collects every repetition's CPU time and, at the end, prints for each
// workload the median time of each variant divided by the median of its baseline ("raw" — the C API
// done the fastest correct way — or "baseline"). Ratios, not absolute times: the machines these run
// on are shared and noisy, and a ratio taken in one run compares like with like.

#include <benchmark/benchmark.h>

#include <algorithm>
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
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
        medians_[run.run_name.str()] = run.GetAdjustedCPUTime();
      else if (run.run_type == Run::RT_Iteration && run.repetitions <= 1)
        medians_[run.run_name.str()] = run.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }

  /// Prints, per workload, each variant's median and its ratio to the baseline.
  void print_ratios() const {
    std::map<std::string, std::map<std::string, double>> by_workload;
    for (const auto& [name, time] : medians_) {
      const auto slash = name.rfind('/');
      if (slash == std::string::npos) continue;
      by_workload[name.substr(0, slash)][name.substr(slash + 1)] = time;
    }
    std::printf("\n%-58s %-28s %10s %8s\n", "workload", "variant", "median", "ratio");
    for (const auto& [workload, variants] : by_workload) {
      auto base = variants.find("raw");
      if (base == variants.end()) base = variants.find("baseline");
      for (const auto& [variant, time] : variants) {
        if (base == variants.end() || variant == base->first) {
          std::printf("%-58s %-28s %10.3f %8s\n", workload.c_str(), variant.c_str(), time, "1.00");
        } else {
          std::printf("%-58s %-28s %10.3f %8.3f\n", workload.c_str(), variant.c_str(), time, time / base->second);
        }
      }
    }
    std::printf("(median CPU time per iteration, in each benchmark's time unit; ratio = variant / %s)\n",
                "raw or baseline");
  }

private:
  std::map<std::string, double> medians_;
};

}  // namespace syncorm_bench
