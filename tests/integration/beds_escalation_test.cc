// The beds service's figures reach the real escalation service through the real broker, and
// its live state in the real Redis: a full Integrated Care Centre (no assessment bed free) is
// Black by the assessment bed occupancy trigger, with the bed counts as evidence, and back to
// Green when beds free up. The beds service itself keeps no state in Redis.
#include "common/clock/proto_time.h"
#include "common/redis/hiredis_client.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "tests/integration/beds_test_support.h"

namespace resilience::testing {
namespace {

namespace esc = escalation::v1;

class BedsEscalationTest : public BedsServiceTest {
 protected:
  void StartEscalation() {
    auto escalation = StartService(
        "escalation-service",
        {"--config=" + SourceDir() + "/deploy/config/kent-medway/escalation.textproto",
         "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--kafka_bootstrap=" + KafkaBootstrap(), "--redis_port=" + std::to_string(RedisPort()),
         "--namespace=" + ns_});
    ASSERT_THAT(escalation, IsOk());
    escalation_ = std::make_unique<RunningService>(*std::move(escalation));
    alerts_ = esc::AlertService::NewStub(
        grpc::CreateChannel(escalation_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    BedsServiceTest::TearDown();
    if (HasFailure() && escalation_) std::cerr << escalation_->process.LogTail(40);
  }

  std::optional<esc::Alert> Alert(const std::string& id) {
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", "helen-marsh");  // county-wide service manager
    esc::GetAlertRequest q;
    q.set_alert_id(id);
    esc::Alert alert;
    if (!alerts_->GetAlert(&context, q, &alert).ok()) return std::nullopt;
    return alert;
  }

  void Report(const std::string& id, int assessment, int dementia) {
    beds::v1::BedUpdate u;
    u.set_update_id(id);
    *u.mutable_occurred_at() = ToProtoTime(absl::Now());
    u.mutable_snapshot()->set_location_id("icc-orchard-view");  // 24 assessment, 8 dementia
    auto* a = u.mutable_snapshot()->add_beds();
    a->set_bed_type(reference::v1::BED_TYPE_ASSESSMENT);
    a->set_occupied(assessment);
    auto* d = u.mutable_snapshot()->add_beds();
    d->set_bed_type(reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT);
    d->set_occupied(dementia);
    auto ack = Submit(u, "bed-management-kcc");
    ASSERT_THAT(ack, IsOk());
    ASSERT_EQ(ack->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  }

  std::unique_ptr<RunningService> escalation_;
  std::unique_ptr<esc::AlertService::Stub> alerts_;
};

TEST_F(BedsEscalationTest, AFullUnitIsBlackWithItsBedCountsAsEvidence) {
  ASSERT_NO_FATAL_FAILURE(StartEscalation());
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(Report("full", 24, 8));
  const std::string id = "indicator-level/location/icc-orchard-view/assessment_bed_occupancy_pct/1";
  ASSERT_TRUE(WaitFor([&] { return Alert(id).has_value(); }, absl::Seconds(60)));
  const esc::Alert alert = *Alert(id);
  EXPECT_EQ(alert.level(), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_EQ(alert.area_id(), "ashford-canterbury");
  ASSERT_GE(alert.evidence_size(), 1);
  EXPECT_DOUBLE_EQ(alert.evidence(0).value(), 100);
  EXPECT_EQ(alert.evidence(0).provenance().provider_id(), "bed-management-kcc");
  EXPECT_EQ(alert.evidence(0).provenance().update_id(), "full");
  const auto& parts = alert.evidence(0).components();
  ASSERT_EQ(parts.count("total"), 1u);
  EXPECT_DOUBLE_EQ(parts.at("total"), 32);
  EXPECT_DOUBLE_EQ(parts.at("occupied"), 32);
  EXPECT_DOUBLE_EQ(parts.at("available"), 0);

  // Escalation's live state in Redis, under the test's namespace.
  redis::ClientOptions options;
  options.port = RedisPort();
  auto redis = redis::NewHiredisClient(options);
  auto record = redis->Run(
      {"HGET", ns_ + ":{location/icc-orchard-view}:ind:assessment_bed_occupancy_pct", "record"});
  ASSERT_THAT(record, IsOk());
  esc::IndicatorStatus status;
  ASSERT_TRUE(status.ParseFromString(record->str));
  EXPECT_EQ(status.latest().level(), common::v1::OPEL_LEVEL_4_BLACK);

  // Beds free up: 16 of 32 not available is 50%, Green; the alert resolves.
  ASSERT_NO_FATAL_FAILURE(Report("freed", 10, 6));
  ASSERT_TRUE(WaitFor([&] {
    auto a = Alert(id);
    return a.has_value() && a->state() == esc::ALERT_STATE_RESOLVED;
  }, absl::Seconds(60)));
}

}  // namespace
}  // namespace resilience::testing
