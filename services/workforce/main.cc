// workforce-service: flags, config and wiring only. See change_recorder.h,
// staffing_publisher.h and workforce_service.h.
#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/server_security.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_reader.h"
#include "common/log/log.h"
#include "common/metrics/metrics_http_server.h"
#include "common/reference/reference_index.h"
#include "services/workforce/change_recorder.h"
#include "services/workforce/staffing_publisher.h"
#include "services/workforce/workforce_service.h"
#include "workforce/v1/config.pb.h"

ABSL_FLAG(std::string, config, "", "Path of the WorkforceConfig textproto. Required.");
ABSL_FLAG(std::string, grpc_address, "", "Overrides server.grpc_address (host:port, port 0 = any).");
ABSL_FLAG(std::string, metrics_address, "", "Overrides server.metrics_address.");
ABSL_FLAG(std::string, kafka_bootstrap, "", "Overrides kafka.bootstrap_servers.");
ABSL_FLAG(std::string, topic_prefix, "", "Overrides topics.prefix (tests use a unique one).");
ABSL_FLAG(std::string, port_file, "", "Writes the bound gRPC port here once serving.");
ABSL_FLAG(std::string, log_format, "text", "text or json.");
ABSL_FLAG(std::string, clock_start, "",
          "Run on a clock starting at this RFC 3339 time (scenario replays, tests); empty = real.");
ABSL_FLAG(double, clock_speed, 1.0, "With --clock_start: how many times faster than real time.");
ABSL_FLAG(double, clock_epoch, 0,
          "With --clock_start: the real time (Unix seconds) at which the clock reads --clock_start, "
          "so services started one after another agree; 0 = at start-up.");

namespace {

namespace wf = resilience::workforce;

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
  auto config = resilience::LoadTextProto<wf::v1::WorkforceConfig>(config_path);
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
  absl::TimeZone zone;
  const std::string zone_name = config->time_zone().empty() ? "Europe/London" : config->time_zone();
  if (!absl::LoadTimeZone(zone_name, &zone)) {
    return Fail(resilience::ConfigError(config_path, "time_zone",
                                        absl::StrCat("unknown time zone '", zone_name, "'")));
  }

  auto scaled_clock = resilience::ReplayClockFromFlags(
      absl::GetFlag(FLAGS_clock_start), absl::GetFlag(FLAGS_clock_speed), absl::GetFlag(FLAGS_clock_epoch));
  if (!scaled_clock.ok()) return Fail(scaled_clock.status());
  const resilience::Clock* clock =
      *scaled_clock ? scaled_clock->get() : &resilience::Clock::Real();

  auto reference = resilience::ReferenceIndex::Load(
      resilience::ResolveBeside(config_path, config->reference_path()));
  if (!reference.ok()) return Fail(reference.status());

  const auto& topics = config->topics();
  auto topic = [&](const std::string& name, const char* fallback) {
    return absl::StrCat(topics.prefix(), name.empty() ? fallback : name);
  };
  const std::string changes_topic = topic(topics.workforce_changes(), "workforce-changes");
  resilience::kafka::ClientOptions kafka_client;
  kafka_client.bootstrap_servers = config->kafka().bootstrap_servers();
  kafka_client.client_id = "workforce-service";
  kafka_client.properties.insert(config->kafka().properties().begin(),
                                 config->kafka().properties().end());
  resilience::kafka::ProducerOptions producer_options;
  producer_options.client = kafka_client;
  auto producer = resilience::kafka::NewRdKafkaProducer(producer_options);
  if (!producer.ok()) return Fail(producer.status());

  // State: the reference teams, then everything the changes log holds (later changes win).
  wf::WorkforceState state(zone);
  {
    absl::MutexLock lock(&state.mu);
    for (const auto& team : (*reference)->data().teams()) {
      wf::v1::WorkforceChange change;
      *change.mutable_team() = team;
      *change.mutable_occurred_at() = resilience::ToProtoTime(absl::UnixEpoch());
      state.ledger.Apply(change);
    }
  }
  const absl::Time replay_start = absl::Now();
  int replayed = 0;
  absl::Status rebuilt = wf::ChangeRecorder::Rebuild(&state, [&](const auto& apply) {
    return resilience::kafka::ReadTopicToEnd(
        kafka_client, changes_topic, [&](const resilience::kafka::ConsumedRecord& r) {
          ++replayed;
          return apply(r.key, r.value);
        });
  });
  if (!rebuilt.ok()) return Fail(rebuilt);
  log->info("rebuilt state from {} change(s) of {} in {}", replayed, changes_topic,
            absl::FormatDuration(absl::Now() - replay_start));

  auto& metrics = resilience::MetricsRegistry::Default();
  wf::ChangeRecorderOptions recorder_options;
  recorder_options.changes_topic = changes_topic;
  recorder_options.reference = reference->get();
  if (config->max_future_skew_seconds() > 0) {
    recorder_options.max_future_skew = absl::Seconds(config->max_future_skew_seconds());
  }
  wf::ChangeRecorder recorder(&state, producer->get(), clock, &metrics, recorder_options);
  wf::StaffingPublisherOptions publisher_options;
  publisher_options.workforce_topic = topic(topics.workforce(), "workforce");
  publisher_options.changes_topic = changes_topic;
  publisher_options.county_id = (*reference)->data().county_id();
  wf::StaffingPublisher publisher(&state, producer->get(), clock, &metrics, publisher_options);
  publisher.Start();
  wf::WorkforceServiceImpl service(*reference, &state, &recorder, clock);

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
  if (auto s = resilience::ApplyServerSecurity(config->server(), config_path, &server_options);
      !s.ok()) {
    return Fail(s);
  }
  log->info("gRPC port: {}", server_options.security);
  auto server = resilience::GrpcServer::Start(
      server_options, {{&service, wf::v1::WorkforceService::service_full_name()}});
  if (!server.ok()) return Fail(server.status());
  if (auto s = resilience::WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
      !s.ok()) {
    return Fail(s);
  }
  log->info("serving on port {}, publishing to {}", (*server)->port(),
            publisher_options.workforce_topic);

  int sig = resilience::WaitForTerminationSignal();
  log->info("signal {}: draining", sig);
  (*server)->Shutdown();  // stop accepting; in-flight updates are answered
  publisher.Stop();
  log->info("stopped");
  return EXIT_SUCCESS;  // the recorder finishes its queue, the producer flushes, as they go
}
