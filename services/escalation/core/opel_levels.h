// KCC OPEL per area and county (DESIGN 4.1, plan Table 2), the whole-system level per Urgent Care
// Delivery Board area (DESIGN 4.2, 2021 edition Appendix 1), and the declared level beside the
// computed one. Pure code: no I/O; time is passed in. Thread-safe (stateless functions).
//
// Readings, tested in tests/unit/escalation/opel_levels_test.cc:
// - Area: the highest level L at which at least `area_quorum` of the area's fresh indicators that
//   count for the area level stand at L or above. Stale indicators do not count (they raise their
//   own alert); with no fresh indicator the level is unknown, never Green. Coverage is fresh over
//   expected indicators.
// - County: OPEL 4 when a county-scoped indicator is Black or at least `countywide_share` of the
//   areas are at 4; OPEL 3 when at least that share are at 2 or above (Table 2: "county-wide");
//   OPEL 2 when any area is at 2 or above ("in some areas"); otherwise OPEL 1 when any area is
//   known. Areas with an unknown level count toward the share's denominator: a county-wide
//   judgement needs every area.
// - Board area: the highest L with at least `system_quorum` triggers (its acute sites' levels,
//   its KCC localities' levels, external triggers) at L or above ("at least five escalation
//   triggers").
// - Declaration: in force from its time until 10:30 local time on the following day (the next
//   daily declaration) or until withdrawn; with none in force the computed level is effective.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_OPEL_LEVELS_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_OPEL_LEVELS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/v1/types.pb.h"
#include "escalation/v1/status.pb.h"

namespace resilience::escalation {

// One input to a level: an indicator's (held) level for a scope, or another scope's level.
struct LevelInput {
  std::string name;  // indicator id or scope key, for the evidence
  common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
  bool fresh = true;
};

// A computed level with what it rests on.
struct ComputedLevel {
  common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
  uint32_t fresh = 0;
  uint32_t expected = 0;
  // fresh / expected (0 when nothing is expected).
  double coverage = 0;
  // Names of the inputs standing at `level` or above: "why is it Red?".
  std::vector<std::string> because;
};

// The highest level L with at least `quorum` (0 means 1) fresh inputs at L or above.
// `expected` is how many inputs the scope should have (for coverage); 0 means inputs.size().
ComputedLevel LevelByQuorum(const std::vector<LevelInput>& inputs, uint32_t quorum,
                            uint32_t expected = 0);

// The county level from its areas' levels and its county-scoped indicators (see the header
// comment). `countywide_share` in (0, 1]; 0 means 1.
ComputedLevel CountyLevel(const std::vector<LevelInput>& areas,
                          const std::vector<LevelInput>& county_indicators,
                          double countywide_share);

// When a declaration made at `declared_at` lapses: 10:30 local time on the following day.
absl::Time DeclarationExpiry(absl::Time declared_at, absl::TimeZone zone);

// The effective level at `now`: the declared level while `declaration` is in force, else the
// computed level.
common::v1::OpelLevel EffectiveLevel(common::v1::OpelLevel computed,
                                     const std::optional<v1::Declaration>& declaration,
                                     absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_OPEL_LEVELS_H_
