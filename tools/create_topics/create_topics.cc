// create_topics: creates the project's Kafka topics from a TopicSet textproto
// (deploy/topics.textproto). Existing topics are left alone, so it is safe to run twice.
//   create_topics --bootstrap=127.0.0.1:29092 --topics=deploy/topics.textproto [--prefix=...]
// With --delete, deletes instead every topic whose name starts with --prefix (a finished load
// run's namespace, so its records stop costing the broker disk and recovery time).
//   create_topics --bootstrap=127.0.0.1:29092 --prefix=load-1764000000-20000- --delete
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"
#include "common/kafka/topic_admin.h"
#include "common/v1/settings.pb.h"

ABSL_FLAG(std::string, bootstrap, "127.0.0.1:29092", "Kafka bootstrap servers.");
ABSL_FLAG(std::string, topics, "deploy/topics.textproto", "TopicSet textproto.");
ABSL_FLAG(std::string, prefix, "", "Prepended to every topic name.");
ABSL_FLAG(bool, delete, false,
          "Delete every topic whose name starts with --prefix (required) instead of creating.");

namespace {

int DeleteNamespace(const resilience::kafka::ClientOptions& client, const std::string& prefix) {
  if (prefix.empty()) {
    std::cerr << "create_topics: --delete needs --prefix (it never deletes every topic)\n";
    return EXIT_FAILURE;
  }
  auto names = resilience::kafka::ListTopics(client);
  if (!names.ok()) {
    std::cerr << "create_topics: " << names.status().message() << "\n";
    return EXIT_FAILURE;
  }
  std::vector<std::string> doomed;
  for (const std::string& name : *names) {
    if (absl::StartsWith(name, prefix)) doomed.push_back(name);
  }
  absl::Status status = resilience::kafka::DeleteTopics(client, doomed);
  if (!status.ok()) {
    std::cerr << "create_topics: " << status.message() << "\n";
    return EXIT_FAILURE;
  }
  std::cout << "kafka: " << doomed.size() << " topics under " << prefix << " deleted from "
            << client.bootstrap_servers << "\n";
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_delete)) {
    resilience::kafka::ClientOptions client;
    client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
    client.client_id = "create-topics";
    return DeleteNamespace(client, absl::GetFlag(FLAGS_prefix));
  }
  auto set = resilience::LoadTextProto<resilience::common::v1::TopicSet>(absl::GetFlag(FLAGS_topics));
  if (!set.ok()) {
    std::cerr << "create_topics: " << set.status().message() << "\n";
    return EXIT_FAILURE;
  }
  std::vector<resilience::kafka::TopicDefinition> topics;
  for (int i = 0; i < set->topics_size(); ++i) {
    const auto& t = set->topics(i);
    if (t.name().empty() || t.partitions() == 0) {
      std::cerr << "create_topics: " << absl::GetFlag(FLAGS_topics) << ": topics[" << i
                << "]: name and partitions are required\n";
      return EXIT_FAILURE;
    }
    resilience::kafka::TopicDefinition d;
    d.name = absl::StrCat(absl::GetFlag(FLAGS_prefix), t.name());
    d.partitions = static_cast<int>(t.partitions());
    d.replication_factor = t.replication_factor() == 0 ? 1 : static_cast<int>(t.replication_factor());
    d.retention = t.retention_hours() == 0 ? absl::InfiniteDuration() : absl::Hours(t.retention_hours());
    d.compacted = t.compacted();
    topics.push_back(d);
  }
  resilience::kafka::ClientOptions client;
  client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
  client.client_id = "create-topics";
  absl::Status status = resilience::kafka::CreateTopics(client, topics);
  if (!status.ok()) {
    std::cerr << "create_topics: " << status.message() << "\n";
    return EXIT_FAILURE;
  }
  std::cout << "kafka: " << topics.size() << " topics present on " << client.bootstrap_servers
            << "\n";
  return EXIT_SUCCESS;
}
