// Who may call and how fast: the per-provider token bucket at its edges, caller identification
// from metadata (development tokens, the x-provider-id and x-staff-user headers where allowed),
// and the update log behind DUPLICATE answers and ListProviderUpdates.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/capacity/core/caller_identity.h"
#include "services/capacity/core/token_bucket.h"
#include "services/capacity/core/update_log.h"
#include "services/capacity/core/update_plan.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/capacity/capacity_test_support.h"

namespace resilience::capacity {
namespace {

using namespace testing;  // NOLINT: the capacity test helpers
using resilience::testing::StatusIs;

TEST(TokenBucket, BurstThenSustainedRate) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/3, kNow);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.TryTake(kNow), absl::ZeroDuration()) << i;
  EXPECT_EQ(bucket.TryTake(kNow), absl::Milliseconds(100));  // the retry hint
  EXPECT_EQ(bucket.TryTake(kNow + absl::Milliseconds(99)), absl::Milliseconds(1));
  EXPECT_EQ(bucket.TryTake(kNow + absl::Milliseconds(100)), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kNow + absl::Milliseconds(100)), absl::ZeroDuration());
  // Never more than the burst, however long idle.
  const absl::Time later = kNow + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.TryTake(later), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(later), absl::ZeroDuration());
}

TEST(TokenBucket, ReserveGoesIntoDebtAndPacesTheCaller) {
  TokenBucket bucket(/*rate=*/100, /*burst=*/2, kNow);
  EXPECT_EQ(bucket.Reserve(kNow), absl::ZeroDuration());
  EXPECT_EQ(bucket.Reserve(kNow), absl::ZeroDuration());
  EXPECT_EQ(bucket.Reserve(kNow), absl::Milliseconds(10));
  EXPECT_EQ(bucket.Reserve(kNow), absl::Milliseconds(20));
  // The debt blocks TryTake (unary calls) until it is repaid.
  EXPECT_EQ(bucket.TryTake(kNow + absl::Milliseconds(20)), absl::Milliseconds(10));
  EXPECT_EQ(bucket.TryTake(kNow + absl::Milliseconds(30)), absl::ZeroDuration());
}

CallerCredentials Creds(std::string authorization, std::string provider_id = "",
                         std::string staff_user = "") {
  CallerCredentials c;
  c.authorization = std::move(authorization);
  c.provider_id = std::move(provider_id);
  c.staff_user = std::move(staff_user);
  return c;
}

class IdentityTest : public ::testing::Test {
 protected:
  CallerIdentity Make(bool tokens, bool header, bool staff) {
    v1::CallerAuth auth;
    auth.set_accept_dev_tokens(tokens);
    auth.set_accept_provider_id_header(header);
    auth.set_accept_staff_user_header(staff);
    return CallerIdentity(KentMedway(), auth);
  }
};

TEST_F(IdentityTest, DevTokenNamesItsProvider) {
  // The reference data's development tokens are "dev-token-<provider id>".
  EXPECT_EQ(Sha256Hex("dev-token-keah-rostering"), Provider("keah-rostering").token_sha256());
  auto caller = Make(true, false, false).Identify(Creds("Bearer dev-token-kcc-mosaic"));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->provider->id(), "kcc-mosaic");
  caller = Make(true, false, false).Identify(Creds("bearer dev-token-kcc-mosaic"));
  EXPECT_TRUE(caller.ok());
}

TEST_F(IdentityTest, RefusedCredentials) {
  const struct {
    std::string name;
    bool tokens, header, staff;
    CallerCredentials credentials;
  } rows[] = {
      {"nothing", true, true, true, Creds("")},
      {"wrong token", true, true, true, Creds("Bearer dev-token-nobody")},
      {"wrong token with a header", true, true, true,
       Creds("Bearer nope", "kcc-mosaic")},
      {"not bearer", true, true, true, Creds("Basic abc")},
      {"bearer without token", true, true, true, Creds("Bearer ")},
      {"tokens off", false, true, true, Creds("Bearer dev-token-kcc-mosaic")},
      {"header off", true, false, true, Creds("", "kcc-mosaic")},
      {"unknown provider", true, true, true, Creds("", "acme")},
      {"staff off", true, true, false, Creds("", "", "priya-nair")},
      {"unknown staff", true, true, true, Creds("", "", "nobody")},
  };
  for (const auto& row : rows) {
    EXPECT_THAT(Make(row.tokens, row.header, row.staff).Identify(row.credentials),
                StatusIs(absl::StatusCode::kUnauthenticated))
        << row.name;
  }
}

TEST_F(IdentityTest, HeadersWhereAllowed) {
  auto provider = Make(false, true, false).Identify(Creds("", "mtw-information"));
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ(provider->provider->id(), "mtw-information");
  auto staff = Make(false, false, true).Identify(Creds("", "", "priya-nair"));
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_EQ(staff->staff->id(), "priya-nair");
  EXPECT_EQ(staff->provider, nullptr);
}

v1::CapacityChange Accepted(const std::string& provider, const v1::CapacityUpdate& u,
                            absl::Time received) {
  FactStore none, pending;
  UpdatePlan plan = PlanUpdate(u, provider, received, FactLookup(&none, &pending), *KentMedway(),
                               KentMedwayRules());
  v1::CapacityChange change;
  change.set_provider_id(provider);
  *change.mutable_update() = u;
  *change.mutable_received_at() = ToProtoTime(received);
  change.set_transport(v1::TRANSPORT_STREAM);
  *change.mutable_ack() = AcceptedAck(u.update_id(), plan, received);
  *change.mutable_facts() = plan.facts;
  return change;
}

TEST(UpdateLogTest, DuplicateWithinTheWindowOnly) {
  UpdateLog log(UpdateLogOptions{.idempotency_window = absl::Hours(72)});
  const auto change =
      Accepted("keah-rostering", KeahSlots("u1", "keah-thanet", 3), kNow);
  log.RecordAccepted(change);
  const auto* dup = log.FindAccepted("keah-rostering", "u1", kNow + absl::Hours(72));
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->outcome(), common::v1::UpdateAck::OUTCOME_DUPLICATE);
  EXPECT_EQ(dup->event_id(), change.ack().event_id());
  EXPECT_THAT(dup->event_ids(), ::testing::ElementsAreArray(change.ack().event_ids()));
  EXPECT_EQ(log.FindAccepted("keah-rostering", "u1", kNow + absl::Hours(72) + absl::Seconds(1)),
            nullptr);
  EXPECT_EQ(log.FindAccepted("kcc-mosaic", "u1", kNow), nullptr);  // ids are per provider
  log.Expire(kNow + absl::Hours(73));
  EXPECT_EQ(log.accepted_count(), 0u);
}

TEST(UpdateLogTest, ListsNewestFirstWithOutcomesPagesAndCurrentFlags) {
  UpdateLog log(UpdateLogOptions{});
  FactStore facts;
  const std::string p = "keah-rostering";
  for (int i = 0; i < 5; ++i) {
    auto change = Accepted(p, KeahSlots("u" + std::to_string(i), "keah-thanet", i,
                                        kNow + absl::Minutes(i)),
                           kNow + absl::Minutes(i));
    facts.Merge(change.facts());
    log.RecordAccepted(change);
  }
  common::v1::UpdateAck rejected;
  rejected.set_update_id("bad");
  rejected.set_outcome(common::v1::UpdateAck::OUTCOME_REJECTED);
  log.RecordAnswer(p, KeahSlots("bad", "keah-thanet", -1), rejected, kNow + absl::Minutes(10),
                   v1::TRANSPORT_UNARY);
  // A retry of u1 moves it to the front, counted twice.
  common::v1::UpdateAck dup = *log.FindAccepted(p, "u1", kNow);
  log.RecordAnswer(p, KeahSlots("u1", "keah-thanet", 1), dup, kNow + absl::Minutes(11),
                   v1::TRANSPORT_STREAM);

  v1::ListProviderUpdatesRequest all;
  auto page = log.List(p, all, facts);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> ids;
  for (const auto& r : page->updates()) ids.push_back(r.update().update_id());
  EXPECT_THAT(ids, ::testing::ElementsAre("u1", "bad", "u4", "u3", "u2", "u0"));
  EXPECT_EQ(page->updates(0).receipts(), 2u);
  EXPECT_EQ(page->updates(0).ack().outcome(), common::v1::UpdateAck::OUTCOME_DUPLICATE);
  // u4 is current; u3's patch figure was replaced by u4's.
  const auto& u4 = page->updates(2);
  ASSERT_GE(u4.figures_size(), 1);
  EXPECT_TRUE(u4.figures(0).current());
  const auto& u3 = page->updates(3);
  EXPECT_FALSE(u3.figures(0).current());
  EXPECT_EQ(u3.figures(0).superseded_by_update_id(), "u4");
  EXPECT_EQ(u3.figures(0).superseded_by_provider_id(), p);

  v1::ListProviderUpdatesRequest only_rejected;
  only_rejected.add_outcomes(common::v1::UpdateAck::OUTCOME_REJECTED);
  page = log.List(p, only_rejected, facts);
  ASSERT_EQ(page->updates_size(), 1);
  EXPECT_EQ(page->updates(0).update().update_id(), "bad");

  v1::ListProviderUpdatesRequest paged;
  paged.set_limit(4);
  page = log.List(p, paged, facts);
  ASSERT_EQ(page->updates_size(), 4);
  ASSERT_FALSE(page->next_page_token().empty());
  paged.set_page_token(page->next_page_token());
  page = log.List(p, paged, facts);
  ASSERT_EQ(page->updates_size(), 2);
  EXPECT_EQ(page->updates(1).update().update_id(), "u0");
  EXPECT_TRUE(page->next_page_token().empty());

  v1::ListProviderUpdatesRequest since;
  *since.mutable_since() = ToProtoTime(kNow + absl::Minutes(3));
  *since.mutable_until() = ToProtoTime(kNow + absl::Minutes(10));
  page = log.List(p, since, facts);
  ids.clear();
  for (const auto& r : page->updates()) ids.push_back(r.update().update_id());
  EXPECT_THAT(ids, ::testing::ElementsAre("u4", "u3"));

  v1::ListProviderUpdatesRequest bad;
  bad.set_limit(501);
  EXPECT_THAT(log.List(p, bad, facts), StatusIs(absl::StatusCode::kInvalidArgument));
  bad.set_limit(500);
  bad.set_page_token("zzz");
  EXPECT_THAT(log.List(p, bad, facts), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(log.List("kcc-mosaic", all, facts)->updates().empty());
}

TEST(UpdateLogTest, KeepsAtMostTheConfiguredNumberPerProvider) {
  UpdateLog log(UpdateLogOptions{.max_per_provider = 3});
  FactStore facts;
  for (int i = 0; i < 5; ++i) {
    common::v1::UpdateAck a;
    a.set_outcome(common::v1::UpdateAck::OUTCOME_REJECTED);
    log.RecordAnswer("p", Update("u" + std::to_string(i)), a, kNow + absl::Seconds(i),
                     v1::TRANSPORT_UNARY);
  }
  auto page = log.List("p", {}, facts);
  ASSERT_EQ(page->updates_size(), 3);
  EXPECT_EQ(page->updates(2).update().update_id(), "u2");
  log.Expire(kNow + absl::Hours(72) + absl::Seconds(3));  // u3 received exactly 72 h before
  EXPECT_EQ(log.List("p", {}, facts)->updates_size(), 2);
  log.Expire(kNow + absl::Hours(72) + absl::Milliseconds(3001));
  EXPECT_EQ(log.List("p", {}, facts)->updates_size(), 1);  // u4, received at +4 s
}

}  // namespace
}  // namespace resilience::capacity
