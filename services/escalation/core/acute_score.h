// Acute hospital OPEL scores (DESIGN 4.3, plan Appendix 1, NHS England OPEL Framework 2023/24):
// points per parameter from the framework version's bands, the score (0-44 under 2023/24), the
// level from the cut-offs, and the breakdown kept with the result ("why are we at OPEL 3?").
// Trust and ICS roll-ups: a weighted mean of site scores (weights from the reference data,
// equal by default: the plan leaves the method to config), and the ICS *action level*, the
// highest level of any of its sites, whatever the aggregate. Pure code; immutable after
// construction, so thread-safe.
//
// Readings: a parameter not reported scores 0 and is counted in `missing_parameters`, so a
// score on partial data says so. ED attendances are scored as percent over the site's expected
// attendances for the hour of the assessment (local time); with no expected level configured the
// parameter counts as not reported. Upper band ends are inclusive as the framework's neighbouring
// bands show, so median time to treatment of exactly 90 minutes scores 1.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_ACUTE_SCORE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_ACUTE_SCORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "escalation/v1/config.pb.h"
#include "escalation/v1/status.pb.h"
#include "events/v1/events.pb.h"
#include "reference/v1/reference.pb.h"
#include "services/escalation/core/trigger_table.h"

namespace resilience::escalation {

class AcuteFrameworks {
 public:
  // Checks and indexes the frameworks. INVALID_ARGUMENT naming the version when a parameter is
  // missing or repeated, its bands leave a gap or overlap, or the cut-offs do not cover 0 to the
  // maximum score exactly.
  static absl::StatusOr<AcuteFrameworks> FromConfig(
      const google::protobuf::RepeatedPtrField<v1::AcuteFramework>& configs);

  // The framework `version` names, or (empty) the latest in force at `at`. NOT_FOUND when none.
  absl::StatusOr<const v1::AcuteFramework*> Find(const std::string& version, absl::Time at) const;

  // Scores one assessment of `site` made at `assessed_at` (local time zone `zone` for the hour of
  // the expected-attendance profile).
  absl::StatusOr<v1::AcuteScore> Score(const events::v1::AcuteAssessment& assessment,
                                       const reference::v1::AcuteSite& site,
                                       absl::Time assessed_at, absl::TimeZone zone) const;

  // The level of a score (an aggregate may be fractional) under a framework.
  static common::v1::OpelLevel LevelOf(const v1::AcuteFramework& framework, double score);

 private:
  struct Entry {
    v1::AcuteFramework framework;
    absl::Time in_force_from;
  };
  std::map<std::string, Entry> by_version_;
};

// One site's score with its weight in a roll-up.
struct WeightedScore {
  v1::AcuteScore score;
  double weight = 1;  // 0 means 1
};

// The aggregate of site scores (weighted mean, level by the framework's cut-offs) and the action
// level (highest site level). INVALID_ARGUMENT for no scores.
struct AcuteRollUp {
  v1::AcuteScore aggregate;
  common::v1::OpelLevel action_level = common::v1::OPEL_LEVEL_UNSPECIFIED;
};
absl::StatusOr<AcuteRollUp> RollUpAcuteScores(const std::vector<WeightedScore>& sites,
                                              const v1::AcuteFramework& framework);

// The indicator the acute score is kept under, for each site.
inline constexpr char kAcuteIndicator[] = "acute_opel_assessment";

// An assessment as the site's `acute_opel_assessment` figure: the score as its value (unit
// "points"), the points per parameter as components (the breakdown a manager asks for), and the
// match (level and row) from the framework's cut-offs.
struct AcuteFigure {
  events::v1::DomainEvent event;
  TriggerMatch match;
};
AcuteFigure AcuteFigureOf(const events::v1::DomainEvent& assessment_event,
                          const v1::AcuteScore& score);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_ACUTE_SCORE_H_
