// The workforce service against the real broker: absences streamed with one acknowledgement
// each (a bad one in the middle rejected, its neighbours kept), a level change published exactly
// once for one absence, again when the absence ends as the clock passes midnight, and again
// (once) when midnight passed while the service was down.
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/clock/proto_time.h"
#include "common/kafka/rdkafka_consumer.h"
#include "events/v1/events.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::testing {
namespace {

using ::testing::ElementsAre;
namespace wf = workforce::v1;

// Midnight in London at the end of Monday 23 November 2026 (GMT: UTC+0 in November).
const absl::Time kMidnight = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 0, 0, 0), absl::UTCTimeZone());

// Reads the staffing figures published for one team, in order.
class PublishedFigures {
 public:
  PublishedFigures(const std::string& topic, const std::string& team) : team_(team) {
    kafka::ConsumerOptions options;
    options.client.bootstrap_servers = KafkaBootstrap();
    options.group_id = topic + "-reader";
    options.topics = {topic};
    auto consumer = kafka::NewRdKafkaConsumer(options);
    EXPECT_THAT(consumer, IsOk());
    consumer_ = *std::move(consumer);
    thread_ = std::thread([this] {
      while (!stop_) {
        auto r = consumer_->Poll(absl::Milliseconds(100));
        if (!r.ok() || !r->has_value()) continue;
        events::v1::DomainEvent e;
        if (!e.ParseFromString((*r)->value) || e.envelope().scope().id() != team_) continue;
        absl::MutexLock lock(&mu_);
        pct_.push_back(e.observation().number());
        ids_.push_back(e.envelope().event_id());
      }
    });
  }
  ~PublishedFigures() {
    stop_ = true;
    thread_.join();
  }
  std::vector<double> Pct() {
    absl::MutexLock lock(&mu_);
    return pct_;
  }
  std::vector<std::string> Ids() {
    absl::MutexLock lock(&mu_);
    return ids_;
  }
  // Waits until the latest figure is `pct`.
  bool WaitForLatest(double pct) {
    return WaitFor([&] {
      auto p = Pct();
      return !p.empty() && std::abs(p.back() - pct) < 1e-9;
    }, absl::Seconds(60));
  }

 private:
  const std::string team_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<double> pct_;
  std::vector<std::string> ids_;
};

wf::WorkforceUpdate Absence(const std::string& id, const std::string& person, absl::Time start,
                            std::optional<absl::Time> end) {
  wf::WorkforceUpdate u;
  u.set_update_id("u-" + id);
  auto* a = u.mutable_absence();
  a->set_absence_id(id);
  a->set_person_ref(person);
  a->set_team_id("stp-west-kent");  // 20 WTE
  a->set_kind(wf::ABSENCE_KIND_SICKNESS);
  *a->mutable_starts_at() = ToProtoTime(start);
  if (end) *a->mutable_ends_at() = ToProtoTime(*end);
  return u;
}

class WorkforceAbsenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("wf");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
  }

  void Start(absl::Time clock_start) {
    auto service = StartService(
        "workforce-service",
        {"--config=" + SourceDir() + "/deploy/config/kent-medway/workforce.textproto",
         "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--kafka_bootstrap=" + KafkaBootstrap(),
         "--topic_prefix=" + ns_, "--clock_start=" + absl::FormatTime(absl::RFC3339_full, clock_start, absl::UTCTimeZone())});
    ASSERT_THAT(service, IsOk());
    service_ = std::make_unique<RunningService>(*std::move(service));
    stub_ = wf::WorkforceService::NewStub(
        grpc::CreateChannel(service_->address(), grpc::InsecureChannelCredentials()));
  }

  absl::StatusOr<common::v1::UpdateAck> Submit(const wf::WorkforceUpdate& u) {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", "rostering-kcc");
    common::v1::UpdateAck ack;
    grpc::Status s = stub_->SubmitUpdate(&context, u, &ack);
    if (!s.ok()) return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return ack;
  }

  void TearDown() override {
    if (HasFailure() && service_) std::cerr << service_->process.LogTail(40);
  }

  std::string ns_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<wf::WorkforceService::Stub> stub_;
};

TEST_F(WorkforceAbsenceTest, PublishedOnceOnChangeAtMidnightAndAcrossARestart) {
  PublishedFigures figures(ns_ + "workforce", "stp-west-kent");
  // The service's clock starts 20 s before midnight.
  ASSERT_NO_FATAL_FAILURE(Start(kMidnight - absl::Seconds(20)));
  ASSERT_TRUE(figures.WaitForLatest(100));  // start-up publication: nobody away

  // Six people off sick, open-ended, streamed with one ack each; a bad update in the middle is
  // rejected with its field and the updates after it are still taken.
  {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", "rostering-kcc");
    auto stream = stub_->StreamUpdates(&context);
    std::vector<common::v1::UpdateAck::Outcome> outcomes;
    for (int i = 1; i <= 7; ++i) {
      wf::WorkforceUpdate u = Absence("open-" + std::to_string(i), "p" + std::to_string(i),
                                      kMidnight - absl::Hours(30), std::nullopt);
      if (i == 4) u.mutable_absence()->set_team_id("no-such-team");
      ASSERT_TRUE(stream->Write(u));
      common::v1::UpdateAck ack;
      ASSERT_TRUE(stream->Read(&ack));
      EXPECT_EQ(ack.update_id(), u.update_id());
      outcomes.push_back(ack.outcome());
      if (i == 4) {
        ASSERT_EQ(ack.violations_size(), 1);
        EXPECT_EQ(ack.violations(0).field(), "absence.team_id");
      }
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    const auto A = common::v1::UpdateAck::OUTCOME_ACCEPTED;
    EXPECT_THAT(outcomes, ElementsAre(A, A, A, common::v1::UpdateAck::OUTCOME_REJECTED, A, A, A));
  }
  ASSERT_TRUE(figures.WaitForLatest(70));  // 6 of 20 away: 70%, still Green

  // One more absence, ending at midnight: 65%, Amber. Published once; a retry is a duplicate.
  const auto until_midnight = Absence("tonight", "p8", kMidnight - absl::Hours(10), kMidnight);
  auto ack = Submit(until_midnight);
  ASSERT_THAT(ack, IsOk());
  EXPECT_EQ(ack->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  ASSERT_TRUE(figures.WaitForLatest(65));
  auto retry = Submit(until_midnight);
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->outcome(), common::v1::UpdateAck::OUTCOME_DUPLICATE);

  // The clock passes midnight: the absence ends and 70% is published, once.
  ASSERT_TRUE(figures.WaitForLatest(70));

  // Another absence ends at the next midnight; the service is killed before it and restarted
  // after it: the change is published once, at start-up.
  const absl::Time next_midnight = kMidnight + absl::Hours(24);
  ASSERT_THAT(Submit(Absence("tomorrow", "p9", kMidnight, next_midnight)), IsOk());
  ASSERT_TRUE(figures.WaitForLatest(65));
  service_->process.Kill();
  ASSERT_NO_FATAL_FAILURE(Start(next_midnight + absl::Seconds(5)));
  ASSERT_TRUE(figures.WaitForLatest(70));

  // A last change shows nothing was published twice in between.
  ASSERT_THAT(Submit(Absence("last", "p10", next_midnight, std::nullopt)), IsOk());
  ASSERT_TRUE(figures.WaitForLatest(65));
  const std::vector<double> pct = figures.Pct();
  // 100 at start, then one figure per open-ended absence accepted (95, 90, 85, 80, 75, 70: they
  // may be batched into fewer), then exactly: 65, 70 (midnight), 65, 70 (after restart), 65.
  ASSERT_GE(pct.size(), 7u);
  EXPECT_THAT(std::vector<double>(pct.end() - 5, pct.end()), ElementsAre(65, 70, 65, 70, 65));
  const auto ids = figures.Ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "an event id repeated";
}

TEST_F(WorkforceAbsenceTest, QueriesAndMutualAid) {
  ASSERT_NO_FATAL_FAILURE(Start(kMidnight - absl::Hours(12)));
  for (int i = 1; i <= 10; ++i) {  // half of West Kent away: 50%, Amber
    ASSERT_THAT(Submit(Absence("a" + std::to_string(i), "p" + std::to_string(i),
                               kMidnight - absl::Hours(20), kMidnight + absl::Hours(48))),
                IsOk());
  }
  grpc::ClientContext c1;
  wf::GetTeamStaffingRequest staffing_request;
  staffing_request.set_team_id("stp-west-kent");
  wf::TeamStaffing staffing;
  ASSERT_TRUE(stub_->GetTeamStaffing(&c1, staffing_request, &staffing).ok());
  EXPECT_DOUBLE_EQ(staffing.now().staffing_pct(), 50);
  EXPECT_EQ(staffing.now().level(), common::v1::OPEL_LEVEL_2_AMBER);
  ASSERT_EQ(staffing.ahead_size(), 14);
  EXPECT_DOUBLE_EQ(staffing.ahead(0).staffing_pct(), 50);   // tomorrow: still away
  EXPECT_DOUBLE_EQ(staffing.ahead(2).staffing_pct(), 100);  // back by then

  grpc::ClientContext c2;
  wf::SuggestMutualAidRequest aid_request;
  aid_request.set_team_id("stp-west-kent");
  wf::SuggestMutualAidResponse aid;
  ASSERT_TRUE(stub_->SuggestMutualAid(&c2, aid_request, &aid).ok());
  EXPECT_DOUBLE_EQ(aid.needed_wte(), 4);
  ASSERT_GT(aid.offers_size(), 0);
  EXPECT_DOUBLE_EQ(aid.unmet_wte(), 0);

  grpc::ClientContext c3;
  wf::ListAbsencesRequest list_request;
  list_request.set_team_id("stp-west-kent");
  wf::ListAbsencesResponse list;
  ASSERT_TRUE(stub_->ListAbsences(&c3, list_request, &list).ok());
  EXPECT_EQ(list.absences_size(), 10);

  grpc::ClientContext c4;
  wf::SuggestMutualAidRequest bad;
  bad.set_team_id("stp-west-kent");
  bad.set_day("tomorrow");
  EXPECT_EQ(stub_->SuggestMutualAid(&c4, bad, &aid).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// DESIGN 8: a provider writes only its own teams; a care home group is refused a KCC team.
TEST_F(WorkforceAbsenceTest, ProviderWritingAnotherProvidersTeamIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Start(kMidnight));
  grpc::ClientContext context;
  context.AddMetadata("x-provider-id", "care-group-weald");
  common::v1::UpdateAck ack;
  wf::WorkforceUpdate u = Absence("not-mine", "p1", kMidnight, std::nullopt);
  grpc::Status s = stub_->SubmitUpdate(&context, u, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("may not write team"));
  // The team's own rostering system is accepted.
  auto accepted = Submit(Absence("mine", "p1", kMidnight, std::nullopt));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
}

}  // namespace
}  // namespace resilience::testing
