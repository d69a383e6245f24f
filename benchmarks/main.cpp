// Runs every benchmark with enough interleaved repetitions for a stable median, then prints ratios.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstring>
#include <string>
#include <vector>

#include "ratio_reporter.hpp"

int main(int argc, char** argv) {
  // A warm heap: without this, glibc hands large vectors back to the kernel after each iteration
  // and a where-select measures page faults instead of the ORM (the GLIBC_TUNABLES advice
  // glibc.malloc.mmap_threshold / trim_threshold, applied in-process).
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);

  // Defaults chosen for shared, noisy machines; any of them can be overridden on the command line.
  std::vector<char*> args(argv, argv + argc);
  std::vector<std::string> defaults{"--benchmark_repetitions=5", "--benchmark_enable_random_interleaving=true",
                                    "--benchmark_report_aggregates_only=true"};
  for (std::string& d : defaults) {
    const std::string flag = d.substr(0, d.find('='));
    bool given = false;
    for (int i = 1; i < argc; ++i) given = given || std::strncmp(argv[i], flag.c_str(), flag.size()) == 0;
    if (!given) args.push_back(d.data());
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  syncorm_bench::ratio_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
}
