// The capacity service against the real broker: every rejection reason with its status and field
// (unary) and as a REJECTED ack that does not end the stream; a duplicate update id applied once,
// also across a reconnect and a restart of the service; a stream with bad updates mixed in loses
// none of the good ones; a provider writing another provider's scope is refused; an out-of-order
// update is answered SUPERSEDED; the rate limit; the queries.
#include <set>

#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "tests/integration/capacity_fixture.h"

namespace resilience::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field());
  return out;
}

// One bad update per rejection reason of the issue, and what it must be answered with.
struct Bad {
  std::string name;
  std::string provider;
  cap::CapacityUpdate update;
  absl::StatusCode code;
  std::string field;
};

std::vector<Bad> BadUpdates(const std::string& tag) {
  const absl::Time now = absl::Now();
  std::vector<Bad> out;
  auto keah = [&](const std::string& id) {
    cap::CapacityUpdate u;
    u.set_update_id(tag + id);
    *u.mutable_occurred_at() = ToProtoTime(now);
    u.mutable_keah_daily_capacity()->set_patch_id("keah-maidstone");
    u.mutable_keah_daily_capacity()->set_level(cap::KEAH_CAPACITY_LEVEL_LIMITED);
    return u;
  };
  {
    auto u = keah("unknown-scope");
    u.mutable_keah_daily_capacity()->set_patch_id("keah-atlantis");
    out.push_back({"unknown scope", "keah-rostering", u, absl::StatusCode::kNotFound,
                   "keah_daily_capacity.patch_id"});
  }
  {
    cap::CapacityUpdate u = keah("not-yours");
    u.clear_keah_daily_capacity();
    u.mutable_home_care_market()->set_area_id("thanet-south-kent-coast");  // Saxon Shore's
    u.mutable_home_care_market()->set_packages_startable_this_week(2);
    out.push_back({"scope not owned", "homecare-invicta", u, absl::StatusCode::kPermissionDenied,
                   "home_care_market.area_id"});
  }
  {
    cap::CapacityUpdate u = keah("negative");
    u.clear_keah_daily_capacity();
    u.mutable_kcc_area_figures()->set_area_id("west-kent");
    u.mutable_kcc_area_figures()->set_case_load(-3);
    out.push_back({"negative count", "kcc-mosaic", u, absl::StatusCode::kInvalidArgument,
                   "kcc_area_figures.case_load"});
  }
  {
    cap::CapacityUpdate u = keah("percent");
    u.clear_keah_daily_capacity();
    u.mutable_acute_assessment()->set_site_id("maidstone");
    auto* a = u.mutable_acute_assessment()->mutable_assessment();
    a->set_framework_version("nhse-opel-2023-24");
    a->set_ed_four_hour_performance_pct(104);
    out.push_back({"percentage over 100", "mtw-information", u, absl::StatusCode::kInvalidArgument,
                   "acute_assessment.assessment.ed_four_hour_performance_pct"});
  }
  {
    cap::CapacityUpdate u = keah("future");
    *u.mutable_occurred_at() = ToProtoTime(now + absl::Minutes(6));
    out.push_back({"timestamp 6 minutes ahead", "keah-rostering", u,
                   absl::StatusCode::kInvalidArgument, "occurred_at"});
  }
  {
    cap::CapacityUpdate u = keah("oversize");
    u.set_note(std::string(70000, 'x'));
    out.push_back({"oversize", "keah-rostering", u, absl::StatusCode::kInvalidArgument, "update"});
  }
  {
    cap::CapacityUpdate u = keah("");
    u.clear_update_id();
    out.push_back({"no update id", "keah-rostering", u, absl::StatusCode::kInvalidArgument,
                   "update_id"});
  }
  return out;
}

using CapacityIngestTest = CapacityServiceTest;

TEST_F(CapacityIngestTest, EveryRejectionReasonUnaryWithItsStatusAndField) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (const Bad& bad : BadUpdates("unary-")) {
    auto ack = Submit(bad.update, bad.provider);
    EXPECT_THAT(ack, StatusIs(bad.code)) << bad.name;
    EXPECT_THAT(Fields(ack.status()), ::testing::Contains(bad.field)) << bad.name;
  }
  // Callers who cannot be identified.
  grpc::ClientContext none;
  Ack ack;
  EXPECT_EQ(stub_->SubmitUpdate(&none, Keah("x", "keah-maidstone", cap::KEAH_CAPACITY_LEVEL_GOOD), &ack)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext wrong;
  wrong.AddMetadata("authorization", "Bearer dev-token-nobody");
  EXPECT_EQ(stub_->SubmitUpdate(&wrong, Keah("x", "keah-maidstone", cap::KEAH_CAPACITY_LEVEL_GOOD), &ack)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext staff;
  staff.AddMetadata("x-staff-user", "priya-nair");
  EXPECT_EQ(stub_->SubmitUpdate(&staff, Keah("x", "keah-maidstone", cap::KEAH_CAPACITY_LEVEL_GOOD), &ack)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The x-provider-id header works where the config allows it (development), as in workforce.
  grpc::ClientContext header;
  header.AddMetadata("x-provider-id", "keah-rostering");
  EXPECT_TRUE(stub_->SubmitUpdate(&header, Keah("hdr-1", "keah-maidstone", cap::KEAH_CAPACITY_LEVEL_GOOD), &ack)
                  .ok());
  EXPECT_EQ(ack.outcome(), Ack::OUTCOME_ACCEPTED);

  // Out of order: older than the figure held is answered SUPERSEDED and not published.
  TopicEvents events(ns_ + "capacity");
  const absl::Time t = absl::Now();
  ASSERT_THAT(Submit(CaseLoad("newer", "north-kent", 90, t), "kcc-mosaic"), IsOk());
  auto late = Submit(CaseLoad("older", "north-kent", 150, t - absl::Minutes(10)), "kcc-mosaic");
  ASSERT_THAT(late, IsOk());
  EXPECT_EQ(late->outcome(), Ack::OUTCOME_SUPERSEDED);
  EXPECT_THAT(late->message(), HasSubstr("newer"));
  EXPECT_TRUE(late->event_id().empty());
  ASSERT_TRUE(WaitFor([&] { return events.Of("newer").size() == 1; }, absl::Seconds(30)));
  EXPECT_TRUE(events.Of("older").empty());
}

TEST_F(CapacityIngestTest, RejectionsOnAStreamNeverEndItAndGoodUpdatesAroundThemAreKept) {
  ASSERT_NO_FATAL_FAILURE(Start());
  TopicEvents events(ns_ + "capacity");
  // The provider is fixed per stream: KEaH rostering, bad updates of its own kinds mixed in.
  std::vector<cap::CapacityUpdate> updates;
  std::map<std::string, std::string> bad_field;  // update id -> field
  int good = 0;
  const absl::Time t0 = absl::Now() - absl::Minutes(1);
  for (int i = 0; i < 200; ++i) {
    if (i % 25 == 3) {
      for (const Bad& bad : BadUpdates("s" + std::to_string(i) + "-")) {
        if (bad.provider == "keah-rostering" && !bad.update.update_id().empty()) {
          updates.push_back(bad.update);
          bad_field[bad.update.update_id()] = bad.field;
        }
      }
    }
    // Patches in turn, occurred_at increasing: nothing superseded.
    const std::string patch = i % 3 == 0 ? "keah-swale" : i % 3 == 1 ? "keah-thanet" : "keah-ashford";
    updates.push_back(Keah("good-" + std::to_string(i), patch, cap::KEAH_CAPACITY_LEVEL_GOOD,
                           t0 + absl::Milliseconds(i)));
    ++good;
  }
  auto [acks, status] = Stream(updates, "keah-rostering");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), updates.size());
  int accepted = 0;
  for (size_t i = 0; i < acks.size(); ++i) {
    EXPECT_EQ(acks[i].update_id(), updates[i].update_id()) << "acks out of order at " << i;
    auto it = bad_field.find(updates[i].update_id());
    if (it != bad_field.end()) {
      EXPECT_EQ(acks[i].outcome(), Ack::OUTCOME_REJECTED) << updates[i].update_id();
      std::vector<std::string> fields;
      for (const auto& v : acks[i].violations()) fields.push_back(v.field());
      EXPECT_THAT(fields, ::testing::Contains(it->second)) << updates[i].update_id();
    } else {
      EXPECT_EQ(acks[i].outcome(), Ack::OUTCOME_ACCEPTED) << updates[i].update_id();
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, good);
  // Every good update's patch figure is on the topic, once; nothing of the bad ones.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> ids;
        for (const auto& e : events.All()) {
          if (e.observation().indicator() == "keah_daily_capacity") {
            ids.insert(e.envelope().provenance().update_id());
          }
        }
        return static_cast<int>(ids.size()) == good;
      },
      absl::Seconds(60)));
  for (const auto& [id, field] : bad_field) EXPECT_TRUE(events.Of(id).empty()) << id;
  std::multiset<std::string> event_ids;
  for (const auto& e : events.All()) event_ids.insert(e.envelope().event_id());
  EXPECT_EQ(std::set<std::string>(event_ids.begin(), event_ids.end()).size(), event_ids.size());
}

TEST_F(CapacityIngestTest, DuplicateUpdateIdIsAppliedOnceAcrossReconnectAndRestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  TopicEvents events(ns_ + "capacity");
  cap::CapacityUpdate u = CaseLoad("dup-1", "west-kent", 110);
  u.mutable_kcc_area_figures()->set_ascc_triage_cases(240);
  auto first = Submit(u, "kcc-mosaic");
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->outcome(), Ack::OUTCOME_ACCEPTED);
  ASSERT_EQ(first->event_ids_size(), 2);  // one per figure
  EXPECT_EQ(first->event_id(), first->event_ids(0));

  auto again = Submit(u, "kcc-mosaic");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->outcome(), Ack::OUTCOME_DUPLICATE);
  EXPECT_THAT(again->event_ids(), ::testing::ElementsAreArray(first->event_ids()));

  // A provider that lost its acks reconnects and replays on a stream: still a duplicate.
  auto [acks, status] = Stream({u}, "kcc-mosaic");
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].outcome(), Ack::OUTCOME_DUPLICATE);
  EXPECT_EQ(acks[0].event_id(), first->event_id());

  // The same id from another provider is another update.
  EXPECT_EQ(Submit(Keah("dup-1", "keah-thanet", cap::KEAH_CAPACITY_LEVEL_GOOD), "keah-rostering")
                ->outcome(),
            Ack::OUTCOME_ACCEPTED);

  // After a crash and restart the service still knows the id (replayed from capacity-changes).
  service_->process.Kill();
  ASSERT_NO_FATAL_FAILURE(Start());
  auto after = Submit(u, "kcc-mosaic");
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->outcome(), Ack::OUTCOME_DUPLICATE);
  EXPECT_THAT(after->event_ids(), ::testing::ElementsAreArray(first->event_ids()));
  // ... and its latest figures.
  grpc::ClientContext context;
  AsProvider(&context, "kcc-mosaic");
  cap::GetLatestRequest request;
  request.add_indicators("case_load");
  request.add_area_ids("west-kent");
  cap::GetLatestResponse latest;
  ASSERT_TRUE(stub_->GetLatest(&context, request, &latest).ok());
  ASSERT_EQ(latest.figures_size(), 1);
  EXPECT_EQ(latest.figures(0).event().observation().number(), 110);
  EXPECT_EQ(latest.figures(0).event().envelope().provenance().update_id(), "dup-1");

  // Published exactly once.
  ASSERT_TRUE(WaitFor([&] { return events.Of("dup-1").size() >= 3; }, absl::Seconds(30)));
  std::vector<std::string> ids;
  for (const auto& e : events.Of("dup-1")) {
    if (e.envelope().provenance().provider_id() == "kcc-mosaic") ids.push_back(e.envelope().event_id());
  }
  EXPECT_THAT(ids, ::testing::UnorderedElementsAreArray(first->event_ids()));
}

TEST_F(CapacityIngestTest, AnotherProvidersScopeIsRefusedOnBothPaths) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Invicta (West and North Kent) writes Thanet, Saxon Shore's area.
  cap::CapacityUpdate u = Update("theirs-1", absl::Now());
  u.mutable_home_care_market()->set_area_id("thanet-south-kent-coast");
  u.mutable_home_care_market()->set_packages_startable_this_week(3);
  auto ack = Submit(u, "homecare-invicta");
  EXPECT_THAT(ack, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("thanet")));
  auto [acks, status] = Stream({u}, "homecare-invicta");
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].outcome(), Ack::OUTCOME_REJECTED);
  ASSERT_EQ(acks[0].violations_size(), 1);
  EXPECT_EQ(acks[0].violations(0).field(), "home_care_market.area_id");
  // A trust's system naming another trust's site, and an indicator the provider may not report.
  cap::CapacityUpdate site = Update("site-1", absl::Now());
  site.mutable_acute_assessment()->set_site_id("qeqm");
  site.mutable_acute_assessment()->mutable_assessment()->set_framework_version("nhse-opel-2023-24");
  EXPECT_THAT(Submit(site, "mtw-information"), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Submit(CaseLoad("cl-1", "west-kent", 3), "homecare-invicta"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("case_load")));
  // A stream without credentials ends at once.
  grpc::ClientContext anonymous;
  auto stream = stub_->StreamUpdates(&anonymous);
  Ack a;
  EXPECT_FALSE(stream->Read(&a));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(CapacityIngestTest, RateLimitRefusesUnaryWithAHintAndSlowsStreams) {
  ASSERT_NO_FATAL_FAILURE(Start([](cap::CapacityConfig* c) {
    auto& limit = (*c->mutable_rate_limit_by_provider())["kcc-mosaic"];
    limit.set_updates_per_second(20);
    limit.set_burst(5);
  }));
  int accepted = 0;
  absl::Status refused;
  std::string hint;
  const absl::Time t = absl::Now() - absl::Minutes(1);
  for (int i = 0; i < 40 && refused.ok(); ++i) {
    grpc::ClientContext context;
    AsProvider(&context, "kcc-mosaic");
    Ack ack;
    grpc::Status s = stub_->SubmitUpdate(
        &context, CaseLoad("rl-" + std::to_string(i), "west-kent", i, t + absl::Seconds(i)), &ack);
    if (s.ok()) {
      ++accepted;
      continue;
    }
    refused = FromGrpcStatus(s, &context);
    auto it = context.GetServerTrailingMetadata().find("retry-after-ms");
    if (it != context.GetServerTrailingMetadata().end()) hint = std::string(it->second.data(), it->second.size());
  }
  EXPECT_GE(accepted, 5);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry after")));
  int hint_ms = 0;
  EXPECT_TRUE(absl::SimpleAtoi(hint, &hint_ms)) << hint;
  EXPECT_GT(hint_ms, 0);
  EXPECT_LE(hint_ms, 50);  // one token at 20/s

  // A stream over the limit is slowed, not refused: 30 updates at 20/s take over a second.
  std::vector<cap::CapacityUpdate> updates;
  for (int i = 0; i < 30; ++i) {
    updates.push_back(CaseLoad("rs-" + std::to_string(i), "north-kent", i, t + absl::Seconds(i)));
  }
  const absl::Time start = absl::Now();
  auto [acks, status] = Stream(updates, "kcc-mosaic");
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(acks.size(), 30u);
  for (const auto& a : acks) EXPECT_EQ(a.outcome(), Ack::OUTCOME_ACCEPTED) << a.message();
  EXPECT_GE(took, absl::Milliseconds(1000)) << "not slowed down";
}

TEST_F(CapacityIngestTest, LatestFiguresAndTheProvidersOwnHistory) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const absl::Time t = absl::Now() - absl::Minutes(5);
  cap::CapacityUpdate slots = Update("h-1", t);
  slots.mutable_keah_daily_capacity()->set_patch_id("keah-thanet");
  slots.mutable_keah_daily_capacity()->set_free_start_slots(2);
  ASSERT_THAT(Submit(slots, "keah-rostering"), IsOk());
  ASSERT_THAT(Submit(Keah("h-2", "keah-thanet", cap::KEAH_CAPACITY_LEVEL_GOOD, t + absl::Minutes(1)),
                     "keah-rostering"),
              IsOk());
  EXPECT_THAT(Submit(Keah("h-3", "keah-nowhere", cap::KEAH_CAPACITY_LEVEL_GOOD), "keah-rostering"),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_THAT(Submit(CaseLoad("m-1", "north-kent", 40, t), "kcc-mosaic"), IsOk());

  // The provider sees its own scopes only.
  grpc::ClientContext c1;
  AsProvider(&c1, "keah-rostering");
  cap::GetLatestResponse mine;
  ASSERT_TRUE(stub_->GetLatest(&c1, cap::GetLatestRequest(), &mine).ok());
  ASSERT_EQ(mine.figures_size(), 1);
  EXPECT_EQ(mine.figures(0).indicator(), "keah_daily_capacity");
  EXPECT_EQ(mine.figures(0).event().observation().reported_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(mine.figures(0).event().envelope().provenance().update_id(), "h-2");
  EXPECT_GE(mine.figures(0).age_seconds(), 200);
  // County-wide staff see everything, including the derived county figure.
  grpc::ClientContext c2;
  c2.AddMetadata("x-staff-user", "capacity-on-call");
  cap::GetLatestResponse all;
  ASSERT_TRUE(stub_->GetLatest(&c2, cap::GetLatestRequest(), &all).ok());
  std::vector<std::string> seen;
  for (const auto& f : all.figures()) seen.push_back(f.scope().id() + ":" + f.indicator());
  EXPECT_THAT(seen, ElementsAre("north-kent:case_load", "kent:keah_patches_with_capacity",
                                "keah-thanet:keah_daily_capacity"));

  // The history, newest first, with the rejected update and which figure replaced which.
  grpc::ClientContext c3;
  AsProvider(&c3, "keah-rostering");
  cap::ListProviderUpdatesResponse history;
  ASSERT_TRUE(stub_->ListProviderUpdates(&c3, cap::ListProviderUpdatesRequest(), &history).ok());
  std::vector<std::string> ids;
  for (const auto& r : history.updates()) ids.push_back(r.update().update_id());
  EXPECT_THAT(ids, ElementsAre("h-3", "h-2", "h-1"));
  EXPECT_EQ(history.updates(0).ack().outcome(), Ack::OUTCOME_REJECTED);
  EXPECT_EQ(history.updates(0).transport(), cap::TRANSPORT_UNARY);
  ASSERT_GE(history.updates(2).figures_size(), 1);
  EXPECT_FALSE(history.updates(2).figures(0).current());
  EXPECT_EQ(history.updates(2).figures(0).superseded_by_update_id(), "h-2");
  EXPECT_TRUE(history.updates(1).figures(0).current());
  // Another provider's history is not the caller's to read.
  grpc::ClientContext c4;
  AsProvider(&c4, "keah-rostering");
  cap::ListProviderUpdatesRequest theirs;
  theirs.set_provider_id("kcc-mosaic");
  EXPECT_EQ(stub_->ListProviderUpdates(&c4, theirs, &history).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CapacityIngestTest, WeatherAlertLevelsFallWhenTheAlertEndsOnTheServiceClock) {
  // The service's clock runs 60 times faster from T: the alert ends 5 minutes (5 s) later.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone());
  ASSERT_NO_FATAL_FAILURE(Start(nullptr, {"--clock_start=" + absl::FormatTime(absl::RFC3339_full, t,
                                                                              absl::UTCTimeZone()),
                                          "--clock_speed=60"}));
  TopicEvents events(ns_ + "capacity");
  cap::CapacityUpdate u = Update("cold-1", t);
  auto* w = u.mutable_weather_alert();
  w->set_alert_ref("UKHSA-CHA-2026-17");
  w->set_hazard(cap::WeatherHealthAlert::HAZARD_COLD);
  w->set_level(cap::WeatherHealthAlert::LEVEL_AMBER);
  *w->mutable_valid_from() = ToProtoTime(t - absl::Hours(1));
  *w->mutable_valid_until() = ToProtoTime(t + absl::Minutes(5));
  auto ack = Submit(u, "weather-health-alerts");
  ASSERT_THAT(ack, IsOk());
  ASSERT_EQ(ack->outcome(), Ack::OUTCOME_ACCEPTED);
  EXPECT_EQ(ack->event_ids_size(), 4);  // every area: the alert names none
  auto levels = [&](bool derived) {
    std::map<std::string, double> out;
    for (const auto& e : events.All()) {
      if (e.observation().indicator() != "weather_alert") continue;
      if (e.envelope().provenance().provider_id().empty() != derived) continue;
      out[e.envelope().scope().id()] = e.observation().number();
    }
    return out;
  };
  ASSERT_TRUE(WaitFor([&] { return levels(false).size() == 4; }, absl::Seconds(30)));
  for (const auto& [area, level] : levels(false)) EXPECT_EQ(level, 2) << area;
  // When valid_until passes, each area falls to 0, published by the service itself.
  ASSERT_TRUE(WaitFor([&] { return levels(true).size() == 4; }, absl::Seconds(60)));
  for (const auto& [area, level] : levels(true)) EXPECT_EQ(level, 0) << area;
}

}  // namespace
}  // namespace resilience::testing
