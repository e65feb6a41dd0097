// The notifier end to end: alerts raised by the real escalation service are delivered by the real
// console binary to a local webhook receiver that fails the first attempts (503 with Retry-After,
// then a dropped-ish 500); after the retries every alert revision has been delivered exactly once,
// grouped by group id, every attempt is visible at /api/notifications, and a restart of the
// console delivers nothing twice.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "escalation/v1/alert_service.pb.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"
#include "tests/integration/console_test_support.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;

// A webhook receiver that answers 503 (Retry-After: 1) and then 500 to the first two requests,
// and 200 afterwards, keeping every accepted body.
class FlakyReceiver {
 public:
  FlakyReceiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      ++requests_;
      if (requests_ == 1) {
        res.status = 503;
        res.set_header("Retry-After", "1");
        return;
      }
      if (requests_ == 2) {
        res.status = 500;
        return;
      }
      accepted_.push_back(req.body);
      res.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FlakyReceiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  int requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  // alert id#revision -> how many accepted deliveries carried it; and each body's group ids.
  std::map<std::string, int> Delivered(std::vector<std::set<std::string>>* groups = nullptr) {
    absl::MutexLock lock(&mu_);
    std::map<std::string, int> out;
    for (const auto& body : accepted_) {
      escalation::v1::ListAlertsResponse alerts;  // {"group_id":..., "alerts":[...]}
      google::protobuf::util::JsonParseOptions options;
      options.ignore_unknown_fields = true;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &alerts, options).ok()) << body;
      std::set<std::string> group_ids;
      for (const auto& a : alerts.alerts()) {
        ++out[absl::StrCat(a.alert_id(), "#", a.revision())];
        group_ids.insert(a.group_id());
      }
      if (groups != nullptr) groups->push_back(group_ids);
    }
    return out;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  int requests_ = 0;
  std::vector<std::string> accepted_;
};

TEST(ConsoleNotifierTest, EveryAlertDeliveredOnceAfterRetries) {
  FlakyReceiver receiver;
  console::v1::NotifierConfig notifier;
  notifier.set_enabled(true);
  notifier.set_group_wait_seconds(1);
  notifier.set_request_timeout_ms(2000);
  notifier.mutable_retry()->set_max_attempts(6);
  notifier.mutable_retry()->set_initial_backoff_ms(100);
  notifier.mutable_retry()->set_max_backoff_ms(2000);
  notifier.mutable_retry()->set_jitter(0);
  auto* route = notifier.add_routes();
  route->set_route_id("test-receiver");
  route->set_url(absl::StrCat("http://127.0.0.1:", receiver.port(), "/hook"));
  route->set_format(console::v1::WEBHOOK_FORMAT_JSON);
  auto stack = ConsoleStack::Start(notifier);
  ASSERT_THAT(stack, IsOk());
  auto session = (*stack)->SignIn("helen-marsh");
  ASSERT_THAT(session, IsOk());
  // The notifier is following once the feed is: wait for the console's own feed to be live.
  {
    SseReader feed((*stack)->console_port(), *session);
    ASSERT_TRUE(feed.WaitFor("heartbeat", "").has_value());
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        httplib::Client c("127.0.0.1", (*stack)->console_port());
        auto r = c.Get("/metrics");
        return r && r->body.find("console_notifier_waiting_groups") != std::string::npos;
      },
      absl::Seconds(30)));

  // Two teams go Red: each raises its indicator alert and moves its area's level.
  ASSERT_THAT((*stack)->PublishStaffing("stp-west-kent", 45), IsOk());
  ASSERT_THAT((*stack)->PublishStaffing("stp-north-kent", 40), IsOk());
  const std::string west = "indicator-level/team/stp-west-kent/stp_staffing_pct/1#1";
  const std::string north = "indicator-level/team/stp-north-kent/stp_staffing_pct/1#1";
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = receiver.Delivered();
        return d.count(west) && d.count(north) && d.count("area-level/area/west-kent/1#1") &&
               d.count("area-level/area/north-kent/1#1");
      },
      absl::Seconds(90)))
      << (*stack)->Logs();
  EXPECT_GE(receiver.requests(), 3);  // the two failures, then successes

  // A later alert, delivered after a restart of the console, proves the earlier ones are not
  // delivered again (deduplicated by alert id and revision, resume token kept on disk).
  ASSERT_THAT((*stack)->RestartConsole(), IsOk());
  ASSERT_THAT((*stack)->PublishStaffing("stp-west-kent", 90), IsOk());  // back to Green: resolved
  ASSERT_THAT((*stack)->PublishStaffing("stp-ashford-canterbury", 30), IsOk());  // Black
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& [key, n] : receiver.Delivered()) {
          if (key.rfind("indicator-level/team/stp-ashford-canterbury/", 0) == 0) return true;
        }
        return false;
      },
      absl::Seconds(90)))
      << (*stack)->Logs();

  std::vector<std::set<std::string>> groups;
  for (const auto& [key, n] : receiver.Delivered(&groups)) EXPECT_EQ(n, 1) << key << " delivered " << n << " times";
  for (const auto& g : groups) EXPECT_EQ(g.size(), 1u) << "one message carries one group";
  // Firing alerts only on this route: the resolution of West Kent's staffing is not sent.
  EXPECT_EQ(receiver.Delivered().count("indicator-level/team/stp-west-kent/stp_staffing_pct/1#2"), 0u);

  // Every attempt is recorded: the retries before the first success included.
  auto session2 = (*stack)->SignIn("helen-marsh");
  ASSERT_THAT(session2, IsOk());
  httplib::Client client("127.0.0.1", (*stack)->console_port());
  auto attempts = client.Get("/api/notifications", {{"Cookie", "console_session=" + *session2}});
  ASSERT_EQ(attempts->status, 200);
  EXPECT_THAT(attempts->body, HasSubstr("\"outcome\":\"delivered\""));

  // And each attempt is in the alert's own audit trail, recorded by the notifier's service
  // account: the failures before the delivery included.
  auto stub = escalation::v1::AlertService::NewStub(
      grpc::CreateChannel((*stack)->escalation_address(), grpc::InsecureChannelCredentials()));
  auto attempts_of = [&](const std::string& alert_id) {
    std::vector<escalation::v1::AuditRecord> out;
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", "helen-marsh");
    escalation::v1::ListAuditRequest request;
    request.set_subject(alert_id);
    escalation::v1::ListAuditResponse audit;
    if (!stub->ListAudit(&context, request, &audit).ok()) return out;
    for (const auto& r : audit.records()) {
      if (r.action() == "notification.attempt") out.push_back(r);
    }
    return out;
  };
  int delivered = 0, failed = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        delivered = failed = 0;
        for (const char* id : {"indicator-level/team/stp-west-kent/stp_staffing_pct/1",
                               "indicator-level/team/stp-north-kent/stp_staffing_pct/1",
                               "area-level/area/west-kent/1", "area-level/area/north-kent/1"}) {
          for (const auto& r : attempts_of(id)) {
            EXPECT_EQ(r.actor(), "console-notifier");
            (r.detail().at("outcome") == "delivered" ? delivered : failed) += 1;
          }
        }
        return delivered >= 4 && failed >= 1;
      },
      absl::Seconds(30)))
      << "delivered " << delivered << ", failed " << failed << "\n" << (*stack)->Logs();
}

}  // namespace
}  // namespace resilience::testing
