// The indicator figures the beds service publishes (reference catalogue ids), computed from the
// bed board, and the observation events that carry them. The service never decides a RAG: the
// escalation service applies the trigger tables. Pure code: no I/O. Thread-compatible.
#ifndef RESILIENCE_SERVICES_BEDS_CORE_BED_FIGURES_H_
#define RESILIENCE_SERVICES_BEDS_CORE_BED_FIGURES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "beds/v1/changes.pb.h"
#include "common/v1/types.pb.h"
#include "events/v1/events.pb.h"
#include "services/beds/core/bed_board.h"

namespace resilience::beds {

// Indicator ids (deploy/config/kent-medway/reference.textproto).
inline constexpr char kAssessmentOccupancy[] = "assessment_bed_occupancy_pct";
inline constexpr char kDementiaAvailable[] = "dementia_bed_available";
inline constexpr char kInHouseVacant[] = "in_house_vacant_beds";
inline constexpr char kCountyAssessmentAvailable[] = "county_assessment_beds_available";
inline constexpr char kCareHomeVacancies[] = "care_home_vacancies";

// One figure of one scope.
struct Figure {
  common::v1::ScopeRef scope;
  std::string indicator;
  double value = 0;
  std::string unit;
  // total, occupied, held, closed, available (beds), shown as evidence.
  std::map<std::string, double> components;
};

// The figures of one location: for an ICC or in-house unit, its assessment bed occupancy
// (assessment and dementia assessment beds together: beds not available as a percent of total,
// so "no bed free" is 100%; none when it has no assessment beds), its dementia beds available
// (when it has the type) and its vacant beds of every type. None for contracted homes.
std::vector<Figure> LocationFigures(const v1::LocationRecord& record);

// Beds vacant and accepting admissions in the area's contracted residential and nursing homes
// (all bed types).
Figure AreaFigure(const BedBoard& board, const std::string& area_id);

// Assessment beds (dementia included) available across every ICC and in-house unit.
Figure CountyFigure(const BedBoard& board, const std::string& county_id);

// True when `figure` differs from what was last published (value or any component).
bool ChangedSince(const Figure& figure, const v1::PublishedFigure* last);

// The observation event of a figure, publication number `sequence` for its scope and indicator
// (the event id is derived from scope, indicator and sequence), effective at `occurred_at`,
// published at `now` because of `cause` (an update's provenance; empty provider for changes
// due to time alone).
events::v1::DomainEvent FigureEvent(const Figure& figure, uint64_t sequence,
                                    const common::v1::Provenance& cause, absl::Time occurred_at,
                                    absl::Time now);

// The log record of a published figure.
v1::PublishedFigure PublishedOf(const events::v1::DomainEvent& event, uint64_t sequence);

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CORE_BED_FIGURES_H_
