// Every server answers the standard health checking service and lists its services through
// reflection; SIGTERM stops it gracefully; a broken config stops it at start-up with file, line
// and reason.
#include <fstream>

#include "absl/strings/match.h"
#include "common/grpc/server_probe.h"
#include "gmock/gmock.h"
#include "tests/integration/service_fixture.h"

namespace resilience::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST_F(ServicesTest, HealthAndReflectionOnEveryServer) {
  struct Expectation {
    RunningService* service;
    std::string name;
  };
  for (const Expectation& e :
       {Expectation{escalation_.get(), "resilience.escalation.v1.AlertService"},
        Expectation{workforce_.get(), "resilience.workforce.v1.WorkforceService"}}) {
    auto channel = grpc::CreateChannel(e.service->address(), grpc::InsecureChannelCredentials());
    EXPECT_THAT(CheckHealth(channel, ""), IsOkAndHolds(std::string("SERVING"))) << e.name;
    EXPECT_THAT(CheckHealth(channel, e.name), IsOkAndHolds(std::string("SERVING"))) << e.name;
    EXPECT_THAT(CheckHealth(channel, "no.such.Service"), StatusIs(absl::StatusCode::kNotFound));
    auto services = ListServicesByReflection(channel);
    ASSERT_THAT(services, IsOk());
    EXPECT_THAT(*services, Contains(e.name));
    EXPECT_THAT(*services, Contains("grpc.health.v1.Health"));
  }
}

TEST_F(ServicesTest, SigtermStopsGracefully) {
  EXPECT_THAT(workforce_->process.Terminate(), IsOkAndHolds(0));
  EXPECT_THAT(escalation_->process.Terminate(), IsOkAndHolds(0));
  EXPECT_THAT(escalation_->process.LogTail(), HasSubstr("stopped"));
}

TEST(ServiceConfigTest, BrokenConfigStopsStartUpNamingFileAndLine) {
  const std::string path = ::testing::TempDir() + "/broken_workforce.textproto";
  std::ofstream(path) << "server { grpc_address: \"127.0.0.1:0\" }\nkafka { bootstrap: 1 }\n";
  auto started = StartService("workforce-service", {"--config=" + path}, absl::Seconds(10));
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.status().message(), HasSubstr(path + ":2:"));
  EXPECT_THAT(started.status().message(), HasSubstr("bootstrap"));
}

}  // namespace
}  // namespace resilience::testing
