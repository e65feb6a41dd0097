#include "services/workforce/workforce_service.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/grpc_caller.h"
#include "common/grpc/status_conversion.h"
#include "services/workforce/core/mutual_aid.h"

namespace resilience::workforce {
namespace {

// One StreamUpdates call: reads an update, waits for its acknowledgement, writes it, reads the
// next. A bad update is answered REJECTED and the stream goes on.
class UpdateStream final : public grpc::ServerBidiReactor<v1::WorkforceUpdate, common::v1::UpdateAck> {
 public:
  UpdateStream(ChangeRecorder* recorder, std::string provider)
      : recorder_(recorder), provider_(std::move(provider)) {
    StartRead(&update_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending; everything read has been answered
      MaybeFinish(grpc::Status::OK);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = true;
    }
    recorder_->Submit(update_, provider_, [this](common::v1::UpdateAck ack) {
      absl::MutexLock lock(&mu_);
      in_flight_ = false;
      if (cancelled_) {
        FinishLocked(grpc::Status::CANCELLED);
        return;
      }
      ack_ = std::move(ack);
      StartWrite(&ack_);
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      MaybeFinish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    StartRead(&update_);
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (!in_flight_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override { delete this; }

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

  ChangeRecorder* recorder_;
  const std::string provider_;
  v1::WorkforceUpdate update_;
  common::v1::UpdateAck ack_;
  absl::Mutex mu_;
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

bool ParseDayOrToday(const std::string& text, const StaffingLedger& ledger, absl::Time now,
                     absl::CivilDay* day) {
  if (text.empty()) {
    *day = ledger.DayOf(now);
    return true;
  }
  return ParseDay(text, day);
}

grpc::Status BadDay(grpc::CallbackServerContext* context) {
  common::v1::FieldViolation v;
  v.set_field("day");
  v.set_reason("must be YYYY-MM-DD");
  return ToGrpcStatus(InvalidArgumentWithViolations({v}), context);
}

}  // namespace

WorkforceServiceImpl::WorkforceServiceImpl(std::shared_ptr<const ReferenceIndex> reference,
                                           WorkforceState* state, ChangeRecorder* recorder,
                                           const Clock* clock)
    : reference_(std::move(reference)), state_(state), recorder_(recorder), clock_(clock) {}

std::string WorkforceServiceImpl::ProviderOf(const grpc::CallbackServerContext* context) {
  // mTLS: a verified client certificate names the provider (DESIGN 8). x-provider-id is the
  // development stand-in, refused before the call gets here when development headers are off.
  std::string certified = auth::VerifiedClientName(*context);
  if (!certified.empty()) return certified;
  const auto& md = context->client_metadata();
  auto it = md.find("x-provider-id");
  if (it == md.end() || it->second.empty()) return "unauthenticated";
  return std::string(it->second.data(), it->second.size());
}

void WorkforceServiceImpl::SubmitUnary(grpc::CallbackServerContext* context,
                                       v1::WorkforceUpdate update, common::v1::UpdateAck* response,
                                       grpc::ServerUnaryReactor* reactor,
                                       const std::string& strip_prefix) {
  const bool is_staffing = update.has_staffing();
  recorder_->Submit(
      std::move(update), ProviderOf(context),
      [context, response, reactor, is_staffing, strip_prefix](common::v1::UpdateAck ack) {
        using Ack = common::v1::UpdateAck;
        if (ack.outcome() == Ack::OUTCOME_REJECTED && ack.violations_size() == 1 &&
            ack.violations(0).field() == "provider") {
          reactor->Finish(ToGrpcStatus(absl::PermissionDeniedError(ack.violations(0).reason()), context));
          return;
        }
        if (ack.outcome() == Ack::OUTCOME_REJECTED) {
          std::vector<common::v1::FieldViolation> violations;
          for (auto v : ack.violations()) {
            if (!strip_prefix.empty() && v.field().rfind(strip_prefix, 0) == 0) {
              v.set_field(v.field().substr(strip_prefix.size()));
            }
            violations.push_back(std::move(v));
          }
          reactor->Finish(ToGrpcStatus(InvalidArgumentWithViolations(violations), context));
          return;
        }
        if (ack.outcome() == Ack::OUTCOME_RETRY) {
          reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, ack.message()));
          return;
        }
        // A direct count is about one team's figure: its ack names the observation.
        if (is_staffing && ack.event_ids_size() > 0) ack.set_event_id(ack.event_ids(0));
        *response = std::move(ack);
        reactor->Finish(grpc::Status::OK);
      });
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::ReportStaffing(
    grpc::CallbackServerContext* context, const v1::StaffingReport* request,
    common::v1::UpdateAck* response) {
  auto* reactor = context->DefaultReactor();
  v1::WorkforceUpdate update;
  update.set_update_id(request->update_id());
  *update.mutable_staffing() = *request;
  // Fields are named as in StaffingReport, the caller's message, not as in WorkforceUpdate.
  SubmitUnary(context, std::move(update), response, reactor, "staffing.");
  return reactor;
}

grpc::ServerBidiReactor<v1::WorkforceUpdate, common::v1::UpdateAck>*
WorkforceServiceImpl::StreamUpdates(grpc::CallbackServerContext* context) {
  return new UpdateStream(recorder_, ProviderOf(context));
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::SubmitUpdate(grpc::CallbackServerContext* context,
                                                             const v1::WorkforceUpdate* request,
                                                             common::v1::UpdateAck* response) {
  auto* reactor = context->DefaultReactor();
  SubmitUnary(context, *request, response, reactor, "");
  return reactor;
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::UpsertTeam(grpc::CallbackServerContext* context,
                                                           const v1::UpsertTeamRequest* request,
                                                           reference::v1::Team* response) {
  auto* reactor = context->DefaultReactor();
  if (reference_->FindArea(request->team().area_id()) == nullptr) {
    common::v1::FieldViolation v;
    v.set_field("team.area_id");
    v.set_reason(absl::StrCat("unknown area '", request->team().area_id(), "'"));
    reactor->Finish(ToGrpcStatus(InvalidArgumentWithViolations({v}), context));
    return reactor;
  }
  absl::Status s = recorder_->RecordTeam(request->team(), request->changed_by(), request->reason());
  if (s.ok()) *response = request->team();
  reactor->Finish(ToGrpcStatus(s, context));
  return reactor;
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::GetTeamStaffing(
    grpc::CallbackServerContext* context, const v1::GetTeamStaffingRequest* request,
    v1::TeamStaffing* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  const uint32_t days = request->days_ahead() == 0 ? 14 : std::min<uint32_t>(request->days_ahead(), 14);
  absl::MutexLock lock(&state_->mu);
  const auto* team = state_->ledger.FindTeam(request->team_id());
  if (team == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::NotFoundError(absl::StrCat("no team '", request->team_id(), "'")), context));
    return reactor;
  }
  *response->mutable_team() = *team;
  *response->mutable_now() = state_->ledger.StaffingAt(*team, now);
  const absl::CivilDay today = state_->ledger.DayOf(now);
  for (uint32_t d = 1; d <= days; ++d) {
    *response->add_ahead() = state_->ledger.StaffingOnDay(*team, today + d);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::ListAbsences(
    grpc::CallbackServerContext* context, const v1::ListAbsencesRequest* request,
    v1::ListAbsencesResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::MutexLock lock(&state_->mu);
  absl::CivilDay day;
  if (!ParseDayOrToday(request->day(), state_->ledger, clock_->Now(), &day)) {
    reactor->Finish(BadDay(context));
    return reactor;
  }
  if (state_->ledger.FindTeam(request->team_id()) == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::NotFoundError(absl::StrCat("no team '", request->team_id(), "'")), context));
    return reactor;
  }
  for (auto& a : state_->ledger.AbsencesOn(request->team_id(), day)) {
    *response->add_absences() = std::move(a);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::GetCountySummary(
    grpc::CallbackServerContext* context, const v1::GetCountySummaryRequest* request,
    v1::CountySummary* response) {
  auto* reactor = context->DefaultReactor();
  std::vector<std::string> areas(request->area_ids().begin(), request->area_ids().end());
  absl::MutexLock lock(&state_->mu);
  *response = SummariseCounty(state_->ledger, areas, clock_->Now());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::SuggestMutualAid(
    grpc::CallbackServerContext* context, const v1::SuggestMutualAidRequest* request,
    v1::SuggestMutualAidResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::MutexLock lock(&state_->mu);
  absl::CivilDay day;
  if (!ParseDayOrToday(request->day(), state_->ledger, clock_->Now(), &day)) {
    reactor->Finish(BadDay(context));
    return reactor;
  }
  auto suggestion = workforce::SuggestMutualAid(state_->ledger, *reference_, request->team_id(), day);
  if (suggestion.ok()) *response = *std::move(suggestion);
  reactor->Finish(ToGrpcStatus(suggestion.status(), context));
  return reactor;
}

}  // namespace resilience::workforce
