// Where the real infrastructure of this ctest run is (started by the `infra` fixture through
// deploy/infra.sh with RESILIENCE_INSTANCE=test) and helpers to keep tests apart on it: each test
// gets its own topic and key namespace.
#ifndef RESILIENCE_TESTS_TESTING_INFRA_H_
#define RESILIENCE_TESTS_TESTING_INFRA_H_

#include <string>

#include "absl/status/status.h"

namespace resilience::testing {

// RESILIENCE_KAFKA_BOOTSTRAP, e.g. "127.0.0.1:39092".
std::string KafkaBootstrap();
// RESILIENCE_REDIS_PORT, e.g. 36379.
int RedisPort();
// The source and build trees.
std::string SourceDir();
std::string BinaryDir();

// A namespace unique to this test process and `name`, e.g. "t-e2e-4711-1a2b-": prefix of its
// topics, consumer groups and Redis keys.
std::string UniqueNamespace(const std::string& name);

// Creates the project's topics (deploy/topics.textproto) with `prefix`.
absl::Status CreateProjectTopics(const std::string& prefix);

// A free TCP port on 127.0.0.1 (bound and released; fine for tests).
int FreePort();

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_TESTING_INFRA_H_
