// Placements and their milestones (plan 6.3): due at local midnight 21 days after the start of an
// assessment placement and 49 days after the disregard start (week 8 of 12), at every edge;
// fired once; not for a placement that ended first; late for one that ended after; none for one
// entered in error. Starting and ending, with every refusal.
#include "services/beds/core/placement_book.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::beds {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using Milestone = events::v1::PlacementMilestone;
using reference::v1::BED_TYPE_ASSESSMENT;
using reference::v1::BED_TYPE_LONG_TERM;

absl::TimeZone London() {
  absl::TimeZone z;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &z));
  return z;
}

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), London());
}

reference::v1::Location Unit() {
  reference::v1::Location l;
  l.set_id("icc");
  l.set_area_id("west-kent");
  auto* b = l.add_beds();
  b->set_bed_type(BED_TYPE_ASSESSMENT);
  b->set_total(10);
  auto* lt = l.add_beds();
  lt->set_bed_type(BED_TYPE_LONG_TERM);
  lt->set_total(10);
  return l;
}

v1::StartPlacementRequest Start(const std::string& request, const std::string& person,
                                const std::string& start,
                                reference::v1::BedType t = BED_TYPE_ASSESSMENT) {
  v1::StartPlacementRequest q;
  q.set_request_id(request);
  q.set_person_ref(person);
  q.set_location_id("icc");
  q.set_bed_type(t);
  q.set_start_date(start);
  q.set_started_by("arranging-support-west-duty");
  return q;
}

class PlacementBookTest : public ::testing::Test {
 protected:
  PlacementBookTest() : book_(Rules()) {}
  static PlacementRules Rules() {
    PlacementRules r;
    r.zone = London();
    return r;
  }
  v1::Placement Record(const v1::StartPlacementRequest& q, absl::Time now) {
    auto p = book_.PrepareStart(q, &location_, now);
    EXPECT_THAT(p, IsOk());
    book_.Put(*p);
    return *p;
  }
  std::vector<std::string> DueAt(absl::Time now) {
    std::vector<std::string> out;
    for (const auto& d : book_.Due(now)) {
      out.push_back(book_.Find(d.placement_id)->person_ref() + ":" +
                    Milestone::Milestone_Name(d.milestone));
    }
    return out;
  }

  reference::v1::Location location_ = Unit();
  PlacementBook book_;
};

TEST_F(PlacementBookTest, ThreeWeeksFallDueAtLocalMidnightAndFireOnce) {
  const absl::Time now = At(2026, 1, 5, 9);
  v1::Placement p = Record(Start("r1", "person-1", "2026-01-05"), now);
  EXPECT_EQ(p.placement_id(), PlacementIdFor("r1"));
  ASSERT_EQ(p.milestones_size(), 1);
  EXPECT_EQ(FromProtoTime(p.milestones(0).due_at()), At(2026, 1, 26));
  EXPECT_EQ(p.state(), v1::PLACEMENT_STATE_ACTIVE);
  EXPECT_EQ(p.days_in_placement(), 1u);

  EXPECT_TRUE(DueAt(At(2026, 1, 26) - absl::Seconds(1)).empty());
  EXPECT_THAT(DueAt(At(2026, 1, 26)),
              ::testing::ElementsAre("person-1:MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS"));
  EXPECT_EQ(book_.NextDue(), At(2026, 1, 26));
  const v1::Placement shown = book_.View(p, At(2026, 1, 26));
  EXPECT_TRUE(shown.overdue());
  EXPECT_EQ(shown.days_in_placement(), 22u);
  EXPECT_FALSE(book_.View(p, At(2026, 1, 26) - absl::Seconds(1)).overdue());

  book_.Put(PlacementBook::WithFired(*book_.Find(p.placement_id()),
                                     Milestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS,
                                     At(2026, 1, 26, 0, 1)));
  EXPECT_TRUE(DueAt(At(2026, 6, 1)).empty());
  EXPECT_EQ(book_.NextDue(), absl::InfiniteFuture());
  EXPECT_TRUE(book_.Find(p.placement_id())->milestones(0).has_fired_at());
}

TEST_F(PlacementBookTest, WeekEightOfTheDisregardAcrossTheClockChange) {
  v1::StartPlacementRequest q = Start("r1", "person-1", "2026-03-01", BED_TYPE_LONG_TERM);
  q.set_disregard_start_date("2026-03-01");
  v1::Placement p = Record(q, At(2026, 3, 1, 10));
  ASSERT_EQ(p.milestones_size(), 1);  // a long-term bed: no 3-week review
  EXPECT_EQ(p.milestones(0).milestone(), Milestone::MILESTONE_DISREGARD_WEEK_8_NOTICE);
  // 49 days after 1 March is 19 April, local midnight in BST = 23:00 UTC on the 18th.
  EXPECT_EQ(FromProtoTime(p.milestones(0).due_at()),
            absl::FromCivil(absl::CivilSecond(2026, 4, 18, 23, 0, 0), absl::UTCTimeZone()));
  EXPECT_TRUE(DueAt(At(2026, 4, 19) - absl::Seconds(1)).empty());
  EXPECT_EQ(DueAt(At(2026, 4, 19)).size(), 1u);

  v1::StartPlacementRequest both = Start("r2", "person-2", "2026-03-01");
  both.set_disregard_start_date("2026-03-01");
  v1::Placement p2 = Record(both, At(2026, 3, 1, 10));
  ASSERT_EQ(p2.milestones_size(), 2);
  EXPECT_EQ(p2.milestones(0).milestone(), Milestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS);
  // Due order; the two week-8 notices fall due together.
  EXPECT_EQ(DueAt(At(2026, 4, 19)).front(), "person-2:MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS");
  EXPECT_THAT(DueAt(At(2026, 4, 19)),
              ::testing::UnorderedElementsAre("person-2:MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS",
                                     "person-1:MILESTONE_DISREGARD_WEEK_8_NOTICE",
                                     "person-2:MILESTONE_DISREGARD_WEEK_8_NOTICE"));
}

TEST_F(PlacementBookTest, EndingDecidesWhichMilestonesStillFire) {
  const absl::Time now = At(2026, 1, 5, 9);
  Record(Start("left-before", "a", "2026-01-05"), now);
  Record(Start("left-on-day-21", "b", "2026-01-05"), now);
  Record(Start("left-after", "c", "2026-01-05"), now);
  Record(Start("error", "d", "2026-01-05"), now);
  auto end = [&](const std::string& request, const std::string& day,
                 v1::PlacementEndReason reason, absl::Time when) {
    v1::EndPlacementRequest q;
    q.set_placement_id(PlacementIdFor(request));
    q.set_end_date(day);
    q.set_reason(reason);
    q.set_ended_by("priya-nair");
    auto ended = book_.PrepareEnd(q, when);
    ASSERT_THAT(ended, IsOk());
    EXPECT_EQ(ended->state(), v1::PLACEMENT_STATE_ENDED);
    book_.Put(*ended);
  };
  end("left-before", "2026-01-20", v1::PLACEMENT_END_REASON_RETURNED_HOME, At(2026, 1, 20, 12));
  // Day 21 is its last day: it left before the 3 weeks had passed.
  end("left-on-day-21", "2026-01-25", v1::PLACEMENT_END_REASON_RETURNED_HOME, At(2026, 1, 25, 12));
  // Ended on day 22 while the service was down when it fell due: still fires, late.
  end("left-after", "2026-01-26", v1::PLACEMENT_END_REASON_LONG_TERM_CARE, At(2026, 1, 27, 12));
  end("error", "2026-01-05", v1::PLACEMENT_END_REASON_ENTERED_IN_ERROR, At(2026, 1, 6));
  EXPECT_THAT(DueAt(At(2026, 2, 1)),
              ::testing::ElementsAre("c:MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS"));
  // Ended people may be placed again.
  EXPECT_THAT(book_.PrepareStart(Start("again", "a", "2026-01-27"), &location_, At(2026, 1, 27)),
              IsOk());
}

TEST_F(PlacementBookTest, StartRefusals) {
  const absl::Time now = At(2026, 5, 1, 12);
  auto code = [&](const v1::StartPlacementRequest& q, const reference::v1::Location* l) {
    return book_.PrepareStart(q, l, now).status().code();
  };
  using absl::StatusCode;
  EXPECT_EQ(code(Start("r", "p", "2026-05-01"), &location_), StatusCode::kOk);
  EXPECT_EQ(code(Start("r", "p", "2026-05-15"), &location_), StatusCode::kOk);   // 14 ahead
  EXPECT_EQ(code(Start("r", "p", "2026-05-16"), &location_), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Start("r", "p", "2026-01-31"), &location_), StatusCode::kOk);   // 90 back
  EXPECT_EQ(code(Start("r", "p", "2026-01-30"), &location_), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Start("r", "p", "1 May 2026"), &location_), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Start("", "p", "2026-05-01"), &location_), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Start("r", "", "2026-05-01"), &location_), StatusCode::kInvalidArgument);
  auto no_user = Start("r", "p", "2026-05-01");
  no_user.clear_started_by();
  EXPECT_EQ(code(no_user, &location_), StatusCode::kInvalidArgument);
  auto bad_disregard = Start("r", "p", "2026-05-01");
  bad_disregard.set_disregard_start_date("2026-5-1");
  EXPECT_EQ(code(bad_disregard, &location_), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Start("r", "p", "2026-05-01"), nullptr), StatusCode::kNotFound);
  EXPECT_EQ(code(Start("r", "p", "2026-05-01", reference::v1::BED_TYPE_PLANNED_RESPITE),
                 &location_),
            StatusCode::kNotFound);
  Record(Start("first", "p", "2026-05-03"), now);  // planned
  EXPECT_EQ(book_.Find(PlacementIdFor("first"))->state(), v1::PLACEMENT_STATE_PLANNED);
  EXPECT_EQ(code(Start("second", "p", "2026-05-01"), &location_), StatusCode::kFailedPrecondition);
}

TEST_F(PlacementBookTest, EndRefusalsAndIdenticalRepeats) {
  const absl::Time now = At(2026, 5, 10, 12);
  Record(Start("r", "p", "2026-05-01"), now);
  v1::EndPlacementRequest q;
  q.set_placement_id(PlacementIdFor("r"));
  q.set_end_date("2026-05-10");
  q.set_reason(v1::PLACEMENT_END_REASON_RETURNED_HOME);
  q.set_ended_by("priya-nair");
  auto bad = q;
  bad.set_placement_id("nope");
  EXPECT_THAT(book_.PrepareEnd(bad, now), StatusIs(absl::StatusCode::kNotFound));
  bad = q;
  bad.set_end_date("2026-04-30");
  EXPECT_THAT(book_.PrepareEnd(bad, now), StatusIs(absl::StatusCode::kInvalidArgument));
  bad.set_end_date("2026-05-11");
  EXPECT_THAT(book_.PrepareEnd(bad, now), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = q;
  bad.set_reason(v1::PLACEMENT_END_REASON_OTHER);
  EXPECT_THAT(book_.PrepareEnd(bad, now), StatusIs(absl::StatusCode::kInvalidArgument));
  bad.clear_reason();
  EXPECT_THAT(book_.PrepareEnd(bad, now), StatusIs(absl::StatusCode::kInvalidArgument));
  auto ended = book_.PrepareEnd(q, now);
  ASSERT_THAT(ended, IsOk());
  EXPECT_EQ(ended->days_in_placement(), 10u);
  book_.Put(*ended);
  EXPECT_THAT(book_.PrepareEnd(q, now + absl::Hours(1)), IsOk());
  auto different = q;
  different.set_reason(v1::PLACEMENT_END_REASON_MOVED);
  EXPECT_THAT(book_.PrepareEnd(different, now), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(PlacementBookTest, ListsLongestRunningFirstWithFiltersAndPages) {
  const absl::Time now = At(2026, 5, 10, 12);
  Record(Start("r3", "p3", "2026-05-03"), now);
  Record(Start("r1", "p1", "2026-04-01"), now);
  Record(Start("r2", "p2", "2026-04-20", BED_TYPE_LONG_TERM), now);
  v1::ListPlacementsRequest q;
  auto list = book_.List(q, now);
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->placements_size(), 3);
  EXPECT_EQ(list->placements(0).person_ref(), "p1");
  EXPECT_EQ(list->placements(2).person_ref(), "p3");
  q.set_overdue_only(true);
  list = book_.List(q, now);
  ASSERT_EQ(list->placements_size(), 1);  // p1: 40 days in an assessment bed
  EXPECT_EQ(list->placements(0).person_ref(), "p1");
  q.set_overdue_only(false);
  q.set_limit(2);
  list = book_.List(q, now);
  ASSERT_EQ(list->placements_size(), 2);
  ASSERT_EQ(list->next_page_token(), "2");
  q.set_page_token(list->next_page_token());
  list = book_.List(q, now);
  ASSERT_EQ(list->placements_size(), 1);
  EXPECT_TRUE(list->next_page_token().empty());
  q.set_page_token("x");
  EXPECT_THAT(book_.List(q, now), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PlacementBookTest, MilestoneEventIdsDependOnPlacementAndMilestoneOnly) {
  v1::Placement p = Record(Start("r1", "person-1", "2026-01-05"), At(2026, 1, 5, 9));
  const DueMilestone due{p.placement_id(), Milestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS,
                         At(2026, 1, 26)};
  auto e1 = book_.MilestoneEvent(p, due, At(2026, 1, 26));
  auto e2 = book_.MilestoneEvent(p, due, At(2026, 2, 3));
  EXPECT_EQ(e1.envelope().event_id(), e2.envelope().event_id());
  EXPECT_EQ(e1.envelope().scope().id(), "icc");
  EXPECT_EQ(e1.placement_milestone().person_ref(), "person-1");
  EXPECT_EQ(e1.placement_milestone().bed_type(), "BED_TYPE_ASSESSMENT");
  EXPECT_EQ(FromProtoTime(e1.placement_milestone().started_at()), At(2026, 1, 5));
}

}  // namespace
}  // namespace resilience::beds
