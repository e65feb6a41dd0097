#include "services/escalation/core/indicator_alerting.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
using google::protobuf::Timestamp;

bool Alerting(OpelLevel level) { return level >= common::v1::OPEL_LEVEL_2_AMBER; }

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

  const bool was_alerting = Alerting(before);
  const bool is_alerting = Alerting(after);
  if (!was_alerting && !is_alerting) return out;
  if (was_alerting && is_alerting && before == after) return out;

  const Timestamp now_ts = ToProtoTime(now);
  v1::Alert alert;
  if (!was_alerting) {
    // A new episode.
    out.next.episode += 1;
    alert.set_alert_id(absl::StrCat("indicator-level/", ScopeKey(evidence.scope()), "/",
                                    evidence.indicator(), "/", out.next.episode));
    alert.set_rule("indicator-level");
    *alert.mutable_scope() = evidence.scope();
    alert.set_area_id(context.area_id);
    *alert.mutable_raised_at() = now_ts;
    for (const std::string& role : context.recipient_roles) {
      alert.add_recipients()->set_role_id(role);
    }
  } else {
    alert = out.next.alert.value_or(v1::Alert{});
  }
  alert.set_previous_level(before);
  alert.set_level(is_alerting ? after : alert.level());
  if (!is_alerting) {
    alert.set_state(v1::ALERT_STATE_RESOLVED);
    *alert.mutable_resolved_at() = now_ts;
  } else if (!was_alerting || after > before) {
    alert.set_state(v1::ALERT_STATE_FIRING);
  }
  alert.set_title(absl::StrCat(context.scope_name, ": ", context.indicator_name, " ",
                               LevelColour(after), " (", evidence.value_text(), ")"));
  alert.set_summary(absl::StrCat(context.indicator_name, " is ", evidence.value_text(),
                                 ", which is ", LevelColour(after), " by the trigger row '",
                                 evidence.trigger_row(), "'. It was ", LevelColour(before),
                                 is_alerting ? "." : "; the alert is resolved."));
  alert.clear_evidence();
  *alert.add_evidence() = evidence;
  *alert.mutable_updated_at() = now_ts;
  alert.set_revision(alert.revision() + 1);
  out.next.alert = alert;
  out.changed_alert = std::move(alert);
  return out;
}

}  // namespace resilience::escalation
