// Recomputing every team's staffing with 5,000 teams and 200,000 absences (issue: "how long
// recomputing all teams takes"), beside a baseline in the same run: one pass over the same
// absences summing their WTE, the least any recomputation must do.
//   build/tests/workforce_staffing_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include "absl/random/random.h"
#include "common/clock/proto_time.h"
#include "services/workforce/core/staffing_ledger.h"

namespace resilience::workforce {
namespace {

constexpr int kTeams = 5000;
constexpr int kAbsences = 200000;
const absl::Time kNow = absl::FromUnixSeconds(1795000000);

struct World {
  StaffingLedger ledger{absl::UTCTimeZone()};
  std::vector<v1::Absence> absences;
};

// 5,000 teams of 10-40 WTE; 200,000 absences of 1-30 days within +-30 days of now, a tenth
// open-ended, a fifth part-time, people absent more than once.
const World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    absl::BitGen gen(std::seed_seq{42});
    for (int t = 0; t < kTeams; ++t) {
      v1::WorkforceChange c;
      c.mutable_team()->set_id("team-" + std::to_string(t));
      c.mutable_team()->set_area_id("area-" + std::to_string(t % 4));
      c.mutable_team()->set_establishment_wte(absl::Uniform(gen, 10, 40));
      w->ledger.Apply(c);
    }
    for (int i = 0; i < kAbsences; ++i) {
      v1::WorkforceChange c;
      auto* a = c.mutable_absence();
      const int team = absl::Uniform(gen, 0, kTeams);
      a->set_absence_id("a-" + std::to_string(i));
      a->set_team_id("team-" + std::to_string(team));
      a->set_person_ref("p-" + std::to_string(team) + "-" + std::to_string(absl::Uniform(gen, 0, 30)));
      a->set_kind(v1::ABSENCE_KIND_SICKNESS);
      const absl::Time start = kNow + absl::Hours(absl::Uniform(gen, -720, 720));
      *a->mutable_starts_at() = ToProtoTime(start);
      if (absl::Uniform(gen, 0, 10) != 0) {
        *a->mutable_ends_at() = ToProtoTime(start + absl::Hours(24 * absl::Uniform(gen, 1, 31)));
      }
      a->set_wte(absl::Uniform(gen, 0, 5) == 0 ? 0.5 : 1.0);
      w->ledger.Apply(c);
      w->absences.push_back(*a);
    }
    return w;
  }();
  return *world;
}

// Baseline: one pass over the absences, summing WTE of those active now.
void BM_BaselineScanAbsences(benchmark::State& state) {
  const World& w = TheWorld();
  for (auto _ : state) {
    double total = 0;
    for (const v1::Absence& a : w.absences) {
      if (FromProtoTime(a.starts_at()) <= kNow &&
          (!a.has_ends_at() || FromProtoTime(a.ends_at()) > kNow)) {
        total += a.wte();
      }
    }
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_BaselineScanAbsences)->Unit(benchmark::kMillisecond);

// Every team's staffing now (what the publisher does when time passes a transition).
void BM_RecomputeAllTeamsNow(benchmark::State& state) {
  const World& w = TheWorld();
  for (auto _ : state) {
    double total = 0;
    for (const reference::v1::Team* team : w.ledger.Teams()) {
      total += w.ledger.StaffingAt(*team, kNow).staffing_pct();
    }
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_RecomputeAllTeamsNow)->Unit(benchmark::kMillisecond);

// Every team now and for each of the next 14 days (the full picture a summary could ask for).
void BM_RecomputeAllTeamsNowAnd14Days(benchmark::State& state) {
  const World& w = TheWorld();
  const absl::CivilDay today = w.ledger.DayOf(kNow);
  for (auto _ : state) {
    double total = 0;
    for (const reference::v1::Team* team : w.ledger.Teams()) {
      total += w.ledger.StaffingAt(*team, kNow).staffing_pct();
      for (int d = 1; d <= 14; ++d) total += w.ledger.StaffingOnDay(*team, today + d).staffing_pct();
    }
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_RecomputeAllTeamsNowAnd14Days)->Unit(benchmark::kMillisecond);

// One team after one update (what the publisher does per accepted update).
void BM_RecomputeOneTeam(benchmark::State& state) {
  const World& w = TheWorld();
  const reference::v1::Team* team = w.ledger.FindTeam("team-42");
  for (auto _ : state) benchmark::DoNotOptimize(w.ledger.StaffingAt(*team, kNow));
}
BENCHMARK(BM_RecomputeOneTeam)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace resilience::workforce

BENCHMARK_MAIN();
