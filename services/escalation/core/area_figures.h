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

#include <string>
#include <vector>

#include "common/reference/reference_index.h"

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

// "<scope key>|<indicator>".
std::string FigureKey(const common::v1::ScopeRef& scope, const std::string& indicator);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_AREA_FIGURES_H_
