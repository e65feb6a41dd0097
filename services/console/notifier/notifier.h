// The notifier: follows the AlertService's alert stream from a resume token kept in a file,
// routes each transition to its webhooks, groups alerts of one group id into one message, and
// delivers with retries (exponential backoff with jitter, Retry-After honoured). Delivery is
// at-least-once and deduplicated by alert id and revision: the resume token on disk only moves
// past a stream item once every notification containing it was delivered or given up, and
// delivered (URL, alert, revision) keys are kept in a ledger file beside it, so a restart neither
// misses nor repeats a delivery. Every attempt is logged as one JSON line (logger
// "console.notifier", and <resume file>.attempts.jsonl) and the latest are kept for
// GET /api/notifications. Thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFIER_H_
#define RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFIER_H_

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/clock/clock.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"
#include "services/console/console_config.h"
#include "services/console/escalation_client.h"
#include "services/console/notifier/notification_batcher.h"

namespace resilience::console {

struct NotifierOptions {
  // File holding the resume token (resolved path). Its folder is created when missing.
  std::string resume_path;
  // Base URL of the console for links in chat messages; empty means no links.
  std::string console_url;
  // How many latest attempts AttemptsJson keeps. Default 200.
  size_t recent_attempts = 200;
};

class Notifier {
 public:
  // `client`, `clock` and `metrics` are not owned and must outlive the notifier.
  Notifier(v1::NotifierConfig config, std::shared_ptr<const ReferenceIndex> reference,
           const EscalationClient* client, const Clock* clock, MetricsRegistry* metrics,
           NotifierOptions options);
  ~Notifier();

  // Loads the resume token and the delivery ledger, then starts following the stream and
  // delivering. FAILED_PRECONDITION when the state folder cannot be created or read.
  absl::Status Start();

  // Stops following and delivering; notifications still waiting or retrying are not marked
  // done, so the next start delivers them. Idempotent.
  void Stop();

  // {"enabled": bool, "attempts": [...latest first...], "waiting": n}.
  std::string AttemptsJson();

 private:
  struct Progress {
    std::string token;
    int outstanding = 0;
  };

  void StreamLoop();
  void DispatchLoop();
  void DeliveryLoop();
  void Deliver(const Notification& notification);
  void Complete(const Notification& notification, bool delivered);
  void AdvanceWatermarkLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordAttempt(std::string json);
  // Records the attempt in the audit trail of each alert it carried (AlertService
  // RecordNotification, as the service user). A failure is logged, never retried: the delivery
  // itself matters more than its record.
  void RecordInAudit(const Notification& n, const std::string& delivery_id, int attempt,
                     const std::string& destination, int http_status, const std::string& outcome,
                     const std::string& error);
  // The staff id the notifier signs in as.
  std::string ServiceUser() const {
    return config_.service_user_id().empty() ? "console-notifier" : config_.service_user_id();
  }
  // Sleeps `d` unless stopped first; false when stopped.
  bool SleepUnlessStopped(absl::Duration d);

  const v1::NotifierConfig config_;
  const std::shared_ptr<const ReferenceIndex> reference_;
  const EscalationClient* client_;
  const Clock* clock_;
  MetricsRegistry* metrics_;
  const NotifierOptions options_;
  const EffectiveRetryPolicy retry_;
  const absl::Duration group_wait_;

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* stream_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  NotificationBatcher batcher_ ABSL_GUARDED_BY(mu_);
  DeliveryLedger delivered_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Progress> progress_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::string watermark_ ABSL_GUARDED_BY(mu_);
  std::deque<Notification> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> attempts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFIER_H_
