// A consumer process for the commit-after-effect test: consumes one record of a topic, applies
// an idempotent effect in Redis (count the event once, by event id), prints "applied <offset>",
// then commits and exits (--commit) or waits to be killed without committing.
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/kafka/rdkafka_consumer.h"
#include "common/redis/hiredis_client.h"

ABSL_FLAG(std::string, bootstrap, "", "Kafka bootstrap servers.");
ABSL_FLAG(std::string, topic, "", "Topic.");
ABSL_FLAG(std::string, group, "", "Consumer group.");
ABSL_FLAG(int, redis_port, 0, "Redis port.");
ABSL_FLAG(std::string, ns, "", "Redis key prefix.");
ABSL_FLAG(bool, commit, false, "Commit after the effect and exit.");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  resilience::kafka::ConsumerOptions options;
  options.client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
  options.group_id = absl::GetFlag(FLAGS_group);
  options.topics = {absl::GetFlag(FLAGS_topic)};
  options.session_timeout = absl::Seconds(6);
  auto consumer = resilience::kafka::NewRdKafkaConsumer(options);
  if (!consumer.ok()) {
    std::cerr << consumer.status() << "\n";
    return 1;
  }
  resilience::redis::ClientOptions redis_options;
  redis_options.port = absl::GetFlag(FLAGS_redis_port);
  auto redis = resilience::redis::NewHiredisClient(redis_options);
  // The effect: count each event id once.
  const resilience::redis::Script effect(R"lua(
if redis.call('SET', KEYS[1], '1', 'NX') then return redis.call('INCR', KEYS[2]) end
return tonumber(redis.call('GET', KEYS[2]))
)lua");
  while (true) {
    auto record = (*consumer)->Poll(absl::Milliseconds(500));
    if (!record.ok() || !record->has_value()) continue;
    const std::string ns = absl::GetFlag(FLAGS_ns);
    auto applied = redis->Eval(effect, {ns + "applied:" + (*record)->key, ns + "effect"}, {});
    if (!applied.ok()) {
      std::cerr << applied.status() << "\n";
      return 1;
    }
    std::cout << "applied " << (*record)->offset << " count " << applied->integer << std::endl;
    if (absl::GetFlag(FLAGS_commit)) {
      auto s = (*consumer)->Commit(**record);
      std::cout << "committed " << s << std::endl;
      (*consumer)->Close();
      return s.ok() ? 0 : 1;
    }
    // Crash before commit: wait here until the test sends SIGKILL.
    sigset_t none;
    sigemptyset(&none);
    while (true) sigsuspend(&none);
  }
}
