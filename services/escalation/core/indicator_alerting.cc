#include "services/escalation/core/indicator_alerting.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock/proto_time.h"
#include "services/escalation/core/alert_episode.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
using google::protobuf::Timestamp;

// Orders observations by DESIGN 4.6: occurred_at, then received_at, then event id.
auto OrderKey(const v1::IndicatorEvidence& e) {
  return std::make_tuple(e.occurred_at().seconds(), e.occurred_at().nanos(),
                         e.provenance().accepted_at().seconds(),
                         e.provenance().accepted_at().nanos(), e.event_id());
}

std::string FormatValue(const events::v1::IndicatorObservation& o) {
  switch (o.value_case()) {
    case events::v1::IndicatorObservation::kNumber: {
      std::string unit = o.unit() == "percent" ? "%" : o.unit();
      return absl::StrFormat("%.1f%s%s", o.number(), unit.empty() || unit == "%" ? "" : " ", unit);
    }
    case events::v1::IndicatorObservation::kFlag:
      return o.flag() ? "yes" : "no";
    case events::v1::IndicatorObservation::kReportedLevel:
      return LevelColour(o.reported_level());
    default:
      return "no value";
  }
}

}  // namespace

v1::IndicatorEvidence BuildEvidence(const events::v1::DomainEvent& event,
                                    const TriggerMatch& match, const std::string& indicator_name) {
  const auto& o = event.observation();
  v1::IndicatorEvidence e;
  e.set_indicator(o.indicator());
  e.set_indicator_name(indicator_name);
  *e.mutable_scope() = event.envelope().scope();
  e.set_value_text(FormatValue(o));
  if (o.value_case() == events::v1::IndicatorObservation::kNumber) e.set_value(o.number());
  e.mutable_components()->insert(o.components().begin(), o.components().end());
  e.set_level(match.level);
  e.set_trigger_row(match.row);
  e.set_local_default(match.local_default);
  *e.mutable_provenance() = event.envelope().provenance();
  if (!e.provenance().has_accepted_at()) {
    *e.mutable_provenance()->mutable_accepted_at() = event.envelope().received_at();
  }
  *e.mutable_occurred_at() = event.envelope().occurred_at();
  e.set_event_id(event.envelope().event_id());
  return e;
}

bool NoNewerThan(const v1::IndicatorEvidence& observation, const v1::IndicatorEvidence& held) {
  return OrderKey(observation) <= OrderKey(held);
}

IndicatorAssessment AssessIndicator(const std::optional<IndicatorRecord>& previous,
                                    const v1::IndicatorEvidence& evidence,
                                    const AlertContext& context, absl::Time now) {
  IndicatorAssessment out;
  if (previous.has_value() && previous->status.has_latest() &&
      OrderKey(evidence) <= OrderKey(previous->status.latest())) {
    out.superseded = true;
    return out;
  }
  const OpelLevel before =
      previous.has_value() ? previous->status.latest().level() : common::v1::OPEL_LEVEL_UNSPECIFIED;
  const OpelLevel after = evidence.level();

  out.next = previous.value_or(IndicatorRecord{});
  *out.next.status.mutable_latest() = evidence;
  out.next.status.set_held_level(after);
  out.next.status.set_stale(false);
  out.next.status.set_trend(after > before && before != common::v1::OPEL_LEVEL_UNSPECIFIED ? 1
                            : after < before                                                ? -1
                                                                                            : 0);
  // Most figures keep their level: no alert transition, so no text to write.
  if (!LevelChangeMovesAlert(before, after)) return out;
  // The transition is on the alerts topic already (so are any later ones up to the mark), and
  // the alert and episode held are where those left them.
  if (previous.has_value() && previous->alert_published_through.has_value() &&
      OrderKey(evidence) <= OrderKey(*previous->alert_published_through)) {
    return out;
  }

  AlertSubject subject{"indicator-level", evidence.scope(), evidence.indicator(), context.area_id,
                       context.recipient_roles};
  AlertText text;
  text.title = absl::StrCat(context.scope_name, ": ", context.indicator_name, " ",
                            LevelColour(after), " (", evidence.value_text(), ")");
  text.summary = absl::StrCat(context.indicator_name, " is ", evidence.value_text(), ", which is ",
                              LevelColour(after), " by the trigger row '", evidence.trigger_row(),
                              "'. It was ", LevelColour(before),
                              after >= common::v1::OPEL_LEVEL_2_AMBER ? "."
                                                                      : "; the alert is resolved.");
  text.evidence = {evidence};
  if (context.catalogue != nullptr) {
    for (const std::string& role : context.recipient_roles) {
      if (auto card = context.catalogue->CardFor(role, after)) text.cards.push_back(*std::move(card));
    }
  }
  out.changed_alert = AlertOnLevelChange(out.next.alert, &out.next.episode, before, after, subject,
                                         text, now);
  if (out.changed_alert.has_value()) out.next.alert = out.changed_alert;
  return out;
}

}  // namespace resilience::escalation
