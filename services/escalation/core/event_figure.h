// The figure a domain event stands for: an observation as sent, an acute assessment scored under
// its framework (DESIGN 4.3), an outbreak notice as the setting's `outbreak` flag; with its
// indicator, area and evidence (the matched trigger row). Pure code, shared by the pipeline and
// by the rebuild of live state from the domain topics, so both derive the same figures.
// Thread-safe (stateless).
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_EVENT_FIGURE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_EVENT_FIGURE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/alerts.pb.h"
#include "events/v1/events.pb.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/trigger_table.h"

namespace resilience::escalation {

struct EventFigure {
  // The event with the figure as its observation body.
  events::v1::DomainEvent event;
  const reference::v1::IndicatorDefinition* indicator = nullptr;
  // KCC locality of the scope; empty for county-wide and NHS scopes.
  std::string area_id;
  v1::IndicatorEvidence evidence;
};

// The figure of `event`, or nullopt when it is not a figure (KEaH referral steps, placement
// milestones). FAILED_PRECONDITION for an unknown schema version or an indicator with no
// trigger table; INVALID_ARGUMENT / NOT_FOUND for events that can never apply (unknown scope,
// indicator, a value outside its table). `acute` may be null (assessments are then refused).
absl::StatusOr<std::optional<EventFigure>> FigureOfEvent(const events::v1::DomainEvent& event,
                                                         const ReferenceIndex& reference,
                                                         const TriggerTables& tables,
                                                         const AcuteFrameworks* acute,
                                                         absl::TimeZone zone);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_EVENT_FIGURE_H_
