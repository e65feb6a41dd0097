// The escalation service's pure rules under Google Benchmark, each beside a trivial baseline in
// the same run, reported as ratios (tests/bench/ratio_reporter.h):
//   - trigger evaluation: a realistic mix of observations over the shipped Kent and Medway
//     tables (lookup by indicator and area, then the bands), against reading each observation's
//     number and comparing it with three constants;
//   - acute scoring: an assessment through the shipped NHS England 2023/24 framework (points per
//     parameter, score, level, breakdown), against summing the nine parameters;
//   - level roll-up: an area's level by quorum over its indicators, the county level over the
//     areas, and one scope's level through the de-escalation hold with its alert, against taking
//     the maximum of the same input levels.
//   build-proof/tests/escalation_rules_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "common/config/text_proto.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/level_hold.h"
#include "services/escalation/core/opel_levels.h"
#include "services/escalation/core/scope_level.h"
#include "services/escalation/core/trigger_table.h"
#include "tests/bench/ratio_reporter.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
constexpr int kBatch = 1024;  // inputs per iteration, so the loop overhead does not dominate
const absl::Time kAt = absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 30, 0), absl::UTCTimeZone());

const v1::EscalationConfig& Config() {
  static const v1::EscalationConfig* config = [] {
    const char* root = std::getenv("RESILIENCE_SOURCE_DIR");
    const std::string path = std::string(root ? root : RESILIENCE_SOURCE_DIR) +
                             "/deploy/config/kent-medway/escalation.textproto";
    auto c = LoadTextProto<v1::EscalationConfig>(path);
    if (!c.ok()) {
      std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(), c.status().ToString().c_str());
      std::exit(1);
    }
    return new v1::EscalationConfig(*std::move(c));
  }();
  return *config;
}

// --- trigger evaluation ---------------------------------------------------------------------

struct Observation {
  std::string area;
  events::v1::IndicatorObservation observation;
};

// Numeric observations of every numeric table in the config, values spread over 0..150 so every
// band is hit (most figures Green or Amber, some Red and Black, as on a real day).
const std::vector<Observation>& Observations() {
  static const std::vector<Observation>* out = [] {
    auto* v = new std::vector<Observation>();
    absl::BitGen gen(std::seed_seq{7});
    const char* areas[] = {"west-kent", "north-kent", "east-kent", "medway"};
    std::vector<const v1::TriggerTable*> numeric;
    for (const auto& t : Config().trigger_tables()) {
      if (t.bands_size() > 0) numeric.push_back(&t);
    }
    for (int i = 0; i < kBatch; ++i) {
      const v1::TriggerTable& t = *numeric[i % numeric.size()];
      Observation o;
      o.area = t.area_id().empty() ? areas[absl::Uniform(gen, 0, 4)] : t.area_id();
      o.observation.set_indicator(t.indicator());
      o.observation.set_number(absl::Uniform(gen, 0.0, 150.0));
      v->push_back(std::move(o));
    }
    return v;
  }();
  return *out;
}

void BM_Trigger_Baseline(benchmark::State& state) {
  const auto& in = Observations();
  for (auto _ : state) {
    int sum = 0;
    for (const auto& o : in) {
      const double x = o.observation.number();
      sum += (x < 35) + (x < 50) + (x < 70);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * in.size());
}
BENCHMARK(BM_Trigger_Baseline);

void BM_Trigger_FindAndEvaluate(benchmark::State& state) {
  auto tables = TriggerTables::FromConfig(Config().trigger_tables());
  if (!tables.ok()) {
    state.SkipWithError(tables.status().ToString().c_str());
    return;
  }
  const auto& in = Observations();
  for (auto _ : state) {
    int sum = 0;
    for (const auto& o : in) {
      const TriggerTable* t = tables->Find(o.observation.indicator(), o.area);
      if (t == nullptr) continue;
      auto match = t->Evaluate(o.observation);
      if (match.ok()) sum += match->level;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * in.size());
}
BENCHMARK(BM_Trigger_FindAndEvaluate);

// --- acute scoring --------------------------------------------------------------------------

const std::vector<events::v1::AcuteAssessment>& Assessments() {
  static const std::vector<events::v1::AcuteAssessment>* out = [] {
    auto* v = new std::vector<events::v1::AcuteAssessment>();
    absl::BitGen gen(std::seed_seq{11});
    for (int i = 0; i < kBatch; ++i) {
      events::v1::AcuteAssessment a;
      a.set_mean_ambulance_handover_minutes(absl::Uniform(gen, 5.0, 120.0));
      a.set_ed_four_hour_performance_pct(absl::Uniform(gen, 40.0, 100.0));
      a.set_ed_attendances_last_60_min(absl::Uniform(gen, 5, 60));
      a.set_majors_resus_occupancy_pct(absl::Uniform(gen, 50.0, 140.0));
      a.set_median_time_to_treatment_minutes(absl::Uniform(gen, 20.0, 200.0));
      a.set_patients_over_12h_in_ed_pct(absl::Uniform(gen, 0.0, 20.0));
      a.set_ga_bed_occupancy_pct(absl::Uniform(gen, 80.0, 105.0));
      a.set_escalation_beds_pct(absl::Uniform(gen, 0.0, 10.0));
      a.set_nctr_beds_pct(absl::Uniform(gen, 5.0, 25.0));
      v->push_back(std::move(a));
    }
    return v;
  }();
  return *out;
}

void BM_Acute_Baseline(benchmark::State& state) {
  const auto& in = Assessments();
  for (auto _ : state) {
    double sum = 0;
    for (const auto& a : in) {
      sum += a.mean_ambulance_handover_minutes() + a.ed_four_hour_performance_pct() +
             a.ed_attendances_last_60_min() + a.majors_resus_occupancy_pct() +
             a.median_time_to_treatment_minutes() + a.patients_over_12h_in_ed_pct() +
             a.ga_bed_occupancy_pct() + a.escalation_beds_pct() + a.nctr_beds_pct();
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * in.size());
}
BENCHMARK(BM_Acute_Baseline);

void BM_Acute_Score(benchmark::State& state) {
  auto frameworks = AcuteFrameworks::FromConfig(Config().acute_frameworks());
  if (!frameworks.ok()) {
    state.SkipWithError(frameworks.status().ToString().c_str());
    return;
  }
  reference::v1::AcuteSite site;
  site.set_id("maidstone");
  site.mutable_expected_attendance()->set_flat_per_hour(20);
  const auto& in = Assessments();
  for (auto _ : state) {
    double sum = 0;
    for (const auto& a : in) {
      auto score = frameworks->Score(a, site, kAt, absl::UTCTimeZone());
      if (score.ok()) sum += score->score();
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * in.size());
}
BENCHMARK(BM_Acute_Score);

// --- level roll-up --------------------------------------------------------------------------

// An area's inputs: 20 indicators, levels weighted toward Green and Amber, one in ten stale.
std::vector<std::vector<LevelInput>> AreaInputs() {
  absl::BitGen gen(std::seed_seq{13});
  std::vector<std::vector<LevelInput>> areas(64);
  for (auto& area : areas) {
    for (int i = 0; i < 20; ++i) {
      const int r = absl::Uniform(gen, 0, 10);
      const OpelLevel level = r < 5 ? common::v1::OPEL_LEVEL_1_GREEN
                              : r < 8 ? common::v1::OPEL_LEVEL_2_AMBER
                              : r < 9 ? common::v1::OPEL_LEVEL_3_RED
                                      : common::v1::OPEL_LEVEL_4_BLACK;
      area.push_back({"indicator-" + std::to_string(i), level, absl::Uniform(gen, 0, 10) != 0});
    }
  }
  return areas;
}

void BM_Level_Baseline(benchmark::State& state) {
  const auto areas = AreaInputs();
  for (auto _ : state) {
    int sum = 0;
    for (const auto& area : areas) {
      int highest = 0;
      for (const auto& in : area) highest = std::max<int>(highest, in.fresh ? in.level : 0);
      sum += highest;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * areas.size());
}
BENCHMARK(BM_Level_Baseline);

void BM_Level_AreaByQuorum(benchmark::State& state) {
  const auto areas = AreaInputs();
  for (auto _ : state) {
    int sum = 0;
    for (const auto& area : areas) sum += LevelByQuorum(area, 2, 22).level;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * areas.size());
}
BENCHMARK(BM_Level_AreaByQuorum);

// The county over four areas (their levels computed beforehand), per county computation.
void BM_Level_County(benchmark::State& state) {
  const auto areas = AreaInputs();
  std::vector<std::vector<LevelInput>> counties;
  for (size_t i = 0; i + 4 <= areas.size(); i += 4) {
    std::vector<LevelInput> county;
    for (size_t a = i; a < i + 4; ++a) {
      county.push_back({"area/" + std::to_string(a), LevelByQuorum(areas[a], 2).level});
    }
    counties.push_back(std::move(county));
  }
  const std::vector<LevelInput> county_indicators = {
      {"county_assessment_beds_available", common::v1::OPEL_LEVEL_2_AMBER}};
  for (auto _ : state) {
    int sum = 0;
    for (const auto& c : counties) sum += CountyLevel(c, county_indicators, 1).level;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * counties.size());
}
BENCHMARK(BM_Level_County);

// One area's level through the hold and the alert rules (status, evidence, alert on a change),
// the previous record alternating so that both rises and holds are exercised.
void BM_Level_AssessScopeLevel(benchmark::State& state) {
  const auto areas = AreaInputs();
  std::vector<ComputedLevel> computed;
  for (const auto& area : areas) computed.push_back(LevelByQuorum(area, 2, 22));
  ScopeLevelContext context;
  context.scope.set_kind(common::v1::SCOPE_KIND_AREA);
  context.scope.set_id("west-kent");
  context.scope_name = "West Kent";
  context.area_id = "west-kent";
  context.rule = "area-level";
  context.recipient_roles = {"service_manager", "head_of_service"};
  context.rules_version = "bench";
  HoldRule rule;
  rule.referral_limit = 100;
  std::optional<ScopeLevelRecord> previous;
  for (auto _ : state) {
    int sum = 0;
    absl::Time now = kAt;
    for (const auto& c : computed) {
      ScopeLevelAssessment a = AssessScopeLevel(std::move(previous), c, 90.0, rule, context, now);
      sum += a.status_changed;
      previous = std::move(a.next);
      now += absl::Minutes(10);
    }
    previous.reset();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * computed.size());
}
BENCHMARK(BM_Level_AssessScopeLevel);

}  // namespace
}  // namespace resilience::escalation

int main(int argc, char** argv) { return resilience::bench::RunWithRatios(argc, argv); }
