// Events about care settings that are not figures (plan 6.3 placement milestones, outbreak
// notices) turned into what the escalation service acts on. Pure code. Thread-safe.
//
// Readings:
// - An assessment bed placement past 3 weeks is "escalated for immediate action" (plan 6.3): a
//   Red alert to the senior practitioners / social care discharge co-ordinators and the
//   Short-term Pathway team manager, who own the placement's progress (plan 7.3-7.4).
// - Week 8 of the 12-week disregard period: "providers are notified" (plan 6.3): an Amber alert
//   to the arranging support team, who deal with providers (plan 7.5), to notify this one.
// - Each is one alert per placement and milestone ("<rule>/location/<id>/<placement id>"), so a
//   milestone delivered twice raises it once.
// - An outbreak notice is the `outbreak` yes/no figure of the setting: yes until declared over.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_CARE_SETTING_EVENTS_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_CARE_SETTING_EVENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "events/v1/events.pb.h"

namespace resilience::escalation {

// The alert for a placement milestone event at `location_name` in `area_id`, raised at `now`.
// INVALID_ARGUMENT when the milestone is unspecified or the placement id is empty.
absl::StatusOr<v1::Alert> PlacementAlert(const events::v1::DomainEvent& event,
                                         const std::string& location_name,
                                         const std::string& area_id, absl::Time now,
                                         absl::TimeZone zone);

// The `outbreak` observation an outbreak notice stands for.
events::v1::IndicatorObservation OutbreakObservation(const events::v1::OutbreakNotice& notice);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_CARE_SETTING_EVENTS_H_
