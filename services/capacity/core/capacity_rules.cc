#include "services/capacity/core/capacity_rules.h"

#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"

namespace resilience::capacity {
namespace {

// Fills `out` from `in` (zeros mean the defaults) and checks good > limited > very_limited >= 1.
absl::Status ReadThresholds(const v1::KeahSlotThresholds& in, absl::string_view path,
                            absl::string_view field, KeahSlotThresholds* out) {
  KeahSlotThresholds t;
  if (in.good_min_slots() > 0) t.good = in.good_min_slots();
  if (in.limited_min_slots() > 0) t.limited = in.limited_min_slots();
  if (in.very_limited_min_slots() > 0) t.very_limited = in.very_limited_min_slots();
  if (!(t.good > t.limited && t.limited > t.very_limited && t.very_limited >= 1)) {
    return ConfigError(path, field,
                       absl::StrCat("need good_min_slots > limited_min_slots > "
                                    "very_limited_min_slots >= 1, got ",
                                    t.good, ", ", t.limited, ", ", t.very_limited));
  }
  *out = t;
  return absl::OkStatus();
}

bool PatchExists(const ReferenceIndex& reference, const std::string& id) {
  common::v1::ScopeRef scope;
  scope.set_kind(common::v1::SCOPE_KIND_KEAH_PATCH);
  scope.set_id(id);
  return reference.ScopeExists(scope);
}

}  // namespace

const KeahSlotThresholds& CapacityRules::KeahThresholdsFor(const std::string& patch_id) const {
  auto it = keah_by_patch.find(patch_id);
  return it == keah_by_patch.end() ? keah_default : it->second;
}

absl::StatusOr<CapacityRules> RulesFromConfig(const v1::CapacityConfig& config,
                                              const ReferenceIndex& reference,
                                              absl::string_view path) {
  CapacityRules rules;
  if (config.max_future_skew_seconds() > 0) {
    rules.max_future_skew = absl::Seconds(config.max_future_skew_seconds());
  }
  const std::string zone = config.time_zone().empty() ? "Europe/London" : config.time_zone();
  if (!absl::LoadTimeZone(zone, &rules.zone)) {
    return ConfigError(path, "time_zone", absl::StrCat("unknown time zone '", zone, "'"));
  }
  if (config.keah_free_slots().has_default_thresholds()) {
    absl::Status s = ReadThresholds(config.keah_free_slots().default_thresholds(), path,
                                    "keah_free_slots.default_thresholds", &rules.keah_default);
    if (!s.ok()) return s;
  }
  for (const auto& [patch, in] : config.keah_free_slots().by_patch()) {
    const std::string field = absl::StrCat("keah_free_slots.by_patch[\"", patch, "\"]");
    if (!PatchExists(reference, patch)) {
      return ConfigError(path, field, "not a KEaH patch of the reference data");
    }
    absl::Status s = ReadThresholds(in, path, field, &rules.keah_by_patch[patch]);
    if (!s.ok()) return s;
  }
  for (const auto& [area, starts] : config.d2a_weekly_capacity()) {
    const std::string field = absl::StrCat("d2a_weekly_capacity[\"", area, "\"]");
    if (reference.FindArea(area) == nullptr) {
      return ConfigError(path, field, "not an area of the reference data");
    }
    if (starts == 0) return ConfigError(path, field, "must be more than 0");
    rules.d2a_weekly_capacity[area] = starts;
  }
  if (config.acute_framework_versions_size() > 0) {
    rules.acute_framework_versions.clear();
    for (const std::string& v : config.acute_framework_versions()) {
      if (v.empty()) return ConfigError(path, "acute_framework_versions", "empty version");
      rules.acute_framework_versions.insert(v);
    }
  }
  if (config.max_update_bytes() > 0) rules.max_update_bytes = config.max_update_bytes();
  if (config.home_care_market_fresh_hours() > 0) {
    rules.home_care_fresh = absl::Hours(config.home_care_market_fresh_hours());
  }
  if (config.idempotency_window_hours() > 0) {
    rules.idempotency_window = absl::Hours(config.idempotency_window_hours());
  }
  for (const auto& [provider, limit] : config.rate_limit_by_provider()) {
    if (reference.FindProvider(provider) == nullptr) {
      return ConfigError(path, absl::StrCat("rate_limit_by_provider[\"", provider, "\"]"),
                         "not a provider of the reference data");
    }
  }
  return rules;
}

common::v1::OpelLevel KeahLevelForSlots(int64_t free_slots, const KeahSlotThresholds& t) {
  if (free_slots >= t.good) return common::v1::OPEL_LEVEL_1_GREEN;
  if (free_slots >= t.limited) return common::v1::OPEL_LEVEL_2_AMBER;
  if (free_slots >= t.very_limited && free_slots > 0) return common::v1::OPEL_LEVEL_3_RED;
  return common::v1::OPEL_LEVEL_4_BLACK;
}

common::v1::OpelLevel KeahLevelToOpel(v1::KeahCapacityLevel level) {
  switch (level) {
    case v1::KEAH_CAPACITY_LEVEL_GOOD: return common::v1::OPEL_LEVEL_1_GREEN;
    case v1::KEAH_CAPACITY_LEVEL_LIMITED: return common::v1::OPEL_LEVEL_2_AMBER;
    case v1::KEAH_CAPACITY_LEVEL_VERY_LIMITED: return common::v1::OPEL_LEVEL_3_RED;
    case v1::KEAH_CAPACITY_LEVEL_NO_CAPACITY: return common::v1::OPEL_LEVEL_4_BLACK;
    default: return common::v1::OPEL_LEVEL_UNSPECIFIED;
  }
}

}  // namespace resilience::capacity
