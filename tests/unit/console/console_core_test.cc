// The console's pure parts: who sees what, sessions, JSON shaping, config checks, SSE framing.
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "common/config/text_proto.h"
#include "common/grpc/status_conversion.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/console/console_config.h"
#include "services/console/json_api.h"
#include "services/console/live_feed.h"
#include "services/console/sessions.h"
#include "services/console/viewer.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::console {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;
namespace esc = escalation::v1;

std::shared_ptr<const ReferenceIndex> Reference() {
  static auto* reference = new std::shared_ptr<const ReferenceIndex>(
      *ReferenceIndex::Load(testing::SourceDir() + "/deploy/config/kent-medway/reference.textproto"));
  return *reference;
}

common::v1::ScopeRef Scope(common::v1::ScopeKind kind, const std::string& id) {
  common::v1::ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

Viewer WestKentManager() {
  Viewer v;
  v.user_id = "priya-nair";
  v.role_id = "stp_team_manager";
  v.area_ids = {"west-kent"};
  return v;
}

TEST(ViewerTest, AlertVisibilityByArea) {
  const Viewer west = WestKentManager();
  Viewer county = west;
  county.area_ids.clear();
  county.county_wide = true;
  Viewer nobody = west;
  nobody.area_ids.clear();
  struct Case {
    std::string area;
    bool west, county, nobody;
  } cases[] = {
      {"west-kent", true, true, false},
      {"north-kent", false, true, false},
      {"", true, true, true},  // county-wide and NHS scopes are everyone's context
  };
  for (const auto& c : cases) {
    esc::Alert a;
    a.set_area_id(c.area);
    EXPECT_EQ(MaySee(west, a), c.west) << c.area;
    EXPECT_EQ(MaySee(county, a), c.county) << c.area;
    EXPECT_EQ(MaySee(nobody, a), c.nobody) << c.area;
  }
}

TEST(ViewerTest, ScopesResolveToTheirArea) {
  const Viewer west = WestKentManager();
  const auto& ref = *Reference();
  EXPECT_TRUE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_TEAM, "stp-west-kent"), ref));
  EXPECT_FALSE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_TEAM, "stp-north-kent"), ref));
  EXPECT_TRUE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_AREA, "west-kent"), ref));
  EXPECT_FALSE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_AREA, "north-kent"), ref));
  EXPECT_TRUE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_COUNTY, "kent"), ref));
  EXPECT_TRUE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_ACUTE_SITE, "maidstone"), ref));
  EXPECT_TRUE(MaySeeScope(west, Scope(common::v1::SCOPE_KIND_BOARD_AREA, "north-kent"), ref));
}

TEST(ViewerTest, BoardKeepsOwnAreasAndContextAndDropsOthersEvidence) {
  esc::StatusBoard board;
  for (const char* area : {"west-kent", "north-kent"}) {
    auto* l = board.add_levels();
    *l->mutable_scope() = Scope(common::v1::SCOPE_KIND_AREA, area);
    auto* i = board.add_indicators();
    *i->mutable_latest()->mutable_scope() =
        Scope(common::v1::SCOPE_KIND_TEAM, std::string("stp-") + area);
  }
  auto* county = board.add_levels();
  *county->mutable_scope() = Scope(common::v1::SCOPE_KIND_COUNTY, "kent");
  *county->add_evidence()->mutable_scope() = Scope(common::v1::SCOPE_KIND_AREA, "west-kent");
  *county->add_evidence()->mutable_scope() = Scope(common::v1::SCOPE_KIND_AREA, "north-kent");

  const esc::StatusBoard seen = FilterBoard(WestKentManager(), board, *Reference());
  ASSERT_EQ(seen.levels_size(), 2);
  EXPECT_EQ(seen.levels(0).scope().id(), "west-kent");
  EXPECT_EQ(seen.levels(1).scope().id(), "kent");
  ASSERT_EQ(seen.levels(1).evidence_size(), 1);
  EXPECT_EQ(seen.levels(1).evidence(0).scope().id(), "west-kent");
  ASSERT_EQ(seen.indicators_size(), 1);
  EXPECT_EQ(seen.indicators(0).latest().scope().id(), "stp-west-kent");

  Viewer director = WestKentManager();
  director.county_wide = true;
  EXPECT_EQ(FilterBoard(director, board, *Reference()).levels_size(), 3);
}

TEST(ViewerTest, TasksPromptsAndSilencesFollowTheirScope) {
  esc::ListTasksResponse tasks;
  *tasks.add_tasks()->mutable_scope() = Scope(common::v1::SCOPE_KIND_AREA, "north-kent");
  *tasks.add_tasks()->mutable_scope() = Scope(common::v1::SCOPE_KIND_COUNTY, "kent");
  EXPECT_EQ(FilterTasks(WestKentManager(), tasks, *Reference()).tasks_size(), 1);
  esc::ListDecisionPromptsResponse prompts;
  *prompts.add_prompts()->mutable_trigger_scope() = Scope(common::v1::SCOPE_KIND_BOARD_AREA, "west-kent");
  EXPECT_EQ(FilterPrompts(WestKentManager(), prompts, *Reference()).prompts_size(), 1);
  esc::ListSilencesResponse silences;
  *silences.add_silences()->mutable_scope() = Scope(common::v1::SCOPE_KIND_TEAM, "stp-north-kent");
  EXPECT_EQ(FilterSilences(WestKentManager(), silences, *Reference()).silences_size(), 0);
}

v1::ConsoleConfig OneUserConfig() {
  v1::ConsoleConfig config;
  config.set_http_address("127.0.0.1:0");
  config.set_escalation_grpc_address("127.0.0.1:1");
  config.set_session_lifetime_minutes(60);
  auto* u = config.add_development_users();
  u->set_user_id("priya-nair");
  u->set_display_name("Priya Nair (dev)");
  u->set_role_id("stp_team_manager");
  u->add_area_ids("west-kent");
  u->set_password_sha256(Sha256Hex("winter"));
  auto* h = config.add_development_users();
  h->set_user_id("helen-marsh");
  h->set_display_name("Helen Marsh (dev)");
  h->set_role_id("stp_service_manager");
  h->set_county_wide(true);
  h->set_password_sha256(Sha256Hex("winter"));
  return config;
}

TEST(SessionsTest, SignInFindExpireAndSignOut) {
  SimulatedClock clock(absl::FromUnixSeconds(1700000000));
  SessionStore store(OneUserConfig(), Reference(), &clock);
  EXPECT_THAT(store.SignIn("priya-nair", "wrong"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store.SignIn("nobody", "winter"), StatusIs(absl::StatusCode::kUnauthenticated));
  auto id = store.SignIn("priya-nair", "winter");
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->size(), 64u);
  auto other = store.SignIn("priya-nair", "winter");
  EXPECT_NE(*id, *other);  // fresh random ids

  auto viewer = store.Find(*id);
  ASSERT_TRUE(viewer.has_value());
  EXPECT_EQ(viewer->role_id, "stp_team_manager");
  EXPECT_FALSE(viewer->may_declare_level);
  // Sliding lifetime: used 59 minutes later, it lives another hour.
  clock.Advance(absl::Minutes(59));
  EXPECT_TRUE(store.Find(*id).has_value());
  clock.Advance(absl::Minutes(59));
  EXPECT_TRUE(store.Find(*id).has_value());
  // Unused for exactly the lifetime: gone.
  clock.Advance(absl::Minutes(60));
  EXPECT_FALSE(store.Find(*id).has_value());
  EXPECT_FALSE(store.Find("").has_value());

  auto helen = store.SignIn("helen-marsh", "winter");
  ASSERT_THAT(helen, IsOk());
  EXPECT_TRUE(store.Find(*helen)->may_declare_level);
  EXPECT_TRUE(store.Find(*helen)->may_silence);
  store.SignOut(*helen);
  EXPECT_FALSE(store.Find(*helen).has_value());
}

TEST(SessionsTest, CookieParsingAndHeader) {
  EXPECT_EQ(CookieValue("a=1; console_session=abc; b=2", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("console_session=xyz", kSessionCookie), "xyz");
  EXPECT_EQ(CookieValue("other_console_session=1", kSessionCookie), "");
  EXPECT_EQ(CookieValue("", kSessionCookie), "");
  const std::string header = SessionCookieHeader("abc", absl::Minutes(720), false);
  EXPECT_THAT(header, HasSubstr("console_session=abc"));
  EXPECT_THAT(header, HasSubstr("HttpOnly"));
  EXPECT_THAT(header, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(header, HasSubstr("Max-Age=43200"));
  EXPECT_THAT(header, ::testing::Not(HasSubstr("Secure")));
  EXPECT_THAT(SessionCookieHeader("", absl::Minutes(1), true), HasSubstr("Max-Age=0; Secure"));
  EXPECT_EQ(Sha256Hex("winter"), "30c5461fc27b84f1f1ad0a83162a26882b22d11cdfa45978dd21c810056e8d0e");
}

TEST(JsonApiTest, HttpStatusForEveryCode) {
  const std::pair<absl::StatusCode, int> cases[] = {
      {absl::StatusCode::kOk, 200},
      {absl::StatusCode::kInvalidArgument, 400},
      {absl::StatusCode::kOutOfRange, 400},
      {absl::StatusCode::kUnauthenticated, 401},
      {absl::StatusCode::kPermissionDenied, 403},
      {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},
      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kFailedPrecondition, 409},
      {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kUnavailable, 503},
      {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kUnknown, 500},
  };
  for (const auto& [code, http] : cases) EXPECT_EQ(HttpStatusFor(code), http) << code;
}

TEST(JsonApiTest, ErrorBodiesCarryViolationsAndNotAvailableYet) {
  common::v1::FieldViolation v;
  v.set_field("note");
  v.set_reason("required at OPEL 3-4 \"why\"");
  const std::string invalid = ErrorJson(InvalidArgumentWithViolations({v}));
  EXPECT_THAT(invalid, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_THAT(invalid, HasSubstr("{\"field\":\"note\",\"reason\":\"required at OPEL 3-4 \\\"why\\\"\"}"));
  EXPECT_THAT(invalid, HasSubstr("\"not_available_yet\":false"));
  const std::string unimplemented = ErrorJson(absl::UnimplementedError("RecordAction"));
  EXPECT_THAT(unimplemented, HasSubstr("\"code\":\"UNIMPLEMENTED\""));
  EXPECT_THAT(unimplemented, HasSubstr("\"not_available_yet\":true"));
  EXPECT_EQ(JsonQuote("a\nb\x01"), "\"a\\nb\\u0001\"");
}

TEST(JsonApiTest, MessagesUseProtoNamesEnumNamesAndDefaults) {
  esc::Alert a;
  a.set_alert_id("x/1");
  a.set_level(common::v1::OPEL_LEVEL_3_RED);
  const std::string json = ToJson(a);
  EXPECT_THAT(json, HasSubstr("\"alert_id\":\"x/1\""));
  EXPECT_THAT(json, HasSubstr("\"level\":\"OPEL_LEVEL_3_RED\""));
  EXPECT_THAT(json, HasSubstr("\"state\":\"ALERT_STATE_UNSPECIFIED\""));  // defaults printed
  EXPECT_THAT(json, HasSubstr("\"silence_id\":\"\""));
  EXPECT_EQ(AlertsJson({}), "{\"alerts\":[]}");
}

TEST(JsonApiTest, RequestBodiesParseIntoTheServiceRequests) {
  auto ack = ParseJsonBody<esc::AcknowledgeRequest>(R"({"alert_id":"a/1","note":"on it"})");
  ASSERT_THAT(ack, IsOk());
  EXPECT_EQ(ack->note(), "on it");
  auto declare = ParseJsonBody<esc::DeclareLevelRequest>(
      R"({"scope":{"kind":"SCOPE_KIND_AREA","id":"west-kent"},"level":"OPEL_LEVEL_3_RED","reason":"x"})");
  ASSERT_THAT(declare, IsOk());
  EXPECT_EQ(declare->level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_THAT(ParseJsonBody<esc::AcknowledgeRequest>(R"({"alert_id":"a","nite":"typo"})"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJsonBody<esc::AcknowledgeRequest>("not json"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(JsonApiTest, ViewerAndReferenceShaping) {
  Viewer v = WestKentManager();
  v.display_name = "Priya Nair (dev)";
  const std::string me = ViewerJson(v, *Reference());
  EXPECT_THAT(me, HasSubstr("\"role_name\":\"Short-term Pathway Team Manager\""));
  EXPECT_THAT(me, HasSubstr("{\"id\":\"west-kent\",\"name\":\"West Kent\"}"));
  Viewer director = v;
  director.county_wide = true;
  EXPECT_THAT(ViewerJson(director, *Reference()), HasSubstr("thanet-south-kent-coast"));
  const auto shown = ReferenceForConsole(Reference()->data());
  for (const auto& p : shown.providers()) EXPECT_TRUE(p.token_sha256().empty()) << p.id();
  for (const auto& p : shown.people()) EXPECT_FALSE(p.has_contact()) << p.id();
  EXPECT_EQ(shown.areas_size(), Reference()->data().areas_size());
}

TEST(ConsoleConfigTest, TheShippedConfigIsValid) {
  const std::string path = testing::SourceDir() + "/deploy/config/kent-medway/console.textproto";
  auto config = LoadTextProto<v1::ConsoleConfig>(path);
  ASSERT_THAT(config, IsOk());
  EXPECT_THAT(ValidateConsoleConfig(*config, *Reference(), path), IsOk());
}

TEST(ConsoleConfigTest, EachMistakeIsNamed) {
  struct Case {
    std::string field;
    std::function<void(v1::ConsoleConfig*)> breaks;
  } cases[] = {
      {"http_address", [](auto* c) { c->clear_http_address(); }},
      {"escalation_grpc_address", [](auto* c) { c->clear_escalation_grpc_address(); }},
      {"development_users[0].user_id", [](auto* c) { c->mutable_development_users(0)->set_user_id("Priya"); }},
      {"development_users[1].user_id", [](auto* c) { c->mutable_development_users(1)->set_user_id("priya-nair"); }},
      {"development_users[0].role_id", [](auto* c) { c->mutable_development_users(0)->set_role_id("boss"); }},
      {"development_users[0].area_ids", [](auto* c) { c->mutable_development_users(0)->add_area_ids("medway"); }},
      {"development_users[0].password_sha256", [](auto* c) { c->mutable_development_users(0)->set_password_sha256("ABC"); }},
      {"development_users[0].display_name", [](auto* c) { c->mutable_development_users(0)->clear_display_name(); }},
      {"notifier.routes[0].url", [](auto* c) { c->mutable_notifier()->add_routes()->set_route_id("r"); }},
      {"notifier.routes[0].route_id", [](auto* c) { c->mutable_notifier()->add_routes()->set_url("http://x"); }},
      {"notifier.retry.jitter", [](auto* c) { c->mutable_notifier()->mutable_retry()->set_jitter(1.5); }},
      {"notifier.retry.backoff_multiplier", [](auto* c) { c->mutable_notifier()->mutable_retry()->set_backoff_multiplier(0.5); }},
  };
  for (const auto& c : cases) {
    v1::ConsoleConfig config = OneUserConfig();
    c.breaks(&config);
    EXPECT_THAT(ValidateConsoleConfig(config, *Reference(), "console.textproto"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.field;
  }
}

TEST(ConsoleConfigTest, RetryDefaults) {
  v1::NotifierConfig n;
  EffectiveRetryPolicy d = RetryPolicyOf(n);
  EXPECT_EQ(d.max_attempts, 6);
  EXPECT_EQ(d.initial_backoff, absl::Seconds(1));
  EXPECT_EQ(d.multiplier, 2);
  EXPECT_EQ(d.max_backoff, absl::Seconds(60));
  EXPECT_DOUBLE_EQ(d.jitter, 0.2);
  n.mutable_retry()->set_jitter(0);  // explicit 0: exact waits
  EXPECT_DOUBLE_EQ(RetryPolicyOf(n).jitter, 0);
}

TEST(LiveFeedTest, SseFraming) {
  EXPECT_EQ(FormatSseEvent("1-2", "alert", "{\"a\":1}"), "id: 1-2\nevent: alert\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseEvent("", "", "x"), "data: x\n\n");
  EXPECT_EQ(FormatSseEvent("a\nb", "e", "l1\nl2"), "id: ab\nevent: e\ndata: l1\ndata: l2\n\n");
}

TEST(LiveFeedTest, SignalWakesWaitersAndShutsDown) {
  ConsoleSignal signal;
  const uint64_t v0 = signal.version();
  EXPECT_EQ(signal.WaitChange(v0, absl::Milliseconds(1)), v0);  // times out unchanged
  signal.Notify();
  EXPECT_EQ(signal.WaitChange(v0, absl::Seconds(5)), v0 + 1);
  EXPECT_FALSE(signal.shutting_down());
  signal.Shutdown();
  EXPECT_TRUE(signal.shutting_down());
}

}  // namespace
}  // namespace resilience::console
