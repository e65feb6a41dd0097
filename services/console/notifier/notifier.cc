#include "services/console/notifier/notifier.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/log/log.h"
#include "httplib.h"
#include "services/console/json_api.h"
#include "services/console/notifier/delivery_retry.h"
#include "services/console/notifier/webhook_body.h"
#include "services/console/notifier/webhook_routing.h"

namespace resilience::console {
namespace {

namespace esc = escalation::v1;

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, ": ", error.message()));
  return absl::OkStatus();
}

const char* OutcomeName(AttemptOutcome outcome, bool last) {
  switch (outcome) {
    case AttemptOutcome::kDelivered: return "delivered";
    case AttemptOutcome::kRejected: return "refused";
    case AttemptOutcome::kRetry: return last ? "undelivered" : "retry";
  }
  return "unknown";
}

}  // namespace

Notifier::Notifier(v1::NotifierConfig config, std::shared_ptr<const ReferenceIndex> reference,
                   const EscalationClient* client, const Clock* clock, MetricsRegistry* metrics,
                   NotifierOptions options)
    : config_(std::move(config)),
      reference_(std::move(reference)),
      client_(client),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      retry_(RetryPolicyOf(config_)),
      group_wait_(absl::Seconds(config_.group_wait_seconds() == 0 ? 30
                                                                  : config_.group_wait_seconds())) {}

Notifier::~Notifier() { Stop(); }

absl::Status Notifier::Start() {
  const std::filesystem::path resume(options_.resume_path);
  std::error_code error;
  if (resume.has_parent_path()) std::filesystem::create_directories(resume.parent_path(), error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("notifier state folder ", resume.parent_path().string(), ": ", error.message()));
  }
  std::string from;
  {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::OkStatus();
    started_ = true;
    std::ifstream token_in(options_.resume_path);
    std::getline(token_in, watermark_);
    std::ifstream ledger_in(options_.resume_path + ".delivered");
    for (std::string line; std::getline(ledger_in, line);) {
      if (!line.empty()) delivered_.Record(line);
    }
    from = watermark_.empty() ? std::string("now") : "resume token " + watermark_;
  }
  Logger("console.notifier")->info("following the alert stream from {}", from);
  threads_.emplace_back([this] { StreamLoop(); });
  threads_.emplace_back([this] { DispatchLoop(); });
  const int workers = config_.max_in_flight() == 0 ? 8 : static_cast<int>(config_.max_in_flight());
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { DeliveryLoop(); });
  return absl::OkStatus();
}

void Notifier::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool Notifier::SleepUnlessStopped(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopped_), d);
  return !stopped_;
}

void Notifier::StreamLoop() {
  auto log = Logger("console.notifier");
  std::string token;
  {
    absl::MutexLock lock(&mu_);
    token = watermark_;
  }
  absl::Duration backoff = absl::Milliseconds(500);
  while (true) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) return;
      stream_context_ = &context;
    }
    esc::SubscribeRequest request;
    request.set_resume_token(token);
    auto reader = client_->Subscribe(&context, ServiceUser(), request);
    esc::AlertStreamItem item;
    while (reader->Read(&item)) {
      backoff = absl::Milliseconds(500);
      token = item.resume_token();
      absl::MutexLock lock(&mu_);
      const uint64_t sequence = ++next_sequence_;
      int outstanding = 0;
      if (item.has_alert()) {
        outstanding = batcher_.Add(item.alert(), DestinationsFor(item.alert(), config_, *reference_),
                                   sequence, clock_->Now(), delivered_);
      }
      progress_[sequence] = Progress{token, outstanding};
      AdvanceWatermarkLocked();
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      stream_context_ = nullptr;
      if (stopped_) return;
    }
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE ||
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // The position is gone from the retained stream: what happened in between cannot be
      // replayed. Say so loudly and follow from now.
      log->error("resume token {} refused ({}): following from now; alerts in between were not "
                 "notified",
                 token, status.error_message());
      token.clear();
    } else {
      log->warn("alert stream ended ({}); resuming from {} in {}", status.error_message(), token,
                absl::FormatDuration(backoff));
    }
    if (!SleepUnlessStopped(backoff)) return;
    backoff = std::min(backoff * 2, absl::Seconds(30));
  }
}

void Notifier::DispatchLoop() {
  auto* waiting = metrics_->GetGauge("console_notifier_waiting_groups",
                                     "Notification groups waiting for their group wait");
  while (SleepUnlessStopped(absl::Milliseconds(100))) {
    absl::MutexLock lock(&mu_);
    for (auto& n : batcher_.TakeDue(clock_->Now(), group_wait_)) queue_.push_back(std::move(n));
    waiting->Set(static_cast<double>(batcher_.waiting()));
  }
}

void Notifier::DeliveryLoop() {
  while (true) {
    Notification next;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopped_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopped_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    Deliver(next);
  }
}

void Notifier::Deliver(const Notification& n) {
  const std::string body = WebhookBody(n, options_.console_url, *reference_);
  const std::string delivery_id = DeliveryId(n);
  httplib::Headers headers = {{"X-Resilience-Delivery", delivery_id}};
  if (!n.destination.signing_key_env.empty()) {
    const char* key = std::getenv(n.destination.signing_key_env.c_str());
    if (key != nullptr && *key != '\0') {
      headers.emplace("X-Resilience-Signature", SignBody(body, key));
    }
  }
  std::string origin, path;
  const bool url_ok = SplitUrl(n.destination.url, &origin, &path);
  std::vector<std::string> alerts;
  for (const auto& a : n.alerts) {
    alerts.push_back(absl::StrCat("{\"alert_id\":", JsonQuote(a.alert_id()), ",\"revision\":",
                                  a.revision(), ",\"level\":", JsonQuote(LevelText(a.level())),
                                  ",\"title\":", JsonQuote(a.title()), "}"));
  }
  const std::string alerts_json = absl::StrCat("[", absl::StrJoin(alerts, ","), "]");
  const absl::Duration timeout =
      absl::Milliseconds(config_.request_timeout_ms() == 0 ? 5000 : config_.request_timeout_ms());
  absl::BitGen random;
  for (int attempt = 1; attempt <= retry_.max_attempts; ++attempt) {
    int http_status = 0;
    std::string error;
    std::optional<absl::Duration> retry_after;
    if (!url_ok) {
      error = "not an http(s) URL";
    } else {
      httplib::Client http(origin);
      http.set_connection_timeout(absl::ToChronoMilliseconds(timeout));
      http.set_read_timeout(absl::ToChronoMilliseconds(timeout));
      http.set_write_timeout(absl::ToChronoMilliseconds(timeout));
      auto res = http.Post(path.c_str(), headers, body, "application/json");
      if (res) {
        http_status = res->status;
        retry_after = ParseRetryAfter(res->get_header_value("Retry-After"), absl::Now());
      } else {
        error = httplib::to_string(res.error());
      }
    }
    const AttemptOutcome outcome = url_ok ? ClassifyAttempt(http_status) : AttemptOutcome::kRejected;
    const bool last = attempt == retry_.max_attempts;
    absl::Duration wait = absl::ZeroDuration();
    if (outcome == AttemptOutcome::kRetry && !last) {
      wait = BackoffBefore(attempt, retry_, absl::Uniform(random, 0.0, 1.0), retry_after);
    }
    const char* outcome_name = OutcomeName(outcome, last);
    metrics_
        ->GetCounter("console_notifier_attempts_total", "Webhook delivery attempts, by outcome",
                     absl::StrCat("outcome=\"", outcome_name, "\""))
        ->Increment();
    RecordAttempt(absl::StrCat(
        "{\"at\":", JsonQuote(absl::FormatTime(absl::RFC3339_full, clock_->Now(), absl::UTCTimeZone())),
        ",\"delivery_id\":", JsonQuote(delivery_id), ",\"route_id\":", JsonQuote(n.destination.route_id),
        ",\"destination\":", JsonQuote(origin), ",\"group_id\":", JsonQuote(n.group_id),
        ",\"alerts\":", alerts_json, ",\"attempt\":", attempt, ",\"max_attempts\":",
        retry_.max_attempts, ",\"http_status\":", http_status, ",\"outcome\":",
        JsonQuote(outcome_name), ",\"error\":", JsonQuote(error),
        ",\"next_attempt_in_ms\":", absl::ToInt64Milliseconds(wait), "}"));
    RecordInAudit(n, delivery_id, attempt, origin, http_status, outcome_name, error);
    if (outcome == AttemptOutcome::kDelivered) return Complete(n, true);
    if (outcome == AttemptOutcome::kRejected || last) return Complete(n, false);
    if (!SleepUnlessStopped(wait)) return;  // not completed: delivered again after a restart
  }
}

void Notifier::Complete(const Notification& n, bool delivered) {
  absl::MutexLock lock(&mu_);
  if (delivered) {
    std::ofstream ledger(options_.resume_path + ".delivered", std::ios::app);
    for (const auto& key : n.keys) {
      if (delivered_.Record(key)) ledger << key << "\n";
    }
  }
  for (uint64_t sequence : n.sequences) {
    auto it = progress_.find(sequence);
    if (it != progress_.end()) --it->second.outstanding;
  }
  AdvanceWatermarkLocked();
}

void Notifier::AdvanceWatermarkLocked() {
  std::string latest;
  while (!progress_.empty() && progress_.begin()->second.outstanding <= 0) {
    latest = progress_.begin()->second.token;
    progress_.erase(progress_.begin());
  }
  if (latest.empty() || latest == watermark_) return;
  watermark_ = latest;
  if (auto s = WriteFileAtomically(options_.resume_path, watermark_ + "\n"); !s.ok()) {
    Logger("console.notifier")->error("cannot keep the resume token: {}", s.ToString());
  }
}

void Notifier::RecordInAudit(const Notification& n, const std::string& delivery_id, int attempt,
                             const std::string& destination, int http_status,
                             const std::string& outcome, const std::string& error) {
  esc::RecordNotificationRequest request;
  for (const auto& a : n.alerts) {
    auto* d = request.add_alerts();
    d->set_alert_id(a.alert_id());
    d->set_revision(a.revision());
  }
  request.set_delivery_id(delivery_id);
  request.set_attempt(static_cast<uint32_t>(attempt));
  request.set_route_id(n.destination.route_id);
  request.set_destination(destination);
  request.set_http_status(static_cast<uint32_t>(http_status));
  request.set_outcome(outcome);
  request.set_error(error);
  *request.mutable_at() = ToProtoTime(clock_->Now());
  auto recorded = client_->Call(ServiceUser(), &esc::AlertService::Stub::RecordNotification, request);
  if (!recorded.ok()) {
    Logger("console.notifier")
        ->warn("delivery {} attempt {} not recorded in the audit: {}", delivery_id, attempt,
               recorded.status().ToString());
  }
}

void Notifier::RecordAttempt(std::string json) {
  Logger("console.notifier")->info("{}", json);
  absl::MutexLock lock(&mu_);
  std::ofstream log(options_.resume_path + ".attempts.jsonl", std::ios::app);
  log << json << "\n";
  attempts_.push_front(std::move(json));
  while (attempts_.size() > options_.recent_attempts) attempts_.pop_back();
}

std::string Notifier::AttemptsJson() {
  absl::MutexLock lock(&mu_);
  return absl::StrCat("{\"enabled\":", config_.enabled() ? "true" : "false", ",\"waiting\":",
                      batcher_.waiting() + queue_.size(), ",\"attempts\":[",
                      absl::StrJoin(attempts_, ","), "]}");
}

}  // namespace resilience::console
