// The notifier's pure parts: routing, grouping with deduplication, retry and backoff, bodies.
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/console/notifier/delivery_retry.h"
#include "services/console/notifier/notification_batcher.h"
#include "services/console/notifier/webhook_body.h"
#include "services/console/notifier/webhook_routing.h"
#include "tests/testing/infra.h"

namespace resilience::console {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace esc = escalation::v1;

std::shared_ptr<const ReferenceIndex> Reference() {
  static auto* reference = new std::shared_ptr<const ReferenceIndex>(
      *ReferenceIndex::Load(testing::SourceDir() + "/deploy/config/kent-medway/reference.textproto"));
  return *reference;
}

esc::Alert MakeAlert(const std::string& id, const std::string& area, int level,
                     esc::AlertState state = esc::ALERT_STATE_FIRING, uint64_t revision = 1,
                     const std::string& group = "") {
  esc::Alert a;
  a.set_alert_id(id);
  a.set_area_id(area);
  a.set_level(static_cast<common::v1::OpelLevel>(level));
  a.set_state(state);
  a.set_revision(revision);
  a.set_group_id(group);
  a.set_title("Short-term Pathway West Kent staffing Red (45.0%)");
  auto* r = a.add_recipients();
  r->set_role_id("stp_team_manager");
  r->add_user_ids("priya-nair");
  auto* card = a.add_action_cards();
  card->set_role_id("stp_team_manager");
  card->set_role_name("Short-term Pathway Team Manager");
  card->add_actions()->set_text("Review staffing and redeploy");
  return a;
}

v1::NotifierConfig Routes() {
  v1::NotifierConfig n;
  n.set_enabled(true);
  auto* west = n.add_routes();
  west->set_route_id("west");
  west->set_role_id("stp_team_manager");
  west->add_area_ids("west-kent");
  west->set_min_level(common::v1::OPEL_LEVEL_2_AMBER);
  west->set_url("http://hooks/west");
  auto* all = n.add_routes();
  all->set_route_id("all");
  all->set_url("http://hooks/all");
  all->set_include_transitions(true);
  auto* county = n.add_routes();
  county->set_route_id("county");
  county->add_area_ids("north-kent");
  county->set_include_county_wide(true);
  county->set_url("http://hooks/county");
  auto* silenced = n.add_routes();
  silenced->set_route_id("silenced-too");
  silenced->set_include_silenced(true);
  silenced->set_url("http://hooks/silenced");
  auto* dup = n.add_routes();
  dup->set_route_id("same-url");
  dup->set_url("http://hooks/all");
  return n;
}

std::vector<std::string> RouteIds(const std::vector<Destination>& d) {
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.route_id);
  return out;
}

TEST(WebhookRoutingTest, ByAreaRoleLevelTransitionAndSilence) {
  const auto& ref = *Reference();
  const v1::NotifierConfig n = Routes();
  // West Kent, Red, firing: west (area, role, level), all, silenced-too; each URL once.
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "west-kent", 3), n, ref)),
              ElementsAre("west", "all", "silenced-too"));
  // Green is below west's minimum (Amber): boundary at exactly Amber passes.
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "west-kent", 1), n, ref)),
              ElementsAre("all", "silenced-too"));
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "west-kent", 2), n, ref)),
              ElementsAre("west", "all", "silenced-too"));
  // Another area: not west; north-kent matches county's area list.
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "north-kent", 3), n, ref)),
              ElementsAre("all", "county", "silenced-too"));
  // A county-wide alert goes to an area route only with include_county_wide.
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "", 3), n, ref)),
              ElementsAre("all", "county", "silenced-too"));
  // Acknowledged: only routes that ask for transitions.
  EXPECT_THAT(RouteIds(DestinationsFor(MakeAlert("a", "west-kent", 3, esc::ALERT_STATE_ACKNOWLEDGED), n, ref)),
              ElementsAre("all"));
  // Silenced: only routes that ask for silenced alerts.
  esc::Alert silenced = MakeAlert("a", "west-kent", 3);
  silenced.set_silence_id("s-1");
  EXPECT_THAT(RouteIds(DestinationsFor(silenced, n, ref)), ElementsAre("silenced-too"));
  // Role filter: no stp_team_manager among recipients.
  esc::Alert director_only = MakeAlert("a", "west-kent", 3);
  director_only.mutable_recipients(0)->set_role_id("director_asc");
  EXPECT_THAT(RouteIds(DestinationsFor(director_only, n, ref)), ElementsAre("all", "silenced-too"));
  // Disabled: nothing.
  v1::NotifierConfig off = n;
  off.set_enabled(false);
  EXPECT_TRUE(DestinationsFor(MakeAlert("a", "west-kent", 3), off, ref).empty());
}

TEST(WebhookRoutingTest, PeopleWithAWebhookWhenAsked) {
  v1::NotifierConfig n;
  n.set_enabled(true);
  n.set_deliver_to_people(true);
  const auto d = DestinationsFor(MakeAlert("a", "west-kent", 3), n, *Reference());
  ASSERT_EQ(d.size(), 1u);  // priya-nair has a webhook in the reference data
  EXPECT_EQ(d[0].route_id, "person:priya-nair");
  EXPECT_EQ(d[0].format, v1::WEBHOOK_FORMAT_CHAT_TEXT);
  EXPECT_TRUE(DestinationsFor(MakeAlert("a", "west-kent", 3, esc::ALERT_STATE_RESOLVED), n,
                              *Reference()).empty());
}

TEST(NotificationBatcherTest, GroupsWaitTogetherAndDeduplicate) {
  NotificationBatcher batcher;
  const Destination west{"west", "http://hooks/west", v1::WEBHOOK_FORMAT_JSON, "", ""};
  const Destination all{"all", "http://hooks/all", v1::WEBHOOK_FORMAT_JSON, "", ""};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  DeliveryLedger delivered;
  EXPECT_EQ(batcher.Add(MakeAlert("a", "west-kent", 3, esc::ALERT_STATE_FIRING, 1, "g"), {west, all}, 1, t0, delivered), 2);
  EXPECT_EQ(batcher.Add(MakeAlert("b", "west-kent", 3, esc::ALERT_STATE_FIRING, 1, "g"), {west}, 2, t0 + absl::Seconds(5), delivered), 1);
  // The same revision again (a replay after restart) is not added twice.
  EXPECT_EQ(batcher.Add(MakeAlert("a", "west-kent", 3, esc::ALERT_STATE_FIRING, 1, "g"), {west}, 3, t0 + absl::Seconds(6), delivered), 0);
  // A newer revision of a waiting alert replaces it in the message.
  EXPECT_EQ(batcher.Add(MakeAlert("a", "west-kent", 4, esc::ALERT_STATE_FIRING, 2, "g"), {west}, 4, t0 + absl::Seconds(7), delivered), 1);
  // Another group waits on its own.
  EXPECT_EQ(batcher.Add(MakeAlert("c", "north-kent", 2, esc::ALERT_STATE_FIRING, 1, "h"), {west}, 5, t0 + absl::Seconds(20), delivered), 1);

  EXPECT_TRUE(batcher.TakeDue(t0 + absl::Seconds(29), absl::Seconds(30)).empty());
  auto due = batcher.TakeDue(t0 + absl::Seconds(30), absl::Seconds(30));  // exactly the wait
  ASSERT_EQ(due.size(), 2u);  // group g to both URLs
  const Notification* to_west = due[0].destination.url == west.url ? &due[0] : &due[1];
  ASSERT_EQ(to_west->alerts.size(), 2u);
  EXPECT_EQ(to_west->alerts[0].alert_id(), "a");
  EXPECT_EQ(to_west->alerts[0].revision(), 2u);
  EXPECT_EQ(to_west->alerts[1].alert_id(), "b");
  EXPECT_THAT(to_west->sequences, ElementsAre(1, 2, 4));
  EXPECT_EQ(to_west->keys.size(), 3u);
  EXPECT_EQ(batcher.waiting(), 1u);

  // Once delivered, the key is in the ledger: a replay adds nothing.
  for (const auto& k : to_west->keys) EXPECT_TRUE(delivered.Record(k));
  EXPECT_FALSE(delivered.Record(to_west->keys[0])) << "recorded once";
  EXPECT_EQ(batcher.Add(MakeAlert("b", "west-kent", 3, esc::ALERT_STATE_FIRING, 1, "g"), {west}, 6, t0 + absl::Seconds(40), delivered), 0);
}

// After a Redis wipe, a notifier resuming from a token older than the rebuilt stream is replayed
// every revision the rebuild read, including ones it never sent (it was down, or they were
// superseded while waiting). A destination that was sent revision 3 must not be sent revision 2
// after it; a later revision, or the same alert to a URL that never had it, still goes.
TEST(NotificationBatcherTest, AReplayedOlderRevisionIsNotSentAfterALaterOne) {
  NotificationBatcher batcher;
  const Destination west{"west", "http://hooks/west", v1::WEBHOOK_FORMAT_JSON, "", ""};
  const Destination all{"all", "http://hooks/all", v1::WEBHOOK_FORMAT_JSON, "", ""};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  DeliveryLedger delivered;
  const esc::Alert third = MakeAlert("a", "west-kent", 4, esc::ALERT_STATE_FIRING, 3, "g");
  ASSERT_TRUE(delivered.Record(DeliveryKey(west.url, third)));
  EXPECT_TRUE(delivered.Covers(west.url, third));
  EXPECT_FALSE(delivered.Covers(all.url, third));

  const esc::Alert second = MakeAlert("a", "west-kent", 3, esc::ALERT_STATE_FIRING, 2, "g");
  EXPECT_EQ(batcher.Add(second, {west}, 1, t0, delivered), 0);
  EXPECT_EQ(batcher.Add(second, {west, all}, 2, t0, delivered), 1);  // `all` never had it
  const esc::Alert fourth = MakeAlert("a", "west-kent", 4, esc::ALERT_STATE_RESOLVED, 4, "g");
  EXPECT_EQ(batcher.Add(fourth, {west}, 3, t0, delivered), 1);
  // A ledger line that is not a delivery key is ignored, not read as a revision.
  EXPECT_FALSE(delivered.Record("http://hooks/west\ta"));
  EXPECT_FALSE(delivered.Record("http://hooks/west\ta\tlatest"));
}

TEST(DeliveryRetryTest, WhichOutcomesAreRetried) {
  const std::pair<int, AttemptOutcome> cases[] = {
      {200, AttemptOutcome::kDelivered}, {204, AttemptOutcome::kDelivered},
      {299, AttemptOutcome::kDelivered}, {0, AttemptOutcome::kRetry},
      {408, AttemptOutcome::kRetry},     {429, AttemptOutcome::kRetry},
      {500, AttemptOutcome::kRetry},     {503, AttemptOutcome::kRetry},
      {301, AttemptOutcome::kRejected},  {400, AttemptOutcome::kRejected},
      {404, AttemptOutcome::kRejected},  {410, AttemptOutcome::kRejected},
  };
  for (const auto& [status, outcome] : cases) EXPECT_EQ(ClassifyAttempt(status), outcome) << status;
}

TEST(DeliveryRetryTest, ExponentialBackoffWithJitterAndCap) {
  EffectiveRetryPolicy p;  // 1 s, x2, cap 60 s, jitter 0.2
  EXPECT_EQ(BackoffBefore(1, p, 0.5), absl::Seconds(1));
  EXPECT_EQ(BackoffBefore(2, p, 0.5), absl::Seconds(2));
  EXPECT_EQ(BackoffBefore(3, p, 0.5), absl::Seconds(4));
  EXPECT_EQ(BackoffBefore(6, p, 0.5), absl::Seconds(32));
  EXPECT_EQ(BackoffBefore(7, p, 0.5), absl::Seconds(60));  // 64 s capped
  EXPECT_EQ(BackoffBefore(20, p, 0.5), absl::Seconds(60));
  EXPECT_EQ(BackoffBefore(1, p, 0.0), absl::Milliseconds(800));   // -20 %
  EXPECT_EQ(BackoffBefore(1, p, 1.0), absl::Milliseconds(1200));  // +20 % (the open end)
  EXPECT_EQ(BackoffBefore(7, p, 1.0), absl::Seconds(60));         // jitter never passes the cap
  // Retry-After replaces the computed wait, up to the cap.
  EXPECT_EQ(BackoffBefore(1, p, 0.5, absl::Seconds(7)), absl::Seconds(7));
  EXPECT_EQ(BackoffBefore(1, p, 0.5, absl::Seconds(600)), absl::Seconds(60));
  p.jitter = 0;
  EXPECT_EQ(BackoffBefore(1, p, 0.0), absl::Seconds(1));
}

TEST(DeliveryRetryTest, RetryAfterSecondsOrDate) {
  const absl::Time now = absl::FromUnixSeconds(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), absl::ZeroDuration());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

TEST(WebhookBodyTest, JsonAndChatBodies) {
  Notification n;
  n.group_id = "g";
  n.destination = {"west", "http://hooks/west", v1::WEBHOOK_FORMAT_JSON, "stp_team_manager", ""};
  n.alerts = {MakeAlert("a/1", "west-kent", 3), MakeAlert("b/1", "west-kent", 3)};
  const std::string json = WebhookBody(n, "http://console", *Reference());
  EXPECT_THAT(json, HasSubstr("{\"group_id\":\"g\",\"alerts\":[{"));
  EXPECT_THAT(json, HasSubstr("\"alert_id\":\"b/1\""));
  n.destination.format = v1::WEBHOOK_FORMAT_CHAT_TEXT;
  const std::string chat = WebhookBody(n, "http://console", *Reference());
  EXPECT_THAT(chat, HasSubstr("{\"text\":\"2 alerts together"));
  EXPECT_THAT(chat, HasSubstr("[OPEL 3 (Red)] Short-term Pathway West Kent staffing Red"));
  EXPECT_THAT(chat, HasSubstr("What to do now (Short-term Pathway Team Manager):\\n- Review staffing"));
  EXPECT_THAT(chat, HasSubstr("http://console/#/alert/a/1"));
  // The delivery id is stable for the same content and changes with a revision.
  const std::string id = DeliveryId(n);
  EXPECT_EQ(DeliveryId(n), id);
  n.alerts[0].set_revision(2);
  EXPECT_NE(DeliveryId(n), id);
}

TEST(WebhookBodyTest, SignatureAndUrls) {
  // RFC 4231 test case 2.
  EXPECT_EQ(SignBody("what do ya want for nothing?", "Jefe"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string origin, path;
  ASSERT_TRUE(SplitUrl("https://chat.example.org:8443/hooks/a?x=1", &origin, &path));
  EXPECT_EQ(origin, "https://chat.example.org:8443");
  EXPECT_EQ(path, "/hooks/a?x=1");
  ASSERT_TRUE(SplitUrl("http://127.0.0.1:9", &origin, &path));
  EXPECT_EQ(path, "/");
  EXPECT_FALSE(SplitUrl("ftp://x/y", &origin, &path));
  EXPECT_FALSE(SplitUrl("http://", &origin, &path));
  EXPECT_FALSE(SplitUrl("hooks", &origin, &path));
}

}  // namespace
}  // namespace resilience::console
