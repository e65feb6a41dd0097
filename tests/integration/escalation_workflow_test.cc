// The duty desk through the real escalation service, broker and Redis, on a clock running 360
// times faster than real time (a minute of the service's clock every 1/6 s): the NHS 111 DoS
// protocol opening when the county reaches OPEL 3, its steps and overdue timers, re-notification
// of unacknowledged alerts up the role chain, a decision prompt answered by the assistant
// director, silences, recorded actions, and notification attempts in the audit trail; each with
// the refusals staff would meet (wrong role, wrong area, no reason).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/clock.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/scope/scope_key.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "events/v1/events.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;
namespace esc = escalation::v1;
using events::v1::DomainEvent;

constexpr double kSpeed = 360;
// Monday 7 December 2026, 09:00 in London (GMT): in hours.
const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 12, 7, 9, 0, 0), absl::UTCTimeZone());

class EscalationWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("wf");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
    clock_ = std::make_unique<ScaledClock>(kStart, kSpeed);
    auto service = StartService(
        "escalation-service",
        {"--config=" + SourceDir() + "/deploy/config/kent-medway/escalation.textproto",
         "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--kafka_bootstrap=" + KafkaBootstrap(), "--redis_port=" + std::to_string(RedisPort()),
         "--namespace=" + ns_, "--clock_start=" + absl::FormatTime(absl::RFC3339_full, kStart, absl::UTCTimeZone()),
         absl::StrCat("--clock_speed=", kSpeed), "--level_tick_seconds=" + level_tick_seconds_});
    ASSERT_THAT(service, IsOk());
    service_ = std::make_unique<RunningService>(*std::move(service));
    stub_ = esc::AlertService::NewStub(
        grpc::CreateChannel(service_->address(), grpc::InsecureChannelCredentials()));
    kafka::ProducerOptions options;
    options.client.bootstrap_servers = KafkaBootstrap();
    auto producer = kafka::NewRdKafkaProducer(options);
    ASSERT_THAT(producer, IsOk());
    producer_ = *std::move(producer);
  }
  void TearDown() override {
    if (HasFailure() && service_) std::cerr << "escalation log:\n" << service_->process.LogTail(60);
  }

  void Publish(const std::string& topic, common::v1::ScopeKind kind, const std::string& id,
               const std::function<void(DomainEvent*)>& body) {
    DomainEvent e;
    auto* env = e.mutable_envelope();
    env->set_event_id(NewRandomUuid());
    env->set_source("workflow-test");
    env->mutable_scope()->set_kind(kind);
    env->mutable_scope()->set_id(id);
    const absl::Time now = clock_->Now();
    *env->mutable_occurred_at() = ToProtoTime(now);
    *env->mutable_received_at() = ToProtoTime(now);
    env->set_schema_version(1);
    env->mutable_provenance()->set_provider_id("workflow-test");
    *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
    body(&e);
    ASSERT_THAT(producer_->Send({ns_ + topic, ScopeKey(env->scope()), e.SerializeAsString(), {}}), IsOk());
  }
  void Staffing(const std::string& team, double pct) {
    Publish("workforce", common::v1::SCOPE_KIND_TEAM, team, [&](DomainEvent* e) {
      e->mutable_observation()->set_indicator("stp_staffing_pct");
      e->mutable_observation()->set_number(pct);
      e->mutable_observation()->set_unit("percent");
    });
  }

  template <typename Request, typename Response>
  grpc::StatusCode Call(const std::string& user,
                        grpc::Status (esc::AlertService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                        const Request& request, Response* response) {
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", user);
    return (stub_.get()->*method)(&context, request, response).error_code();
  }

  // An acute assessment of `site` scoring 24 points: OPEL 3.
  void AcuteAtOpel3(const std::string& site) {
    Publish("capacity", common::v1::SCOPE_KIND_ACUTE_SITE, site, [](DomainEvent* e) {
      auto* a = e->mutable_acute_assessment();
      a->set_mean_ambulance_handover_minutes(45);    // 4
      a->set_ed_four_hour_performance_pct(70);       // 2
      a->set_majors_resus_occupancy_pct(110);        // 4
      a->set_median_time_to_treatment_minutes(100);  // 2
      a->set_patients_over_12h_in_ed_pct(6);         // 2
      a->set_ga_bed_occupancy_pct(97);               // 4
      a->set_escalation_beds_pct(5);                 // 2
      a->set_nctr_beds_pct(14);                      // 4: 24 points, OPEL 3
    });
  }
  // The decision prompts West Kent's assistant director sees.
  esc::ListDecisionPromptsResponse Prompts() {
    esc::ListDecisionPromptsResponse prompts;
    Call("david-okoro", &esc::AlertService::Stub::ListDecisionPrompts, esc::ListDecisionPromptsRequest(), &prompts);
    return prompts;
  }

  std::vector<esc::ProtocolTask> Tasks() {
    esc::ListTasksRequest request;
    request.set_include_closed(true);
    esc::ListTasksResponse response;
    Call("helen-marsh", &esc::AlertService::Stub::ListTasks, request, &response);
    return {response.tasks().begin(), response.tasks().end()};
  }
  std::optional<esc::ProtocolTask> TaskOfKind(esc::ProtocolTask::Kind kind) {
    for (const auto& t : Tasks()) {
      if (t.kind() == kind) return t;
    }
    return std::nullopt;
  }
  std::optional<esc::Alert> AlertById(const std::string& id) {
    esc::GetAlertRequest request;
    request.set_alert_id(id);
    esc::Alert alert;
    if (Call("helen-marsh", &esc::AlertService::Stub::GetAlert, request, &alert) != grpc::StatusCode::OK) {
      return std::nullopt;
    }
    return alert;
  }
  std::vector<std::string> AuditActions(const std::string& subject) {
    esc::ListAuditRequest request;
    request.set_subject(subject);
    esc::ListAuditResponse response;
    Call("helen-marsh", &esc::AlertService::Stub::ListAudit, request, &response);
    std::vector<std::string> out;
    for (const auto& r : response.records()) out.push_back(r.action());
    return out;
  }

  // Real seconds between the service's timed evaluations.
  std::string level_tick_seconds_ = "1";
  std::string ns_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<esc::AlertService::Stub> stub_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(EscalationWorkflowTest, Nhs111ProtocolRenotificationSilencesActionsAndNotifications) {
  // Every Short-term Pathway team at 40% (Red): every area at OPEL 3, the county at OPEL 3.
  for (const char* team : {"stp-west-kent", "stp-north-kent", "stp-ashford-canterbury",
                           "stp-thanet-south-kent-coast"}) {
    Staffing(team, 40);
  }
  std::optional<esc::ProtocolTask> dos;
  ASSERT_TRUE(WaitFor([&] { return (dos = TaskOfKind(esc::ProtocolTask::KIND_NHS111_DOS)).has_value(); },
                      absl::Seconds(60)));
  EXPECT_FALSE(dos->closed());
  ASSERT_GE(dos->steps_size(), 3);
  EXPECT_EQ(dos->steps(0).step_id(), "r1-a-call-nhs111");
  EXPECT_THAT(dos->steps(1).description(), HasSubstr("ICB commissioning lead"));  // in hours
  auto announced = AlertById(dos->task_id());
  ASSERT_TRUE(announced.has_value());
  EXPECT_EQ(announced->rule(), "nhs111-dos");
  EXPECT_EQ(announced->recipients(0).role_id(), "stp_service_manager");

  // A team manager may not do the service manager's step; the service manager may.
  esc::CompleteTaskStepRequest step;
  step.set_task_id(dos->task_id());
  step.set_step_id("r1-a-call-nhs111");
  step.set_note("NHS 111 capacity status changed to Amber");
  esc::ProtocolTask after;
  EXPECT_EQ(Call("priya-nair", &esc::AlertService::Stub::CompleteTaskStep, step, &after),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Call("helen-marsh", &esc::AlertService::Stub::CompleteTaskStep, step, &after),
            grpc::StatusCode::OK);
  EXPECT_EQ(after.steps(0).done_by(), "helen-marsh");
  // Step b is left undone: after an hour of the service's clock it is overdue and the task's
  // alert fires again saying so.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto t = TaskOfKind(esc::ProtocolTask::KIND_NHS111_DOS);
        return t.has_value() && t->steps(1).overdue();
      },
      absl::Seconds(60)));
  auto refired = AlertById(dos->task_id());
  ASSERT_TRUE(refired.has_value());
  EXPECT_THAT(refired->summary(), HasSubstr("Overdue"));
  EXPECT_THAT(AuditActions(dos->task_id()), ::testing::Contains("task.step_overdue"));

  // West Kent's area alert, unacknowledged at OPEL 3 for an hour, is re-notified and escalated.
  const std::string area_alert = "area-level/area/west-kent/1";
  std::optional<esc::Alert> renotified;
  ASSERT_TRUE(WaitFor(
      [&] {
        renotified = AlertById(area_alert);
        return renotified.has_value() && renotified->renotifications() >= 1;
      },
      absl::Seconds(60)));
  bool escalated = false;
  for (const auto& r : renotified->recipients()) escalated = escalated || r.escalated();
  EXPECT_TRUE(escalated);
  EXPECT_THAT(AuditActions(area_alert), ::testing::Contains("alert.renotified"));

  // Recording an action of the card, with the risks anticipated; an action not on it is refused.
  esc::RecordActionRequest act;
  act.set_alert_id(area_alert);
  act.set_action_id("stp-sm-l2-daily-kcc-opel-status");
  act.set_done(true);
  act.set_note("Status updated");
  act.set_risks("Trend data is a day old");
  esc::Alert acted;
  ASSERT_EQ(Call("helen-marsh", &esc::AlertService::Stub::RecordAction, act, &acted), grpc::StatusCode::OK);
  ASSERT_GE(acted.action_records_size(), 1);
  EXPECT_EQ(acted.action_records(0).by_user(), "helen-marsh");
  act.set_action_id("no-such-action");
  EXPECT_EQ(Call("helen-marsh", &esc::AlertService::Stub::RecordAction, act, &acted),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A silence on West Kent: the next West Kent transition is recorded, shown, and silenced.
  esc::CreateSilenceRequest silence_request;
  silence_request.mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
  silence_request.mutable_scope()->set_id("west-kent");
  *silence_request.mutable_until() = ToProtoTime(clock_->Now() + absl::Hours(6));
  silence_request.set_reason("Outbreak known and managed; calls every 2 hours");
  esc::Silence silence;
  EXPECT_EQ(Call("priya-nair", &esc::AlertService::Stub::CreateSilence, silence_request, &silence),
            grpc::StatusCode::PERMISSION_DENIED);  // team managers may not silence
  ASSERT_EQ(Call("helen-marsh", &esc::AlertService::Stub::CreateSilence, silence_request, &silence),
            grpc::StatusCode::OK);
  Staffing("stp-west-kent", 30);  // Black
  std::optional<esc::Alert> silenced;
  ASSERT_TRUE(WaitFor(
      [&] {
        silenced = AlertById("indicator-level/team/stp-west-kent/stp_staffing_pct/1");
        return silenced.has_value() && silenced->level() == common::v1::OPEL_LEVEL_4_BLACK;
      },
      absl::Seconds(60)));
  EXPECT_EQ(silenced->silence_id(), silence.silence_id());
  esc::ExpireSilenceRequest end;
  end.set_silence_id(silence.silence_id());
  end.set_reason("Outbreak over");
  ASSERT_EQ(Call("helen-marsh", &esc::AlertService::Stub::ExpireSilence, end, &silence), grpc::StatusCode::OK);
  EXPECT_THAT(AuditActions(silence.silence_id()), ::testing::ElementsAre("silence.created", "silence.expired"));

  // The console's notifier records a delivery attempt once, however often it retries the call.
  esc::RecordNotificationRequest note;
  auto* carried = note.add_alerts();
  carried->set_alert_id(area_alert);
  carried->set_revision(renotified->revision());
  note.set_delivery_id("d-1");
  note.set_attempt(1);
  note.set_route_id("west-kent-managers");
  note.set_http_status(503);
  note.set_outcome("retrying");
  esc::RecordNotificationResponse recorded;
  EXPECT_EQ(Call("helen-marsh", &esc::AlertService::Stub::RecordNotification, note, &recorded),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Call("console-notifier", &esc::AlertService::Stub::RecordNotification, note, &recorded),
            grpc::StatusCode::OK);
  EXPECT_EQ(recorded.records_size(), 1);
  ASSERT_EQ(Call("console-notifier", &esc::AlertService::Stub::RecordNotification, note, &recorded),
            grpc::StatusCode::OK);
  EXPECT_EQ(recorded.records_size(), 0);
  int attempts = 0;
  for (const auto& a : AuditActions(area_alert)) attempts += a == "notification.attempt";
  EXPECT_EQ(attempts, 1);
}

TEST_F(EscalationWorkflowTest, AcuteSiteAtOpel3PromptsKccToDecide) {
  AcuteAtOpel3("maidstone");
  esc::ListDecisionPromptsResponse prompts;
  ASSERT_TRUE(WaitFor([&] { return (prompts = Prompts()).prompts_size() > 0; }, absl::Seconds(60)));
  const esc::DecisionPrompt prompt = prompts.prompts(0);
  EXPECT_THAT(prompt.title(), HasSubstr("Maidstone"));
  EXPECT_EQ(prompt.trigger_level(), common::v1::OPEL_LEVEL_3_RED);
  // East Kent's assistant director does not cover West Kent; a team manager may not answer.
  esc::AnswerDecisionPromptRequest answer;
  answer.set_prompt_id(prompt.prompt_id());
  answer.set_decision(esc::DecisionPrompt::DECISION_DECLINE);
  answer.set_reason("Maidstone's pressure is ED flow; KCC discharges are not the constraint today");
  esc::DecisionPrompt answered;
  EXPECT_EQ(Call("rachel-finch", &esc::AlertService::Stub::AnswerDecisionPrompt, answer, &answered),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call("priya-nair", &esc::AlertService::Stub::AnswerDecisionPrompt, answer, &answered),
            grpc::StatusCode::PERMISSION_DENIED);
  answer.set_reason("no");
  EXPECT_EQ(Call("david-okoro", &esc::AlertService::Stub::AnswerDecisionPrompt, answer, &answered),
            grpc::StatusCode::INVALID_ARGUMENT);
  answer.set_reason("Maidstone's pressure is ED flow; KCC discharges are not the constraint today");
  ASSERT_EQ(Call("david-okoro", &esc::AlertService::Stub::AnswerDecisionPrompt, answer, &answered),
            grpc::StatusCode::OK);
  EXPECT_EQ(answered.decided_by(), "david-okoro");
  auto alert = AlertById(prompt.prompt_id());
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->state(), esc::ALERT_STATE_RESOLVED);
  // The prompt and the alert announcing it share one trail.
  EXPECT_THAT(AuditActions(prompt.prompt_id()),
              ::testing::ElementsAre("prompt.raised", "alert.raised", "prompt.answered", "alert.resolved"));
}

// An area whose level stands while the figures behind it change keeps its new evidence through
// the wave and stores it once after (LevelRollUp::BeginWave). With the timed evaluation,
// which would re-derive any evidence, out of the run: after each burst an area's evidence must
// name exactly the figures behind its level, the last reading of each.
class EscalationEvidenceTest : public EscalationWorkflowTest {
 protected:
  EscalationEvidenceTest() { level_tick_seconds_ = "86400"; }

  // A referrals figure of `area`, keyed "burst" so that a burst's records share a partition and
  // are applied in order (the service reads the scope from the envelope, not the key).
  kafka::OutgoingRecord Referrals(const std::string& area, double count) {
    DomainEvent e;
    auto* env = e.mutable_envelope();
    env->set_event_id(NewRandomUuid());
    env->set_source("workflow-test");
    env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
    env->mutable_scope()->set_id(area);
    const absl::Time now = clock_->Now();
    *env->mutable_occurred_at() = ToProtoTime(now);
    *env->mutable_received_at() = ToProtoTime(now);
    env->set_schema_version(1);
    env->mutable_provenance()->set_provider_id("workflow-test");
    *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
    e.mutable_observation()->set_indicator("referrals_pending_assessment");
    e.mutable_observation()->set_number(count);
    e.mutable_observation()->set_unit("count");
    return {ns_ + "capacity", "burst", e.SerializeAsString(), {}};
  }
  // Published together, so fetched and applied as one wave.
  void Burst(const std::vector<kafka::OutgoingRecord>& records) {
    for (const absl::Status& s : producer_->SendAll(records)) ASSERT_THAT(s, IsOk());
  }
  // The area's level and its evidence as "indicator=value", sorted.
  std::string AreaLine(const std::string& area) {
    esc::StatusBoard board;
    Call("helen-marsh", &esc::AlertService::Stub::GetStatusBoard, esc::GetStatusBoardRequest(), &board);
    for (const auto& level : board.levels()) {
      if (level.scope().kind() != common::v1::SCOPE_KIND_AREA || level.scope().id() != area) continue;
      std::vector<std::string> evidence;
      for (const auto& e : level.evidence()) evidence.push_back(absl::StrCat(e.indicator(), "=", e.value()));
      std::sort(evidence.begin(), evidence.end());
      return absl::StrCat("L", level.computed_level(), " ", absl::StrJoin(evidence, ","));
    }
    return "none";
  }
  // Every figure of the board, for failure messages.
  std::string Figures() {
    esc::StatusBoard board;
    Call("helen-marsh", &esc::AlertService::Stub::GetStatusBoard, esc::GetStatusBoardRequest(), &board);
    std::string out;
    for (const auto& f : board.indicators()) {
      absl::StrAppend(&out, "\n", ScopeKey(f.latest().scope()), " ", f.latest().indicator(),
                      " L", f.latest().level(), " held L", f.held_level(), " value ",
                      f.latest().value(), f.stale() ? " stale" : "");
    }
    return out;
  }
};

TEST_F(EscalationEvidenceTest, EvidenceStoredAfterAWaveNamesTheLatestFiguresBehindTheLevel) {
  for (const std::string area : {"west-kent", "north-kent"}) {
    Staffing("stp-" + area, 60);  // Amber: the area at OPEL 2 because of it
    Burst({Referrals(area, 30)});  // Green: not behind the level
  }
  for (const std::string area : {"west-kent", "north-kent"}) {
    ASSERT_TRUE(WaitFor([&] { return AreaLine(area) == "L2 stp_staffing_pct=60"; }, absl::Seconds(30)))
        << area << ": " << AreaLine(area);
  }
  // Referrals are banded against their normal level of 40 (Amber above 100% up to 120%).
  // West Kent's referrals turn Amber (new evidence, same level) and back within the wave: the
  // evidence kept for the first must not outlive the second. North Kent's turn Amber after them
  // in the same partition: once its evidence shows it, the wave's evidence has been stored.
  Burst({Referrals("west-kent", 44), Referrals("west-kent", 30), Referrals("north-kent", 46)});
  ASSERT_TRUE(WaitFor(
      [&] { return AreaLine("north-kent") == "L2 referrals_pending_assessment=46,stp_staffing_pct=60"; },
      absl::Seconds(30)))
      << AreaLine("north-kent") << Figures();
  EXPECT_EQ(AreaLine("west-kent"), "L2 stp_staffing_pct=60");
  // A burst ending Amber leaves the last Amber reading in the evidence.
  Burst({Referrals("west-kent", 42), Referrals("north-kent", 30), Referrals("west-kent", 47)});
  ASSERT_TRUE(WaitFor(
      [&] { return AreaLine("west-kent") == "L2 referrals_pending_assessment=47,stp_staffing_pct=60"; },
      absl::Seconds(30)))
      << AreaLine("west-kent") << Figures();
  EXPECT_EQ(AreaLine("north-kent"), "L2 stp_staffing_pct=60");
}

// The county's roll-up keeps its inputs through a wave, its areas' statuses among them: each
// area the wave moves must reach them. All four areas turn Amber in one wave, so the county
// must go to OPEL 2 with the first and to OPEL 3 (every area at Amber or above) with the last,
// with no timed evaluation to catch up.
TEST_F(EscalationEvidenceTest, TheCountyRolledUpInAWaveCountsTheAreasTheWaveMoved) {
  auto county_level = [&] {
    esc::StatusBoard board;
    Call("helen-marsh", &esc::AlertService::Stub::GetStatusBoard, esc::GetStatusBoardRequest(), &board);
    for (const auto& level : board.levels()) {
      if (level.scope().kind() == common::v1::SCOPE_KIND_COUNTY) return level.computed_level();
    }
    return common::v1::OPEL_LEVEL_UNSPECIFIED;
  };
  const std::vector<std::string> areas = {"north-kent", "west-kent", "ashford-canterbury",
                                          "thanet-south-kent-coast"};
  std::vector<kafka::OutgoingRecord> burst;
  for (const std::string& area : areas) burst.push_back(Referrals(area, 44));  // Amber
  Burst(burst);
  for (const std::string& area : areas) {
    ASSERT_TRUE(WaitFor([&] { return AreaLine(area) == "L2 referrals_pending_assessment=44"; },
                        absl::Seconds(30)))
        << area << ": " << AreaLine(area) << Figures();
  }
  EXPECT_TRUE(
      WaitFor([&] { return county_level() == common::v1::OPEL_LEVEL_3_RED; }, absl::Seconds(30)))
      << "county at L" << county_level() << Figures();
}

// The wave stores its figures late, but a site's assessment before the duty desk reviews the
// levels its roll-up moved: with no timed evaluation, that review alone must open the prompt.
TEST_F(EscalationEvidenceTest, ASiteAtOpel3PromptsKccWithoutATimedReview) {
  AcuteAtOpel3("maidstone");
  esc::ListDecisionPromptsResponse prompts;
  ASSERT_TRUE(WaitFor([&] { return (prompts = Prompts()).prompts_size() > 0; }, absl::Seconds(30)));
  EXPECT_THAT(prompts.prompts(0).title(), HasSubstr("Maidstone"));
  EXPECT_EQ(prompts.prompts(0).trigger_level(), common::v1::OPEL_LEVEL_3_RED);
}

// With the timed evaluation off, the duty desk reviews the levels only when a roll-up moves
// one it watches. West Kent rising from OPEL 2 to OPEL 4 by its own figure moves neither the
// county (Amber while any area is) nor its board area (short of its quorum of five): the area
// reaching OPEL 4 must open the extraordinary panel by itself.
TEST_F(EscalationEvidenceTest, AnAreaReachingOpel4OpensThePanelWithoutATimedReview) {
  Staffing("stp-west-kent", 60);  // Amber
  ASSERT_TRUE(WaitFor([&] { return AreaLine("west-kent") == "L2 stp_staffing_pct=60"; }, absl::Seconds(30)))
      << AreaLine("west-kent");
  EXPECT_FALSE(TaskOfKind(esc::ProtocolTask::KIND_EXTRAORDINARY_PAP).has_value());
  Staffing("stp-west-kent", 20);  // Black
  std::optional<esc::ProtocolTask> panel;
  ASSERT_TRUE(WaitFor(
      [&] { return (panel = TaskOfKind(esc::ProtocolTask::KIND_EXTRAORDINARY_PAP)).has_value(); },
      absl::Seconds(30)))
      << AreaLine("west-kent");
  EXPECT_THAT(panel->task_id(), HasSubstr("area/west-kent"));
  EXPECT_EQ(AreaLine("west-kent"), "L4 stp_staffing_pct=20");
}

}  // namespace
}  // namespace resilience::testing
