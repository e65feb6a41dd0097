// Test harness for the proof tests (scale-out, fault injection, and the Redis rebuild test the
// escalation service's owner writes): starting escalation-service instances on a namespace,
// waiting until their consumer group has applied everything, a sorted snapshot of what a duty
// manager sees (alerts, levels, figures, tasks, prompts), and an alert-stream recorder that
// reconnects with its resume token and counts every (alert id, revision) it is handed.
// Thread-safety: AlertStreamRecorder is thread-safe; the rest is thread-compatible.
#ifndef RESILIENCE_TESTS_FAULT_ESCALATION_HARNESS_H_
#define RESILIENCE_TESTS_FAULT_ESCALATION_HARNESS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "tests/testing/process.h"

namespace resilience::testing {

// The staff user every harness call is made as (a county-wide service manager).
inline constexpr char kCountyWideStaff[] = "helen-marsh";

// Starts escalation-service on the test instance's broker and Redis with `ns` as its namespace
// (topics, consumer group, Redis keys), the Kent and Medway config, and `extra` flags (e.g.
// --clock_start=...).
absl::StatusOr<RunningService> StartEscalation(const std::string& ns,
                                               const std::vector<std::string>& extra = {});

// True once the escalation group of `ns` has committed every record of the domain topics
// (capacity, beds, workforce) within `deadline`.
bool WaitEscalationApplied(const std::string& ns, absl::Duration deadline = absl::Seconds(120));

// What the snapshot includes. `Exact` (default) is everything the scripted-day test compares,
// for runs whose events were applied in one order; `OrderFree` leaves out what depends on how
// events of different scopes interleaved or when the services derived a figure (revisions and
// "since" of area, county and board levels, revisions of county figures' alerts, audit times,
// the event ids of figures, and the protocol tasks, decision prompts and their alerts, which open
// for whichever scope reached a level first), for runs fed concurrently.
enum class SnapshotDetail { kExact, kOrderFree };

// Every fact a duty manager would compare, one line each, sorted.
std::vector<std::string> EscalationSnapshot(escalation::v1::AlertService::Stub& stub,
                                            SnapshotDetail detail = SnapshotDetail::kExact);

// Holds one Subscribe stream open in the background, reconnecting (to `address()`, asked anew at
// each attempt, so a test can point it at a surviving instance) with the last resume token after
// any failure, and counts each (alert id, revision) received.
class AlertStreamRecorder {
 public:
  explicit AlertStreamRecorder(std::function<std::string()> address);
  ~AlertStreamRecorder();  // stops the stream

  // (alert id # revision) -> times received.
  std::map<std::string, int> Received() const;
  // Items received so far (alerts only) and reconnections made.
  int64_t alerts() const { return alerts_.load(); }
  int64_t reconnections() const { return reconnections_.load(); }
  // True once a stream is open (the server has accepted the call).
  bool connected() const { return connected_.load(); }

 private:
  void Run();

  std::function<std::string()> address_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> alerts_{0};
  std::atomic<int64_t> reconnections_{0};
  mutable absl::Mutex mu_;
  std::map<std::string, int> received_ ABSL_GUARDED_BY(mu_);
  std::string resume_token_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// Repeated (alert id # revision) entries of a recording, for "no alert duplicated" assertions.
std::vector<std::string> Duplicates(const std::map<std::string, int>& received);

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_FAULT_ESCALATION_HARNESS_H_
