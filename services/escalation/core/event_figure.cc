#include "services/escalation/core/event_figure.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/care_setting_events.h"
#include "services/escalation/core/indicator_alerting.h"

namespace resilience::escalation {

absl::StatusOr<std::optional<EventFigure>> FigureOfEvent(const events::v1::DomainEvent& received,
                                                         const ReferenceIndex& reference,
                                                         const TriggerTables& tables,
                                                         const AcuteFrameworks* acute,
                                                         absl::TimeZone zone) {
  EventFigure out;
  out.event = received;
  events::v1::DomainEvent& event = out.event;
  const auto& env = event.envelope();
  if (env.schema_version() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("schema_version ", env.schema_version(), " is not understood (expected 1)"));
  }
  if (env.event_id().empty()) return absl::InvalidArgumentError("envelope.event_id is empty");
  if (!reference.ScopeExists(env.scope())) {
    return absl::NotFoundError(absl::StrCat("unknown scope ", ScopeKey(env.scope())));
  }
  std::optional<TriggerMatch> scored;
  switch (event.body_case()) {
    case events::v1::DomainEvent::kAcuteAssessment: {
      // Scored under the framework it names or the one in force when it was made.
      const auto* site = reference.FindAcuteSite(env.scope().id());
      if (site == nullptr || env.scope().kind() != common::v1::SCOPE_KIND_ACUTE_SITE) {
        return absl::InvalidArgumentError("an acute assessment must be about an acute site");
      }
      if (acute == nullptr) return absl::FailedPreconditionError("no acute scoring frameworks");
      auto score = acute->Score(event.acute_assessment(), *site, FromProtoTime(env.occurred_at()), zone);
      if (!score.ok()) return score.status();
      AcuteFigure figure = AcuteFigureOf(event, *score);
      *event.mutable_observation() = figure.event.observation();
      scored = figure.match;
      break;
    }
    case events::v1::DomainEvent::kOutbreak: {
      events::v1::IndicatorObservation figure = OutbreakObservation(event.outbreak());
      *event.mutable_observation() = std::move(figure);
      break;
    }
    case events::v1::DomainEvent::kKeahReferral:
    case events::v1::DomainEvent::kPlacementMilestone:
      return std::optional<EventFigure>();
    case events::v1::DomainEvent::kObservation:
      break;
    default:
      return absl::InvalidArgumentError("the event has no body this service understands");
  }
  const auto& observation = event.observation();
  out.indicator = reference.FindIndicator(observation.indicator());
  if (out.indicator == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown indicator '", observation.indicator(), "'"));
  }
  out.area_id = reference.AreaOf(env.scope()).value_or("");
  const TriggerTable* table = tables.Find(observation.indicator(), out.area_id);
  if (table == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("no trigger table for indicator '", observation.indicator(), "'"));
  }
  auto match = scored.has_value() ? absl::StatusOr<TriggerMatch>(*scored) : table->Evaluate(observation);
  if (!match.ok()) return match.status();
  out.evidence = BuildEvidence(event, *match, out.indicator->name());
  return std::optional<EventFigure>(std::move(out));
}

}  // namespace resilience::escalation
