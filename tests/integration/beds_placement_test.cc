// Placement milestones against the real broker (plan 6.3): the 3-week assessment milestone and
// the week-8 disregard notice are each published exactly once per placement when the injected
// clock passes them, also when they fell due while the service was down, and never again after
// restarts; none for a placement that ended first. Starting a placement is idempotent by
// request id, across a restart too.
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "tests/integration/beds_test_support.h"

namespace resilience::testing {
namespace {

using ::testing::UnorderedElementsAre;
namespace bv1 = beds::v1;
using Milestone = events::v1::PlacementMilestone;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

class BedsPlacementTest : public BedsServiceTest {
 protected:
  absl::StatusOr<bv1::Placement> StartPlacement(const std::string& request, const std::string& person,
                                                const std::string& location,
                                                reference::v1::BedType type,
                                                const std::string& start,
                                                const std::string& disregard = "") {
    grpc::ClientContext context;
    bv1::StartPlacementRequest q;
    q.set_request_id(request);
    q.set_person_ref(person);
    q.set_location_id(location);
    q.set_bed_type(type);
    q.set_start_date(start);
    q.set_disregard_start_date(disregard);
    q.set_started_by("arranging-support-west-duty");
    bv1::Placement p;
    grpc::Status s = stub_->StartPlacement(&context, q, &p);
    if (!s.ok()) return ToStatus(s);
    return p;
  }

  bv1::Placement Get(const std::string& id) {
    grpc::ClientContext context;
    bv1::GetPlacementRequest q;
    q.set_placement_id(id);
    bv1::Placement p;
    EXPECT_TRUE(stub_->GetPlacement(&context, q, &p).ok());
    return p;
  }

  // Publishes a figure change and waits for it: every publisher round before it has run.
  void Barrier(BedsTopicEvents& topic, int occupied) {
    bv1::BedUpdate u;
    u.set_update_id(absl::StrCat("barrier-", occupied));
    *u.mutable_occurred_at() = ToProtoTime(absl::Now() - absl::Hours(24 * 365));
    u.mutable_snapshot()->set_location_id("ihu-weald-house");  // 14 assessment, 6 dementia
    auto* b = u.mutable_snapshot()->add_beds();
    b->set_bed_type(reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT);
    b->set_occupied(occupied);
    ASSERT_THAT(Submit(u, "bed-management-kcc"), IsOk());
    ASSERT_TRUE(topic.WaitForLatest("ihu-weald-house", "dementia_bed_available", 6 - occupied));
  }
};

TEST_F(BedsPlacementTest, MilestonesFireExactlyOnceAlsoWhenTheServiceWasDown) {
  BedsTopicEvents topic(ns_ + "beds");
  // Ten seconds before midnight at the end of Sunday 25 January 2026 (GMT).
  ASSERT_NO_FATAL_FAILURE(Start(Utc(2026, 1, 25, 23, 59, 50)));
  const auto kAssessment = reference::v1::BED_TYPE_ASSESSMENT;
  // a: 3 weeks pass at midnight tonight. b: tomorrow night. c: week 8 of its disregard begins
  // tomorrow night (9 December + 49 days). d: left on day 21, before its 3 weeks passed.
  auto a = StartPlacement("pl-a", "person-a", "icc-orchard-view", kAssessment, "2026-01-05");
  auto b = StartPlacement("pl-b", "person-b", "icc-harbour-lights", kAssessment, "2026-01-06");
  auto c = StartPlacement("pl-c", "person-c", "rh-oast-house", reference::v1::BED_TYPE_LONG_TERM,
                          "2026-01-20", "2025-12-09");
  auto d = StartPlacement("pl-d", "person-d", "icc-orchard-view", kAssessment, "2026-01-05");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(FromProtoTime(a->milestones(0).due_at()), Utc(2026, 1, 26));
  EXPECT_EQ(FromProtoTime(c->milestones(0).due_at()), Utc(2026, 1, 27));
  {
    grpc::ClientContext context;
    bv1::EndPlacementRequest end;
    end.set_placement_id(d->placement_id());
    end.set_end_date("2026-01-25");
    end.set_reason(bv1::PLACEMENT_END_REASON_RETURNED_HOME);
    end.set_ended_by("priya-nair");
    bv1::Placement ended;
    ASSERT_TRUE(stub_->EndPlacement(&context, end, &ended).ok());
    EXPECT_EQ(ended.state(), bv1::PLACEMENT_STATE_ENDED);
  }
  // A retry of a start returns the same placement.
  auto retry = StartPlacement("pl-a", "person-a", "icc-orchard-view", kAssessment, "2026-01-05");
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->placement_id(), a->placement_id());
  // Another placement for a person already placed is refused.
  EXPECT_THAT(StartPlacement("pl-a2", "person-a", "icc-harbour-lights", kAssessment, "2026-01-25"),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  const std::string a_overdue = a->placement_id() + "/MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS";
  const std::string b_overdue = b->placement_id() + "/MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS";
  const std::string c_notice = c->placement_id() + "/MILESTONE_DISREGARD_WEEK_8_NOTICE";
  // The clock passes midnight: a's milestone, once.
  ASSERT_TRUE(WaitFor([&] { return !topic.Milestones().empty(); }, absl::Seconds(40)));
  ASSERT_NO_FATAL_FAILURE(Barrier(topic, 1));
  EXPECT_THAT(topic.Milestones(), UnorderedElementsAre(a_overdue));
  const bv1::Placement shown = Get(a->placement_id());
  EXPECT_TRUE(shown.overdue());
  ASSERT_EQ(shown.milestones_size(), 1);
  EXPECT_TRUE(shown.milestones(0).has_fired_at());

  // Killed now; started again after b's and c's milestones fell due: each fires once at start-up.
  service_->process.Kill();
  ASSERT_NO_FATAL_FAILURE(Start(Utc(2026, 1, 27, 0, 0, 5)));
  ASSERT_TRUE(WaitFor([&] { return topic.Milestones().size() >= 3; }, absl::Seconds(30)));
  ASSERT_NO_FATAL_FAILURE(Barrier(topic, 2));
  EXPECT_THAT(topic.Milestones(), UnorderedElementsAre(a_overdue, b_overdue, c_notice));

  // A clean restart a day later publishes none of them again.
  ASSERT_THAT(service_->process.Terminate(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Start(Utc(2026, 1, 28, 12)));
  ASSERT_NO_FATAL_FAILURE(Barrier(topic, 3));
  EXPECT_THAT(topic.Milestones(), UnorderedElementsAre(a_overdue, b_overdue, c_notice));
  // The events carry what the escalation service shows.
  for (const auto& e : topic.All()) {
    if (!e.has_placement_milestone() ||
        e.placement_milestone().placement_id() != c->placement_id()) {
      continue;
    }
    EXPECT_EQ(e.envelope().scope().id(), "rh-oast-house");
    EXPECT_EQ(e.placement_milestone().person_ref(), "person-c");
    EXPECT_EQ(e.placement_milestone().bed_type(), "BED_TYPE_LONG_TERM");
    EXPECT_EQ(FromProtoTime(e.placement_milestone().due_at()), Utc(2026, 1, 27));
  }
  // The start is still idempotent after the restarts.
  retry = StartPlacement("pl-b", "person-b", "icc-harbour-lights", kAssessment, "2026-01-06");
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->placement_id(), b->placement_id());
  grpc::ClientContext context;
  bv1::ListPlacementsRequest list;
  list.set_overdue_only(true);
  bv1::ListPlacementsResponse overdue;
  ASSERT_TRUE(stub_->ListPlacements(&context, list, &overdue).ok());
  ASSERT_EQ(overdue.placements_size(), 2);
  EXPECT_EQ(overdue.placements(0).placement_id(), a->placement_id());  // longest running first
}

}  // namespace
}  // namespace resilience::testing
