// The capacity service's rules taken from its config (CapacityConfig) once at start-up and
// checked against the reference data: clock skew, the KEaH free-slot mapping, D2A weekly
// capacities, the acute framework versions, time zone and sizes. Immutable after construction,
// so thread-safe to share.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_CAPACITY_RULES_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_CAPACITY_RULES_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "capacity/v1/capacity.pb.h"
#include "capacity/v1/config.pb.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"

namespace resilience::capacity {

// Free KEaH start slots -> the plan's level: at least `good` free is good capacity, at least
// `limited` limited, at least `very_limited` very limited, fewer (and always 0) no capacity.
struct KeahSlotThresholds {
  uint32_t good = 6;
  uint32_t limited = 3;
  uint32_t very_limited = 1;
};

struct CapacityRules {
  // occurred_at may be at most this far ahead of the service's clock (DESIGN 3: 5 minutes).
  absl::Duration max_future_skew = absl::Minutes(5);
  // Where "yesterday" and "this week" are counted.
  absl::TimeZone zone;
  KeahSlotThresholds keah_default;
  std::map<std::string, KeahSlotThresholds> keah_by_patch;
  // Area id -> D2A Pathway 1 starts per week.
  std::map<std::string, uint32_t> d2a_weekly_capacity;
  std::set<std::string> acute_framework_versions = {"nhse-opel-2023-24"};
  // Largest serialised update accepted.
  size_t max_update_bytes = 65536;
  // A provider's home care figures count toward its area's totals for this long.
  absl::Duration home_care_fresh = absl::Hours(48);
  // An accepted update id is answered DUPLICATE for this long.
  absl::Duration idempotency_window = absl::Hours(72);

  // The thresholds that apply to `patch_id`.
  const KeahSlotThresholds& KeahThresholdsFor(const std::string& patch_id) const;
};

// The rules in `config`, checked: INVALID_ARGUMENT "path: field: reason" (ConfigError) for an
// unknown time zone, slot thresholds not strictly decreasing to at least 1, an unknown KEaH
// patch, area or provider id, a zero D2A capacity.
absl::StatusOr<CapacityRules> RulesFromConfig(const v1::CapacityConfig& config,
                                              const ReferenceIndex& reference,
                                              absl::string_view config_path);

// The plan's level for `free_slots` free start slots (negative counts as 0).
common::v1::OpelLevel KeahLevelForSlots(int64_t free_slots, const KeahSlotThresholds& thresholds);

// The OPEL colour a KEaH capacity level stands for (plan 4.3); UNSPECIFIED for UNSPECIFIED.
common::v1::OpelLevel KeahLevelToOpel(v1::KeahCapacityLevel level);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_CAPACITY_RULES_H_
