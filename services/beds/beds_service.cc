#include "services/beds/beds_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/alarm.h"
#include "common/auth/grpc_caller.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/status/status_macros.h"
#include "common/scope/scope_key.h"
#include "services/beds/core/bed_update.h"

namespace resilience::beds {
namespace {

using Record = ChangeWriter::Record;
using Prepared = absl::StatusOr<std::optional<Record>>;

// One StreamUpdates call: reads an update, waits for its acknowledgement, writes it, reads the
// next. A bad update is answered REJECTED and the stream goes on. Over the provider's rate limit
// the next read waits (an alarm), so the stream slows down instead of refusing updates.
class UpdateStream final : public grpc::ServerBidiReactor<v1::BedUpdate, common::v1::UpdateAck> {
 public:
  UpdateStream(ChangeWriter* writer, std::string provider, std::function<absl::Duration()> take)
      : writer_(writer), provider_(std::move(provider)), take_(std::move(take)) {
    StartRead(&update_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending; everything read has been answered
      MaybeFinish(grpc::Status::OK);
      return;
    }
    const absl::Duration wait = take_();
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = true;
      wait_ = wait;
    }
    writer_->SubmitUpdate(update_, provider_, [this](UpdateResult result) {
      absl::MutexLock lock(&mu_);
      in_flight_ = false;
      if (cancelled_) {
        FinishLocked(grpc::Status::CANCELLED);
        return;
      }
      ack_ = std::move(result.ack);
      StartWrite(&ack_);
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      MaybeFinish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (wait_ > absl::ZeroDuration()) {
        alarm_pending_ = true;
        alarm_.Set(absl::ToChronoTime(absl::Now() + wait_), [this](bool fired) { OnAlarm(fired); });
        return;
      }
    }
    StartRead(&update_);
  }

  // The rate limit's wait is over (fired) or the call was cancelled.
  void OnAlarm(bool fired) {
    bool remove = false, read = false;
    {
      absl::MutexLock lock(&mu_);
      alarm_pending_ = false;
      remove = done_;
      read = !done_ && fired && !cancelled_;
    }
    if (read) StartRead(&update_);
    if (remove) delete this;
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (alarm_pending_) alarm_.Cancel();
    if (!in_flight_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      if (alarm_pending_) return;  // the alarm's callback deletes
    }
    delete this;
  }

 private:
  void MaybeFinish(grpc::Status status) {
    absl::MutexLock lock(&mu_);
    FinishLocked(std::move(status));
  }
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }

  ChangeWriter* writer_;
  const std::string provider_;
  const std::function<absl::Duration()> take_;
  v1::BedUpdate update_;
  common::v1::UpdateAck ack_;
  grpc::Alarm alarm_;
  absl::Mutex mu_;
  absl::Duration wait_ ABSL_GUARDED_BY(mu_);
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool alarm_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

template <typename T>
bool In(const T& list, const typename T::value_type& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

absl::Status Invalid(const std::string& field, const std::string& reason) {
  return InvalidArgumentWithViolations({Violation(field, reason)});
}

// Puts a recorded location change on the board; its figures are recomputed.
void CommitLocation(BedsState& s, const Record& r, absl::Time now) {
  s.board.Put(r.change.location());
  s.dirty[r.change.location().location().id()] = FigureCause{{}, now};
}

// Records a placement change through the writer and answers the call with the placement.
// `prepare` fills the placement and says whether it must be written (false: a retry or an
// identical repeat, answered with the placement as recorded).
using PlacementPrepare =
    std::function<absl::StatusOr<bool>(BedsState&, absl::Time, v1::Placement*)>;
void WritePlacement(ChangeWriter* writer, std::vector<std::string> keys, PlacementPrepare prepare,
                    grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                    v1::Placement* response) {
  auto placement = std::make_shared<v1::Placement>();
  ChangeWriter::Write w;
  w.keys = std::move(keys);
  w.prepare = [prepare = std::move(prepare), placement](BedsState& s, absl::Time now) -> Prepared {
    ASSIGN_OR_RETURN(const bool write, prepare(s, now, placement.get()));
    if (!write) return std::nullopt;
    Record out;
    out.key = PlacementLogKey(placement->placement_id());
    *out.change.mutable_placement() = *placement;
    return out;
  };
  w.commit = [](BedsState& s, const Record& r, absl::Time) { s.placements.Put(r.change.placement()); };
  w.done = [context, reactor, response, placement](const absl::Status& status) {
    if (status.ok()) *response = *placement;
    reactor->Finish(ToGrpcStatus(status, context));
  };
  writer->Submit(std::move(w));
}

}  // namespace

BedsServiceImpl::BedsServiceImpl(BedsState* state, ChangeWriter* writer, const Clock* clock,
                                 MetricsRegistry* metrics, absl::Duration max_future_skew,
                                 ProviderRateLimits limits)
    : state_(state),
      writer_(writer),
      clock_(clock),
      max_future_skew_(max_future_skew),
      limits_(std::move(limits)) {
  throttled_ = metrics->GetCounter("resilience_beds_rate_limited_total",
                                   "Unary bed updates refused over a provider's rate limit.");
  search_latency_ = metrics->GetHistogram(
      "resilience_beds_vacancy_search_seconds", "Vacancy search time, from live state.", "",
      {0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1});
}

std::string BedsServiceImpl::ProviderOf(const grpc::CallbackServerContext* context) {
  // mTLS: a verified client certificate names the provider (DESIGN 8). x-provider-id is the
  // development stand-in, refused before the call gets here when development headers are off.
  std::string certified = auth::VerifiedClientName(*context);
  if (!certified.empty()) return certified;
  const auto& md = context->client_metadata();
  auto it = md.find("x-provider-id");
  if (it == md.end() || it->second.empty()) return "unauthenticated";
  return std::string(it->second.data(), it->second.size());
}

absl::Status BedsServiceImpl::CheckStaffUser(const std::string& field,
                                             const std::string& user) const {
  if (user.empty()) return Invalid(field, "required (audited)");
  if (state_->reference->FindPerson(user) == nullptr) {
    return Invalid(field, absl::StrCat("unknown staff user '", user, "'"));
  }
  return absl::OkStatus();
}

grpc::ServerBidiReactor<v1::BedUpdate, common::v1::UpdateAck>* BedsServiceImpl::StreamUpdates(
    grpc::CallbackServerContext* context) {
  const std::string provider = ProviderOf(context);
  return new UpdateStream(writer_, provider, [this, provider] {
    absl::MutexLock lock(&limits_mu_);
    return limits_.Take(provider, absl::Now());
  });
}

grpc::ServerUnaryReactor* BedsServiceImpl::SubmitUpdate(grpc::CallbackServerContext* context,
                                                        const v1::BedUpdate* request,
                                                        common::v1::UpdateAck* response) {
  auto* reactor = context->DefaultReactor();
  const std::string provider = ProviderOf(context);
  bool allowed;
  RateLimit limit;
  {
    absl::MutexLock lock(&limits_mu_);
    allowed = limits_.TryTake(provider, absl::Now());
    limit = limits_.LimitOf(provider);
  }
  if (!allowed) {
    throttled_->Increment();
    reactor->Finish(ToGrpcStatus(
        absl::ResourceExhaustedError(absl::StrCat(
            "provider '", provider, "' is over its rate limit of ", limit.per_second,
            " updates per second (burst ", limit.burst, "): retry later with the same update id, "
            "or stream the updates")),
        context));
    return reactor;
  }
  writer_->SubmitUpdate(*request, provider,
                        [context, response, reactor](UpdateResult result) {
                          using Ack = common::v1::UpdateAck;
                          const Ack& ack = result.ack;
                          if (ack.outcome() == Ack::OUTCOME_REJECTED) {
                            std::vector<common::v1::FieldViolation> v(ack.violations().begin(),
                                                                      ack.violations().end());
                            absl::Status s = InvalidArgumentWithViolations(v);
                            if (result.code != absl::StatusCode::kInvalidArgument) {
                              s = absl::Status(result.code, ack.message());
                            }
                            reactor->Finish(ToGrpcStatus(s, context));
                            return;
                          }
                          if (ack.outcome() == Ack::OUTCOME_RETRY) {
                            reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, ack.message()));
                            return;
                          }
                          *response = ack;
                          reactor->Finish(grpc::Status::OK);
                        });
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::ListLocations(grpc::CallbackServerContext* context,
                                                         const v1::ListLocationsRequest* q,
                                                         v1::ListLocationsResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::MutexLock lock(&state_->mu);
  for (const v1::LocationRecord* r : state_->board.Locations()) {
    const auto& l = r->location();
    if (In(q->area_ids(), l.area_id()) && In(q->kinds(), l.kind()) &&
        In(q->provider_ids(), l.provider_id())) {
      *response->add_locations() = l;
    }
  }
  response->set_reference_version(state_->reference->data().version());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::UpsertLocation(grpc::CallbackServerContext* context,
                                                          const v1::UpsertLocationRequest* q,
                                                          reference::v1::Location* response) {
  auto* reactor = context->DefaultReactor();
  const reference::v1::Location& l = q->location();
  std::vector<common::v1::FieldViolation> v;
  if (!IsValidScopeId(l.id())) {
    v.push_back(Violation("location.id", "must be 1-64 lower-case letters, digits or '-'"));
  }
  if (l.name().empty() || l.name().size() > 200) {
    v.push_back(Violation("location.name", "required, at most 200 characters"));
  }
  if (state_->reference->FindArea(l.area_id()) == nullptr) {
    v.push_back(Violation("location.area_id", absl::StrCat("unknown area '", l.area_id(), "'")));
  }
  if (l.kind() == reference::v1::LOCATION_KIND_UNSPECIFIED ||
      !reference::v1::LocationKind_IsValid(l.kind())) {
    v.push_back(Violation("location.kind", "required"));
  }
  if (l.provider_id().empty()) v.push_back(Violation("location.provider_id", "required"));
  std::set<int> types;
  for (int i = 0; i < l.beds_size(); ++i) {
    const auto t = l.beds(i).bed_type();
    if (t == reference::v1::BED_TYPE_UNSPECIFIED || !reference::v1::BedType_IsValid(t)) {
      v.push_back(Violation(absl::StrCat("location.beds[", i, "].bed_type"), "required"));
    } else if (!types.insert(t).second) {
      v.push_back(Violation(absl::StrCat("location.beds[", i, "].bed_type"), "listed twice"));
    }
  }
  if (q->reason().size() < 10) v.push_back(Violation("reason", "at least 10 characters (audited)"));
  absl::Status user = CheckStaffUser("changed_by", q->changed_by());
  if (!user.ok()) v.push_back(FieldViolationsOf(user).front());
  if (!v.empty()) {
    reactor->Finish(ToGrpcStatus(InvalidArgumentWithViolations(v), context));
    return reactor;
  }
  auto request = std::make_shared<v1::UpsertLocationRequest>(*q);
  ChangeWriter::Write w;
  w.keys = {LocationLogKey(l.id())};
  w.prepare = [request](BedsState& s, absl::Time now) -> Prepared {
    const reference::v1::Location& wanted = request->location();
    const v1::LocationRecord* current = s.board.Find(wanted.id());
    Record out;
    out.key = LocationLogKey(wanted.id());
    v1::LocationRecord* next = out.change.mutable_location();
    if (current != nullptr) *next = *current;
    std::set<int> all;
    for (const auto& b : next->location().beds()) all.insert(b.bed_type());
    for (const auto& b : wanted.beds()) all.insert(b.bed_type());
    for (int t : all) {
      const auto type = static_cast<reference::v1::BedType>(t);
      const uint32_t before = TotalOf(next->location(), type);
      const uint32_t after = TotalOf(wanted, type);
      if (current != nullptr && before == after && HasBedType(next->location(), type)) continue;
      RETURN_IF_ERROR(CheckStockChange(*next, type, after));
      v1::BedStockChange change;
      change.set_change_id(NewRandomUuid());
      change.set_location_id(wanted.id());
      change.set_bed_type(type);
      change.set_previous_total(before);
      change.set_new_total(after);
      change.set_changed_by(request->changed_by());
      change.set_reason(request->reason());
      *change.mutable_effective_at() = ToProtoTime(now);
      *change.mutable_recorded_at() = ToProtoTime(now);
      ApplyStockChange(change, next);
    }
    auto* loc = next->mutable_location();
    loc->set_id(wanted.id());
    loc->set_name(wanted.name());
    loc->set_area_id(wanted.area_id());
    loc->set_kind(wanted.kind());
    loc->set_provider_id(wanted.provider_id());
    next->set_upserted(true);
    next->set_sequence(next->sequence() + 1);
    return out;
  };
  w.commit = CommitLocation;
  w.done = [this, context, reactor, response, request](const absl::Status& status) {
    if (status.ok()) {
      absl::MutexLock lock(&state_->mu);
      const v1::LocationRecord* r = state_->board.Find(request->location().id());
      if (r != nullptr) *response = r->location();
    }
    reactor->Finish(ToGrpcStatus(status, context));
  };
  writer_->Submit(std::move(w));
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::ChangeBedStock(grpc::CallbackServerContext* context,
                                                          const v1::ChangeBedStockRequest* q,
                                                          v1::BedStockChange* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  std::vector<common::v1::FieldViolation> v;
  if (q->location_id().empty()) v.push_back(Violation("location_id", "required"));
  if (q->bed_type() == reference::v1::BED_TYPE_UNSPECIFIED ||
      !reference::v1::BedType_IsValid(q->bed_type())) {
    v.push_back(Violation("bed_type", "required"));
  }
  if (q->new_total() > 10000) v.push_back(Violation("new_total", "at most 10000"));
  if (q->reason().size() < 10) v.push_back(Violation("reason", "at least 10 characters (audited)"));
  absl::Status user = CheckStaffUser("changed_by", q->changed_by());
  if (!user.ok()) v.push_back(FieldViolationsOf(user).front());
  if (q->has_effective_at()) {
    const absl::Time at = FromProtoTime(q->effective_at());
    if (at > now + max_future_skew_) {
      v.push_back(Violation("effective_at", "must not be in the future: send the change when it "
                                            "takes effect (scheduled changes are not supported)"));
    } else if (at < now - absl::Hours(24)) {
      v.push_back(Violation("effective_at", "more than 24 hours in the past"));
    }
  }
  if (!v.empty()) {
    reactor->Finish(ToGrpcStatus(InvalidArgumentWithViolations(v), context));
    return reactor;
  }
  auto request = std::make_shared<v1::ChangeBedStockRequest>(*q);
  auto change = std::make_shared<v1::BedStockChange>();
  ChangeWriter::Write w;
  w.keys = {LocationLogKey(q->location_id())};
  w.prepare = [request, change](BedsState& s, absl::Time at) -> Prepared {
    const v1::LocationRecord* current = s.board.Find(request->location_id());
    if (current == nullptr) {
      return absl::NotFoundError(absl::StrCat("unknown location '", request->location_id(), "'"));
    }
    RETURN_IF_ERROR(CheckStockChange(*current, request->bed_type(), request->new_total()));
    change->set_change_id(NewRandomUuid());
    change->set_location_id(request->location_id());
    change->set_bed_type(request->bed_type());
    change->set_previous_total(TotalOf(current->location(), request->bed_type()));
    change->set_new_total(request->new_total());
    change->set_changed_by(request->changed_by());
    change->set_reason(request->reason());
    *change->mutable_effective_at() =
        request->has_effective_at() ? request->effective_at() : ToProtoTime(at);
    *change->mutable_recorded_at() = ToProtoTime(at);
    Record out;
    out.key = LocationLogKey(request->location_id());
    *out.change.mutable_location() = *current;
    ApplyStockChange(*change, out.change.mutable_location());
    return out;
  };
  w.commit = CommitLocation;
  w.done = [context, reactor, response, change](const absl::Status& status) {
    if (status.ok()) *response = *change;
    reactor->Finish(ToGrpcStatus(status, context));
  };
  writer_->Submit(std::move(w));
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::ListBedStockChanges(
    grpc::CallbackServerContext* context, const v1::ListBedStockChangesRequest* q,
    v1::ListBedStockChangesResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (q->limit() > 500) {
    reactor->Finish(ToGrpcStatus(Invalid("limit", "at most 500"), context));
    return reactor;
  }
  const size_t limit = q->limit() == 0 ? 100 : q->limit();
  std::vector<v1::BedStockChange> changes;
  {
    absl::MutexLock lock(&state_->mu);
    if (!q->location_id().empty() && state_->board.Find(q->location_id()) == nullptr) {
      reactor->Finish(ToGrpcStatus(
          absl::NotFoundError(absl::StrCat("unknown location '", q->location_id(), "'")), context));
      return reactor;
    }
    for (const v1::LocationRecord* r : state_->board.Locations()) {
      if (!q->location_id().empty() && r->location().id() != q->location_id()) continue;
      for (const auto& c : r->stock_changes()) {
        if (q->has_since() && FromProtoTime(c.recorded_at()) < FromProtoTime(q->since())) continue;
        changes.push_back(c);
      }
    }
  }
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
    return FromProtoTime(a.recorded_at()) > FromProtoTime(b.recorded_at());
  });
  for (size_t i = 0; i < changes.size() && i < limit; ++i) *response->add_changes() = changes[i];
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::GetAvailability(grpc::CallbackServerContext* context,
                                                           const v1::GetAvailabilityRequest* q,
                                                           v1::AvailabilityReport* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&state_->mu);
  *response = state_->board.Availability(*q, now);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::SearchVacancies(grpc::CallbackServerContext* context,
                                                           const v1::SearchVacanciesRequest* q,
                                                           v1::SearchVacanciesResponse* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::SearchVacanciesResponse> found;
  {
    const absl::Time started = absl::Now();
    absl::MutexLock lock(&state_->mu);
    found = state_->board.SearchVacancies(*q, now);
    search_latency_->Observe(absl::ToDoubleSeconds(absl::Now() - started));
  }
  if (found.ok()) *response = *std::move(found);
  reactor->Finish(ToGrpcStatus(found.status(), context));
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::StartPlacement(grpc::CallbackServerContext* context,
                                                          const v1::StartPlacementRequest* q,
                                                          v1::Placement* response) {
  auto* reactor = context->DefaultReactor();
  if (absl::Status s = CheckStaffUser("started_by", q->started_by()); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s, context));
    return reactor;
  }
  auto request = std::make_shared<v1::StartPlacementRequest>(*q);
  const std::string id = PlacementIdFor(q->request_id());
  WritePlacement(
      writer_, {PlacementLogKey(id), absl::StrCat("person/", q->person_ref())},
      [request, id](BedsState& s, absl::Time now, v1::Placement* p) -> absl::StatusOr<bool> {
        if (const v1::Placement* existing = s.placements.Find(id)) {  // a retry
          *p = s.placements.View(*existing, now);
          return false;
        }
        const v1::LocationRecord* r = s.board.Find(request->location_id());
        ASSIGN_OR_RETURN(*p, s.placements.PrepareStart(
                                 *request, r == nullptr ? nullptr : &r->location(), now));
        return true;
      },
      context, reactor, response);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::EndPlacement(grpc::CallbackServerContext* context,
                                                        const v1::EndPlacementRequest* q,
                                                        v1::Placement* response) {
  auto* reactor = context->DefaultReactor();
  if (absl::Status s = CheckStaffUser("ended_by", q->ended_by()); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s, context));
    return reactor;
  }
  std::string person;
  {
    absl::MutexLock lock(&state_->mu);
    if (const v1::Placement* p = state_->placements.Find(q->placement_id())) person = p->person_ref();
  }
  auto request = std::make_shared<v1::EndPlacementRequest>(*q);
  WritePlacement(
      writer_, {PlacementLogKey(q->placement_id()), absl::StrCat("person/", person)},
      [request](BedsState& s, absl::Time now, v1::Placement* p) -> absl::StatusOr<bool> {
        const v1::Placement* before = s.placements.Find(request->placement_id());
        const bool already_ended = before != nullptr && !before->end_date().empty();
        ASSIGN_OR_RETURN(*p, s.placements.PrepareEnd(*request, now));
        return !already_ended;  // an identical repeat is answered as it is
      },
      context, reactor, response);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::GetPlacement(grpc::CallbackServerContext* context,
                                                        const v1::GetPlacementRequest* q,
                                                        v1::Placement* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&state_->mu);
  const v1::Placement* p = state_->placements.Find(q->placement_id());
  if (p == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::NotFoundError(absl::StrCat("no placement '", q->placement_id(), "'")), context));
    return reactor;
  }
  *response = state_->placements.View(*p, now);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* BedsServiceImpl::ListPlacements(grpc::CallbackServerContext* context,
                                                          const v1::ListPlacementsRequest* q,
                                                          v1::ListPlacementsResponse* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::ListPlacementsResponse> list;
  {
    absl::MutexLock lock(&state_->mu);
    list = state_->placements.List(*q, now);
  }
  if (list.ok()) *response = *std::move(list);
  reactor->Finish(ToGrpcStatus(list.status(), context));
  return reactor;
}

}  // namespace resilience::beds
