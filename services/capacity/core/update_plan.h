// What a valid capacity update becomes (the mapping of DESIGN 3): the DomainEvents to publish on
// the `capacity` topic (an IndicatorObservation per figure, or the AcuteAssessment,
// KeahReferralEvent or OutbreakNotice body), the derived figures it moves (KEaH patches with
// capacity county-wide, an area's home care totals over providers, an area's weather-health
// level, a location's outbreak flag) and the facts to remember. Figures older than the one held
// for the same scope and indicator are superseded and not published. Also the figures that change
// with time alone (weather alerts starting and ending). Pure functions.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_PLAN_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_PLAN_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "capacity/v1/capacity.pb.h"
#include "capacity/v1/changes.pb.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"
#include "services/capacity/core/capacity_rules.h"
#include "services/capacity/core/fact_store.h"

namespace resilience::capacity {

// The service name in envelopes and provenance.
inline constexpr char kCapacityService[] = "capacity-service";

struct UpdatePlan {
  // What to record: the events (in field-number order, then derived figures) and the facts.
  v1::CapacityFacts facts;
  // Figures of the update not published because a later one is held, each with why.
  std::vector<std::string> superseded;

  // True when nothing is left to publish: every figure was superseded (answered SUPERSEDED).
  bool all_superseded() const { return facts.events().empty(); }
};

// Plans `update` (already validated) from `provider_id`, received at `received_at`, against the
// facts held. Event ids are name-based on (provider, update id, indicator, scope), so a retry
// recorded twice still carries the same ids.
UpdatePlan PlanUpdate(const v1::CapacityUpdate& update, const std::string& provider_id,
                      absl::Time received_at, const FactLookup& facts,
                      const ReferenceIndex& reference, const CapacityRules& rules);

// The id of the event recording `indicator` for `scope_key` from one provider update.
std::string FigureEventId(const std::string& provider_id, const std::string& update_id,
                          const std::string& indicator, const std::string& scope_key);

// The highest weather-health alert level in force in `area_id` at `t` over `alerts`: 0 none,
// 1 yellow, 2 amber, 3 red. An alert is in force from valid_from (or its occurred_at) until
// valid_until, exclusive; level "none" ends it; no areas means every area.
int WeatherLevelAt(const std::vector<const v1::WeatherAlertFact*>& alerts,
                   const std::string& area_id, absl::Time t);

// The first moment after `after` at which some alert starts or ends; InfiniteFuture if none.
absl::Time NextWeatherTransition(const std::vector<const v1::WeatherAlertFact*>& alerts,
                                 absl::Time after);

// The weather figures that time alone changed: for each area whose level at `now` differs from
// the latest published `weather_alert` figure, a derived observation (no provider). Empty when
// nothing changed.
v1::CapacityFacts PlanWeatherAt(absl::Time now, const FactLookup& facts,
                                const ReferenceIndex& reference);

// The acknowledgement of an accepted plan: ACCEPTED, event_id the first event, event_ids all,
// accepted_at `accepted_at`, a message naming superseded figures if any.
common::v1::UpdateAck AcceptedAck(const std::string& update_id, const UpdatePlan& plan,
                                  absl::Time accepted_at);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_PLAN_H_
