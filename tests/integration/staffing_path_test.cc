// The foundation's end-to-end path, through real components only: a team's staffing report over
// gRPC to the workforce service -> the workforce topic on the real broker -> the escalation
// service -> the plan's staffing trigger -> Redis -> an alert streamed to a gRPC subscriber.
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/kafka/rdkafka_producer.h"
#include "events/v1/events.pb.h"
#include "common/redis/hiredis_client.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "tests/integration/service_fixture.h"
#include "tests/testing/wait_for.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;
namespace esc = escalation::v1;

// Collects a subscription's alerts on a thread of its own.
class Subscriber {
 public:
  // Keeps alerts of `rule` only ("" for all): indicator alerts and the area levels they move
  // arrive interleaved.
  Subscriber(const std::string& address, const std::string& resume_token,
             std::string rule = "indicator-level")
      : rule_(std::move(rule)) {
    stub_ = esc::AlertService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    request_.set_resume_token(resume_token);
    context_.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
    thread_ = std::thread([this] {
      auto reader = stub_->Subscribe(&context_, request_);
      esc::AlertStreamItem item;
      while (reader->Read(&item)) {
        absl::MutexLock lock(&mu_);
        subscribed_ = true;  // the first item, a heartbeat, confirms the subscription
        if (item.has_alert() && (rule_.empty() || item.alert().rule() == rule_)) {
          items_.push_back(item);
        }
      }
      absl::MutexLock lock(&mu_);
      finish_ = reader->Finish();
      done_ = true;
    });
  }
  ~Subscriber() {
    context_.TryCancel();
    thread_.join();
  }
  std::vector<esc::AlertStreamItem> Items() {
    absl::MutexLock lock(&mu_);
    return items_;
  }
  bool WaitUntilSubscribed() {
    return WaitFor(
        [&] {
          absl::MutexLock lock(&mu_);
          return subscribed_;
        },
        absl::Seconds(30));
  }
  // The status the stream ended with, once it ended.
  std::optional<grpc::Status> Finished() {
    absl::MutexLock lock(&mu_);
    if (!done_) return std::nullopt;
    return finish_;
  }
  bool WaitForCount(size_t n) {
    return WaitFor([&] { return Items().size() >= n; }, absl::Seconds(60));
  }

 private:
  const std::string rule_;
  std::unique_ptr<esc::AlertService::Stub> stub_;
  grpc::ClientContext context_;
  esc::SubscribeRequest request_;
  absl::Mutex mu_;
  std::vector<esc::AlertStreamItem> items_;
  bool subscribed_ = false;
  grpc::Status finish_;
  bool done_ = false;
  std::thread thread_;
};

class StaffingPathTest : public ServicesTest {
 protected:
  absl::StatusOr<common::v1::UpdateAck> Report(const std::string& update_id, double available) {
    auto stub = workforce::v1::WorkforceService::NewStub(
        grpc::CreateChannel(workforce_->address(), grpc::InsecureChannelCredentials()));
    workforce::v1::StaffingReport report;
    report.set_update_id(update_id);
    report.set_team_id("stp-west-kent");  // establishment 20 WTE
    report.set_available_wte(available);
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", "rostering-kcc");
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(40)));
    common::v1::UpdateAck ack;
    grpc::Status status = stub->ReportStaffing(&context, report, &ack);
    if (!status.ok()) return FromGrpcStatus(status, &context);
    return ack;
  }
};

TEST_F(StaffingPathTest, StaffingReportBecomesAnAlertInASubscriber) {
  Subscriber subscriber(escalation_->address(), "");
  ASSERT_TRUE(subscriber.WaitUntilSubscribed());
  // Green first (18/20 = 90%): no alert. Then 9/20 = 45%: Red by the plan's trigger.
  auto green = Report("u-green", 18);
  ASSERT_THAT(green, IsOk());
  EXPECT_EQ(green->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  auto red = Report("u-red", 9);
  ASSERT_THAT(red, IsOk());
  EXPECT_EQ(red->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  EXPECT_FALSE(red->event_id().empty());

  ASSERT_TRUE(subscriber.WaitForCount(1));
  const esc::Alert first = subscriber.Items()[0].alert();
  EXPECT_EQ(first.alert_id(), "indicator-level/team/stp-west-kent/stp_staffing_pct/1");
  EXPECT_EQ(first.level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(first.previous_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(first.state(), esc::ALERT_STATE_FIRING);
  EXPECT_EQ(first.area_id(), "west-kent");
  ASSERT_EQ(first.evidence_size(), 1);
  EXPECT_DOUBLE_EQ(first.evidence(0).value(), 45.0);
  EXPECT_THAT(first.evidence(0).trigger_row(), HasSubstr(">= 35"));
  EXPECT_EQ(first.evidence(0).provenance().provider_id(), "rostering-kcc");
  EXPECT_EQ(first.evidence(0).provenance().update_id(), "u-red");
  EXPECT_EQ(first.evidence(0).event_id(), red->event_id());

  // The live state is in Redis under the namespace's keys.
  redis::ClientOptions redis_options;
  redis_options.port = RedisPort();
  auto redis = redis::NewHiredisClient(redis_options);
  auto record = redis->Run({"HGET", ns_ + ":{team/stp-west-kent}:ind:stp_staffing_pct", "record"});
  ASSERT_THAT(record, IsOk());
  esc::IndicatorStatus status;
  ASSERT_TRUE(status.ParseFromString(record->str));
  EXPECT_EQ(status.latest().level(), common::v1::OPEL_LEVEL_3_RED);

  // A retry of the same update is acknowledged as a duplicate and never applied twice; the next
  // real change (back to Green) is the very next alert transition, revision 2 of the same alert.
  auto retry = Report("u-red", 9);
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->outcome(), common::v1::UpdateAck::OUTCOME_DUPLICATE);
  EXPECT_EQ(retry->event_id(), red->event_id());
  ASSERT_THAT(Report("u-back", 16), IsOk());  // 80%: Green
  ASSERT_TRUE(subscriber.WaitForCount(2));
  const auto items = subscriber.Items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].alert().alert_id(), first.alert_id());
  EXPECT_EQ(items[1].alert().revision(), 2u);
  EXPECT_EQ(items[1].alert().state(), esc::ALERT_STATE_RESOLVED);

  // A subscriber that reconnects with the first item's token gets what it missed, in order.
  Subscriber resumed(escalation_->address(), items[0].resume_token());
  ASSERT_TRUE(resumed.WaitForCount(1));
  EXPECT_EQ(resumed.Items()[0].resume_token(), items[1].resume_token());
  EXPECT_EQ(resumed.Items()[0].alert().state(), esc::ALERT_STATE_RESOLVED);
}

// The team's Red staffing puts West Kent at OPEL 3 (quorum 1), with the figure as evidence, and
// the county at OPEL 2 ("in some areas"); both are on the status board.
TEST_F(StaffingPathTest, AreaAndCountyLevelsFollow) {
  Subscriber areas(escalation_->address(), "", "area-level");
  ASSERT_TRUE(areas.WaitUntilSubscribed());
  ASSERT_THAT(Report("u-red", 9), IsOk());
  ASSERT_TRUE(areas.WaitForCount(1));
  const esc::Alert area = areas.Items()[0].alert();
  EXPECT_EQ(area.alert_id(), "area-level/area/west-kent/1");
  EXPECT_EQ(area.level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(area.area_id(), "west-kent");
  ASSERT_GE(area.evidence_size(), 1);
  EXPECT_EQ(area.evidence(0).indicator(), "stp_staffing_pct");
  EXPECT_THAT(area.summary(), HasSubstr("expected figures fresh"));
  // Routing by the plan's matrix: at OPEL 3 the director has actions, so is told, with a card.
  std::set<std::string> roles;
  for (const auto& r : area.recipients()) roles.insert(r.role_id());
  EXPECT_TRUE(roles.count("director_asc"));
  EXPECT_TRUE(roles.count("assistant_director"));
  bool director_card = false;
  for (const auto& card : area.action_cards()) {
    if (card.role_id() == "director_asc") director_card = card.actions_size() > 0;
  }
  EXPECT_TRUE(director_card);

  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  std::map<std::string, esc::LevelStatus> levels;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        context.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
        esc::StatusBoard board;
        if (!stub->GetStatusBoard(&context, esc::GetStatusBoardRequest(), &board).ok()) return false;
        levels.clear();
        for (const auto& l : board.levels()) {
          // Board areas share ids with KCC areas ("west-kent"): keep the KCC levels.
          if (l.scope().kind() == common::v1::SCOPE_KIND_AREA ||
              l.scope().kind() == common::v1::SCOPE_KIND_COUNTY) {
            levels[l.scope().id()] = l;
          }
        }
        return levels.count("kent") > 0 &&
               levels["kent"].computed_level() == common::v1::OPEL_LEVEL_2_AMBER;
      },
      absl::Seconds(60)));
  EXPECT_EQ(levels["west-kent"].computed_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(levels["west-kent"].effective_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_GT(levels["west-kent"].expected_indicators(), levels["west-kent"].fresh_indicators());
  EXPECT_LT(levels["west-kent"].coverage(), 1.0);  // only staffing has been reported
}

absl::StatusOr<esc::LevelStatus> Declare(const std::string& address, const std::string& user,
                                         const std::string& area, int level,
                                         const std::string& reason) {
  auto stub = esc::AlertService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("x-staff-user", user);
  grpc::Status status;
  esc::LevelStatus out;
  if (level > 0) {
    esc::DeclareLevelRequest request;
    request.mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
    request.mutable_scope()->set_id(area);
    request.set_level(static_cast<common::v1::OpelLevel>(level));
    request.set_reason(reason);
    status = stub->DeclareLevel(&context, request, &out);
  } else {
    esc::WithdrawDeclarationRequest request;
    request.mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
    request.mutable_scope()->set_id(area);
    request.set_reason(reason);
    status = stub->WithdrawDeclaration(&context, request, &out);
  }
  if (!status.ok()) return FromGrpcStatus(status, &context);
  return out;
}

// DESIGN 4.1: the service manager declares the official level beside the computed one; audited
// with who, why and the computed level at the time.
TEST_F(StaffingPathTest, DeclaredLevelBesideTheComputedOne) {
  Subscriber areas(escalation_->address(), "", "area-level");
  ASSERT_TRUE(areas.WaitUntilSubscribed());
  ASSERT_THAT(Report("u-amber", 12), IsOk());  // 60%: Amber, so West Kent computes OPEL 2
  ASSERT_TRUE(areas.WaitForCount(1));
  const std::string why = "Trend data and the 24 July precedent: holding OPEL 3 today";

  EXPECT_THAT(Declare(escalation_->address(), "priya-nair", "west-kent", 3, why),
              StatusIs(absl::StatusCode::kPermissionDenied));  // a team manager may not
  auto too_short = Declare(escalation_->address(), "helen-marsh", "west-kent", 3, "busy");
  EXPECT_THAT(too_short, StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(FieldViolationsOf(too_short.status()).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(too_short.status())[0].field(), "reason");

  auto declared = Declare(escalation_->address(), "helen-marsh", "west-kent", 3, why);
  ASSERT_THAT(declared, IsOk());
  EXPECT_EQ(declared->computed_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(declared->effective_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(declared->declaration().declared_by(), "helen-marsh");
  EXPECT_EQ(declared->declaration().computed_level_at_declaration(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_TRUE(declared->declaration().has_expires_at());

  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext board_context;
  board_context.AddMetadata("x-staff-user", "helen-marsh");
  esc::StatusBoard board;
  ASSERT_TRUE(stub->GetStatusBoard(&board_context, esc::GetStatusBoardRequest(), &board).ok());
  bool seen = false;
  for (const auto& l : board.levels()) {
    if (l.scope().kind() != common::v1::SCOPE_KIND_AREA || l.scope().id() != "west-kent") continue;
    seen = true;
    EXPECT_EQ(l.effective_level(), common::v1::OPEL_LEVEL_3_RED);
    EXPECT_EQ(l.computed_level(), common::v1::OPEL_LEVEL_2_AMBER);
  }
  EXPECT_TRUE(seen);

  auto withdrawn = Declare(escalation_->address(), "helen-marsh", "west-kent", 0, "Pressure eased after the panel");
  ASSERT_THAT(withdrawn, IsOk());
  EXPECT_EQ(withdrawn->effective_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_FALSE(withdrawn->has_declaration());
  EXPECT_THAT(Declare(escalation_->address(), "helen-marsh", "west-kent", 0, "Nothing to withdraw now"),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  grpc::ClientContext audit_context;
  audit_context.AddMetadata("x-staff-user", "helen-marsh");
  esc::ListAuditRequest request;
  request.set_subject("area/west-kent");
  esc::ListAuditResponse audit;
  ASSERT_TRUE(stub->ListAudit(&audit_context, request, &audit).ok());
  ASSERT_EQ(audit.records_size(), 2);
  EXPECT_EQ(audit.records(0).action(), "level.declared");
  EXPECT_EQ(audit.records(0).actor(), "helen-marsh");
  EXPECT_EQ(audit.records(0).reason(), why);
  EXPECT_EQ(audit.records(0).detail().at("computed_level"), "Amber");
  EXPECT_EQ(audit.records(0).detail().at("declared_level"), "Red");
  EXPECT_EQ(audit.records(1).action(), "level.withdrawn");
}

// An acute site's assessment, published by a trust's system on the capacity topic, is scored
// (DESIGN 4.3) with its breakdown, and rolls up into the ICS aggregate and action level.
TEST_F(StaffingPathTest, AcuteAssessmentIsScoredAndRolledUpToTheIcs) {
  events::v1::DomainEvent event;
  auto* env = event.mutable_envelope();
  env->set_event_id(NewRandomUuid());
  env->set_source("test-trust-system");
  env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
  env->mutable_scope()->set_id("maidstone");
  *env->mutable_occurred_at() = ToProtoTime(absl::Now());
  *env->mutable_received_at() = ToProtoTime(absl::Now());
  *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(absl::Now());
  env->mutable_provenance()->set_provider_id("mtw-trust-system");
  env->set_schema_version(1);
  auto* a = event.mutable_acute_assessment();
  a->set_mean_ambulance_handover_minutes(45);    // 4
  a->set_ed_four_hour_performance_pct(70);       // 2
  a->set_majors_resus_occupancy_pct(110);        // 4
  a->set_median_time_to_treatment_minutes(100);  // 2
  a->set_patients_over_12h_in_ed_pct(6);         // 2
  a->set_ga_bed_occupancy_pct(97);               // 4
  a->set_escalation_beds_pct(5);                 // 2
  a->set_nctr_beds_pct(14);                      // 4; attendances not reported: 0
  kafka::ProducerOptions options;
  options.client.bootstrap_servers = KafkaBootstrap();
  auto producer = kafka::NewRdKafkaProducer(options);
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->Send({ns_ + "capacity", "acute_site/maidstone", event.SerializeAsString(), {}}),
              IsOk());

  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  esc::StatusBoard board;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        context.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
        board.Clear();
        if (!stub->GetStatusBoard(&context, esc::GetStatusBoardRequest(), &board).ok()) return false;
        // Both roll-ups have happened: the ICS, and the board area with Maidstone's figure.
        bool ics = false, board_area = false;
        for (const auto& l : board.levels()) {
          ics = ics || l.scope().kind() == common::v1::SCOPE_KIND_ICS;
          if (l.scope().kind() != common::v1::SCOPE_KIND_BOARD_AREA) continue;
          for (const auto& e : l.evidence()) board_area = board_area || e.scope().id() == "maidstone";
        }
        return ics && board_area;
      },
      absl::Seconds(60)));
  bool site_seen = false;
  for (const auto& i : board.indicators()) {
    if (i.latest().scope().id() != "maidstone") continue;
    site_seen = true;
    EXPECT_EQ(i.latest().indicator(), "acute_opel_assessment");
    EXPECT_DOUBLE_EQ(i.latest().value(), 24);
    EXPECT_EQ(i.latest().level(), common::v1::OPEL_LEVEL_3_RED);
    EXPECT_DOUBLE_EQ(i.latest().components().at("points: Median time to treatment"), 2);
    EXPECT_DOUBLE_EQ(i.latest().components().at("parameters not reported"), 1);
    EXPECT_THAT(i.latest().trigger_row(), HasSubstr("nhse-opel-2023-24"));
  }
  EXPECT_TRUE(site_seen);
  // Maidstone is one of the West Kent board area's system triggers (DESIGN 4.2).
  bool board_area_seen = false;
  for (const auto& l : board.levels()) {
    if (l.scope().kind() != common::v1::SCOPE_KIND_BOARD_AREA || l.scope().id() != "west-kent") continue;
    board_area_seen = true;
    EXPECT_GE(l.fresh_indicators(), 1u);
    EXPECT_GT(l.expected_indicators(), l.fresh_indicators());
    // One Red trigger is below the quorum of five: the system is not at OPEL 3 on it alone.
    EXPECT_NE(l.computed_level(), common::v1::OPEL_LEVEL_3_RED);
  }
  EXPECT_TRUE(board_area_seen);
  for (const auto& l : board.levels()) {
    if (l.scope().kind() != common::v1::SCOPE_KIND_ICS) continue;
    EXPECT_DOUBLE_EQ(l.acute_score().score(), 24);  // one site reporting so far
    EXPECT_EQ(l.action_level(), common::v1::OPEL_LEVEL_3_RED);
    EXPECT_EQ(l.fresh_indicators(), 1u);
    EXPECT_EQ(l.expected_indicators(), 7u);  // seven acute sites in Kent and Medway
  }
}

// DESIGN 4.5: a figure that missed its reporting deadline raises a stale-data alert to the role
// responsible for it; the next update resolves it.
TEST_F(StaffingPathTest, StaleFigureRaisesAnAlertUntilUpdated) {
  Subscriber stale(escalation_->address(), "", "stale-data");
  ASSERT_TRUE(stale.WaitUntilSubscribed());
  kafka::ProducerOptions options;
  options.client.bootstrap_servers = KafkaBootstrap();
  auto producer = kafka::NewRdKafkaProducer(options);
  ASSERT_THAT(producer, IsOk());
  auto referrals = [&](absl::Time at, double value) {
    events::v1::DomainEvent event;
    auto* env = event.mutable_envelope();
    env->set_event_id(NewRandomUuid());
    env->set_source("test-mosaic");
    env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
    env->mutable_scope()->set_id("north-kent");
    *env->mutable_occurred_at() = ToProtoTime(at);
    *env->mutable_received_at() = ToProtoTime(at);
    *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(at);
    env->mutable_provenance()->set_provider_id("kcc-mosaic");
    env->set_schema_version(1);
    event.mutable_observation()->set_indicator("referrals_pending_assessment");
    event.mutable_observation()->set_number(value);
    event.mutable_observation()->set_unit("count");
    return (*producer)->Send({ns_ + "capacity", "area/north-kent", event.SerializeAsString(), {}});
  };
  // Last updated two days ago: it has missed at least one daily deadline since.
  ASSERT_THAT(referrals(absl::Now() - absl::Hours(48), 30), IsOk());
  ASSERT_TRUE(stale.WaitForCount(1));  // raised by the timed evaluation
  const esc::Alert raised = stale.Items()[0].alert();
  EXPECT_EQ(raised.state(), esc::ALERT_STATE_FIRING);
  EXPECT_EQ(raised.area_id(), "north-kent");
  EXPECT_THAT(raised.alert_id(), HasSubstr("stale-data/area/north-kent/referrals_pending_assessment/"));
  ASSERT_GE(raised.recipients_size(), 1);
  EXPECT_THAT(raised.title(), HasSubstr("not updated by"));

  // An update resolves it, once.
  ASSERT_THAT(referrals(absl::Now(), 32), IsOk());
  ASSERT_TRUE(stale.WaitForCount(2));
  EXPECT_EQ(stale.Items()[1].alert().alert_id(), raised.alert_id());
  EXPECT_EQ(stale.Items()[1].alert().state(), esc::ALERT_STATE_RESOLVED);
}

TEST_F(StaffingPathTest, BadReportIsRefusedWithFieldAndReason) {
  auto bad = Report("u-bad", -3);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("available_wte")));
  auto violations = FieldViolationsOf(bad.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field(), "available_wte");
  EXPECT_THAT(violations[0].reason(), HasSubstr("negative"));
  // The service is still up and takes the next valid report.
  auto good = Report("u-good", 15);
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ(good->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
}

absl::StatusOr<esc::Alert> Acknowledge(const std::string& address, const std::string& user,
                                       const std::string& alert_id, const std::string& note) {
  auto stub = esc::AlertService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  if (!user.empty()) context.AddMetadata("x-staff-user", user);
  esc::AcknowledgeRequest request;
  request.set_alert_id(alert_id);
  request.set_note(note);
  esc::Alert alert;
  grpc::Status status = stub->Acknowledge(&context, request, &alert);
  if (!status.ok()) return FromGrpcStatus(status, &context);
  return alert;
}

TEST_F(StaffingPathTest, AcknowledgementIsRecordedAuditedAndStreamed) {
  Subscriber subscriber(escalation_->address(), "");
  ASSERT_TRUE(subscriber.WaitUntilSubscribed());
  ASSERT_THAT(Report("u-red", 9), IsOk());  // 45%: Red
  ASSERT_TRUE(subscriber.WaitForCount(1));
  const std::string id = subscriber.Items()[0].alert().alert_id();

  EXPECT_THAT(Acknowledge(escalation_->address(), "", id, "on it"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // Tom manages the Ashford and Canterbury team: not his area.
  EXPECT_THAT(Acknowledge(escalation_->address(), "tom-ellery", id, "on it"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // At OPEL 3 a note is required.
  auto no_note = Acknowledge(escalation_->address(), "priya-nair", id, "");
  EXPECT_THAT(no_note, StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(FieldViolationsOf(no_note.status()).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(no_note.status())[0].field(), "note");

  auto acked = Acknowledge(escalation_->address(), "priya-nair", id,
                           "Redeploying two practitioners from North Kent until Friday");
  ASSERT_THAT(acked, IsOk());
  EXPECT_EQ(acked->state(), esc::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked->revision(), 2u);
  ASSERT_EQ(acked->acknowledgements_size(), 1);
  EXPECT_EQ(acked->acknowledgements(0).user_id(), "priya-nair");
  EXPECT_EQ(acked->acknowledgements(0).role_id(), "stp_team_manager");
  // A retry changes nothing.
  auto again = Acknowledge(escalation_->address(), "priya-nair", id, "retry");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->revision(), 2u);

  // Subscribers see the acknowledgement; the next figure builds on it (revision 3, the
  // acknowledgement kept).
  ASSERT_TRUE(subscriber.WaitForCount(2));
  EXPECT_EQ(subscriber.Items()[1].alert().state(), esc::ALERT_STATE_ACKNOWLEDGED);
  ASSERT_THAT(Report("u-back", 16), IsOk());
  ASSERT_TRUE(subscriber.WaitForCount(3));
  const esc::Alert resolved = subscriber.Items()[2].alert();
  EXPECT_EQ(resolved.state(), esc::ALERT_STATE_RESOLVED);
  EXPECT_EQ(resolved.revision(), 3u);
  EXPECT_EQ(resolved.acknowledgements_size(), 1);

  // The audit trail: raised, acknowledged (who, why), resolved.
  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
  esc::ListAuditRequest request;
  request.set_subject(id);
  esc::ListAuditResponse audit;
  ASSERT_TRUE(stub->ListAudit(&context, request, &audit).ok());
  ASSERT_EQ(audit.records_size(), 3);
  EXPECT_EQ(audit.records(0).action(), "alert.raised");
  EXPECT_EQ(audit.records(0).actor(), "system:escalation");
  EXPECT_EQ(audit.records(1).action(), "alert.acknowledged");
  EXPECT_EQ(audit.records(1).actor(), "priya-nair");
  EXPECT_THAT(audit.records(1).reason(), HasSubstr("Redeploying"));
  EXPECT_EQ(audit.records(2).action(), "alert.resolved");
}

TEST_F(StaffingPathTest, SubscribersAreToldToReconnectWhenTheServiceStops) {
  Subscriber subscriber(escalation_->address(), "");
  ASSERT_TRUE(subscriber.WaitUntilSubscribed());
  EXPECT_THAT(escalation_->process.Terminate(), IsOkAndHolds(0));
  ASSERT_TRUE(WaitFor([&] { return subscriber.Finished().has_value(); }, absl::Seconds(30)));
  EXPECT_EQ(subscriber.Finished()->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(subscriber.Finished()->error_message(), HasSubstr("resume token"));
}

TEST_F(StaffingPathTest, MalformedResumeTokenIsInvalidArgument) {
  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
  esc::SubscribeRequest request;
  request.set_resume_token("not-a-token");
  auto reader = stub->Subscribe(&context, request);
  esc::AlertStreamItem item;
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// Staff see only what their areas allow (DESIGN 8): an East Kent team manager cannot list,
// read or follow West Kent's alerts; reads without a signed-in user are refused.
TEST_F(StaffingPathTest, ReadsFollowTheSignedInUsersAreas) {
  ASSERT_THAT(Report("u-areas", 9), IsOk());  // West Kent Red
  auto stub = esc::AlertService::NewStub(
      grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  const std::string id = "indicator-level/team/stp-west-kent/stp_staffing_pct/1";
  auto get = [&](const std::string& user) {
    grpc::ClientContext context;
    if (!user.empty()) context.AddMetadata("x-staff-user", user);
    esc::GetAlertRequest request;
    request.set_alert_id(id);
    esc::Alert alert;
    return stub->GetAlert(&context, request, &alert).error_code();
  };
  ASSERT_TRUE(WaitFor([&] { return get("priya-nair") == grpc::StatusCode::OK; }, absl::Seconds(60)));
  EXPECT_EQ(get("tom-ellery"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get(""), grpc::StatusCode::UNAUTHENTICATED);
  auto list = [&](const std::string& user) {
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", user);
    esc::ListAlertsResponse response;
    EXPECT_TRUE(stub->ListAlerts(&context, esc::ListAlertsRequest(), &response).ok());
    std::set<std::string> areas;
    for (const auto& a : response.alerts()) areas.insert(a.area_id());
    return areas;
  };
  EXPECT_TRUE(list("priya-nair").count("west-kent"));
  EXPECT_FALSE(list("tom-ellery").count("west-kent"));
  // The board hides another area's figures and levels; county-wide ones stay.
  grpc::ClientContext context;
  context.AddMetadata("x-staff-user", "tom-ellery");
  esc::StatusBoard board;
  ASSERT_TRUE(stub->GetStatusBoard(&context, esc::GetStatusBoardRequest(), &board).ok());
  for (const auto& i : board.indicators()) EXPECT_NE(i.latest().scope().id(), "stp-west-kent");
  for (const auto& l : board.levels()) {
    EXPECT_FALSE(l.scope().kind() == common::v1::SCOPE_KIND_AREA && l.scope().id() == "west-kent");
  }
  // Following another area's alerts is refused.
  grpc::ClientContext follow;
  follow.AddMetadata("x-staff-user", "tom-ellery");
  esc::SubscribeRequest request;
  request.mutable_filter()->add_area_ids("west-kent");
  auto reader = stub->Subscribe(&follow, request);
  esc::AlertStreamItem item;
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace resilience::testing
