// Vacancy search with 2,000 locations loaded (issue: "the note states its latency with 2,000
// locations loaded"), beside a baseline in the same run: one pass over every location's live
// record computing the same answer (counts per bed type, area rank, freshness, then the best 50),
// the least a search without an index must do. Report the ratio of the two.
//   build/tests/beds_vacancy_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "services/beds/core/bed_board.h"

namespace resilience::beds {
namespace {

constexpr int kLocations = 2000;
const absl::Time kNow = absl::FromUnixSeconds(1795000000);
using reference::v1::BedType;

struct World {
  std::shared_ptr<const ReferenceIndex> reference;
  std::unique_ptr<BedBoard> board;
  std::vector<const v1::LocationRecord*> records;
  absl::BitGen gen{std::seed_seq{42}};
};

std::shared_ptr<const ReferenceIndex> KentAreas() {
  reference::v1::ReferenceData d;
  d.set_county_id("kent");
  const std::vector<std::pair<std::string, std::vector<std::string>>> areas = {
      {"north-kent", {"west-kent", "ashford-canterbury", "thanet-south-kent-coast"}},
      {"west-kent", {"north-kent", "ashford-canterbury", "thanet-south-kent-coast"}},
      {"ashford-canterbury", {"thanet-south-kent-coast", "west-kent", "north-kent"}},
      {"thanet-south-kent-coast", {"ashford-canterbury", "north-kent", "west-kent"}}};
  for (const auto& [id, neighbours] : areas) {
    auto* a = d.add_areas();
    a->set_id(id);
    for (const auto& n : neighbours) a->add_neighbour_area_ids(n);
  }
  return *ReferenceIndex::Build(d);
}

// 2,000 locations over the 4 areas: a tenth in-house units with assessment and dementia beds,
// the rest care homes of 20 groups with 2-5 bed types of 2-60 beds; occupancy around 90%, a third
// of the bed types full; figures updated within the last 30 hours (some stale).
World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    w->reference = KentAreas();
    w->board = std::make_unique<BedBoard>(w->reference, absl::Hours(24));
    const auto& areas = w->reference->data().areas();
    for (int i = 0; i < kLocations; ++i) {
      v1::LocationRecord r;
      auto* l = r.mutable_location();
      l->set_id(absl::StrCat("loc-", i));
      l->set_name(absl::StrCat("Location ", i));
      l->set_area_id(areas[absl::Uniform(w->gen, 0, areas.size())].id());
      const bool in_house = i % 10 == 0;
      l->set_kind(in_house ? reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE
                           : reference::v1::LOCATION_KIND_NURSING_HOME);
      l->set_provider_id(in_house ? "kcc-in-house" : absl::StrCat("group-", i % 20));
      for (int t = 1; t <= 5; ++t) {
        if (in_house ? t > 2 : absl::Uniform(w->gen, 0, 3) == 0) continue;
        auto* b = l->add_beds();
        b->set_bed_type(static_cast<BedType>(t));
        b->set_total(absl::Uniform(w->gen, 2, 61));
        auto* s = r.add_beds();
        s->set_bed_type(static_cast<BedType>(t));
        s->set_occupied(absl::Uniform(w->gen, 0, 3) == 0
                            ? b->total()
                            : static_cast<uint32_t>(b->total() * absl::Uniform(w->gen, 0.7, 1.0)));
      }
      *r.mutable_last_updated_at() = ToProtoTime(kNow - absl::Minutes(absl::Uniform(w->gen, 0, 1800)));
      w->board->Put(std::move(r));
    }
    for (int i = 0; i < kLocations; ++i) {
      w->records.push_back(w->board->Find(absl::StrCat("loc-", i)));
    }
    return w;
  }();
  return *world;
}

v1::SearchVacanciesRequest Query(const std::string& area) {
  v1::SearchVacanciesRequest q;
  q.set_bed_type(reference::v1::BED_TYPE_ASSESSMENT);
  q.set_area_id(area);
  return q;
}

// Baseline: one pass over every location's record, then the best 50 in the search's order.
void BM_BaselineScanAllLocations(benchmark::State& state) {
  World& w = TheWorld();
  const v1::SearchVacanciesRequest q = Query("west-kent");
  std::map<std::string, uint32_t> rank = {{"west-kent", 0}};
  const auto* home = w.reference->FindArea(q.area_id());
  for (int i = 0; i < home->neighbour_area_ids_size(); ++i) rank[home->neighbour_area_ids(i)] = i + 1;
  for (auto _ : state) {
    std::vector<std::tuple<uint32_t, bool, int64_t, int64_t, const std::string*>> found;
    for (const v1::LocationRecord* r : w.records) {
      const BedCount c = CountOf(*r, q.bed_type());
      if (c.available() == 0) continue;
      const absl::Time updated = FromProtoTime(r->last_updated_at());
      found.emplace_back(rank[r->location().area_id()], updated < kNow - absl::Hours(24),
                         -int64_t{c.available()}, -absl::ToUnixSeconds(updated), &r->location().id());
    }
    const size_t n = std::min<size_t>(50, found.size());
    std::partial_sort(found.begin(), found.begin() + n, found.end());
    benchmark::DoNotOptimize(found.data());
  }
}
BENCHMARK(BM_BaselineScanAllLocations)->Unit(benchmark::kMicrosecond);

// The service's search: from the index, the home area first (50 results).
void BM_SearchVacanciesFromArea(benchmark::State& state) {
  World& w = TheWorld();
  const v1::SearchVacanciesRequest q = Query("west-kent");
  for (auto _ : state) {
    auto r = w.board->SearchVacancies(q, kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchVacanciesFromArea)->Unit(benchmark::kMicrosecond);

// The whole county, no area ordering.
void BM_SearchVacanciesCounty(benchmark::State& state) {
  World& w = TheWorld();
  const v1::SearchVacanciesRequest q = Query("");
  for (auto _ : state) {
    auto r = w.board->SearchVacancies(q, kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchVacanciesCounty)->Unit(benchmark::kMicrosecond);

// With a provider filter (which also totals the county over the matching locations).
void BM_SearchVacanciesOneProvider(benchmark::State& state) {
  World& w = TheWorld();
  v1::SearchVacanciesRequest q = Query("west-kent");
  q.add_provider_ids("group-3");
  for (auto _ : state) {
    auto r = w.board->SearchVacancies(q, kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SearchVacanciesOneProvider)->Unit(benchmark::kMicrosecond);

// Keeping the index right: one location's record replaced (every accepted update does this).
void BM_PutOneLocation(benchmark::State& state) {
  World& w = TheWorld();
  v1::LocationRecord r = *w.board->Find("loc-17");
  uint32_t n = 0;
  for (auto _ : state) {
    r.mutable_beds(0)->set_occupied(n++ % (r.location().beds(0).total() + 1));
    w.board->Put(r);
  }
}
BENCHMARK(BM_PutOneLocation)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace resilience::beds

BENCHMARK_MAIN();
