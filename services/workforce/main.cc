// workforce-service: flags, config and wiring only. See workforce_service.h.
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/clock/clock.h"
#include "common/config/text_proto.h"
#include "common/grpc/grpc_server.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/log/log.h"
#include "common/metrics/metrics_http_server.h"
#include "common/reference/reference_index.h"
#include "services/workforce/workforce_service.h"
#include "workforce/v1/config.pb.h"

ABSL_FLAG(std::string, config, "", "Path of the WorkforceConfig textproto. Required.");
ABSL_FLAG(std::string, grpc_address, "", "Overrides server.grpc_address (host:port, port 0 = any).");
ABSL_FLAG(std::string, metrics_address, "", "Overrides server.metrics_address.");
ABSL_FLAG(std::string, kafka_bootstrap, "", "Overrides kafka.bootstrap_servers.");
ABSL_FLAG(std::string, topic_prefix, "", "Overrides topics.prefix (tests use a unique one).");
ABSL_FLAG(std::string, port_file, "", "Writes the bound gRPC port here once serving.");
ABSL_FLAG(std::string, log_format, "text", "text or json.");

namespace {

int Fail(const absl::Status& status) {
  resilience::Logger("workforce")->critical("cannot start: {}", status.ToString());
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  resilience::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  resilience::ConfigureLogging(absl::GetFlag(FLAGS_log_format) == "json"
                                   ? resilience::LogFormat::kJson
                                   : resilience::LogFormat::kText);
  auto log = resilience::Logger("workforce");

  const std::string config_path = absl::GetFlag(FLAGS_config);
  auto config = resilience::LoadTextProto<resilience::workforce::v1::WorkforceConfig>(config_path);
  if (!config.ok()) return Fail(config.status());
  if (!absl::GetFlag(FLAGS_grpc_address).empty()) {
    config->mutable_server()->set_grpc_address(absl::GetFlag(FLAGS_grpc_address));
  }
  if (!absl::GetFlag(FLAGS_metrics_address).empty()) {
    config->mutable_server()->set_metrics_address(absl::GetFlag(FLAGS_metrics_address));
  }
  if (!absl::GetFlag(FLAGS_kafka_bootstrap).empty()) {
    config->mutable_kafka()->set_bootstrap_servers(absl::GetFlag(FLAGS_kafka_bootstrap));
  }
  if (!absl::GetFlag(FLAGS_topic_prefix).empty()) {
    config->mutable_topics()->set_prefix(absl::GetFlag(FLAGS_topic_prefix));
  }
  if (config->server().grpc_address().empty()) {
    return Fail(resilience::ConfigError(config_path, "server.grpc_address", "required"));
  }

  auto reference = resilience::ReferenceIndex::Load(
      resilience::ResolveBeside(config_path, config->reference_path()));
  if (!reference.ok()) return Fail(reference.status());

  resilience::kafka::ProducerOptions producer_options;
  producer_options.client.bootstrap_servers = config->kafka().bootstrap_servers();
  producer_options.client.client_id = "workforce-service";
  producer_options.client.properties.insert(config->kafka().properties().begin(),
                                            config->kafka().properties().end());
  auto producer = resilience::kafka::NewRdKafkaProducer(producer_options);
  if (!producer.ok()) return Fail(producer.status());

  resilience::workforce::WorkforceServiceOptions options;
  options.topic = absl::StrCat(config->topics().prefix(),
                               config->topics().workforce().empty() ? "workforce"
                                                                    : config->topics().workforce());
  if (config->max_future_skew_seconds() > 0) {
    options.max_future_skew = absl::Seconds(config->max_future_skew_seconds());
  }
  auto& metrics = resilience::MetricsRegistry::Default();
  resilience::workforce::WorkforceServiceImpl service(*reference, producer->get(),
                                                      &resilience::Clock::Real(), &metrics,
                                                      options);

  std::unique_ptr<resilience::MetricsHttpServer> metrics_server;
  if (!config->server().metrics_address().empty()) {
    auto started = resilience::MetricsHttpServer::Start(config->server().metrics_address(), &metrics);
    if (!started.ok()) return Fail(started.status());
    metrics_server = *std::move(started);
  }

  resilience::GrpcServerOptions server_options;
  server_options.address = config->server().grpc_address();
  if (config->server().shutdown_grace_seconds() > 0) {
    server_options.shutdown_grace = absl::Seconds(config->server().shutdown_grace_seconds());
  }
  auto server = resilience::GrpcServer::Start(
      server_options,
      {{&service, resilience::workforce::v1::WorkforceService::service_full_name()}});
  if (!server.ok()) return Fail(server.status());
  if (auto s = resilience::WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
      !s.ok()) {
    return Fail(s);
  }
  log->info("serving on port {}, publishing to topic {}", (*server)->port(), options.topic);

  int sig = resilience::WaitForTerminationSignal();
  log->info("signal {}: draining", sig);
  (*server)->Shutdown();  // stop accepting, let in-flight reports reach Kafka
  producer->reset();      // flushes outstanding deliveries
  log->info("stopped");
  return EXIT_SUCCESS;
}
