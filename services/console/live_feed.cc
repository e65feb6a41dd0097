#include "services/console/live_feed.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace resilience::console {

std::string FormatSseEvent(const std::string& id, const std::string& event,
                           const std::string& data) {
  const auto clean = [](const std::string& s) {
    return absl::StrReplaceAll(s, {{"\r", ""}, {"\n", ""}});
  };
  std::string out;
  if (!id.empty()) absl::StrAppend(&out, "id: ", clean(id), "\n");
  if (!event.empty()) absl::StrAppend(&out, "event: ", clean(event), "\n");
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    absl::StrAppend(&out, "data: ", line, "\n");
  }
  out += "\n";
  return out;
}

void ConsoleSignal::Notify() {
  absl::MutexLock lock(&mu_);
  ++version_;
}

void ConsoleSignal::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  ++version_;
}

uint64_t ConsoleSignal::WaitChange(uint64_t seen, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return version_ != seen || shutdown_; };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return version_;
}

uint64_t ConsoleSignal::version() {
  absl::MutexLock lock(&mu_);
  return version_;
}

bool ConsoleSignal::shutting_down() {
  absl::MutexLock lock(&mu_);
  return shutdown_;
}

AlertStreamRelay::AlertStreamRelay(const EscalationClient* client, const std::string& user_id,
                                   const std::string& resume_token) {
  escalation::v1::SubscribeRequest request;
  request.set_resume_token(resume_token);
  thread_ = std::thread([this, client, user_id, request] { Run(client, user_id, request); });
}

AlertStreamRelay::~AlertStreamRelay() {
  context_.TryCancel();
  thread_.join();
}

void AlertStreamRelay::Run(const EscalationClient* client, std::string user_id,
                           escalation::v1::SubscribeRequest request) {
  auto reader = client->Subscribe(&context_, user_id, request);
  escalation::v1::AlertStreamItem item;
  while (reader->Read(&item)) {
    absl::MutexLock lock(&mu_);
    items_.push_back(item);
  }
  grpc::Status status = reader->Finish();
  absl::Status ended = status.ok() ? absl::UnavailableError("the alert stream ended")
                                   : FromGrpcStatus(status, &context_);
  absl::MutexLock lock(&mu_);
  ended_ = ended;
}

std::optional<AlertStreamRelay::Event> AlertStreamRelay::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !items_.empty() || ended_.has_value();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout)) return std::nullopt;
  Event event;
  if (!items_.empty()) {
    event.item = std::move(items_.front());
    items_.pop_front();
  } else {
    event.ended = *ended_;
  }
  return event;
}

}  // namespace resilience::console
