// A scope's OPEL level over time (an area, the county): the computed level passed through the
// de-escalation hold, the status to show (computed, coverage, evidence, pending step down), and
// the alert transition it makes. Pure code: time is passed in. Thread-safe (stateless).
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_SCOPE_LEVEL_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_SCOPE_LEVEL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/status.pb.h"
#include "services/escalation/core/action_catalogue.h"
#include "services/escalation/core/alert_episode.h"
#include "services/escalation/core/level_hold.h"
#include "services/escalation/core/opel_levels.h"

namespace resilience::escalation {

// What the service keeps for one scope's level.
struct ScopeLevelRecord {
  v1::LevelStatus status;
  int64_t episode = 0;
  std::optional<v1::Alert> alert;
};

// Facts the status and the alert text need.
struct ScopeLevelContext {
  common::v1::ScopeRef scope;
  std::string scope_name;  // "West Kent"
  std::string area_id;     // the area itself, or empty for the county
  std::string rule;        // "area-level", "county-level"
  // Who is told: the roles with actions at the new level in `catalogue` (DESIGN 4.4), with
  // their cards; `recipient_roles` when there is no catalogue.
  const ActionCatalogue* catalogue = nullptr;
  std::vector<std::string> recipient_roles;
  std::string rules_version;
  // The figures behind the computed level, shown as evidence (those at the level or above).
  std::vector<v1::IndicatorEvidence> evidence;
  // For the ICS: the aggregate acute score and the action level (highest site level).
  std::optional<v1::AcuteScore> acute_score;
  common::v1::OpelLevel action_level = common::v1::OPEL_LEVEL_UNSPECIFIED;
};

// A scope's level before and after a roll-up: computed, and in effect (a declaration in force
// may differ).
struct LevelMove {
  common::v1::OpelLevel computed_before = common::v1::OPEL_LEVEL_UNSPECIFIED;
  common::v1::OpelLevel computed_after = common::v1::OPEL_LEVEL_UNSPECIFIED;
  common::v1::OpelLevel effective_before = common::v1::OPEL_LEVEL_UNSPECIFIED;
  common::v1::OpelLevel effective_after = common::v1::OPEL_LEVEL_UNSPECIFIED;
};

struct ScopeLevelAssessment {
  ScopeLevelRecord next;
  // True when what a reader sees changed (level, pending step down, coverage, evidence).
  bool status_changed = false;
  // True when the change is in the evidence alone (the figures' values and ages behind an
  // unchanged level, pending step down and coverage). Such a status is re-derived from the
  // figures at every timed evaluation, so its publication need not hold up the next event.
  bool only_evidence_changed = false;
  std::optional<v1::Alert> changed_alert;
};

// The computed level AssessScopeLevel would give the scope (after the hold), alone. Only when it
// differs from the level held does the assessment read the scope's alert, so a caller can load
// the alert (large: evidence and action cards) in that case only.
common::v1::OpelLevel NextComputedLevel(const std::optional<ScopeLevelRecord>& previous,
                                        const ComputedLevel& computed,
                                        std::optional<double> referrals, const HoldRule& rule,
                                        absl::Time now);

// Applies a freshly computed level at `now` with `referrals` in the scope under `rule`.
// `context` is taken by value: its evidence moves into the status.
ScopeLevelAssessment AssessScopeLevel(std::optional<ScopeLevelRecord> previous,
                                      const ComputedLevel& computed,
                                      std::optional<double> referrals, const HoldRule& rule,
                                      ScopeLevelContext context, absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_SCOPE_LEVEL_H_
