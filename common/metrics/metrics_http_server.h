// A minimal HTTP/1.0 server exposing GET /metrics (Prometheus text) and GET /healthz on one
// port, on its own thread. Deliberately tiny: no keep-alive, one request per connection.
#ifndef RESILIENCE_COMMON_METRICS_METRICS_HTTP_SERVER_H_
#define RESILIENCE_COMMON_METRICS_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

namespace resilience {

class MetricsHttpServer {
 public:
  // Listens on `address` ("host:port", port 0 picks a free one) and serves `registry` (not
  // owned, must outlive the server). UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                                  const MetricsRegistry* registry);
  ~MetricsHttpServer();  // stops and joins

  int port() const { return port_; }

 private:
  MetricsHttpServer(int fd, int port, const MetricsRegistry* registry);
  void Serve();

  int fd_;
  int port_;
  const MetricsRegistry* registry_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace resilience

#endif  // RESILIENCE_COMMON_METRICS_METRICS_HTTP_SERVER_H_
