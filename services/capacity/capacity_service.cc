#include "services/capacity/capacity_service.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/grpc_caller.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/scope/scope_key.h"
#include "grpcpp/alarm.h"
#include "services/capacity/core/update_validation.h"

namespace resilience::capacity {
namespace {

using Ack = common::v1::UpdateAck;

std::string Metadata(const grpc::CallbackServerContext* context, const char* key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// A stream that ends at once with `status` (caller not identified, or not a provider).
class RefusedStream final : public grpc::ServerBidiReactor<v1::CapacityUpdate, Ack> {
 public:
  explicit RefusedStream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

// One StreamUpdates call. Reads ahead up to `window` updates, hands each to the recorder and
// writes the acknowledgements in the order the updates came, whatever order they are decided
// in. A rejected update is answered and the stream goes on. Over the provider's rate limit the
// next update is held (and the stream not read) until its token is due: the provider is slowed
// down, never refused. Finishes OK once the client has finished sending and every update read
// has been answered; CANCELLED if the client goes away.
class UpdateStream final : public grpc::ServerBidiReactor<v1::CapacityUpdate, Ack> {
 public:
  UpdateStream(UpdateRecorder* recorder, ProviderRateLimits* limits,
               const reference::v1::Provider* provider, const CapacityServiceOptions& options,
               std::atomic<int>* open_streams)
      : recorder_(recorder),
        limits_(limits),
        provider_(provider),
        options_(options),
        open_streams_(open_streams) {
    open_streams_->fetch_add(1);
    absl::MutexLock lock(&mu_);
    reading_ = true;
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    v1::CapacityUpdate update;
    uint64_t seq = 0;
    absl::Duration wait;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (!ok) {  // the client finished sending (or went away)
        read_closed_ = true;
        MaybeFinishLocked();
        return;
      }
      if (cancelled_ || finished_) return;
      update = std::move(incoming_);
      seq = next_seq_++;
      slots_.push_back({update.update_id(), std::nullopt});
      ++outstanding_;
      wait = limits_->Reserve(provider_->id());
      if (wait > absl::ZeroDuration()) {
        // Held until its token is due; nothing more is read meanwhile.
        held_ = std::move(update);
        held_seq_ = seq;
        alarm_ = std::make_unique<grpc::Alarm>();
        alarm_->Set(absl::ToChronoTime(absl::Now() + wait), [this](bool fired) { OnTokenDue(fired); });
        return;
      }
      to_hand_.push_back({std::move(update), seq});
      ReadMoreLocked();
    }
    HandInOrder();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      write_failed_ = true;
      MaybeFinishLocked();
      return;
    }
    WriteMoreLocked();
    ReadMoreLocked();
    MaybeFinishLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (alarm_ != nullptr && held_.has_value()) alarm_->Cancel();
    MaybeFinishLocked();
  }

  void OnDone() override {
    open_streams_->fetch_sub(1);
    delete this;
  }

 private:
  struct Slot {
    std::string update_id;
    std::optional<Ack> ack;
  };

  void OnTokenDue(bool fired) {
    v1::CapacityUpdate update;
    uint64_t seq;
    {
      absl::MutexLock lock(&mu_);
      update = std::move(*held_);
      held_.reset();
      seq = held_seq_;
      if (!fired || cancelled_) {
        // Never handed over: answered here so the slot is closed.
        --outstanding_;
        MaybeFinishLocked();
        return;
      }
      to_hand_.push_back({std::move(update), seq});
      ReadMoreLocked();
    }
    HandInOrder();
  }

  // Hands the updates read to the recorder in the order they were read (their order decides
  // which of two figures for one scope is applied first), one thread at a time: the next read
  // may complete on another thread before this one has handed its update over.
  void HandInOrder() {
    {
      absl::MutexLock lock(&mu_);
      if (handing_) return;  // the thread handing now takes this one too
      handing_ = true;
    }
    while (true) {
      std::pair<v1::CapacityUpdate, uint64_t> next;
      {
        absl::MutexLock lock(&mu_);
        if (to_hand_.empty()) {
          handing_ = false;
          MaybeFinishLocked();  // the stream may end only once no thread is in here
          return;
        }
        next = std::move(to_hand_.front());
        to_hand_.pop_front();
      }
      Hand(std::move(next.first), next.second);
    }
  }

  // Outside mu_: the recorder may answer on this thread.
  void Hand(v1::CapacityUpdate update, uint64_t seq) {
    Submission s;
    s.bytes = update.ByteSizeLong();
    s.update = std::move(update);
    s.provider = provider_;
    s.transport = v1::TRANSPORT_STREAM;
    recorder_->Submit(std::move(s), [this, seq](Answer answer) {
      absl::MutexLock lock(&mu_);
      --outstanding_;
      slots_[seq - first_seq_].ack = std::move(answer.ack);
      WriteMoreLocked();
      MaybeFinishLocked();
    });
  }

  void ReadMoreLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_ || read_closed_ || cancelled_ || finished_ || held_.has_value()) return;
    if (slots_.size() >= Window()) return;  // OnWriteDone reads on
    reading_ = true;
    StartRead(&incoming_);
  }

  // This stream's share of the read-ahead budget: many streams each read less ahead, so that
  // what the service holds unanswered stays bounded; a stream over its share reads on as its own
  // acknowledgements go out.
  size_t Window() const {
    const size_t open = std::max(1, open_streams_->load());
    return std::clamp(options_.read_ahead_budget / open, options_.min_stream_window,
                      options_.stream_window);
  }

  void WriteMoreLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || cancelled_ || write_failed_ || finished_) return;
    if (slots_.empty() || !slots_.front().ack.has_value()) return;
    writing_ = true;
    current_ = std::move(*slots_.front().ack);
    slots_.pop_front();
    ++first_seq_;
    StartWrite(&current_);
  }

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || outstanding_ > 0 || writing_ || held_.has_value() || handing_) return;
    if (cancelled_ || write_failed_) {
      finished_ = true;
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    } else if (read_closed_ && slots_.empty()) {
      finished_ = true;
      Finish(grpc::Status::OK);
    }
  }

  UpdateRecorder* recorder_;
  ProviderRateLimits* limits_;
  const reference::v1::Provider* provider_;
  const CapacityServiceOptions options_;
  std::atomic<int>* open_streams_;
  v1::CapacityUpdate incoming_;  // only the read in progress touches it
  Ack current_;                  // the write in progress
  absl::Mutex mu_;
  std::deque<Slot> slots_ ABSL_GUARDED_BY(mu_);  // read, answer not yet written, in order
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // sequence number of slots_.front()
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;  // read, not yet answered
  std::optional<v1::CapacityUpdate> held_ ABSL_GUARDED_BY(mu_);  // waiting for its token
  uint64_t held_seq_ ABSL_GUARDED_BY(mu_) = 0;
  // Read, not yet handed to the recorder, in order; and whether a thread is handing them.
  std::deque<std::pair<v1::CapacityUpdate, uint64_t>> to_hand_ ABSL_GUARDED_BY(mu_);
  bool handing_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::Alarm> alarm_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// True when `caller` may see figures of `scope`.
bool MaySee(const Caller& caller, const common::v1::ScopeRef& scope,
            const ReferenceIndex& reference) {
  if (caller.provider != nullptr) return MayWriteScope(*caller.provider, scope);
  if (caller.staff == nullptr) return false;
  if (caller.staff->county_wide()) return true;
  std::optional<std::string> area = reference.AreaOf(scope);
  if (!area.has_value()) return false;
  for (const auto& a : caller.staff->area_ids()) {
    if (a == *area) return true;
  }
  return false;
}

}  // namespace

CapacityServiceImpl::CapacityServiceImpl(std::shared_ptr<const ReferenceIndex> reference,
                                         CapacityState* state, UpdateRecorder* recorder,
                                         const CallerIdentity* identity,
                                         ProviderRateLimits* limits, const Clock* clock,
                                         CapacityServiceOptions options)
    : reference_(std::move(reference)),
      state_(state),
      recorder_(recorder),
      identity_(identity),
      limits_(limits),
      clock_(clock),
      options_(options) {}

absl::StatusOr<Caller> CapacityServiceImpl::Identify(
    const grpc::CallbackServerContext* context) const {
  CallerCredentials c;
  c.authorization = Metadata(context, "authorization");
  c.provider_id = Metadata(context, "x-provider-id");
  c.staff_user = Metadata(context, "x-staff-user");
  c.certificate_name = auth::VerifiedClientName(*context);
  return identity_->Identify(c);
}

grpc::ServerBidiReactor<v1::CapacityUpdate, Ack>* CapacityServiceImpl::StreamUpdates(
    grpc::CallbackServerContext* context) {
  absl::StatusOr<Caller> caller = Identify(context);
  if (!caller.ok()) return new RefusedStream(ToGrpcStatus(caller.status()));
  if (caller->provider == nullptr) {
    return new RefusedStream(ToGrpcStatus(
        absl::PermissionDeniedError("updates come from provider systems, not staff users")));
  }
  return new UpdateStream(recorder_, limits_, caller->provider, options_, &open_streams_);
}

grpc::ServerUnaryReactor* CapacityServiceImpl::SubmitUpdate(grpc::CallbackServerContext* context,
                                                            const v1::CapacityUpdate* request,
                                                            Ack* response) {
  auto* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = Identify(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  if (caller->provider == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::PermissionDeniedError("updates come from provider systems, not staff users")));
    return reactor;
  }
  if (absl::Duration wait = limits_->TryTake(caller->provider->id()); wait > absl::ZeroDuration()) {
    const int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))));
    context->AddTrailingMetadata(kRetryAfterMsTrailer, std::to_string(ms));
    reactor->Finish(ToGrpcStatus(absl::ResourceExhaustedError(
        absl::StrCat("provider '", caller->provider->id(),
                     "' is over its rate limit: retry after ", ms, " ms"))));
    return reactor;
  }
  Submission s;
  s.update = *request;
  s.bytes = request->ByteSizeLong();
  s.provider = caller->provider;
  s.transport = v1::TRANSPORT_UNARY;
  recorder_->Submit(std::move(s), [context, reactor, response](Answer answer) {
    if (!answer.status.ok()) {
      reactor->Finish(ToGrpcStatus(answer.status, context));
      return;
    }
    *response = std::move(answer.ack);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CapacityServiceImpl::GetLatest(grpc::CallbackServerContext* context,
                                                         const v1::GetLatestRequest* request,
                                                         v1::GetLatestResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = Identify(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  std::set<std::string> scopes, areas, indicators;
  for (const auto& s : request->scopes()) scopes.insert(ScopeKey(s));
  areas.insert(request->area_ids().begin(), request->area_ids().end());
  indicators.insert(request->indicators().begin(), request->indicators().end());
  const absl::Time now = clock_->Now();
  *response->mutable_as_of() = ToProtoTime(now);
  absl::MutexLock lock(&state_->mu);
  for (const auto& [key, recorded] : state_->facts.latest()) {
    const auto& [scope_key, indicator] = key;
    const common::v1::ScopeRef& scope = recorded.event().envelope().scope();
    if (!scopes.empty() && !scopes.contains(scope_key)) continue;
    if (!indicators.empty() && !indicators.contains(indicator)) continue;
    if (!areas.empty()) {
      std::optional<std::string> area = reference_->AreaOf(scope);
      if (!area.has_value() || !areas.contains(*area)) continue;
    }
    if (!MaySee(*caller, scope, *reference_)) continue;
    v1::LatestFigure* f = response->add_figures();
    f->set_indicator(indicator);
    *f->mutable_scope() = scope;
    *f->mutable_event() = recorded.event();
    f->set_age_seconds(std::max<int64_t>(
        0, absl::ToInt64Seconds(now - OccurredAt(recorded))));
    if (request->include_contributions()) {
      *f->mutable_contributions() = recorded.contributions();
    }
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* CapacityServiceImpl::ListProviderUpdates(
    grpc::CallbackServerContext* context, const v1::ListProviderUpdatesRequest* request,
    v1::ListProviderUpdatesResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = Identify(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  std::string provider = request->provider_id();
  if (caller->provider != nullptr) {
    if (provider.empty()) provider = caller->provider->id();
    if (provider != caller->provider->id()) {
      reactor->Finish(ToGrpcStatus(absl::PermissionDeniedError(
          "a provider sees only its own updates (leave provider_id empty)")));
      return reactor;
    }
  } else {
    if (!caller->staff->county_wide()) {
      reactor->Finish(ToGrpcStatus(absl::PermissionDeniedError(
          "reading a provider's updates needs a county-wide staff role")));
      return reactor;
    }
    if (provider.empty()) {
      reactor->Finish(ToGrpcStatus(absl::InvalidArgumentError("provider_id: required for staff")));
      return reactor;
    }
  }
  absl::StatusOr<v1::ListProviderUpdatesResponse> page;
  {
    absl::MutexLock lock(&state_->mu);
    page = state_->log.List(provider, *request, state_->facts);
  }
  if (page.ok()) *response = *std::move(page);
  reactor->Finish(ToGrpcStatus(page.status()));
  return reactor;
}

}  // namespace resilience::capacity
