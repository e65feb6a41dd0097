// Which figures an area's KCC level rests on: every indicator of the catalogue that counts for
// the area level, for each scope of the area it is measured on. The denominator of coverage
// (DESIGN 4.6: "a level computed on half the data says so"). Pure lookups over the reference data.
//
// Readings: team indicators are expected of the area's Short-term Pathway teams (the plan's
// staffing trigger is theirs); location indicators of its Integrated Care Centres and in-house
// units (the plan's assessment bed indicator); patch indicators of its KEaH patches; area
// indicators of the area itself.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_AREA_FIGURES_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_AREA_FIGURES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/status.pb.h"

namespace resilience::escalation {

// One expected figure.
struct ExpectedFigure {
  common::v1::ScopeRef scope;
  std::string indicator;
  // "<scope key>|<indicator>", the member key used in live state.
  std::string key;
};

std::vector<ExpectedFigure> ExpectedAreaFigures(const ReferenceIndex& reference,
                                                const std::string& area_id);

// The triggers of an Urgent Care Delivery Board area's whole-system level (DESIGN 4.2): its acute
// sites' OPEL assessments, every figure measured on a scope of its KCC localities (teams,
// patches, locations, the localities themselves: the KCC indicators and the external triggers
// such as weather alerts and outbreaks), and the county-wide NHS 111 call volume. The KCC area
// levels themselves are not counted again: their figures already are.
std::vector<ExpectedFigure> ExpectedBoardFigures(const ReferenceIndex& reference,
                                                 const std::string& board_area_id);

// County-scoped figures (their Black puts the county at OPEL 4).
std::vector<ExpectedFigure> ExpectedCountyFigures(const ReferenceIndex& reference);

// The indicator of pending referrals, whose value the step-down hold reads.
inline constexpr char kReferralsIndicatorId[] = "referrals_pending_assessment";

// "<scope key>|<indicator>".
std::string FigureKey(const common::v1::ScopeRef& scope, const std::string& indicator);

// Whether a new figure (`next`, accepted at `at`) replacing `previous` (null if none) can change a level it
// counts towards, so that the levels must be computed again now. A level rests on each figure's
// held level and freshness alone, except an acute site's score (weighted into the ICS score) and
// an area's referrals (the step-down hold compares them with their normal level). So it can when
// there was no figure before, the held level moved, the figure is one of those two, or the
// previous figure was stale at `at` under any level's cadence (its replacement restores
// coverage and resolves the stale-data alert). Otherwise only the values a level quotes as
// evidence differ; the next timed evaluation refreshes those.
bool FigureCanMoveLevels(const v1::IndicatorStatus* previous,
                         const v1::IndicatorStatus& next,
                         const reference::v1::IndicatorDefinition& indicator,
                         const common::v1::ScopeRef& scope, absl::Time at, absl::TimeZone zone);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_AREA_FIGURES_H_
