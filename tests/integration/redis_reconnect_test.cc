// The Redis client against a real redis-server that is stopped and started again: calls fail
// with UNAVAILABLE while it is down, and the client reconnects by itself (scripts are reloaded
// when the restarted server does not know them).
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/redis/hiredis_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience {
namespace {

using ::resilience::testing::ChildProcess;
using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::resilience::testing::WaitFor;

class RedisReconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = ::resilience::testing::FreePort();
    dir_ = ::testing::TempDir() + "/" + ::resilience::testing::UniqueNamespace("redis");
    ASSERT_EQ(system(("mkdir -p " + dir_).c_str()), 0);
    StartRedis();
  }

  void StartRedis() {
    auto p = ChildProcess::Start(
        {"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir",
         dir_, "--appendonly", "yes", "--save", ""},
        dir_ + "/redis.log");
    ASSERT_THAT(p, IsOk());
    redis_ = std::make_unique<ChildProcess>(*std::move(p));
  }

  std::unique_ptr<redis::Client> Client() {
    redis::ClientOptions options;
    options.port = port_;
    options.reconnect_timeout = absl::Milliseconds(300);
    return redis::NewHiredisClient(options);
  }

  int port_ = 0;
  std::string dir_;
  std::unique_ptr<ChildProcess> redis_;
};

TEST_F(RedisReconnectTest, ReconnectsAfterARestartAndKeepsAofData) {
  auto client = Client();
  ASSERT_TRUE(WaitFor([&] { return client->Run({"PING"}).ok(); }, absl::Seconds(10)));
  ASSERT_THAT(client->Run({"SET", "k", "v"}), IsOk());
  const redis::Script script("return redis.call('INCR', KEYS[1])");
  auto first = client->Eval(script, {"n"}, {});
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->integer, 1);

  ASSERT_THAT(redis_->Terminate(), IsOk());
  EXPECT_THAT(client->Run({"GET", "k"}), StatusIs(absl::StatusCode::kUnavailable));

  StartRedis();
  ASSERT_TRUE(WaitFor([&] { return client->Run({"PING"}).ok(); }, absl::Seconds(10)));
  auto value = client->Run({"GET", "k"});
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ(value->str, "v");  // appendonly persistence kept it
  auto second = client->Eval(script, {"n"}, {});  // the new server has no script cache
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->integer, 2);
}

TEST_F(RedisReconnectTest, PipelineAnswersEachCommandAndReportsErrorsPerCommand) {
  auto client = Client();
  ASSERT_TRUE(WaitFor([&] { return client->Run({"PING"}).ok(); }, absl::Seconds(10)));
  auto replies = client->RunPipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"HGET", "a", "x"}});
  ASSERT_THAT(replies, IsOk());
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_THAT((*replies)[0], IsOk());
  EXPECT_EQ((*replies)[1]->integer, 2);
  EXPECT_THAT((*replies)[2], StatusIs(absl::StatusCode::kFailedPrecondition));  // WRONGTYPE
}

TEST_F(RedisReconnectTest, EvalManyRunsEachCallInOrderAndReloadsAFlushedScript) {
  auto client = Client();
  ASSERT_TRUE(WaitFor([&] { return client->Run({"PING"}).ok(); }, absl::Seconds(10)));
  // Appends ARGV[1] to the list and answers its length; errors on a non-list key.
  const redis::Script script("return redis.call('RPUSH', KEYS[1], ARGV[1])");
  ASSERT_THAT(client->Run({"SET", "not-a-list", "x"}), IsOk());
  auto replies = client->EvalMany(
      script, {{{"l"}, {"a"}}, {{"not-a-list"}, {"b"}}, {{"l"}, {"c"}}});
  ASSERT_THAT(replies, IsOk());
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[0]->integer, 1);
  EXPECT_THAT((*replies)[1], StatusIs(absl::StatusCode::kFailedPrecondition));  // WRONGTYPE
  EXPECT_EQ((*replies)[2]->integer, 2);  // the neighbour's error stopped nothing

  // Redis forgot its scripts (as after a restart): every call of the next batch still runs once.
  ASSERT_THAT(client->Run({"SCRIPT", "FLUSH"}), IsOk());
  auto again = client->EvalMany(script, {{{"l"}, {"d"}}, {{"l"}, {"e"}}});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)[0]->integer, 3);
  EXPECT_EQ((*again)[1]->integer, 4);
  auto list = client->Run({"LRANGE", "l", "0", "-1"});
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->elements.size(), 4u);
  EXPECT_EQ(list->elements[3].str, "e");
  EXPECT_THAT(client->EvalMany(script, {}), IsOk());
}

TEST(RedisDownTest, UnreachableRedisIsUnavailableNotACrash) {
  redis::ClientOptions options;
  options.port = ::resilience::testing::FreePort();
  options.reconnect_timeout = absl::Milliseconds(100);
  auto client = redis::NewHiredisClient(options);
  EXPECT_THAT(client->Run({"PING"}), StatusIs(absl::StatusCode::kUnavailable));
  const redis::Script script("return 1");
  EXPECT_THAT(client->EvalMany(script, {{{"k"}, {}}}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace resilience
