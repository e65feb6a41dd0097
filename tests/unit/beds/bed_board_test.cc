// The bed board: availability per location, area and county; vacancy search order (home area,
// neighbours nearest first, then the rest; fresh before stale; most available first) and its
// filters, kept right by the index as counts change; hold expiry; restoring logged records over
// the reference file; the figures published from it.
#include "services/beds/core/bed_board.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/beds/core/bed_figures.h"
#include "tests/testing/status_matchers.h"

namespace resilience::beds {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::ElementsAre;
using reference::v1::BED_TYPE_ASSESSMENT;
using reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT;
using reference::v1::BED_TYPE_LONG_TERM;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

void AddLocation(reference::v1::ReferenceData* d, const std::string& id, const std::string& area,
                 reference::v1::LocationKind kind, const std::string& provider,
                 std::vector<std::pair<reference::v1::BedType, int>> beds) {
  auto* l = d->add_locations();
  l->set_id(id);
  l->set_name("Name of " + id);
  l->set_area_id(area);
  l->set_kind(kind);
  l->set_provider_id(provider);
  for (auto [t, n] : beds) {
    auto* b = l->add_beds();
    b->set_bed_type(t);
    b->set_total(n);
  }
}

std::shared_ptr<const ReferenceIndex> Reference() {
  reference::v1::ReferenceData d;
  d.set_county_id("kent");
  // a's neighbours: c nearest, then b; d is not a neighbour.
  for (auto [id, neighbours] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"a", {"c", "b"}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {}}}) {
    auto* area = d.add_areas();
    area->set_id(id);
    for (const auto& n : neighbours) area->add_neighbour_area_ids(n);
  }
  const auto kIcc = reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE;
  const auto kHome = reference::v1::LOCATION_KIND_NURSING_HOME;
  AddLocation(&d, "icc-a", "a", kIcc, "kcc-in-house",
              {{BED_TYPE_ASSESSMENT, 10}, {BED_TYPE_DEMENTIA_ASSESSMENT, 4}});
  AddLocation(&d, "icc-b", "b", kIcc, "kcc-in-house", {{BED_TYPE_ASSESSMENT, 6}});
  AddLocation(&d, "home-a", "a", kHome, "group-1", {{BED_TYPE_ASSESSMENT, 2}, {BED_TYPE_LONG_TERM, 20}});
  AddLocation(&d, "home-c", "c", kHome, "group-2", {{BED_TYPE_ASSESSMENT, 3}, {BED_TYPE_LONG_TERM, 30}});
  AddLocation(&d, "home-d", "d", kHome, "group-1", {{BED_TYPE_ASSESSMENT, 5}});
  auto index = ReferenceIndex::Build(d);
  EXPECT_THAT(index, IsOk());
  return *index;
}

class BedBoardTest : public ::testing::Test {
 protected:
  BedBoardTest() : board_(Reference(), absl::Hours(24)) { board_.LoadReference(); }

  // Sets occupied beds of one type, reported at `at`.
  // Each call is a second later than the one before unless `at` is given.
  void Occupy(const std::string& id, reference::v1::BedType t, int occupied,
              std::optional<absl::Time> when = std::nullopt) {
    const absl::Time at = when ? *when : kNow - absl::Minutes(10) + absl::Seconds(n_);
    v1::LocationRecord r = *board_.Find(id);
    v1::BedUpdate u;
    u.set_update_id("s-" + std::to_string(++n_));
    *u.mutable_occurred_at() = ToProtoTime(at);
    u.mutable_snapshot()->set_location_id(id);
    auto* b = u.mutable_snapshot()->add_beds();
    b->set_bed_type(t);
    b->set_occupied(occupied);
    ASSERT_TRUE(CheckBedUpdate(u, &r, kNow, absl::Minutes(5)).ok());
    common::v1::Provenance p;
    *p.mutable_accepted_at() = ToProtoTime(kNow);
    ApplyBedUpdate(u, p, absl::Hours(72), &r);
    board_.Put(std::move(r));
  }

  std::vector<std::string> Search(v1::SearchVacanciesRequest q) {
    auto result = board_.SearchVacancies(q, kNow);
    EXPECT_THAT(result, IsOk());
    std::vector<std::string> out;
    for (const auto& v : result->vacancies()) {
      out.push_back(v.location_id() + ":" + std::to_string(v.available()) + ":" +
                    std::to_string(v.area_rank()) + (v.stale() ? ":stale" : ""));
    }
    return out;
  }

  BedBoard board_;
  int n_ = 0;
};

TEST_F(BedBoardTest, SearchOrdersHomeAreaThenNeighboursNearestFirstThenTheRest) {
  for (const char* id : {"icc-a", "icc-b", "home-a", "home-c", "home-d"}) {
    Occupy(id, BED_TYPE_ASSESSMENT, 1);
  }
  v1::SearchVacanciesRequest q;
  q.set_bed_type(BED_TYPE_ASSESSMENT);
  q.set_area_id("a");
  // a (rank 0): icc-a 9 before home-a 1; c (rank 1); b (rank 2); d, not a neighbour (rank 3).
  EXPECT_THAT(Search(q), ElementsAre("icc-a:9:0", "home-a:1:0", "home-c:2:1", "icc-b:5:2",
                                     "home-d:4:3"));
  q.set_area_id("");  // whole county, most available first
  EXPECT_THAT(Search(q), ElementsAre("icc-a:9:0", "icc-b:5:0", "home-d:4:0", "home-c:2:0",
                                     "home-a:1:0"));
  auto all = board_.SearchVacancies(q, kNow);
  EXPECT_EQ(all->county_available(), 21u);
}

TEST_F(BedBoardTest, SearchFiltersAndFollowsEveryChange) {
  for (const char* id : {"icc-a", "icc-b", "home-a", "home-c", "home-d"}) {
    Occupy(id, BED_TYPE_ASSESSMENT, 0);
  }
  v1::SearchVacanciesRequest q;
  q.set_bed_type(BED_TYPE_ASSESSMENT);
  q.set_area_id("a");
  q.add_provider_ids("group-1");
  EXPECT_THAT(Search(q), ElementsAre("home-a:2:0", "home-d:5:3"));
  EXPECT_EQ(board_.SearchVacancies(q, kNow)->county_available(), 7u);
  q.clear_provider_ids();
  q.set_min_available(5);
  EXPECT_THAT(Search(q), ElementsAre("icc-a:10:0", "icc-b:6:2", "home-d:5:3"));
  q.set_limit(2);
  EXPECT_THAT(Search(q), ElementsAre("icc-a:10:0", "icc-b:6:2"));
  // icc-a fills up: it leaves the index at once.
  Occupy("icc-a", BED_TYPE_ASSESSMENT, 10);
  q.set_limit(0);
  EXPECT_THAT(Search(q), ElementsAre("icc-b:6:2", "home-d:5:3"));
  q.set_min_available(0);
  q.add_location_kinds(reference::v1::LOCATION_KIND_NURSING_HOME);
  EXPECT_THAT(Search(q), ElementsAre("home-a:2:0", "home-c:3:1", "home-d:5:3"));
  q.set_bed_type(BED_TYPE_LONG_TERM);  // never reported, all vacant
  q.clear_location_kinds();
  EXPECT_THAT(Search(q), ElementsAre("home-a:20:0", "home-c:30:1"));
}

TEST_F(BedBoardTest, FreshBeforeStaleWithinARank) {
  Occupy("icc-a", BED_TYPE_ASSESSMENT, 0, kNow - absl::Hours(25));  // 10 free, stale
  Occupy("home-a", BED_TYPE_ASSESSMENT, 1);                         // 1 free, fresh
  v1::SearchVacanciesRequest q;
  q.set_bed_type(BED_TYPE_ASSESSMENT);
  q.set_area_id("a");
  q.set_limit(2);
  EXPECT_THAT(Search(q), ElementsAre("home-a:1:0", "icc-a:10:0:stale"));
  q.set_exclude_stale(true);
  q.set_limit(0);
  EXPECT_THAT(Search(q), ElementsAre("home-a:1:0"));  // icc-b and home-d never reported
}

TEST_F(BedBoardTest, SearchRejectsBadRequests) {
  v1::SearchVacanciesRequest q;
  EXPECT_THAT(board_.SearchVacancies(q, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  q.set_bed_type(BED_TYPE_ASSESSMENT);
  q.set_area_id("atlantis");
  EXPECT_THAT(board_.SearchVacancies(q, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  q.set_area_id("a");
  q.set_limit(201);
  EXPECT_THAT(board_.SearchVacancies(q, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  q.set_limit(200);
  EXPECT_THAT(board_.SearchVacancies(q, kNow), IsOk());
}

TEST_F(BedBoardTest, AvailabilityPerLocationAreaAndCountyWithDementiaApart) {
  Occupy("icc-a", BED_TYPE_ASSESSMENT, 7);
  Occupy("icc-a", BED_TYPE_DEMENTIA_ASSESSMENT, 3);
  v1::GetAvailabilityRequest q;
  q.add_location_kinds(reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE);
  v1::AvailabilityReport report = board_.Availability(q, kNow);
  ASSERT_EQ(report.locations_size(), 2);
  EXPECT_EQ(report.locations(0).location().id(), "icc-a");
  ASSERT_EQ(report.locations(0).beds_size(), 2);
  EXPECT_EQ(report.locations(0).beds(0).available(), 3u);
  EXPECT_EQ(report.locations(0).beds(1).bed_type(), BED_TYPE_DEMENTIA_ASSESSMENT);
  EXPECT_EQ(report.locations(0).beds(1).available(), 1u);
  EXPECT_FALSE(report.locations(0).stale());
  EXPECT_TRUE(report.locations(1).stale());  // icc-b never reported
  EXPECT_EQ(report.stale_locations(), 1u);
  ASSERT_EQ(report.areas_size(), 2);
  EXPECT_EQ(report.areas(0).area_id(), "a");
  ASSERT_EQ(report.county_size(), 2);
  EXPECT_EQ(report.county(0).bed_type(), BED_TYPE_ASSESSMENT);
  EXPECT_EQ(report.county(0).total(), 16u);
  EXPECT_EQ(report.county(0).available(), 9u);
  EXPECT_EQ(report.county(1).available(), 1u);
  q.set_totals_only(true);
  q.add_bed_types(BED_TYPE_DEMENTIA_ASSESSMENT);
  report = board_.Availability(q, kNow);
  EXPECT_EQ(report.locations_size(), 0);
  ASSERT_EQ(report.county_size(), 1);
  EXPECT_EQ(report.county(0).total(), 4u);
}

TEST_F(BedBoardTest, FiguresForInHouseLocationsAreasAndCounty) {
  Occupy("icc-a", BED_TYPE_ASSESSMENT, 10);
  Occupy("icc-a", BED_TYPE_DEMENTIA_ASSESSMENT, 4);
  auto figures = LocationFigures(*board_.Find("icc-a"));
  ASSERT_EQ(figures.size(), 3u);
  EXPECT_EQ(figures[0].indicator, kAssessmentOccupancy);
  EXPECT_DOUBLE_EQ(figures[0].value, 100);  // no bed free
  EXPECT_DOUBLE_EQ(figures[0].components.at("total"), 14);
  EXPECT_DOUBLE_EQ(figures[0].components.at("occupied"), 14);
  EXPECT_EQ(figures[1].indicator, kDementiaAvailable);
  EXPECT_DOUBLE_EQ(figures[1].value, 0);
  EXPECT_EQ(figures[2].indicator, kInHouseVacant);
  EXPECT_TRUE(LocationFigures(*board_.Find("home-a")).empty());
  EXPECT_EQ(LocationFigures(*board_.Find("icc-b")).size(), 2u);  // no dementia beds

  Figure county = CountyFigure(board_, "kent");
  EXPECT_EQ(county.scope.kind(), common::v1::SCOPE_KIND_COUNTY);
  EXPECT_DOUBLE_EQ(county.value, 6);  // icc-b's 6
  Occupy("icc-b", BED_TYPE_ASSESSMENT, 6);
  EXPECT_DOUBLE_EQ(CountyFigure(board_, "kent").value, 0);

  Figure area = AreaFigure(board_, "a");
  EXPECT_EQ(area.indicator, kCareHomeVacancies);
  EXPECT_DOUBLE_EQ(area.value, 22);  // home-a: 2 assessment + 20 long-term
  Occupy("home-a", BED_TYPE_LONG_TERM, 19);
  EXPECT_DOUBLE_EQ(AreaFigure(board_, "a").value, 3);

  v1::PublishedFigure last = PublishedOf(FigureEvent(area, 1, {}, kNow, kNow), 1);
  EXPECT_TRUE(ChangedSince(AreaFigure(board_, "a"), &last));
  last = PublishedOf(FigureEvent(AreaFigure(board_, "a"), 2, {}, kNow, kNow), 2);
  EXPECT_FALSE(ChangedSince(AreaFigure(board_, "a"), &last));
  EXPECT_TRUE(ChangedSince(AreaFigure(board_, "a"), nullptr));
  // Event ids follow scope, indicator and sequence only.
  EXPECT_EQ(FigureEvent(area, 7, {}, kNow, kNow).envelope().event_id(),
            FigureEvent(area, 7, {}, kNow + absl::Hours(1), kNow).envelope().event_id());
  EXPECT_NE(FigureEvent(area, 7, {}, kNow, kNow).envelope().event_id(),
            FigureEvent(area, 8, {}, kNow, kNow).envelope().event_id());
}

TEST_F(BedBoardTest, HoldsLapseThroughTheBoardIndex) {
  v1::LocationRecord r = *board_.Find("icc-b");
  auto* hold = r.add_holds();
  hold->set_hold_ref("h");
  hold->set_bed_type(BED_TYPE_ASSESSMENT);
  *hold->mutable_held_until() = ToProtoTime(kNow + absl::Hours(1));
  board_.Put(r);
  EXPECT_EQ(CountOf(*board_.Find("icc-b"), BED_TYPE_ASSESSMENT).held, 1u);
  EXPECT_TRUE(board_.ExpireHolds(kNow).empty());
  EXPECT_THAT(board_.ExpireHolds(kNow + absl::Hours(1)), ElementsAre("icc-b"));
  EXPECT_EQ(CountOf(*board_.Find("icc-b"), BED_TYPE_ASSESSMENT).held, 0u);
}

TEST_F(BedBoardTest, RestoreKeepsStockChangesOverTheFileUnlessUpserted) {
  v1::LocationRecord logged = *board_.Find("icc-b");
  v1::BedStockChange change;
  change.set_location_id("icc-b");
  change.set_bed_type(BED_TYPE_ASSESSMENT);
  change.set_new_total(8);
  ApplyStockChange(change, &logged);
  logged.mutable_location()->set_name("renamed in the log only");
  board_.Restore(logged);
  EXPECT_EQ(TotalOf(board_.Find("icc-b")->location(), BED_TYPE_ASSESSMENT), 8u);
  EXPECT_EQ(board_.Find("icc-b")->location().name(), "Name of icc-b");  // the file's
  logged.set_upserted(true);
  board_.Restore(logged);
  EXPECT_EQ(board_.Find("icc-b")->location().name(), "renamed in the log only");
  EXPECT_DOUBLE_EQ(CountyFigure(board_, "kent").value, 22);  // 14 at icc-a + 8 at icc-b
}

}  // namespace
}  // namespace resilience::beds
