// Small common pieces: clocks, UUIDs, scope keys, metrics text, status conversion.
#include "common/clock/clock.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/metrics/metrics.h"
#include "common/scope/scope_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience {
namespace {

using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(ClockTest, SimulatedClockMovesOnlyWhenTold) {
  SimulatedClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Hours(24));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000 + 86400));
}

TEST(ProtoTimeTest, RoundTripsIncludingBeforeTheEpoch) {
  for (absl::Time t : {absl::FromUnixMillis(1795000000123), absl::FromUnixMillis(-1500)}) {
    auto ts = ToProtoTime(t);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_EQ(FromProtoTime(ts), t);
  }
}

TEST(UuidTest, RandomUuidsAreVersion4AndDistinct) {
  std::string a = NewRandomUuid(), b = NewRandomUuid();
  EXPECT_THAT(a, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_NE(a, b);
}

TEST(UuidTest, NameBasedUuidsAreStable) {
  EXPECT_EQ(NameBasedUuid("ns", "x"), NameBasedUuid("ns", "x"));
  EXPECT_NE(NameBasedUuid("ns", "x"), NameBasedUuid("ns", "y"));
  EXPECT_NE(NameBasedUuid("ab", "c"), NameBasedUuid("a", "bc"));
  EXPECT_THAT(NameBasedUuid("ns", "x"), MatchesRegex(".{14}5.{3}-[89ab].*"));
}

TEST(ScopeKeyTest, RoundTripAndErrors) {
  common::v1::ScopeRef s;
  s.set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
  s.set_id("maidstone");
  EXPECT_EQ(ScopeKey(s), "acute_site/maidstone");
  auto parsed = ParseScopeKey("acute_site/maidstone");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->kind(), common::v1::SCOPE_KIND_ACUTE_SITE);
  EXPECT_THAT(ParseScopeKey("planet/earth"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseScopeKey("team/Upper"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseScopeKey("team"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "Things.", R"(outcome="ok")")->Increment(3);
  registry.GetGauge("y", "Level.")->Set(2.5);
  auto* h = registry.GetHistogram("z_seconds", "Time.", "", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = registry.RenderPrometheusText();
  EXPECT_THAT(text, HasSubstr("# TYPE x_total counter\nx_total{outcome=\"ok\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("y 2.5\n"));
  EXPECT_THAT(text, HasSubstr("z_seconds_bucket{le=\"0.1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("z_seconds_bucket{le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("z_seconds_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("z_seconds_count 3\n"));
}

TEST(StatusConversionTest, FieldViolationsSurviveTheTrip) {
  common::v1::FieldViolation v;
  v.set_field("available_wte");
  v.set_reason("must not be negative");
  absl::Status s = InvalidArgumentWithViolations({v});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("available_wte: must not be negative")));
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field(), "available_wte");
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FromGrpcStatus(g), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace resilience
