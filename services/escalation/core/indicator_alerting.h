// The life of one indicator's alerts (DESIGN 5), as pure code: given what is known about an
// indicator for a scope and a new observation, decide whether the observation wins, the new
// level, and which alert transition (if any) follows. No I/O; time is passed in.
//
// Rules implemented here (the foundation's thin path; the de-escalation hold arrives with the
// escalation issue and slots in before "resolve"):
// - Duplicate submissions for one scope and indicator are resolved by DESIGN 4.6: the latest
//   occurred_at wins, ties by received_at, then by event id, never by arrival order. A losing
//   observation changes nothing.
// - An alert *episode* starts when the level goes from Green or unknown to Amber or worse; its id
//   is "indicator-level/<scope key>/<indicator>/<episode number>", so the same input always
//   yields the same id and replaying it never makes a second alert.
// - Within an episode a change of level updates the alert (new revision); a rise makes it FIRING
//   again, because a worse level needs a fresh acknowledgement.
// - Back to Green resolves the alert.
// - Up to IndicatorRecord::alert_published_through (after a rebuild) the alert stays as it is.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_INDICATOR_ALERTING_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_INDICATOR_ALERTING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/status.pb.h"
#include "events/v1/events.pb.h"
#include "services/escalation/core/action_catalogue.h"
#include "services/escalation/core/levels.h"
#include "services/escalation/core/trigger_table.h"

namespace resilience::escalation {

// What the service keeps for one indicator of one scope.
struct IndicatorRecord {
  v1::IndicatorStatus status;
  // Alert episodes started so far for this indicator and scope.
  int64_t episode = 0;
  // The latest episode's alert, if there ever was one.
  std::optional<v1::Alert> alert;
  // Set by a Redis rebuild when a process lost before committing its offsets had already
  // published this indicator's alert transitions up to this observation (its order fields
  // only): observations up to it move the figure, and so the levels, again, but not the alert,
  // which the alerts topic already holds as they left it.
  std::optional<v1::IndicatorEvidence> alert_published_through;
};

// Facts about the scope and indicator that the alert text and routing need.
struct AlertContext {
  std::string scope_name;      // "Short-term Pathway West Kent"
  std::string indicator_name;  // "Short-term Pathway team staffing"
  std::string area_id;         // KCC locality, empty for county-wide scopes
  // Roles told about this indicator's alerts (the responsible role first).
  std::vector<std::string> recipient_roles;
  // When set, each recipient role with actions at the new level gets its action card.
  const ActionCatalogue* catalogue = nullptr;
};

// The outcome of one observation.
struct IndicatorAssessment {
  // True when a newer figure is already held (DESIGN 4.6); nothing else is set.
  bool superseded = false;
  // The record to store.
  IndicatorRecord next;
  // The alert as it is after this observation, when it changed (raised, re-levelled, resolved).
  std::optional<v1::Alert> changed_alert;
};

// Evidence for one observation matched by a trigger table: value text with unit, components,
// provenance, the matched row.
v1::IndicatorEvidence BuildEvidence(const events::v1::DomainEvent& event,
                                    const TriggerMatch& match, const std::string& indicator_name);

// Whether `observation` is no newer than `held` by DESIGN 4.6 (occurred_at, then received_at,
// then event id): it would change nothing.
bool NoNewerThan(const v1::IndicatorEvidence& observation, const v1::IndicatorEvidence& held);

// Applies one observation's evidence to the indicator's record at time `now`.
IndicatorAssessment AssessIndicator(const std::optional<IndicatorRecord>& previous,
                                    const v1::IndicatorEvidence& evidence,
                                    const AlertContext& context, absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_INDICATOR_ALERTING_H_
