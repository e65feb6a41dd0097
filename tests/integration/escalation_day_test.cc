// A scripted winter day through the real escalation service, Kafka broker and Redis: West Kent
// and North Kent rise to OPEL 3 and come back after the de-escalation hold, Maidstone Hospital
// declares OPEL 4 (the extraordinary Practice Assurance Panel is prompted, KCC is asked whether
// to respond), a KEaH referral cannot start within 24 hours, an assessment placement passes
// three weeks. The same script with every event delivered twice, and with the service killed by
// SIGKILL at several points and restarted, must end in exactly the same alerts, statuses, tasks,
// prompts and audit trails.
//
// Events carry fixed ids and times (1-3 December 2026); the service runs on a clock starting at
// midnight on the 1st, so its timers (re-notification, overdue steps) are not yet due and the
// outcome depends on the events alone. Each event is published once the previous one is applied
// (the consumer group has committed everything), which fixes the order across partitions.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_reader.h"
#include "common/redis/hiredis_client.h"
#include "common/scope/scope_key.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "events/v1/events.pb.h"
#include "grpcpp/grpcpp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/kafka_lag.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
namespace esc = escalation::v1;
using events::v1::DomainEvent;

absl::Time Dec(int day, int hour, int minute = 0) {
  // December is GMT in London: local time equals UTC.
  return absl::FromCivil(absl::CivilMinute(2026, 12, day, hour, minute), absl::UTCTimeZone());
}

struct Step {
  std::string topic;  // without the namespace
  DomainEvent event;
};

DomainEvent Envelope(const std::string& id, common::v1::ScopeKind kind, const std::string& scope_id,
                     absl::Time at, const std::string& provider) {
  DomainEvent e;
  auto* env = e.mutable_envelope();
  env->set_event_id(absl::StrCat("00000000-0000-4000-8000-", std::string(12 - id.size(), '0'), id));
  env->set_source("scripted-day");
  env->mutable_scope()->set_kind(kind);
  env->mutable_scope()->set_id(scope_id);
  *env->mutable_occurred_at() = ToProtoTime(at);
  *env->mutable_received_at() = ToProtoTime(at);
  env->set_schema_version(1);
  env->mutable_provenance()->set_provider_id(provider);
  env->mutable_provenance()->set_update_id("day-" + id);
  *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(at);
  return e;
}

Step Staffing(const std::string& id, const std::string& team, absl::Time at, double pct) {
  DomainEvent e = Envelope(id, common::v1::SCOPE_KIND_TEAM, team, at, "rostering-kcc");
  e.mutable_observation()->set_indicator("stp_staffing_pct");
  e.mutable_observation()->set_number(pct);
  e.mutable_observation()->set_unit("percent");
  return {"workforce", e};
}

Step Referrals(const std::string& id, const std::string& area, absl::Time at, double count) {
  DomainEvent e = Envelope(id, common::v1::SCOPE_KIND_AREA, area, at, "kcc-mosaic");
  e.mutable_observation()->set_indicator("referrals_pending_assessment");
  e.mutable_observation()->set_number(count);
  e.mutable_observation()->set_unit("count");
  return {"capacity", e};
}

Step MaidstoneAtFour(const std::string& id, absl::Time at) {
  DomainEvent e = Envelope(id, common::v1::SCOPE_KIND_ACUTE_SITE, "maidstone", at, "mtw-trust-system");
  auto* a = e.mutable_acute_assessment();
  a->set_mean_ambulance_handover_minutes(75);   // 6
  a->set_ed_four_hour_performance_pct(55);      // 4
  a->set_majors_resus_occupancy_pct(125);       // 6
  a->set_median_time_to_treatment_minutes(130); // 4
  a->set_patients_over_12h_in_ed_pct(12);       // 4
  a->set_ga_bed_occupancy_pct(99);              // 6
  a->set_escalation_beds_pct(7);                // 4
  a->set_nctr_beds_pct(16);                     // 6: 40 points, OPEL 4
  a->set_declared_level(common::v1::OPEL_LEVEL_4_BLACK);
  return {"capacity", e};
}

Step Keah(const std::string& id, events::v1::KeahReferralEvent::Step step, absl::Time at) {
  DomainEvent e = Envelope(id, common::v1::SCOPE_KIND_KEAH_PATCH, "keah-maidstone", at, "keah-rostering");
  e.mutable_keah_referral()->set_referral_id("KR-2041");
  e.mutable_keah_referral()->set_step(step);
  e.mutable_keah_referral()->set_patch_id("keah-maidstone");
  e.mutable_keah_referral()->set_referral_source(events::v1::KeahReferralEvent::REFERRAL_SOURCE_HOSPITAL);
  return {"capacity", e};
}

Step PlacementOverdue(const std::string& id, absl::Time at) {
  DomainEvent e = Envelope(id, common::v1::SCOPE_KIND_LOCATION, "ihu-weald-house", at, "beds-service");
  auto* m = e.mutable_placement_milestone();
  m->set_milestone(events::v1::PlacementMilestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS);
  m->set_placement_id("PL-311");
  m->set_person_ref("P-88412");
  m->set_location_id("ihu-weald-house");
  m->set_bed_type("assessment");
  *m->mutable_started_at() = ToProtoTime(at - absl::Hours(24 * 21));
  *m->mutable_due_at() = ToProtoTime(at);
  return {"beds", e};
}

std::vector<Step> ScriptedDay() {
  using K = events::v1::KeahReferralEvent;
  return {
      // Tuesday 1 December: a normal start.
      Staffing("1", "stp-west-kent", Dec(1, 8), 90),
      Staffing("2", "stp-north-kent", Dec(1, 8), 85),
      Referrals("3", "west-kent", Dec(1, 8, 5), 30),
      Referrals("4", "north-kent", Dec(1, 8, 5), 35),
      // Respiratory illness: West Kent's Short-term Pathway team at 45% (Red).
      Staffing("5", "stp-west-kent", Dec(1, 9), 45),
      // North Kent's referrals at 145% of normal (Red).
      Referrals("6", "north-kent", Dec(1, 9, 30), 58),
      // Maidstone declares OPEL 4 (scored 40).
      MaidstoneAtFour("7", Dec(1, 10)),
      // A KEaH referral in Maidstone with no start in the next 24 hours; the referrer is told.
      Keah("8", K::STEP_RECEIVED, Dec(1, 10, 5)),
      Keah("9", K::STEP_NO_START_WITHIN_24H, Dec(1, 10, 20)),
      Keah("10", K::STEP_REFERRER_INFORMED, Dec(1, 11)),
      // An assessment placement at Weald House passes three weeks.
      PlacementOverdue("11", Dec(1, 12)),
      // Wednesday: figures back to normal; the levels hold (24 hours).
      Staffing("12", "stp-west-kent", Dec(2, 8), 90),
      Referrals("13", "north-kent", Dec(2, 8), 30),
      Staffing("14", "stp-north-kent", Dec(2, 8), 88),
      Referrals("15", "west-kent", Dec(2, 8, 5), 28),
      // Thursday: held a day with referrals at or below normal: both areas step down.
      Staffing("16", "stp-west-kent", Dec(3, 8, 30), 92),
      Referrals("17", "north-kent", Dec(3, 8, 30), 25),
      Staffing("18", "stp-north-kent", Dec(3, 8, 30), 90),
      Referrals("19", "west-kent", Dec(3, 8, 35), 25),
  };
}

class EscalationDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kafka::ProducerOptions options;
    options.client.bootstrap_servers = KafkaBootstrap();
    auto producer = kafka::NewRdKafkaProducer(options);
    ASSERT_THAT(producer, IsOk());
    producer_ = *std::move(producer);
  }
  void TearDown() override {
    if (HasFailure() && service_) std::cerr << "escalation log:\n" << service_->process.LogTail(60);
  }

  void Start(const std::string& ns) {
    auto service = StartService(
        "escalation-service",
        {"--config=" + SourceDir() + "/deploy/config/kent-medway/escalation.textproto",
         "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--kafka_bootstrap=" + KafkaBootstrap(), "--redis_port=" + std::to_string(RedisPort()),
         "--namespace=" + ns, "--clock_start=2026-12-01T00:00:00Z", "--level_tick_seconds=1"});
    ASSERT_THAT(service, IsOk());
    service_ = std::make_unique<RunningService>(*std::move(service));
    stub_ = esc::AlertService::NewStub(
        grpc::CreateChannel(service_->address(), grpc::InsecureChannelCredentials()));
  }

  void Publish(const std::string& ns, const Step& step) {
    ASSERT_THAT(producer_->Send({ns + step.topic, ScopeKey(step.event.envelope().scope()),
                                 step.event.SerializeAsString(), {}}),
                IsOk());
  }

  // Waits until the service has applied and committed everything published in `ns`.
  void WaitApplied(const std::string& ns) {
    ASSERT_TRUE(WaitFor(
        [&] {
          auto lag = GroupLag(KafkaBootstrap(), ns + "escalation",
                              {ns + "capacity", ns + "beds", ns + "workforce"});
          return lag.ok() && *lag == 0;
        },
        absl::Seconds(60)))
        << "the escalation service did not catch up in " << ns;
  }

  // Deletes every Redis key of `ns`. The keys are gathered first and deleted in one command, so
  // the wipe is atomic as a FLUSHALL or an empty Redis would be: deleted page by page, a wipe
  // slow enough (a test Redis holding millions of keys of earlier load runs) let the service
  // notice the loss and rebuild midway, and the rest of the wipe then deleted rebuilt keys.
  void WipeRedis(const std::string& ns, size_t at_least = 50) {
    redis::ClientOptions redis_options;
    redis_options.port = RedisPort();
    auto redis = redis::NewHiredisClient(redis_options);
    std::string cursor = "0";
    redis::Command wipe = {"DEL"};
    do {
      auto page = redis->Run({"SCAN", cursor, "MATCH", ns + ":*", "COUNT", "1000"});
      ASSERT_THAT(page, IsOk());
      cursor = page->elements[0].str;
      for (const auto& key : page->elements[1].elements) wipe.push_back(key.str);
    } while (cursor != "0");
    ASSERT_GT(wipe.size(), at_least);
    auto wiped = redis->Run(wipe);
    ASSERT_THAT(wiped, IsOk());
    ASSERT_GT(wiped->integer, static_cast<int64_t>(at_least));
  }

  // Every record on the alerts topic of `ns`, as "<alert id>#<revision>", sorted (a record
  // published twice shows twice).
  std::vector<std::string> AlertRecords(const std::string& ns) {
    kafka::ClientOptions client;
    client.bootstrap_servers = KafkaBootstrap();
    std::vector<std::string> records;
    EXPECT_THAT(kafka::ReadTopicToEnd(client, ns + "alerts",
                                      [&](const kafka::ConsumedRecord& r) {
                                        esc::Alert a;
                                        a.ParseFromString(r.value);
                                        records.push_back(
                                            absl::StrCat(a.alert_id(), "#", a.revision()));
                                        return absl::OkStatus();
                                      }),
                IsOk());
    std::sort(records.begin(), records.end());
    return records;
  }

  grpc::ClientContext* Staff(grpc::ClientContext* context) {
    context->AddMetadata("x-staff-user", "helen-marsh");  // service manager, county-wide
    return context;
  }

  // Everything a duty manager would compare, one line per fact, sorted.
  // A read that fails (the service answers "live view lost" between a wipe and its rebuild)
  // shows as a line no expected snapshot holds, so waiting on a snapshot rides it out.
  std::vector<std::string> Snapshot() {
    std::vector<std::string> lines;
    auto answered = [&](const char* what, const grpc::Status& status) {
      if (!status.ok()) {
        lines.push_back(absl::StrCat("unanswered ", what, ": ", status.error_message()));
      }
    };
    esc::ListAlertsRequest list;
    list.mutable_filter()->set_include_resolved(true);
    list.set_limit(500);
    esc::ListAlertsResponse alerts;
    {
      grpc::ClientContext context;
      answered("ListAlerts", stub_->ListAlerts(Staff(&context), list, &alerts));
    }
    for (const auto& a : alerts.alerts()) {
      std::vector<std::string> roles;
      for (const auto& r : a.recipients()) roles.push_back(r.role_id());
      esc::ListAuditRequest audit_request;
      audit_request.set_subject(a.alert_id());
      esc::ListAuditResponse audit;
      grpc::ClientContext context;
      answered("ListAudit", stub_->ListAudit(Staff(&context), audit_request, &audit));
      std::vector<std::string> actions;
      for (const auto& r : audit.records()) actions.push_back(absl::StrCat(r.action(), "@", r.at().seconds()));
      lines.push_back(absl::StrCat("alert ", a.alert_id(), " ", esc::AlertState_Name(a.state()),
                                   " L", static_cast<int>(a.level()), " rev ", a.revision(),
                                   " group ", a.group_id(), " to ", absl::StrJoin(roles, ","),
                                   " audit ", absl::StrJoin(actions, ",")));
    }
    esc::StatusBoard board;
    {
      grpc::ClientContext context;
      answered("GetStatusBoard",
               stub_->GetStatusBoard(Staff(&context), esc::GetStatusBoardRequest(), &board));
    }
    for (const auto& l : board.levels()) {
      lines.push_back(absl::StrCat("level ", ScopeKey(l.scope()), " computed L",
                                   static_cast<int>(l.computed_level()), " effective L",
                                   static_cast<int>(l.effective_level()), " since ",
                                   l.since().seconds(), " pending L", static_cast<int>(l.pending_level())));
    }
    for (const auto& i : board.indicators()) {
      lines.push_back(absl::StrCat("figure ", ScopeKey(i.latest().scope()), " ", i.latest().indicator(),
                                   " L", static_cast<int>(i.latest().level()), " held L",
                                   static_cast<int>(i.held_level()), " event ", i.latest().event_id()));
    }
    esc::ListTasksRequest tasks_request;
    tasks_request.set_include_closed(true);
    esc::ListTasksResponse tasks;
    {
      grpc::ClientContext context;
      answered("ListTasks", stub_->ListTasks(Staff(&context), tasks_request, &tasks));
    }
    for (const auto& t : tasks.tasks()) {
      std::vector<std::string> steps;
      for (const auto& s : t.steps()) steps.push_back(absl::StrCat(s.step_id(), s.done_by().empty() ? "" : "=done"));
      lines.push_back(absl::StrCat("task ", t.task_id(), t.closed() ? " closed " : " open ",
                                   absl::StrJoin(steps, ",")));
    }
    esc::ListDecisionPromptsRequest prompts_request;
    prompts_request.set_include_answered(true);
    esc::ListDecisionPromptsResponse prompts;
    {
      grpc::ClientContext context;
      answered("ListDecisionPrompts",
               stub_->ListDecisionPrompts(Staff(&context), prompts_request, &prompts));
    }
    for (const auto& p : prompts.prompts()) {
      lines.push_back(absl::StrCat("prompt ", p.prompt_id(), " ", p.title()));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<esc::AlertService::Stub> stub_;
};

bool AnyLine(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
  for (const auto& l : lines) {
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  }
  return false;
}

TEST_F(EscalationDayTest, ScriptedDayOnceTwiceAndThroughCrashesEndsTheSame) {
  const std::vector<Step> day = ScriptedDay();

  // 1. Undisturbed, each event once.
  const std::string once = UniqueNamespace("day1");
  ASSERT_THAT(CreateProjectTopics(once), IsOk());
  Start(once);
  std::vector<std::string> mid_day;
  for (size_t i = 0; i < day.size(); ++i) {
    Publish(once, day[i]);
    WaitApplied(once);
    if (i == 10) mid_day = Snapshot();  // Tuesday noon: the peak
  }
  const std::vector<std::string> expected = Snapshot();
  ASSERT_THAT(expected, ::testing::Not(::testing::Contains(::testing::StartsWith("unanswered"))));

  // The peak: both areas at OPEL 3, Maidstone at 4 with the panel and the prompt.
  EXPECT_TRUE(AnyLine(mid_day, "level area/west-kent computed L3"));
  EXPECT_TRUE(AnyLine(mid_day, "level area/north-kent computed L3"));
  EXPECT_TRUE(AnyLine(mid_day, "level county/kent computed L2"));
  EXPECT_TRUE(AnyLine(mid_day, "alert area-level/area/west-kent/1 ALERT_STATE_FIRING L3"));
  EXPECT_TRUE(AnyLine(mid_day, "figure acute_site/maidstone acute_opel_assessment L4"));
  EXPECT_TRUE(AnyLine(mid_day, "task extraordinary-pap/acute_site/maidstone/", " open decide,outcome"));
  EXPECT_TRUE(AnyLine(mid_day, "prompt decision-prompt/acute_site/maidstone/L4/",
                      "Maidstone Hospital at OPEL 4: will KCC respond?"));
  EXPECT_TRUE(AnyLine(mid_day, "task keah-decline/keah_patch/keah-maidstone/KR-2041 open",
                      "inform-referrer=done,decline-notice"));
  EXPECT_TRUE(AnyLine(mid_day, "alert placement-overdue/location/ihu-weald-house/PL-311 ALERT_STATE_FIRING L3"));
  // Thursday: back to Green after the hold, the area alerts resolved, each audited.
  EXPECT_TRUE(AnyLine(expected, "level area/west-kent computed L1"));
  EXPECT_TRUE(AnyLine(expected, "level area/north-kent computed L1"));
  EXPECT_TRUE(AnyLine(expected, "alert area-level/area/west-kent/1 ALERT_STATE_RESOLVED", "alert.resolved@"));
  EXPECT_TRUE(AnyLine(expected, "alert area-level/area/north-kent/1 ALERT_STATE_RESOLVED", "alert.raised@"));
  EXPECT_TRUE(AnyLine(expected, "alert indicator-level/team/stp-west-kent/stp_staffing_pct/1 ALERT_STATE_RESOLVED"));
  // Wednesday the Red figures were still held: the step down waited for the hold.
  EXPECT_FALSE(AnyLine(expected, "alert area-level/area/west-kent/2"));
  // The West Kent area alert went to the roles with OPEL 3 actions, the director among them.
  EXPECT_TRUE(AnyLine(expected, "alert area-level/area/west-kent/1", "director_asc"));

  // Redis is a cache, Kafka the record: wipe every key of the run, and the service rebuilds the
  // same alerts, levels, figures, tasks, prompts and audit trails from the topics; a subscriber
  // resuming with a token from before the loss is replayed every revision of every alert (not
  // only the latest: a subscriber not yet sent an earlier one would otherwise never see it).
  std::string token;
  {
    grpc::ClientContext context;
    Staff(&context);
    esc::SubscribeRequest request;
    auto reader = stub_->Subscribe(&context, request);
    esc::AlertStreamItem hello;
    ASSERT_TRUE(reader->Read(&hello));
    token = hello.resume_token();
    context.TryCancel();
    reader->Finish();
  }
  WipeRedis(once);
  ASSERT_TRUE(WaitFor([&] { return Snapshot() == expected; }, absl::Seconds(60)))
      << "after the wipe:\n" << ::testing::PrintToString(Snapshot());
  // Every revision published ("<alert id>#<revision>").
  std::set<std::string> published;
  {
    kafka::ClientOptions client;
    client.bootstrap_servers = KafkaBootstrap();
    ASSERT_THAT(kafka::ReadTopicToEnd(client, once + "alerts",
                                      [&](const kafka::ConsumedRecord& r) {
                                        esc::Alert a;
                                        if (a.ParseFromString(r.value)) {
                                          published.insert(
                                              absl::StrCat(a.alert_id(), "#", a.revision()));
                                        }
                                        return absl::OkStatus();
                                      }),
                IsOk());
  }
  ASSERT_GT(published.size(), static_cast<size_t>(std::count_if(
                                  expected.begin(), expected.end(),
                                  [](const std::string& l) { return l.rfind("alert ", 0) == 0; })))
      << "the day has no alert with more than one revision";
  std::set<std::string> replayed;
  {
    grpc::ClientContext context;
    Staff(&context);
    esc::SubscribeRequest request;
    request.set_resume_token(token);
    auto reader = stub_->Subscribe(&context, request);
    esc::AlertStreamItem item;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    auto all_replayed = [&] {
      return std::includes(replayed.begin(), replayed.end(), published.begin(), published.end());
    };
    while (!all_replayed() && absl::Now() < deadline && reader->Read(&item)) {
      if (item.has_alert()) replayed.insert(absl::StrCat(item.alert().alert_id(), "#", item.alert().revision()));
    }
    context.TryCancel();
    reader->Finish();
  }
  std::vector<std::string> not_replayed;
  std::set_difference(published.begin(), published.end(), replayed.begin(), replayed.end(),
                      std::back_inserter(not_replayed));
  EXPECT_THAT(not_replayed, ::testing::IsEmpty());
  service_->process.Kill();

  // 2. Every event delivered twice.
  const std::string twice = UniqueNamespace("day2");
  ASSERT_THAT(CreateProjectTopics(twice), IsOk());
  Start(twice);
  for (const Step& step : day) {
    Publish(twice, step);
    Publish(twice, step);
    WaitApplied(twice);
  }
  EXPECT_EQ(Snapshot(), expected);
  service_->process.Kill();

  // 3. Killed with SIGKILL at several points (right after publishing, mid-apply), restarted.
  const std::string crashes = UniqueNamespace("day3");
  ASSERT_THAT(CreateProjectTopics(crashes), IsOk());
  Start(crashes);
  for (size_t i = 0; i < day.size(); ++i) {
    Publish(crashes, day[i]);
    if (i == 4 || i == 6 || i == 8 || i == 11 || i == 16) {
      service_->process.Kill();
      Start(crashes);
    }
    WaitApplied(crashes);
  }
  EXPECT_EQ(Snapshot(), expected);
  service_->process.Kill();

  // 4. Batches: the day in groups of events whose order does not matter (Kafka orders a
  // scope's events only, not those of different partitions or topics: each group is one scope's
  // events or events of one time in different areas; two scopes of one area at one instant are
  // not, since whichever is applied first finds the other late), every event twice, each
  // group published while the service is down, so it takes the group in one poll: figures of
  // distinct pairs applied together, the repeats in a later wave, found already applied. Ends
  // the same as one event at a time.
  const std::string batched = UniqueNamespace("day4");
  ASSERT_THAT(CreateProjectTopics(batched), IsOk());
  const std::vector<std::pair<size_t, size_t>> groups = {
      {0, 2},   {2, 4},   {4, 5},   {5, 6},   {6, 7},   {7, 10},  {10, 11},
      {11, 13}, {13, 14}, {14, 15}, {15, 17}, {17, 18}, {18, 19}};
  for (const auto& [first, end] : groups) {
    for (size_t i = first; i < end; ++i) Publish(batched, day[i]);
    for (size_t i = first; i < end; ++i) Publish(batched, day[i]);
    Start(batched);
    WaitApplied(batched);
    service_->process.Kill();
  }
  Start(batched);
  EXPECT_EQ(Snapshot(), expected);
}

// A process lost after publishing what records did (alerts, levels: the effect comes first) but
// before committing their offsets (the commit trails the effect), and Redis lost with it: the
// rebuild finds the alerts and levels at the topics' ends and the group's offsets behind them.
// Here the whole day is behind: the service stopped, its group rewound to the start, every key
// deleted. The restarted service rebuilds and re-applies the day, and must publish nothing new:
// no alert moved through the same figures a second time (an extra revision each, before the
// rebuild took figures as far as the published alerts and levels name them).
TEST_F(EscalationDayTest, RebuildBehindItsPublishedAlertsRepublishesNothing) {
  const std::vector<Step> day = ScriptedDay();
  const std::string ns = UniqueNamespace("day-behind");
  ASSERT_THAT(CreateProjectTopics(ns), IsOk());
  Start(ns);
  for (const Step& step : day) {
    Publish(ns, step);
    WaitApplied(ns);
  }
  const std::vector<std::string> expected = Snapshot();
  ASSERT_THAT(expected, ::testing::Not(::testing::Contains(::testing::StartsWith("unanswered"))));
  ASSERT_TRUE(AnyLine(expected, "alert area-level/area/west-kent/1 ALERT_STATE_RESOLVED"));
  const std::vector<std::string> published = AlertRecords(ns);
  ASSERT_GT(published.size(), 5u);

  ASSERT_THAT(service_->process.Terminate(), IsOk());
  const std::vector<std::string> domain = {ns + "capacity", ns + "beds", ns + "workforce"};
  // A stopped member's leaving can take the coordinator a moment to settle.
  absl::Status rewound;
  ASSERT_TRUE(WaitFor(
      [&] {
        rewound = RewindGroup(KafkaBootstrap(), ns + "escalation", domain);
        return rewound.ok();
      },
      absl::Seconds(30), absl::Milliseconds(500)))
      << rewound;
  auto lag = GroupLag(KafkaBootstrap(), ns + "escalation", domain);
  ASSERT_THAT(lag, IsOk());
  ASSERT_EQ(*lag, static_cast<int64_t>(day.size()));
  WipeRedis(ns);

  Start(ns);
  WaitApplied(ns);
  EXPECT_EQ(Snapshot(), expected);
  EXPECT_EQ(AlertRecords(ns), published);
}

// A process lost in the middle of a wave: it had published the wave's indicator alerts (one
// Kafka send at the wave's start) but none of the level moves its roll-ups would have made, and
// Redis was lost with it. The rebuild used to take the figures as far as those alerts name them;
// the re-applied records were then found no newer and rolled up only at the first of them,
// against figures already at the wave's end: West Kent went from OPEL 1 straight to OPEL 3, its
// alert raised once at L3 where the undisturbed run raised it at L2 and re-levelled it at L3.
// The lost process is played here by copying the reference run's indicator alerts onto the
// topics of a run whose service stopped before the wave.
TEST_F(EscalationDayTest, RebuildAfterAWaveLostBeforeItsRollUpsMovesLevelsInOrder) {
  const std::vector<Step> steps = {
      Staffing("31", "stp-west-kent", Dec(1, 8), 90),    // Green: West Kent at OPEL 1
      Staffing("32", "stp-west-kent", Dec(1, 9), 60),    // Amber: OPEL 2, its alert raised
      Staffing("33", "stp-west-kent", Dec(1, 9, 30), 45),  // Red: OPEL 3, re-levelled
  };
  kafka::ClientOptions client;
  client.bootstrap_servers = KafkaBootstrap();

  // The reference: one record at a time.
  const std::string ref = UniqueNamespace("wave-ref");
  ASSERT_THAT(CreateProjectTopics(ref), IsOk());
  Start(ref);
  for (const Step& step : steps) {
    Publish(ref, step);
    WaitApplied(ref);
  }
  const std::vector<std::string> expected = Snapshot();
  ASSERT_TRUE(AnyLine(expected, "alert area-level/area/west-kent/1 ALERT_STATE_FIRING L3 rev 2"));
  const std::vector<std::string> published = AlertRecords(ref);
  service_->process.Kill();
  // What the lost process had published: the indicator alerts of records 32 and 33 and their
  // audit records.
  const std::set<std::string> lost_events = {steps[1].event.envelope().event_id(),
                                             steps[2].event.envelope().event_id()};
  std::set<std::string> lost_revisions;
  std::vector<kafka::OutgoingRecord> lost_records;
  ASSERT_THAT(kafka::ReadTopicToEnd(client, ref + "alerts",
                                    [&](const kafka::ConsumedRecord& r) {
                                      esc::Alert a;
                                      if (a.ParseFromString(r.value) &&
                                          a.rule() == "indicator-level" &&
                                          a.evidence_size() > 0 &&
                                          lost_events.count(a.evidence(0).event_id()) > 0) {
                                        lost_revisions.insert(
                                            absl::StrCat(a.alert_id(), "#", a.revision()));
                                        lost_records.push_back(
                                            {"alerts", r.key, r.value, r.headers});
                                      }
                                      return absl::OkStatus();
                                    }),
              IsOk());
  ASSERT_EQ(lost_revisions.size(), 2u);
  ASSERT_THAT(kafka::ReadTopicToEnd(client, ref + "audit",
                                    [&](const kafka::ConsumedRecord& r) {
                                      esc::AuditRecord a;
                                      if (a.ParseFromString(r.value) &&
                                          lost_revisions.count(a.audit_id()) > 0) {
                                        lost_records.push_back(
                                            {"audit", r.key, r.value, r.headers});
                                      }
                                      return absl::OkStatus();
                                    }),
              IsOk());
  ASSERT_EQ(lost_records.size(), 4u);

  // The faulted run: record 31 applied and committed, then the service gone; records 32 and 33
  // on the domain topic, their indicator alerts on the alerts topic, no level moved; Redis lost.
  const std::string lost = UniqueNamespace("wave-lost");
  ASSERT_THAT(CreateProjectTopics(lost), IsOk());
  Start(lost);
  Publish(lost, steps[0]);
  WaitApplied(lost);
  ASSERT_THAT(service_->process.Terminate(), IsOk());
  Publish(lost, steps[1]);
  Publish(lost, steps[2]);
  for (kafka::OutgoingRecord& r : lost_records) {
    r.topic = lost + r.topic;
    ASSERT_THAT(producer_->Send(r), IsOk());
  }
  WipeRedis(lost, 1);

  Start(lost);
  WaitApplied(lost);
  EXPECT_TRUE(WaitFor([&] { return Snapshot() == expected; }, absl::Seconds(30)));
  EXPECT_EQ(Snapshot(), expected);
  // Nothing published twice, nothing missing: the area's alert raised at L2 and re-levelled.
  EXPECT_EQ(AlertRecords(lost), published);
}

}  // namespace
}  // namespace resilience::testing
