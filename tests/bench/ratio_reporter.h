// Google Benchmark main that also prints each benchmark's time as a ratio to its group's
// baseline measured in the same run (DESIGN 8: performance figures are ratios). A benchmark named
// "BM_<Group>_Baseline..." is the baseline of every "BM_<Group>_..." benchmark. Header-only; used
// by one benchmark binary's main, not thread-safe (Google Benchmark calls the reporter on one
// thread).
#ifndef RESILIENCE_TESTS_BENCH_RATIO_REPORTER_H_
#define RESILIENCE_TESTS_BENCH_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace resilience::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.iterations == 0) continue;
      const std::string name = run.benchmark_name();
      // Per-item CPU nanoseconds when the benchmark counts items (Google Benchmark derives
      // items_per_second from CPU time, steadier than wall time on a shared machine), else the
      // adjusted real time per iteration.
      double ns = run.GetAdjustedRealTime() * Scale(run.time_unit);
      auto items = run.counters.find("items_per_second");
      if (items != run.counters.end() && items->second.value > 0) ns = 1e9 / items->second.value;
      times_.emplace_back(name, ns);
    }
  }

  // Prints "group: benchmark  ns/item  ratio" for every benchmark with a baseline.
  void PrintRatios() const {
    std::map<std::string, double> baselines;
    for (const auto& [name, ns] : times_) {
      if (name.find("_Baseline") != std::string::npos) baselines.emplace(Group(name), ns);
    }
    std::printf("\n%-48s %14s %10s\n", "benchmark (same run)", "CPU ns per item", "x baseline");
    for (const auto& [name, ns] : times_) {
      auto base = baselines.find(Group(name));
      if (base == baselines.end() || base->second <= 0) continue;
      std::printf("%-48s %14.1f %10.1f\n", name.c_str(), ns, ns / base->second);
    }
  }

 private:
  static double Scale(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kSecond: return 1e9;
      case benchmark::kMillisecond: return 1e6;
      case benchmark::kMicrosecond: return 1e3;
      default: return 1;
    }
  }
  // "BM_Trigger_Evaluate/64" -> "BM_Trigger".
  static std::string Group(const std::string& name) {
    const size_t first = name.find('_');
    const size_t second = first == std::string::npos ? first : name.find('_', first + 1);
    return second == std::string::npos ? name : name.substr(0, second);
  }
  std::vector<std::pair<std::string, double>> times_;
};

inline int RunWithRatios(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}

}  // namespace resilience::bench

#endif  // RESILIENCE_TESTS_BENCH_RATIO_REPORTER_H_
