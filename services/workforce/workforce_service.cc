#include "services/workforce/workforce_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/scope/scope_key.h"
#include "services/workforce/core/staffing_report.h"

namespace resilience::workforce {

WorkforceServiceImpl::WorkforceServiceImpl(std::shared_ptr<const ReferenceIndex> reference,
                                           kafka::Producer* producer, const Clock* clock,
                                           MetricsRegistry* metrics,
                                           WorkforceServiceOptions options)
    : reference_(std::move(reference)),
      producer_(producer),
      clock_(clock),
      options_(std::move(options)) {
  const std::string name = "resilience_workforce_updates_total";
  const std::string help = "Workforce updates by outcome.";
  accepted_ = metrics->GetCounter(name, help, R"(outcome="accepted")");
  duplicate_ = metrics->GetCounter(name, help, R"(outcome="duplicate")");
  rejected_ = metrics->GetCounter(name, help, R"(outcome="rejected")");
  retry_ = metrics->GetCounter(name, help, R"(outcome="retry")");
}

std::string WorkforceServiceImpl::ProviderOf(grpc::CallbackServerContext* context) {
  const auto& md = context->client_metadata();
  auto it = md.find("x-provider-id");
  if (it == md.end() || it->second.empty()) return "unauthenticated";
  return std::string(it->second.data(), it->second.size());
}

grpc::ServerUnaryReactor* WorkforceServiceImpl::ReportStaffing(
    grpc::CallbackServerContext* context, const v1::StaffingReport* request,
    common::v1::UpdateAck* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time now = clock_->Now();
  response->set_update_id(request->update_id());

  auto violations =
      ValidateStaffingReport(*request, *reference_, now, options_.max_future_skew);
  if (!violations.empty()) {
    rejected_->Increment();
    // A unary call answers bad input with INVALID_ARGUMENT carrying the field violations; the
    // stream form (StreamUpdates) answers with a REJECTED ack instead and carries on.
    reactor->Finish(ToGrpcStatus(InvalidArgumentWithViolations(violations), context));
    return reactor;
  }

  const std::string provider = ProviderOf(context);
  const std::string key = absl::StrCat(provider, "\n", request->update_id());
  const reference::v1::Team& team = *reference_->FindTeam(request->team_id());
  events::v1::DomainEvent event = BuildStaffingEvent(*request, team, provider, now);
  response->set_event_id(event.envelope().event_id());
  {
    absl::MutexLock lock(&mu_);
    auto it = recent_.find(key);
    if (it != recent_.end()) {
      duplicate_->Increment();
      response->set_outcome(common::v1::UpdateAck::OUTCOME_DUPLICATE);
      *response->mutable_accepted_at() = ToProtoTime(it->second);
      response->set_message("duplicate: this update id was accepted before; nothing applied again");
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
  }

  kafka::OutgoingRecord record{options_.topic, ScopeKey(event.envelope().scope()),
                               event.SerializeAsString(), {{"event_id", response->event_id()}}};
  producer_->SendAsync(record, [this, reactor, response, key, now](absl::Status status) {
    if (!status.ok()) {
      retry_->Increment();
      response->set_outcome(common::v1::UpdateAck::OUTCOME_RETRY);
      response->set_message(absl::StrCat("not recorded, retry with the same update id: ",
                                         status.message()));
      // UNAVAILABLE tells gRPC clients to retry; the ack body is not sent with an error status.
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, response->message()));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (recent_.size() >= options_.remembered_updates) recent_.clear();
      recent_.emplace(key, now);
    }
    accepted_->Increment();
    response->set_outcome(common::v1::UpdateAck::OUTCOME_ACCEPTED);
    *response->mutable_accepted_at() = ToProtoTime(now);
    response->set_message("accepted");
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace resilience::workforce
