// The rules of one location's beds: every rejection reason, the count boundaries, snapshots and
// events agreeing, events older than a snapshot not counted twice, holds, closures, stock changes.
#include "services/beds/core/bed_update.h"

#include <functional>

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::beds {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Property;
using reference::v1::BED_TYPE_ASSESSMENT;
using reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT;
using reference::v1::BED_TYPE_LONG_TERM;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);
const absl::Duration kSkew = absl::Minutes(5);

auto ViolationOf(const std::string& field, const std::string& reason) {
  return AllOf(Property(&common::v1::FieldViolation::field, field),
               Property(&common::v1::FieldViolation::reason, HasSubstr(reason)));
}

v1::LocationRecord Unit() {  // 4 assessment beds, 2 dementia assessment beds
  v1::LocationRecord r;
  auto* l = r.mutable_location();
  l->set_id("unit");
  l->set_area_id("west-kent");
  l->set_kind(reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE);
  auto* a = l->add_beds();
  a->set_bed_type(BED_TYPE_ASSESSMENT);
  a->set_total(4);
  auto* d = l->add_beds();
  d->set_bed_type(BED_TYPE_DEMENTIA_ASSESSMENT);
  d->set_total(2);
  return r;
}

v1::BedUpdate Base(const std::string& id, absl::Time at = kNow) {
  v1::BedUpdate u;
  u.set_update_id(id);
  *u.mutable_occurred_at() = ToProtoTime(at);
  return u;
}

v1::BedUpdate Admit(const std::string& id, absl::Time at = kNow,
                    reference::v1::BedType t = BED_TYPE_ASSESSMENT) {
  auto u = Base(id, at);
  u.mutable_admission()->set_location_id("unit");
  u.mutable_admission()->set_bed_type(t);
  return u;
}

v1::BedUpdate Discharge(const std::string& id, absl::Time at = kNow) {
  auto u = Base(id, at);
  u.mutable_discharge()->set_location_id("unit");
  u.mutable_discharge()->set_bed_type(BED_TYPE_ASSESSMENT);
  return u;
}

v1::BedUpdate Snapshot(const std::string& id, int occupied, absl::Time at = kNow,
                       std::optional<int> held = std::nullopt) {
  auto u = Base(id, at);
  u.mutable_snapshot()->set_location_id("unit");
  auto* b = u.mutable_snapshot()->add_beds();
  b->set_bed_type(BED_TYPE_ASSESSMENT);
  b->set_occupied(occupied);
  if (held) b->set_held(*held);
  return u;
}

v1::BedUpdate Close(const std::string& id, const std::string& ref, int beds) {
  auto u = Base(id);
  auto* c = u.mutable_closure();
  c->set_closure_ref(ref);
  c->set_location_id("unit");
  c->set_bed_type(BED_TYPE_ASSESSMENT);
  c->set_beds(beds);
  c->set_reason(v1::CLOSURE_REASON_OUTBREAK);
  c->set_detail("norovirus");
  return u;
}

v1::BedUpdate Hold(const std::string& id, const std::string& ref,
                   std::optional<absl::Time> until = std::nullopt) {
  auto u = Base(id);
  auto* h = u.mutable_hold();
  h->set_hold_ref(ref);
  h->set_location_id("unit");
  h->set_bed_type(BED_TYPE_ASSESSMENT);
  if (until) *h->mutable_held_until() = ToProtoTime(*until);
  return u;
}

common::v1::Provenance From(const std::string& update_id, absl::Time at = kNow) {
  common::v1::Provenance p;
  p.set_provider_id("bed-management-kcc");
  p.set_update_id(update_id);
  *p.mutable_accepted_at() = ToProtoTime(at);
  return p;
}

// Checks then applies; fails the test when the update is refused.
void Accept(const v1::BedUpdate& u, v1::LocationRecord* r) {
  UpdateCheck check = CheckBedUpdate(u, r, kNow, kSkew);
  ASSERT_TRUE(check.ok()) << u.DebugString() << " refused: " << check.violations[0].reason();
  ApplyBedUpdate(u, From(u.update_id()), absl::Hours(72), r);
}

struct RejectionCase {
  std::string name;
  std::function<void(v1::BedUpdate*)> mutate;
  absl::StatusCode code;
  std::string field;
  std::string reason;
};

TEST(BedUpdateTest, EveryRejectionReasonNamesItsField) {
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  const absl::StatusCode kNotFound = absl::StatusCode::kNotFound;
  const std::vector<RejectionCase> cases = {
      {"no update id", [](auto* u) { u->clear_update_id(); }, kInvalid, "update_id", "required"},
      {"unprintable id", [](auto* u) { u->set_update_id("a b"); }, kInvalid, "update_id", "printable"},
      {"id too long", [](auto* u) { u->set_update_id(std::string(129, 'x')); }, kInvalid,
       "update_id", "128"},
      {"no occurred_at", [](auto* u) { u->clear_occurred_at(); }, kInvalid, "occurred_at",
       "required"},
      {"future", [](auto* u) { *u->mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(6)); },
       kInvalid, "occurred_at", "future"},
      {"note too long", [](auto* u) { u->set_note(std::string(501, 'n')); }, kInvalid, "note",
       "500"},
      {"no change", [](auto* u) { u->clear_admission(); }, kInvalid, "change", "required"},
      {"no location", [](auto* u) { u->mutable_admission()->clear_location_id(); }, kInvalid,
       "admission.location_id", "required"},
      {"unknown location", [](auto* u) { u->mutable_admission()->set_location_id("nowhere"); },
       kNotFound, "admission.location_id", "unknown location 'nowhere'"},
      {"no bed type", [](auto* u) { u->mutable_admission()->clear_bed_type(); }, kInvalid,
       "admission.bed_type", "required"},
      {"bed type the location lacks",
       [](auto* u) { u->mutable_admission()->set_bed_type(BED_TYPE_LONG_TERM); }, kNotFound,
       "admission.bed_type", "has no BED_TYPE_LONG_TERM beds"},
  };
  const v1::LocationRecord unit = Unit();
  for (const auto& c : cases) {
    v1::BedUpdate u = Admit("u1");
    c.mutate(&u);
    const v1::LocationRecord* record =
        u.admission().location_id() == "nowhere" ? nullptr : &unit;
    UpdateCheck check = CheckBedUpdate(u, record, kNow, kSkew);
    EXPECT_EQ(check.code, c.code) << c.name;
    EXPECT_THAT(check.violations, Contains(ViolationOf(c.field, c.reason))) << c.name;
  }
  // Exactly at the skew limit is accepted.
  v1::BedUpdate edge = Admit("u1", kNow + kSkew);
  EXPECT_TRUE(CheckBedUpdate(edge, &unit, kNow, kSkew).ok());
}

TEST(BedUpdateTest, CountRejectionsAtTheirBoundaries) {
  v1::LocationRecord r = Unit();
  for (int i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(Accept(Admit("a" + std::to_string(i)), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).available(), 0u);
  // Occupied never above total.
  EXPECT_THAT(CheckBedUpdate(Admit("a5"), &r, kNow, kSkew).violations,
              Contains(ViolationOf("admission.bed_type", "no vacant bed")));
  EXPECT_THAT(CheckBedUpdate(Snapshot("s", 5), &r, kNow, kSkew).violations,
              Contains(ViolationOf("snapshot.beds[0].occupied", "more than the 4 beds")));
  EXPECT_TRUE(CheckBedUpdate(Snapshot("s", 4), &r, kNow, kSkew).ok());
  EXPECT_THAT(CheckBedUpdate(Snapshot("s", -1), &r, kNow, kSkew).violations,
              Contains(ViolationOf("snapshot.beds[0].occupied", "negative")));
  EXPECT_THAT(CheckBedUpdate(Hold("h", "h1"), &r, kNow, kSkew).violations,
              Contains(ViolationOf("hold.bed_type", "no vacant bed")));
  EXPECT_THAT(CheckBedUpdate(Close("c", "c1", 1), &r, kNow, kSkew).violations,
              Contains(ViolationOf("closure.beds", "only vacant beds")));

  // Never negative.
  v1::LocationRecord empty = Unit();
  EXPECT_THAT(CheckBedUpdate(Discharge("d"), &empty, kNow, kSkew).violations,
              Contains(ViolationOf("discharge.bed_type", "below 0")));

  // occupied + held + closed <= total, counted together.
  v1::LocationRecord mixed = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s1", 2), &mixed));
  ASSERT_NO_FATAL_FAILURE(Accept(Hold("h1", "hold-1"), &mixed));
  ASSERT_NO_FATAL_FAILURE(Accept(Close("c1", "clo-1", 1), &mixed));
  EXPECT_EQ(CountOf(mixed, BED_TYPE_ASSESSMENT).available(), 0u);
  EXPECT_THAT(CheckBedUpdate(Snapshot("s2", 3, kNow + absl::Seconds(1)), &mixed, kNow, kSkew)
                  .violations,
              Contains(ViolationOf("snapshot.beds[0].occupied", "exceed the total")));
  EXPECT_TRUE(CheckBedUpdate(Snapshot("s2", 3, kNow + absl::Seconds(1), 0), &mixed, kNow, kSkew)
                  .ok());
  // An admission that fills its hold needs no further vacant bed.
  v1::BedUpdate fill = Admit("a-fill", kNow + absl::Seconds(2));
  fill.mutable_admission()->set_hold_ref("hold-1");
  ASSERT_NO_FATAL_FAILURE(Accept(fill, &mixed));
  const BedCount after = CountOf(mixed, BED_TYPE_ASSESSMENT);
  EXPECT_EQ(after.occupied, 3u);
  EXPECT_EQ(after.held, 0u);
  EXPECT_EQ(after.closed, 1u);
}

TEST(BedUpdateTest, ClosureAndHoldProblems) {
  v1::LocationRecord r = Unit();
  v1::BedUpdate c = Close("c", "clo", 0);
  EXPECT_THAT(CheckBedUpdate(c, &r, kNow, kSkew).violations,
              Contains(ViolationOf("closure.beds", "more than 0")));
  c = Close("c", "clo", 1);
  c.mutable_closure()->clear_reason();
  EXPECT_THAT(CheckBedUpdate(c, &r, kNow, kSkew).violations,
              Contains(ViolationOf("closure.reason", "required")));
  c.mutable_closure()->set_reason(v1::CLOSURE_REASON_OTHER);
  c.mutable_closure()->clear_detail();
  EXPECT_THAT(CheckBedUpdate(c, &r, kNow, kSkew).violations,
              Contains(ViolationOf("closure.detail", "say what")));
  c.mutable_closure()->clear_closure_ref();
  EXPECT_THAT(CheckBedUpdate(c, &r, kNow, kSkew).violations,
              Contains(ViolationOf("closure.closure_ref", "required")));

  v1::BedUpdate reopen = Base("r");
  reopen.mutable_reopening()->set_location_id("unit");
  reopen.mutable_reopening()->set_closure_ref("never-opened");
  EXPECT_THAT(CheckBedUpdate(reopen, &r, kNow, kSkew).violations,
              Contains(ViolationOf("reopening.closure_ref", "no open closure")));
  v1::BedUpdate release = Base("r");
  release.mutable_hold_released()->set_location_id("unit");
  release.mutable_hold_released()->set_hold_ref("never-held");
  EXPECT_THAT(CheckBedUpdate(release, &r, kNow, kSkew).violations,
              Contains(ViolationOf("hold_released.hold_ref", "no open hold")));
  v1::BedUpdate h = Hold("h", "hold", kNow - absl::Minutes(1));
  EXPECT_THAT(CheckBedUpdate(h, &r, kNow, kSkew).violations,
              Contains(ViolationOf("hold.held_until", "after occurred_at")));

  v1::BedUpdate dup = Snapshot("s", 1);
  *dup.mutable_snapshot()->add_beds() = dup.snapshot().beds(0);
  EXPECT_THAT(CheckBedUpdate(dup, &r, kNow, kSkew).violations,
              Contains(ViolationOf("snapshot.beds[1].bed_type", "twice")));
  v1::BedUpdate none = Snapshot("s", 1);
  none.mutable_snapshot()->clear_beds();
  EXPECT_THAT(CheckBedUpdate(none, &r, kNow, kSkew).violations,
              Contains(ViolationOf("snapshot.beds", "at least one")));
}

TEST(BedUpdateTest, ClosuresCountApartAndReplaceByRef) {
  v1::LocationRecord r = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s", 1), &r));
  ASSERT_NO_FATAL_FAILURE(Accept(Close("c1", "clo", 2), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).closed, 2u);
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).available(), 1u);
  // The same ref again replaces it: 3 closed is fine (3 vacant), not 2 + 3.
  ASSERT_NO_FATAL_FAILURE(Accept(Close("c2", "clo", 3), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).closed, 3u);
  EXPECT_EQ(r.closures_size(), 1);
  v1::BedUpdate reopen = Base("r1");
  reopen.mutable_reopening()->set_location_id("unit");
  reopen.mutable_reopening()->set_closure_ref("clo");
  ASSERT_NO_FATAL_FAILURE(Accept(reopen, &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).available(), 3u);
}

TEST(BedUpdateTest, SnapshotsAndEventsGiveTheSameCounts) {
  v1::LocationRecord by_events = Unit();
  for (const auto& u : {Admit("a1"), Admit("a2"), Admit("a3"), Discharge("d1"), Admit("a4")}) {
    ASSERT_NO_FATAL_FAILURE(Accept(u, &by_events));
  }
  v1::LocationRecord by_snapshot = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s", 3), &by_snapshot));
  EXPECT_EQ(CountOf(by_events, BED_TYPE_ASSESSMENT).available(),
            CountOf(by_snapshot, BED_TYPE_ASSESSMENT).available());
  EXPECT_EQ(CountOf(by_events, BED_TYPE_ASSESSMENT).occupied, 3u);
}

TEST(BedUpdateTest, EventsNotAfterTheSnapshotAreRecordedButNotCounted) {
  v1::LocationRecord r = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s", 2, kNow), &r));
  ASSERT_NO_FATAL_FAILURE(Accept(Admit("late", kNow - absl::Minutes(1)), &r));
  ASSERT_NO_FATAL_FAILURE(Accept(Admit("same-time", kNow), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).occupied, 2u);
  EXPECT_EQ(r.recent_updates_size(), 3);
  ASSERT_NO_FATAL_FAILURE(Accept(Admit("after", kNow + absl::Seconds(1)), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).occupied, 3u);
  // An older snapshot changes nothing either: the later occurred_at wins.
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("old", 0, kNow - absl::Hours(1)), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).occupied, 3u);
  // Its other bed types are untouched by a snapshot that does not list them.
  EXPECT_EQ(CountOf(r, BED_TYPE_DEMENTIA_ASSESSMENT).total, 2u);
  // last_updated_at only moves forward.
  EXPECT_EQ(FromProtoTime(r.last_updated_at()), kNow + absl::Seconds(1));
}

TEST(BedUpdateTest, HoldsLapseAtHeldUntilAndSnapshotHeldReplacesThem) {
  v1::LocationRecord r = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Hold("h1", "for-ward-3", kNow + absl::Hours(4)), &r));
  ASSERT_NO_FATAL_FAILURE(Accept(Hold("h2", "open-ended"), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).held, 2u);
  EXPECT_FALSE(ExpireHolds(kNow + absl::Hours(4) - absl::Seconds(1), &r));
  EXPECT_TRUE(ExpireHolds(kNow + absl::Hours(4), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).held, 1u);
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s", 1, kNow + absl::Seconds(1), 2), &r));
  EXPECT_EQ(CountOf(r, BED_TYPE_ASSESSMENT).held, 2u);
  EXPECT_EQ(r.holds_size(), 0);
}

TEST(BedUpdateTest, RememberedUpdateIdsAreKeptForTheWindowOnly) {
  v1::LocationRecord r = Unit();
  ApplyBedUpdate(Admit("old"), From("old", kNow), absl::Hours(72), &r);
  ApplyBedUpdate(Admit("edge"), From("edge", kNow + absl::Hours(1)), absl::Hours(72), &r);
  ApplyBedUpdate(Discharge("new"), From("new", kNow + absl::Hours(73)), absl::Hours(72), &r);
  ASSERT_EQ(r.recent_updates_size(), 2);
  EXPECT_EQ(r.recent_updates(0).update_id(), "edge");
  EXPECT_EQ(r.sequence(), 3u);
}

TEST(BedUpdateTest, StockChangesNeedRoomForOccupiedHeldAndClosedBeds) {
  v1::LocationRecord r = Unit();
  ASSERT_NO_FATAL_FAILURE(Accept(Snapshot("s", 2), &r));
  ASSERT_NO_FATAL_FAILURE(Accept(Hold("h", "hold"), &r));
  EXPECT_EQ(CheckStockChange(r, BED_TYPE_ASSESSMENT, 2).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckStockChange(r, BED_TYPE_ASSESSMENT, 3).ok());
  v1::BedStockChange change;
  change.set_bed_type(BED_TYPE_LONG_TERM);
  change.set_new_total(5);
  ApplyStockChange(change, &r);
  EXPECT_EQ(TotalOf(r.location(), BED_TYPE_LONG_TERM), 5u);
  EXPECT_EQ(r.stock_changes_size(), 1);
}

TEST(BedUpdateTest, PercentagesOfTheApiRow) {
  BedCount c{10, 7, 1, 1};
  v1::BedCounts row = ToBedCounts(BED_TYPE_ASSESSMENT, c);
  EXPECT_EQ(row.available(), 1u);
  EXPECT_DOUBLE_EQ(row.occupancy_pct(), 90);
  EXPECT_DOUBLE_EQ(row.occupied_pct(), 70);
  EXPECT_DOUBLE_EQ(ToBedCounts(BED_TYPE_ASSESSMENT, BedCount{}).occupancy_pct(), 0);
  EXPECT_DOUBLE_EQ(ToBedCounts(BED_TYPE_ASSESSMENT, BedCount{4, 4, 0, 0}).occupancy_pct(), 100);
}

}  // namespace
}  // namespace resilience::beds
