// Per-provider token buckets: the burst at once, then the sustained rate; a stream borrows and
// is told how long to wait; each provider has its own bucket and limit.
#include "services/beds/core/rate_limit.h"

#include "gtest/gtest.h"

namespace resilience::beds {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

TEST(RateLimitTest, BurstThenSustainedRate) {
  TokenBucket bucket({2, 3}, kNow);  // 2 per second, 3 at once
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(kNow)) << i;
  EXPECT_FALSE(bucket.TryTake(kNow));
  EXPECT_FALSE(bucket.TryTake(kNow + absl::Milliseconds(499)));
  EXPECT_TRUE(bucket.TryTake(kNow + absl::Milliseconds(500)));
  EXPECT_FALSE(bucket.TryTake(kNow + absl::Milliseconds(500)));
  // Never more than the burst saved up.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(kNow + absl::Hours(1))) << i;
  EXPECT_FALSE(bucket.TryTake(kNow + absl::Hours(1)));
}

TEST(RateLimitTest, StreamsBorrowAndWait) {
  TokenBucket bucket({4, 2}, kNow);
  EXPECT_EQ(bucket.Take(kNow), absl::ZeroDuration());
  EXPECT_EQ(bucket.Take(kNow), absl::ZeroDuration());
  EXPECT_EQ(bucket.Take(kNow), absl::Milliseconds(250));  // one in debt
  EXPECT_EQ(bucket.Take(kNow), absl::Milliseconds(500));  // two in debt
  EXPECT_EQ(bucket.Take(kNow + absl::Milliseconds(500)), absl::Milliseconds(250));
}

TEST(RateLimitTest, EachProviderHasItsOwnBucketAndLimit) {
  ProviderRateLimits limits({50, 500}, {{"slow", {1, 1}}});
  EXPECT_TRUE(limits.TryTake("slow", kNow));
  EXPECT_FALSE(limits.TryTake("slow", kNow));
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limits.TryTake("other", kNow)) << i;
  EXPECT_FALSE(limits.TryTake("other", kNow));
  EXPECT_DOUBLE_EQ(limits.LimitOf("slow").per_second, 1);
  EXPECT_DOUBLE_EQ(limits.LimitOf("anyone").burst, 500);
}

}  // namespace
}  // namespace resilience::beds
