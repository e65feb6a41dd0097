// Shared setup of the capacity unit tests: the Kent and Medway reference data and rules, and a
// valid update of each kind to mutate. Header-only, test-only.
#ifndef RESILIENCE_TESTS_UNIT_CAPACITY_CAPACITY_TEST_SUPPORT_H_
#define RESILIENCE_TESTS_UNIT_CAPACITY_CAPACITY_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include "capacity/v1/capacity.pb.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "common/reference/reference_index.h"
#include "gtest/gtest.h"
#include "services/capacity/core/capacity_rules.h"
#include "tests/testing/infra.h"

namespace resilience::capacity::testing {

// Monday 23 November 2026, 09:00 in London (GMT, UTC+0).
inline const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 9, 0, 0), absl::UTCTimeZone());

inline std::shared_ptr<const ReferenceIndex> KentMedway() {
  static auto* index = [] {
    auto loaded = ReferenceIndex::Load(resilience::testing::SourceDir() +
                                       "/deploy/config/kent-medway/reference.textproto");
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new std::shared_ptr<const ReferenceIndex>(*loaded);
  }();
  return *index;
}

inline v1::CapacityConfig KentMedwayConfig() {
  auto config = LoadTextProto<v1::CapacityConfig>(
      resilience::testing::SourceDir() + "/deploy/config/kent-medway/capacity.textproto");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : v1::CapacityConfig();
}

inline CapacityRules KentMedwayRules() {
  auto rules = RulesFromConfig(KentMedwayConfig(), *KentMedway(), "capacity.textproto");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : CapacityRules();
}

inline const reference::v1::Provider& Provider(const std::string& id) {
  const auto* p = KentMedway()->FindProvider(id);
  EXPECT_NE(p, nullptr) << id;
  static const reference::v1::Provider kNone;
  return p == nullptr ? kNone : *p;
}

inline v1::CapacityUpdate Update(const std::string& update_id, absl::Time occurred = kNow) {
  v1::CapacityUpdate u;
  u.set_update_id(update_id);
  *u.mutable_occurred_at() = ToProtoTime(occurred);
  return u;
}

inline v1::CapacityUpdate KeahLevel(const std::string& update_id, const std::string& patch,
                                    v1::KeahCapacityLevel level, absl::Time occurred = kNow) {
  v1::CapacityUpdate u = Update(update_id, occurred);
  u.mutable_keah_daily_capacity()->set_patch_id(patch);
  u.mutable_keah_daily_capacity()->set_level(level);
  return u;
}

inline v1::CapacityUpdate KeahSlots(const std::string& update_id, const std::string& patch,
                                    int slots, absl::Time occurred = kNow) {
  v1::CapacityUpdate u = Update(update_id, occurred);
  u.mutable_keah_daily_capacity()->set_patch_id(patch);
  u.mutable_keah_daily_capacity()->set_free_start_slots(slots);
  return u;
}

inline v1::CapacityUpdate HomeCare(const std::string& update_id, const std::string& area,
                                   int packages, double hours, int awaiting,
                                   absl::Time occurred = kNow) {
  v1::CapacityUpdate u = Update(update_id, occurred);
  auto* m = u.mutable_home_care_market();
  m->set_area_id(area);
  m->set_packages_startable_this_week(packages);
  m->set_hours_available_per_week(hours);
  m->set_people_awaiting_start(awaiting);
  return u;
}

inline v1::CapacityUpdate Weather(const std::string& update_id, const std::string& ref,
                                  v1::WeatherHealthAlert::Level level,
                                  std::vector<std::string> areas, absl::Time from,
                                  absl::Time until, absl::Time occurred = kNow) {
  v1::CapacityUpdate u = Update(update_id, occurred);
  auto* w = u.mutable_weather_alert();
  w->set_alert_ref(ref);
  w->set_hazard(v1::WeatherHealthAlert::HAZARD_COLD);
  w->set_level(level);
  for (auto& a : areas) w->add_area_ids(a);
  *w->mutable_valid_from() = ToProtoTime(from);
  *w->mutable_valid_until() = ToProtoTime(until);
  return u;
}

}  // namespace resilience::capacity::testing

#endif  // RESILIENCE_TESTS_UNIT_CAPACITY_CAPACITY_TEST_SUPPORT_H_
