// The shipped winter-day scenario (deploy/scenarios/kent-medway-winter-day.textproto) replayed
// against the real workforce, capacity, beds and escalation binaries, the real Kafka broker and
// Redis, every service on the same compressed clock as the replayer (the mapping
// deploy/services.sh gives them). The replay must go as written (every update taken, the one bad
// update refused, every expectation met by its deadline); then the key outcomes are read back
// from the escalation service directly: the levels reached and stepped down, the extraordinary
// panel task and the prompt that came with Maidstone's OPEL 4, the county declaration with the
// computed level beside it, the NHS 111 protocol worked to its close, and the acknowledgements
// with their notes.
//
// RESILIENCE_SCENARIO_SPEED overrides the scenario's clock speed (scenario seconds per real
// second); the default, the file's 600x, replays the two days in about four minutes.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/reference/reference_index.h"
#include "common/scope/scope_key.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tools/scenario/grpc_platform.h"
#include "tools/scenario/replayer.h"
#include "tools/scenario/scenario_clock.h"
#include "tools/scenario/timeline.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;
namespace esc = escalation::v1;
namespace scn = scenario;

class ScenarioWinterDayTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!HasFailure()) return;
    std::cerr << "narrative:\n" << narrative_.str() << "\n";
    for (const auto& [name, service] : services_) {
      std::cerr << name << " log:\n" << service->process.LogTail(40) << "\n";
    }
  }

  // Starts `name` on the replay's clock: the --clock_start that maps to this moment.
  void Start(const std::string& name, std::vector<std::string> args) {
    const absl::Time start = timeline_.clock_start + (absl::Now() - epoch_) * speed_;
    args.push_back("--config=" + SourceDir() + "/deploy/config/kent-medway/" +
                   std::string(absl::StripSuffix(name, "-service")) + ".textproto");
    args.push_back("--grpc_address=127.0.0.1:0");
    args.push_back("--metrics_address=127.0.0.1:0");
    args.push_back("--kafka_bootstrap=" + KafkaBootstrap());
    args.push_back("--clock_start=" + absl::FormatTime(absl::RFC3339_full, start, absl::UTCTimeZone()));
    args.push_back(absl::StrCat("--clock_speed=", speed_));
    auto service = StartService(name, args, absl::Seconds(60));
    ASSERT_THAT(service, IsOk());
    services_.emplace_back(name, std::make_unique<RunningService>(*std::move(service)));
  }

  std::string Address(const std::string& name) const {
    for (const auto& [n, s] : services_) {
      if (n == name) return s->address();
    }
    return "";
  }

  template <typename Response, typename Request>
  Response AsHelen(grpc::Status (esc::AlertService::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                                 Response*),
                   const Request& request) {
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", "helen-marsh");
    Response response;
    grpc::Status status = (stub_.get()->*rpc)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<esc::AuditRecord> Audit(const std::string& subject) {
    esc::ListAuditRequest request;
    request.set_subject(subject);
    request.set_limit(500);
    auto response = AsHelen(&esc::AlertService::Stub::ListAudit, request);
    return {response.records().begin(), response.records().end()};
  }

  scn::Timeline timeline_;
  absl::Time epoch_;
  double speed_ = 600;
  std::vector<std::pair<std::string, std::unique_ptr<RunningService>>> services_;
  std::unique_ptr<esc::AlertService::Stub> stub_;
  std::ostringstream narrative_;
};

TEST_F(ScenarioWinterDayTest, TheWinterDayGoesAsWrittenAgainstTheRealServices) {
  const std::string root = SourceDir();
  auto timeline = scn::LoadTimeline(root + "/deploy/scenarios/kent-medway-winter-day.textproto");
  ASSERT_THAT(timeline, IsOk());
  timeline_ = *std::move(timeline);
  auto reference = ReferenceIndex::Load(root + "/deploy/config/kent-medway/reference.textproto");
  ASSERT_THAT(reference, IsOk());
  ASSERT_THAT(scn::CheckReferences(timeline_, **reference), IsOk());
  speed_ = timeline_.scenario.speed();
  if (const char* s = std::getenv("RESILIENCE_SCENARIO_SPEED"); s != nullptr) {
    ASSERT_TRUE(absl::SimpleAtod(s, &speed_) && speed_ > 0) << s;
  }

  const std::string ns = UniqueNamespace("scn");
  ASSERT_THAT(CreateProjectTopics(ns), IsOk());
  // The scenario clock reads clock_start a few real seconds from now, once every service is up
  // (services started earlier simply start their clock a little before it).
  epoch_ = absl::Now() + absl::Seconds(8);
  Start("escalation-service", {"--namespace=" + ns, "--redis_port=" + std::to_string(RedisPort()),
                               "--level_tick_seconds=1"});
  Start("workforce-service", {"--topic_prefix=" + ns});
  Start("capacity-service", {"--topic_prefix=" + ns});
  Start("beds-service", {"--topic_prefix=" + ns});
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_LT(absl::Now(), epoch_) << "the services took longer to start than the margin";
  stub_ = esc::AlertService::NewStub(
      grpc::CreateChannel(Address("escalation-service"), grpc::InsecureChannelCredentials()));

  scn::GrpcPlatformOptions platform_options;
  platform_options.workforce_address = Address("workforce-service");
  platform_options.capacity_address = Address("capacity-service");
  platform_options.beds_address = Address("beds-service");
  platform_options.escalation_address = Address("escalation-service");
  scn::GrpcPlatform platform(platform_options);
  // The replayer trails the services' mapping by half a real second, as the scenario tool does
  // by default, so a service whose clock started late never gets an update from its future.
  scn::AnchoredClock clock(timeline_.clock_start, epoch_ + absl::Milliseconds(500), speed_);
  scn::ReplayOptions options;
  options.reference = *reference;
  scn::Replayer replayer(&timeline_, &platform, &clock, &narrative_, options);

  // 1. The replay goes as written.
  ASSERT_THAT(replayer.Run(), IsOk());
  const scn::ReplaySummary& summary = replayer.summary();
  EXPECT_EQ(summary.steps, timeline_.scenario.steps_size());
  EXPECT_EQ(summary.failures, 0);
  EXPECT_EQ(summary.refused_as_expected, 1);  // Greensand Ridge's 41 of 40 beds
  EXPECT_GE(summary.updates_accepted, 170);
  EXPECT_EQ(summary.updates_duplicate, 0);
  EXPECT_GE(summary.expectations_met, 19);

  // 2. Levels reached and stepped down, read back from the escalation service.
  // (The replay's own expectations saw West and North Kent reach OPEL 3, Maidstone OPEL 4 and
  // the county OPEL 3; here what remains at the end, and who did what.)
  bool west_kent_acked_by_helen = false;
  for (const auto& r : Audit("area-level/area/west-kent/1")) {
    if (r.action() == "alert.acknowledged" && r.actor() == "helen-marsh") {
      west_kent_acked_by_helen = true;
      EXPECT_THAT(r.reason(), HasSubstr("staffing 45%"));
    }
  }
  EXPECT_TRUE(west_kent_acked_by_helen);
  esc::StatusBoard board = AsHelen(&esc::AlertService::Stub::GetStatusBoard, esc::GetStatusBoardRequest());
  auto level_of = [&](const std::string& scope) {
    for (const auto& l : board.levels()) {
      if (ScopeKey(l.scope()) == scope) return l;
    }
    return esc::LevelStatus();
  };
  EXPECT_EQ(level_of("area/west-kent").computed_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(level_of("area/north-kent").computed_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(level_of("area/ashford-canterbury").computed_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(level_of("area/thanet-south-kent-coast").computed_level(), common::v1::OPEL_LEVEL_1_GREEN);
  // The county's computed level is still held at 3; Wednesday's declaration (2) is in force.
  const esc::LevelStatus county = level_of("county/kent");
  EXPECT_EQ(county.computed_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(county.effective_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(county.declaration().declared_by(), "helen-marsh");

  // 3. Tuesday's declaration was audited with the computed level beside it (Amber: declared
  // ahead of it).
  bool declared_three = false;
  for (const auto& r : Audit("county/kent")) {
    if (r.action() != "level.declared") continue;
    EXPECT_EQ(r.actor(), "helen-marsh");
    if (r.reason().find("Holding the county at OPEL 3") != std::string::npos) {
      declared_three = true;
      ASSERT_TRUE(r.detail().count("computed_level") > 0);
      EXPECT_EQ(r.detail().at("computed_level"), "Amber");
      EXPECT_EQ(r.detail().at("declared_level"), "Red");
    }
  }
  EXPECT_TRUE(declared_three);

  // 4. The tasks: the extraordinary panel decided and held by the assistant director, the NHS
  // 111 protocol worked by the service manager over three rounds (the third out of hours) and
  // closed when pressure eased.
  esc::ListTasksRequest tasks_request;
  tasks_request.set_include_closed(true);
  esc::ListTasksResponse tasks = AsHelen(&esc::AlertService::Stub::ListTasks, tasks_request);
  const auto* panel = scn::FindTask(esc::ProtocolTask::KIND_EXTRAORDINARY_PAP, "acute_site/maidstone",
                                    false, tasks);
  ASSERT_NE(panel, nullptr);
  EXPECT_TRUE(panel->closed());
  for (const auto& s : panel->steps()) EXPECT_EQ(s.done_by(), "david-okoro") << s.step_id();
  const auto* dos = scn::FindTask(esc::ProtocolTask::KIND_NHS111_DOS, "county/kent", false, tasks);
  ASSERT_NE(dos, nullptr);
  EXPECT_TRUE(dos->closed());
  EXPECT_EQ(dos->round(), 3u);
  for (const auto& s : dos->steps()) {
    EXPECT_EQ(s.done_by(), "helen-marsh") << s.step_id();
    if (s.step_id() == "r1-b-inform") {
      EXPECT_THAT(s.description(), HasSubstr("ICB commissioning lead"));
    }
    if (s.step_id() == "r3-b-inform") {
      EXPECT_THAT(s.description(), HasSubstr("Director on Call"));
    }
  }

  // 5. The prompts: Maidstone's OPEL 4 answered "respond" by the assistant director, Tunbridge
  // Wells' OPEL 3 declined with a reason.
  esc::ListDecisionPromptsRequest prompts_request;
  prompts_request.set_include_answered(true);
  esc::ListDecisionPromptsResponse prompts =
      AsHelen(&esc::AlertService::Stub::ListDecisionPrompts, prompts_request);
  const auto* maidstone = scn::FindPrompt("acute_site/maidstone", common::v1::OPEL_LEVEL_4_BLACK, false, prompts);
  ASSERT_NE(maidstone, nullptr);
  EXPECT_EQ(maidstone->decision(), esc::DecisionPrompt::DECISION_RESPOND);
  EXPECT_EQ(maidstone->decided_by(), "david-okoro");
  const auto* pembury = scn::FindPrompt("acute_site/tunbridge-wells", common::v1::OPEL_LEVEL_3_RED, false, prompts);
  ASSERT_NE(pembury, nullptr);
  EXPECT_EQ(pembury->decision(), esc::DecisionPrompt::DECISION_DECLINE);
  EXPECT_THAT(pembury->reason(), HasSubstr("front door"));

  // 6. Acknowledgements with their notes, and the action recorded with its risks.
  esc::ListAlertsRequest alerts_request;
  alerts_request.mutable_filter()->set_include_resolved(true);
  alerts_request.set_limit(500);
  esc::ListAlertsResponse alerts = AsHelen(&esc::AlertService::Stub::ListAlerts, alerts_request);
  scn::v1::AlertMatch staffing;
  staffing.set_rule("indicator-level");
  staffing.set_scope("team/stp-west-kent");
  staffing.set_indicator("stp_staffing_pct");
  const esc::Alert* team = scn::FindAlert(staffing, alerts);
  ASSERT_NE(team, nullptr);
  bool priya = false;
  for (const auto& a : team->acknowledgements()) {
    if (a.user_id() == "priya-nair") priya = !a.note().empty();
  }
  EXPECT_TRUE(priya);
  bool recorded = false;
  for (const auto& r : team->action_records()) {
    if (r.action_id() == "stp-tm-l2-redeploy-across-area" && r.done() && r.by_user() == "priya-nair") {
      recorded = true;
      EXPECT_THAT(r.risks(), HasSubstr("Ashford and Canterbury"));
    }
  }
  EXPECT_TRUE(recorded);
  scn::v1::AlertMatch north;
  north.set_rule("area-level");
  north.set_scope("area/north-kent");
  const esc::Alert* north_kent = scn::FindAlert(north, alerts);
  ASSERT_NE(north_kent, nullptr);
  bool kemi = false;
  for (const auto& a : north_kent->acknowledgements()) kemi |= a.user_id() == "kemi-adebayo";
  EXPECT_TRUE(kemi);
}

}  // namespace
}  // namespace resilience::testing
