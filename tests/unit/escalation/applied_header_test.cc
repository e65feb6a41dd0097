// The "applied" header every published status carries (live_state_rebuild.h): how far the
// pipeline had applied each domain partition, read back by a Redis rebuild to know which
// records beyond the committed offsets were rolled up and published.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/live_state_rebuild.h"

namespace resilience::escalation {
namespace {

TEST(AppliedHeaderTest, RoundTripsTopicsThatHoldColons) {
  AppliedOffsets applied = {{{"t-run-1:capacity", 0}, 41}, {{"workforce", 17}, 0}};
  EXPECT_EQ(FormatApplied(applied), "t-run-1:capacity:0:41,workforce:17:0");
  EXPECT_EQ(ParseApplied(FormatApplied(applied)), applied);
  EXPECT_EQ(FormatApplied({}), "");
  EXPECT_TRUE(ParseApplied("").empty());
}

TEST(AppliedHeaderTest, SkipsWhatDoesNotParseAndKeepsTheRest) {
  AppliedOffsets parsed = ParseApplied("beds:2:9,:1:2,beds:x:3,beds:4:y,nocolon,beds::5,beds:3:7");
  AppliedOffsets expected = {{{"beds", 2}, 9}, {{"beds", 3}, 7}};
  EXPECT_EQ(parsed, expected);
}

}  // namespace
}  // namespace resilience::escalation
