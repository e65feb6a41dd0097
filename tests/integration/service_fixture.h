// Starts the real workforce and escalation service binaries against the real Kafka and Redis of
// this ctest run, in a namespace of their own.
#ifndef RESILIENCE_TESTS_INTEGRATION_SERVICE_FIXTURE_H_
#define RESILIENCE_TESTS_INTEGRATION_SERVICE_FIXTURE_H_

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"

namespace resilience::testing {

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("svc");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
    config_dir_ = SourceDir() + "/deploy/config/kent-medway/";
    auto escalation = StartService(
        "escalation-service",
        {"--config=" + config_dir_ + "escalation.textproto", "--grpc_address=127.0.0.1:0",
         "--metrics_address=127.0.0.1:0", "--kafka_bootstrap=" + KafkaBootstrap(),
         "--redis_port=" + std::to_string(RedisPort()), "--namespace=" + ns_});
    ASSERT_THAT(escalation, IsOk());
    escalation_ = std::make_unique<RunningService>(*std::move(escalation));
    auto workforce = StartService(
        "workforce-service",
        {"--config=" + config_dir_ + "workforce.textproto", "--grpc_address=127.0.0.1:0",
         "--metrics_address=127.0.0.1:0", "--kafka_bootstrap=" + KafkaBootstrap(),
         "--topic_prefix=" + ns_});
    ASSERT_THAT(workforce, IsOk());
    workforce_ = std::make_unique<RunningService>(*std::move(workforce));
  }

  void TearDown() override {
    if (HasFailure()) {
      if (escalation_) std::cerr << "escalation log:\n" << escalation_->process.LogTail(40);
      if (workforce_) std::cerr << "workforce log:\n" << workforce_->process.LogTail(40);
    }
  }

  std::string ns_;
  std::string config_dir_;
  std::unique_ptr<RunningService> escalation_;
  std::unique_ptr<RunningService> workforce_;
};

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_INTEGRATION_SERVICE_FIXTURE_H_
