#include "tests/testing/infra.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"
#include "common/kafka/topic_admin.h"
#include "common/v1/settings.pb.h"

namespace resilience::testing {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

std::string KafkaBootstrap() { return Env("RESILIENCE_KAFKA_BOOTSTRAP", "127.0.0.1:39092"); }

int RedisPort() {
  int port = 36379;
  (void)absl::SimpleAtoi(Env("RESILIENCE_REDIS_PORT", "36379"), &port);
  return port;
}

std::string SourceDir() { return Env("RESILIENCE_SOURCE_DIR", "."); }
std::string BinaryDir() { return Env("RESILIENCE_BINARY_DIR", "build"); }

std::string UniqueNamespace(const std::string& name) {
  absl::BitGen gen;
  return absl::StrCat("t-", name, "-", getpid(), "-", absl::Hex(absl::Uniform<uint32_t>(gen)), "-");
}

absl::Status CreateProjectTopics(const std::string& prefix) {
  auto set = LoadTextProto<common::v1::TopicSet>(SourceDir() + "/deploy/topics.textproto");
  if (!set.ok()) return set.status();
  std::vector<kafka::TopicDefinition> topics;
  for (const auto& t : set->topics()) {
    kafka::TopicDefinition d;
    d.name = prefix + t.name();
    d.partitions = static_cast<int>(t.partitions());
    d.compacted = t.compacted();
    topics.push_back(d);
  }
  kafka::ClientOptions client;
  client.bootstrap_servers = KafkaBootstrap();
  return kafka::CreateTopics(client, topics);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace resilience::testing
