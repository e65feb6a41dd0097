#include "services/escalation/core/care_setting_events.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {

absl::StatusOr<v1::Alert> PlacementAlert(const events::v1::DomainEvent& event,
                                         const std::string& location_name,
                                         const std::string& area_id, absl::Time now,
                                         absl::TimeZone zone) {
  using M = events::v1::PlacementMilestone;
  const M& m = event.placement_milestone();
  if (m.placement_id().empty()) return absl::InvalidArgumentError("placement_id is empty");
  std::string placement_id;
  for (char c : m.placement_id()) placement_id.push_back(c == '/' ? '_' : c);
  const std::string started = absl::FormatTime("%d %b %Y", FromProtoTime(m.started_at()), zone);
  v1::Alert a;
  switch (m.milestone()) {
    case M::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS:
      a.set_rule("placement-overdue");
      a.set_level(common::v1::OPEL_LEVEL_3_RED);
      a.set_title(absl::StrCat("Assessment bed placement ", m.placement_id(), " at ",
                               location_name, " past 3 weeks"));
      a.set_summary(absl::StrCat(
          "Placement ", m.placement_id(), " (person ", m.person_ref(), ", ", m.bed_type(),
          " bed) started ", started, " and has exceeded the 3-week assessment period: escalate "
          "for immediate action to reduce drift and increase throughput (plan 6.3)."));
      a.add_recipients()->set_role_id("senior_practitioner");
      a.add_recipients()->set_role_id("stp_team_manager");
      break;
    case M::MILESTONE_DISREGARD_WEEK_8_NOTICE:
      a.set_rule("disregard-notice");
      a.set_level(common::v1::OPEL_LEVEL_2_AMBER);
      a.set_title(absl::StrCat("Week 8 of the disregard period: notify ", location_name,
                               " (placement ", m.placement_id(), ")"));
      a.set_summary(absl::StrCat(
          "Placement ", m.placement_id(), " (person ", m.person_ref(), ") started ", started,
          " and is in week 8 of its 12-week disregard period: notify the provider now so "
          "discharge or funding can be arranged by the end of the period (plan 6.3)."));
      a.add_recipients()->set_role_id("arranging_support_team");
      break;
    default:
      return absl::InvalidArgumentError("placement_milestone.milestone is unspecified");
  }
  a.set_alert_id(absl::StrCat(a.rule(), "/", ScopeKey(event.envelope().scope()), "/", placement_id));
  *a.mutable_scope() = event.envelope().scope();
  a.set_area_id(area_id);
  a.set_state(v1::ALERT_STATE_FIRING);
  *a.mutable_raised_at() = ToProtoTime(now);
  *a.mutable_updated_at() = ToProtoTime(now);
  *a.mutable_firing_since() = ToProtoTime(now);
  a.set_revision(1);
  v1::IndicatorEvidence* e = a.add_evidence();
  e->set_indicator(a.rule());
  e->set_indicator_name(a.rule() == "placement-overdue" ? "Assessment placement length"
                                                        : "Disregard period week");
  *e->mutable_scope() = event.envelope().scope();
  e->set_value_text(absl::StrCat("started ", started, ", due ",
                                 absl::FormatTime("%d %b %Y", FromProtoTime(m.due_at()), zone)));
  e->set_level(a.level());
  e->set_trigger_row(a.rule() == "placement-overdue" ? "past 3 weeks (plan 6.3)"
                                                     : "week 8 of 12 (plan 6.3)");
  *e->mutable_provenance() = event.envelope().provenance();
  *e->mutable_occurred_at() = event.envelope().occurred_at();
  e->set_event_id(event.envelope().event_id());
  return a;
}

events::v1::IndicatorObservation OutbreakObservation(const events::v1::OutbreakNotice& notice) {
  events::v1::IndicatorObservation o;
  o.set_indicator("outbreak");
  o.set_flag(!notice.ended());
  (*o.mutable_components())["closed_to_admissions"] = notice.closed_to_admissions() ? 1 : 0;
  o.set_note(notice.ended() ? absl::StrCat(notice.infection(), " outbreak declared over")
                            : absl::StrCat(notice.infection(), " outbreak",
                                           notice.closed_to_admissions()
                                               ? ", closed to admissions"
                                               : ", open to admissions"));
  return o;
}

}  // namespace resilience::escalation
