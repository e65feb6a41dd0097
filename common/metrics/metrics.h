// Process metrics in the Prometheus text exposition format: counters, gauges and latency
// histograms, optionally with one label set each. Thread-safe; metric objects live as long as
// their registry and updating them takes no lock.
#ifndef RESILIENCE_COMMON_METRICS_METRICS_H_
#define RESILIENCE_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace resilience {

// A monotonically increasing count.
class Counter {
 public:
  void Increment(double by = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed upper bounds (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Cumulative counts per bound, then the +Inf count; and the sum.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 buckets
  std::atomic<double> sum_{0};
};

// Default latency buckets: 1 ms to 10 s.
std::vector<double> LatencyBucketsSeconds();

// Owns metrics and renders them. Names follow Prometheus rules (e.g.
// "resilience_updates_accepted_total"); `labels` is the label set text without braces, e.g.
// R"(service="workforce",outcome="accepted")", or empty.
class MetricsRegistry {
 public:
  // Returns the metric with this name and labels, creating it on first use. `help` is used on
  // creation. Never null; owned by the registry.
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge* GetGauge(const std::string& name, const std::string& help,
                  const std::string& labels = "");
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::string& labels = "",
                          std::vector<double> bounds = LatencyBucketsSeconds());

  // All metrics in the text exposition format (version 0.0.4).
  std::string RenderPrometheusText() const;

  // The process-wide registry.
  static MetricsRegistry& Default();

 private:
  struct Family {
    std::string type;  // "counter", "gauge", "histogram"
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resilience

#endif  // RESILIENCE_COMMON_METRICS_METRICS_H_
