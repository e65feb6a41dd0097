// The beds service against the real broker: snapshots and events giving the same availability
// (and the same published figures); every rejection reason, each answered on its stream with the
// field while its neighbours are taken; a restart in the middle of a stream losing nothing and
// doubling nothing; bed base changes; vacancy search from live state.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "tests/integration/beds_test_support.h"

namespace resilience::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
namespace bv1 = beds::v1;
using reference::v1::BED_TYPE_ASSESSMENT;
using reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT;
using reference::v1::BED_TYPE_LONG_TERM;
using Ack = common::v1::UpdateAck;

constexpr char kKcc[] = "bed-management-kcc";
constexpr char kOrchard[] = "icc-orchard-view";  // 24 assessment, 8 dementia assessment

// Updates at increasing occurred_at: one second apart from ten minutes ago.
class Updates {
 public:
  explicit Updates(std::string prefix) : prefix_(std::move(prefix)), t0_(absl::Now() - absl::Minutes(10)) {}
  bv1::BedUpdate Next() {
    bv1::BedUpdate u;
    u.set_update_id(absl::StrCat(prefix_, "-", ++n_));
    *u.mutable_occurred_at() = ToProtoTime(t0_ + absl::Seconds(n_));
    return u;
  }
  bv1::BedUpdate Admit(const std::string& loc, reference::v1::BedType t = BED_TYPE_ASSESSMENT) {
    auto u = Next();
    u.mutable_admission()->set_location_id(loc);
    u.mutable_admission()->set_bed_type(t);
    return u;
  }
  bv1::BedUpdate Discharge(const std::string& loc, reference::v1::BedType t = BED_TYPE_ASSESSMENT) {
    auto u = Next();
    u.mutable_discharge()->set_location_id(loc);
    u.mutable_discharge()->set_bed_type(t);
    return u;
  }
  bv1::BedUpdate Hold(const std::string& loc, const std::string& ref) {
    auto u = Next();
    u.mutable_hold()->set_location_id(loc);
    u.mutable_hold()->set_bed_type(BED_TYPE_ASSESSMENT);
    u.mutable_hold()->set_hold_ref(ref);
    return u;
  }
  bv1::BedUpdate Close(const std::string& loc, const std::string& ref, int beds) {
    auto u = Next();
    auto* c = u.mutable_closure();
    c->set_location_id(loc);
    c->set_bed_type(BED_TYPE_ASSESSMENT);
    c->set_closure_ref(ref);
    c->set_beds(beds);
    c->set_reason(bv1::CLOSURE_REASON_OUTBREAK);
    c->set_detail("norovirus");
    return u;
  }
  bv1::BedUpdate Snapshot(const std::string& loc, int assessment, int dementia,
                          std::optional<int> held = std::nullopt) {
    auto u = Next();
    u.mutable_snapshot()->set_location_id(loc);
    auto* a = u.mutable_snapshot()->add_beds();
    a->set_bed_type(BED_TYPE_ASSESSMENT);
    a->set_occupied(assessment);
    if (held) a->set_held(*held);
    auto* d = u.mutable_snapshot()->add_beds();
    d->set_bed_type(BED_TYPE_DEMENTIA_ASSESSMENT);
    d->set_occupied(dementia);
    return u;
  }

 private:
  std::string prefix_;
  absl::Time t0_;
  int n_ = 0;
};

std::vector<Ack::Outcome> Outcomes(const std::vector<Ack>& acks) {
  std::vector<Ack::Outcome> out;
  for (const auto& a : acks) out.push_back(a.outcome());
  return out;
}

class BedsIngestTest : public BedsServiceTest {};

TEST_F(BedsIngestTest, SnapshotsAndEventsGiveTheSameAvailability) {
  BedsTopicEvents topic(ns_ + "beds");
  ASSERT_NO_FATAL_FAILURE(Start());
  // A twin of Orchard View, run by the same bed management system, reported by snapshots.
  {
    grpc::ClientContext context;
    bv1::UpsertLocationRequest q;
    auto* l = q.mutable_location();
    l->set_id("icc-twin");
    l->set_name("Twin of Orchard View (test)");
    l->set_area_id("ashford-canterbury");
    l->set_kind(reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE);
    l->set_provider_id(kKcc);
    auto* a = l->add_beds();
    a->set_bed_type(BED_TYPE_ASSESSMENT);
    a->set_total(24);
    auto* d = l->add_beds();
    d->set_bed_type(BED_TYPE_DEMENTIA_ASSESSMENT);
    d->set_total(8);
    q.set_changed_by("helen-marsh");
    q.set_reason("a twin unit for the snapshot and event comparison");
    reference::v1::Location created;
    ASSERT_TRUE(stub_->UpsertLocation(&context, q, &created).ok());
    EXPECT_EQ(created.beds_size(), 2);
  }
  Updates ev("ev");
  std::vector<bv1::BedUpdate> events;
  for (int i = 0; i < 20; ++i) events.push_back(ev.Admit(kOrchard));
  for (int i = 0; i < 3; ++i) events.push_back(ev.Discharge(kOrchard));
  for (int i = 0; i < 8; ++i) events.push_back(ev.Admit(kOrchard, BED_TYPE_DEMENTIA_ASSESSMENT));
  events.push_back(ev.Discharge(kOrchard, BED_TYPE_DEMENTIA_ASSESSMENT));
  events.push_back(ev.Hold(kOrchard, "from-william-harvey"));
  events.push_back(ev.Close(kOrchard, "bay-2", 2));
  auto acks = Stream(events, kKcc);
  ASSERT_EQ(acks.size(), events.size());
  for (const auto& a : acks) ASSERT_EQ(a.outcome(), Ack::OUTCOME_ACCEPTED) << a.message();

  Updates sn("sn");
  std::vector<bv1::BedUpdate> snapshots = {sn.Snapshot("icc-twin", 5, 2), sn.Snapshot("icc-twin", 17, 7, 1),
                                           sn.Close("icc-twin", "bay-2", 2)};
  acks = Stream(snapshots, kKcc);
  ASSERT_EQ(acks.size(), snapshots.size());
  for (const auto& a : acks) ASSERT_EQ(a.outcome(), Ack::OUTCOME_ACCEPTED) << a.message();

  // 24 assessment: 17 occupied, 1 held, 2 closed, 4 available; dementia 8: 7 occupied, 1 free.
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_ASSESSMENT), "24/17/1/2/4");
  EXPECT_EQ(Counts("icc-twin", BED_TYPE_ASSESSMENT), "24/17/1/2/4");
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_DEMENTIA_ASSESSMENT), "8/7/0/0/1");
  EXPECT_EQ(Counts("icc-twin", BED_TYPE_DEMENTIA_ASSESSMENT), "8/7/0/0/1");
  // The same figures published for both: (32 - 5 available) / 32 beds not available.
  const double occupancy = 100.0 * 27 / 32;
  ASSERT_TRUE(topic.WaitForLatest(kOrchard, "assessment_bed_occupancy_pct", occupancy));
  ASSERT_TRUE(topic.WaitForLatest("icc-twin", "assessment_bed_occupancy_pct", occupancy));
  ASSERT_TRUE(topic.WaitForLatest(kOrchard, "dementia_bed_available", 1));
  ASSERT_TRUE(topic.WaitForLatest("icc-twin", "dementia_bed_available", 1));
  // Components carry the evidence.
  for (const auto& e : topic.All()) {
    if (e.envelope().scope().id() != kOrchard ||
        e.observation().indicator() != "assessment_bed_occupancy_pct" ||
        std::abs(e.observation().number() - occupancy) > 1e-9) {
      continue;
    }
    EXPECT_EQ(e.observation().components().at("total"), 32);
    EXPECT_EQ(e.observation().components().at("occupied"), 24);
    EXPECT_EQ(e.observation().components().at("held"), 1);
    EXPECT_EQ(e.observation().components().at("closed"), 2);
    EXPECT_EQ(e.observation().components().at("available"), 5);
    EXPECT_EQ(e.envelope().source(), "beds-service");
    EXPECT_EQ(e.envelope().provenance().provider_id(), kKcc);
  }
  // The county figure counts both units' assessment beds with the other in-house units'.
  EXPECT_FALSE(topic.Values("kent", "county_assessment_beds_available").empty());
}

TEST_F(BedsIngestTest, EveryRejectionReasonOnOneStreamWithItsNeighboursTaken) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Updates u("rj");
  struct Case {
    bv1::BedUpdate update;
    std::string field;  // empty: accepted
  };
  std::vector<Case> cases;
  auto good = [&] { cases.push_back({u.Admit(kOrchard), ""}); };
  good();
  {
    auto x = u.Admit(kOrchard);
    x.clear_update_id();
    cases.push_back({x, "update_id"});
  }
  good();
  {
    auto x = u.Admit(kOrchard);
    *x.mutable_occurred_at() = ToProtoTime(absl::Now() + absl::Hours(1));
    cases.push_back({x, "occurred_at"});
  }
  cases.push_back({u.Admit("no-such-unit"), "admission.location_id"});
  cases.push_back({u.Admit(kOrchard, BED_TYPE_LONG_TERM), "admission.bed_type"});
  cases.push_back({u.Snapshot(kOrchard, 25, 0), "snapshot.beds[0].occupied"});
  cases.push_back({u.Discharge(kOrchard, BED_TYPE_DEMENTIA_ASSESSMENT), "discharge.bed_type"});
  cases.push_back({u.Close(kOrchard, "c", 23), "closure.beds"});  // 22 vacant
  {
    auto x = u.Next();
    x.mutable_reopening()->set_location_id(kOrchard);
    x.mutable_reopening()->set_closure_ref("never");
    cases.push_back({x, "reopening.closure_ref"});
  }
  {
    auto x = u.Next();
    x.mutable_hold_released()->set_location_id(kOrchard);
    x.mutable_hold_released()->set_hold_ref("never");
    cases.push_back({x, "hold_released.hold_ref"});
  }
  cases.push_back({u.Next(), "change"});
  cases.push_back({u.Admit("rh-oast-house"), "location_id"});  // not this provider's home
  good();
  std::vector<bv1::BedUpdate> updates;
  for (const auto& c : cases) updates.push_back(c.update);
  auto acks = Stream(updates, kKcc);
  ASSERT_EQ(acks.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(acks[i].update_id(), cases[i].update.update_id());
    if (cases[i].field.empty()) {
      EXPECT_EQ(acks[i].outcome(), Ack::OUTCOME_ACCEPTED) << i << ": " << acks[i].message();
      continue;
    }
    EXPECT_EQ(acks[i].outcome(), Ack::OUTCOME_REJECTED) << i;
    ASSERT_GE(acks[i].violations_size(), 1) << i;
    EXPECT_EQ(acks[i].violations(0).field(), cases[i].field) << i << ": " << acks[i].message();
  }
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_ASSESSMENT), "24/3/0/0/21");

  // Unary: the same reasons as gRPC codes, with field violations in the trailer.
  auto bad = u.Snapshot(kOrchard, 25, 0);
  EXPECT_THAT(Submit(bad, kKcc), StatusIs(absl::StatusCode::kInvalidArgument));
  {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", kKcc);
    Ack ack;
    grpc::Status s = stub_->SubmitUpdate(&context, bad, &ack);
    auto violations = FieldViolationsOf(FromGrpcStatus(s, &context));
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field(), "snapshot.beds[0].occupied");
  }
  EXPECT_THAT(Submit(u.Admit("no-such-unit"), kKcc), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Submit(u.Admit(kOrchard, BED_TYPE_LONG_TERM), kKcc),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Submit(u.Admit(kOrchard), "care-group-weald"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A retry of an accepted update is a duplicate, applied once.
  auto once = u.Admit(kOrchard);
  auto first = Submit(once, kKcc);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->outcome(), Ack::OUTCOME_ACCEPTED);
  auto again = Submit(once, kKcc);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->outcome(), Ack::OUTCOME_DUPLICATE);
  EXPECT_EQ(again->event_id(), first->event_id());
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_ASSESSMENT), "24/4/0/0/20");
}

TEST_F(BedsIngestTest, ARestartInTheMiddleOfAStreamLosesNothingAndDoublesNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // 80 updates: 20 admissions, then discharges and admissions in turn, ending at 20 occupied.
  Updates u("rs");
  std::vector<bv1::BedUpdate> updates;
  int occupied = 0;
  for (int i = 0; i < 80; ++i) {
    if (i >= 20 && i % 2 == 0) {
      updates.push_back(u.Discharge(kOrchard));
      --occupied;
    } else {
      updates.push_back(u.Admit(kOrchard));
      ++occupied;
    }
  }
  ASSERT_EQ(occupied, 20);
  // Everything written at once; the service is killed after the 30th acknowledgement, with
  // later updates sent and possibly recorded but not acknowledged.
  std::map<std::string, std::vector<Ack::Outcome>> outcomes;
  size_t acked = 0;
  {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", kKcc);
    auto stream = stub_->StreamUpdates(&context);
    std::thread writer([&] {
      for (const auto& x : updates) {
        if (!stream->Write(x)) break;
      }
    });
    Ack ack;
    while (acked < 30 && stream->Read(&ack)) {
      outcomes[ack.update_id()].push_back(ack.outcome());
      ++acked;
    }
    service_->process.Kill();
    context.TryCancel();
    writer.join();
    stream->Finish();
  }
  ASSERT_EQ(acked, 30u);
  ASSERT_NO_FATAL_FAILURE(Start());
  // The provider resends everything not acknowledged, with the same ids.
  std::vector<bv1::BedUpdate> rest(updates.begin() + acked, updates.end());
  auto acks = Stream(rest, kKcc);
  ASSERT_EQ(acks.size(), rest.size());
  for (const auto& a : acks) outcomes[a.update_id()].push_back(a.outcome());
  for (const auto& x : updates) {
    const auto& o = outcomes[x.update_id()];
    ASSERT_EQ(o.size(), 1u) << x.update_id();
    EXPECT_TRUE(o[0] == Ack::OUTCOME_ACCEPTED || o[0] == Ack::OUTCOME_DUPLICATE) << x.update_id();
  }
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_ASSESSMENT), "24/20/0/0/4");
  // And once more after a clean restart: the record holds exactly that.
  ASSERT_THAT(service_->process.Terminate(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Counts(kOrchard, BED_TYPE_ASSESSMENT), "24/20/0/0/4");
  auto retry = Stream({updates[5], updates[79]}, kKcc);
  EXPECT_THAT(Outcomes(retry), ElementsAre(Ack::OUTCOME_DUPLICATE, Ack::OUTCOME_DUPLICATE));
}

TEST_F(BedsIngestTest, BedBaseChangesAndVacancySearch) {
  BedsTopicEvents topic(ns_ + "beds");
  ASSERT_NO_FATAL_FAILURE(Start());
  Updates u("vs");
  // Orchard View (Ashford and Canterbury) 22 free; Harbour Lights (Thanet) 2 free.
  auto acks = Stream({u.Snapshot(kOrchard, 2, 0), u.Snapshot("icc-harbour-lights", 18, 10)}, kKcc);
  ASSERT_THAT(Outcomes(acks), ElementsAre(Ack::OUTCOME_ACCEPTED, Ack::OUTCOME_ACCEPTED));

  auto search = [&](const std::string& area) {
    grpc::ClientContext context;
    bv1::SearchVacanciesRequest q;
    q.set_bed_type(BED_TYPE_ASSESSMENT);
    q.set_area_id(area);
    q.add_location_kinds(reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE);
    q.set_exclude_stale(true);
    bv1::SearchVacanciesResponse r;
    EXPECT_TRUE(stub_->SearchVacancies(&context, q, &r).ok());
    std::vector<std::string> out;
    for (const auto& v : r.vacancies()) out.push_back(absl::StrCat(v.location_id(), ":", v.available()));
    return out;
  };
  EXPECT_THAT(search("thanet-south-kent-coast"),
              ElementsAre("icc-harbour-lights:2", "icc-orchard-view:22"));
  EXPECT_THAT(search("ashford-canterbury"),
              ElementsAre("icc-orchard-view:22", "icc-harbour-lights:2"));

  // Four winter beds opened at Harbour Lights, with who and why.
  grpc::ClientContext c1;
  bv1::ChangeBedStockRequest change;
  change.set_location_id("icc-harbour-lights");
  change.set_bed_type(BED_TYPE_ASSESSMENT);
  change.set_new_total(24);
  change.set_changed_by("helen-marsh");
  change.set_reason("winter escalation: 4 extra beds agreed");
  bv1::BedStockChange recorded;
  ASSERT_TRUE(stub_->ChangeBedStock(&c1, change, &recorded).ok());
  EXPECT_EQ(recorded.previous_total(), 20u);
  EXPECT_EQ(recorded.new_total(), 24u);
  EXPECT_THAT(search("thanet-south-kent-coast"),
              ElementsAre("icc-harbour-lights:6", "icc-orchard-view:22"));
  // Not below the beds in use; not without who and why.
  grpc::ClientContext c2;
  change.set_new_total(17);
  EXPECT_EQ(stub_->ChangeBedStock(&c2, change, &recorded).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext c3;
  change.set_new_total(30);
  change.set_changed_by("nobody-we-know");
  EXPECT_EQ(stub_->ChangeBedStock(&c3, change, &recorded).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The change survives a restart and is listed.
  ASSERT_THAT(service_->process.Terminate(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Counts("icc-harbour-lights", BED_TYPE_ASSESSMENT), "24/18/0/0/6");
  grpc::ClientContext c4;
  bv1::ListBedStockChangesRequest list;
  list.set_location_id("icc-harbour-lights");
  bv1::ListBedStockChangesResponse changes;
  ASSERT_TRUE(stub_->ListBedStockChanges(&c4, list, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).changed_by(), "helen-marsh");
  // The figure followed: 28 + 4 beds, 18 + 10 occupied.
  ASSERT_TRUE(topic.WaitForLatest("icc-harbour-lights", "assessment_bed_occupancy_pct",
                                  100.0 * 28 / 34));
}

TEST_F(BedsIngestTest, OverTheRateLimitUnaryCallsAreRefusedAndStreamsSlowDown) {
  // The default config with care-group-weald limited to one update a second, 3 at once, and
  // care-group-downs to 2 a second, 3 at once.
  std::ifstream in(config_);
  std::stringstream text;
  text << in.rdbuf();
  config_ = absl::StrCat(::testing::TempDir(), "/", ns_, "beds.textproto");
  std::string base = text.str();
  base.replace(base.find("reference_path:"), std::string("reference_path:").size(),
               "# reference_path:");  // given again below, as an absolute path
  std::ofstream(config_) << base << "\nreference_path: \"" << SourceDir()
                         << "/deploy/config/kent-medway/reference.textproto\"\n"
                         << "rate_limit_by_provider { key: \"care-group-weald\" "
                            "value { updates_per_second: 1 burst: 3 } }\n"
                         << "rate_limit_by_provider { key: \"care-group-downs\" "
                            "value { updates_per_second: 2 burst: 3 } }\n";
  ASSERT_NO_FATAL_FAILURE(Start());
  Updates u("rl");
  const std::string home = "rh-oast-house";  // 28 long-term beds
  // Eight unary calls in a row: the burst is taken, then at most one a second; the rest are
  // refused with RESOURCE_EXHAUSTED and change nothing.
  int taken = 0, refused = 0;
  const absl::Time first = absl::Now();
  for (int i = 0; i < 8; ++i) {
    auto ack = Submit(u.Admit(home, BED_TYPE_LONG_TERM), "care-group-weald");
    if (ack.ok()) {
      ++taken;
    } else {
      EXPECT_THAT(ack, StatusIs(absl::StatusCode::kResourceExhausted));
      ++refused;
    }
  }
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - first);
  EXPECT_GE(taken, 3);
  EXPECT_LE(taken, 3 + static_cast<int>(elapsed) + 1);
  if (elapsed < 4) {
    EXPECT_GE(refused, 1);
  }
  // Another provider is not affected.
  EXPECT_THAT(Submit(u.Admit(kOrchard), kKcc), IsOk());
  EXPECT_EQ(Counts(home, BED_TYPE_LONG_TERM), absl::StrCat("28/", taken, "/0/0/", 28 - taken));
  // A stream of 6 is slowed to the rate (the 5th and 6th wait 0.5 s and 1 s of debt), and
  // every update is taken.
  const std::string downs = "rh-cherry-orchard";  // 30 long-term beds
  std::vector<bv1::BedUpdate> burst;
  for (int i = 0; i < 6; ++i) burst.push_back(u.Admit(downs, BED_TYPE_LONG_TERM));
  const absl::Time started = absl::Now();
  auto acks = Stream(burst, "care-group-downs");
  EXPECT_GE(absl::Now() - started, absl::Seconds(1));
  ASSERT_EQ(acks.size(), burst.size());
  for (const auto& a : acks) EXPECT_EQ(a.outcome(), Ack::OUTCOME_ACCEPTED) << a.message();
  EXPECT_EQ(Counts(downs, BED_TYPE_LONG_TERM), "30/6/0/0/24");
  std::remove(config_.c_str());
}

}  // namespace
}  // namespace resilience::testing
