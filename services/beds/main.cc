// beds-service: flags, config and wiring only. See change_writer.h, bed_publisher.h and
// beds_service.h.
#include <cstdlib>
#include <map>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "beds/v1/config.pb.h"
#include "common/clock/clock.h"
#include "common/config/text_proto.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/server_security.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_reader.h"
#include "common/log/log.h"
#include "common/metrics/metrics_http_server.h"
#include "common/reference/reference_index.h"
#include "services/beds/bed_publisher.h"
#include "services/beds/beds_service.h"
#include "services/beds/change_writer.h"

ABSL_FLAG(std::string, config, "", "Path of the BedsConfig textproto. Required.");
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

namespace beds = resilience::beds;

int Fail(const absl::Status& status) {
  resilience::Logger("beds")->critical("cannot start: {}", status.ToString());
  return EXIT_FAILURE;
}

uint32_t Or(uint32_t value, uint32_t fallback) { return value == 0 ? fallback : value; }

}  // namespace

int main(int argc, char** argv) {
  resilience::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  resilience::ConfigureLogging(absl::GetFlag(FLAGS_log_format) == "json"
                                   ? resilience::LogFormat::kJson
                                   : resilience::LogFormat::kText);
  auto log = resilience::Logger("beds");

  const std::string config_path = absl::GetFlag(FLAGS_config);
  auto config = resilience::LoadTextProto<beds::v1::BedsConfig>(config_path);
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
  if (config->kafka().bootstrap_servers().empty()) {
    return Fail(resilience::ConfigError(config_path, "kafka.bootstrap_servers", "required"));
  }
  if (config->reference_path().empty()) {
    return Fail(resilience::ConfigError(config_path, "reference_path", "required"));
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
  const std::string changes_topic = topic(config->changes_topic(), "beds-changes");
  resilience::kafka::ClientOptions kafka_client;
  kafka_client.bootstrap_servers = config->kafka().bootstrap_servers();
  kafka_client.client_id = "beds-service";
  kafka_client.properties.insert(config->kafka().properties().begin(),
                                 config->kafka().properties().end());
  resilience::kafka::ProducerOptions producer_options;
  producer_options.client = kafka_client;
  auto producer = resilience::kafka::NewRdKafkaProducer(producer_options);
  if (!producer.ok()) return Fail(producer.status());

  const auto& timers = config->placement_timers();
  beds::PlacementRules rules;
  rules.assessment_overdue_days = static_cast<int>(Or(timers.assessment_overdue_days(), 21));
  rules.disregard_notice_days = static_cast<int>(Or(timers.disregard_notice_days(), 49));
  rules.max_planned_start_days = static_cast<int>(Or(timers.max_planned_start_days(), 14));
  rules.zone = zone;
  // State: the reference locations, then everything the changes log holds.
  beds::BedsState state(*reference, absl::Hours(Or(config->stale_after_hours(), 24)), rules,
                        absl::Hours(Or(config->idempotency_window_hours(), 72)));
  {
    absl::MutexLock lock(&state.mu);
    state.board.LoadReference();
  }
  const absl::Time replay_start = absl::Now();
  int replayed = 0;
  absl::Status rebuilt = beds::ChangeWriter::Rebuild(&state, [&](const auto& apply) {
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
  beds::ChangeWriterOptions writer_options;
  writer_options.changes_topic = changes_topic;
  writer_options.max_future_skew = absl::Seconds(Or(config->max_future_skew_seconds(), 300));
  beds::ChangeWriter writer(&state, producer->get(), clock, &metrics, writer_options);
  beds::BedPublisherOptions publisher_options;
  publisher_options.beds_topic = topic(topics.beds(), "beds");
  publisher_options.changes_topic = changes_topic;
  publisher_options.county_id = (*reference)->data().county_id();
  beds::BedPublisher publisher(&state, &writer, producer->get(), clock, &metrics,
                               publisher_options);
  publisher.Start();
  auto limit_of = [](const beds::v1::ProviderRateLimit& l) {
    return beds::RateLimit{static_cast<double>(Or(l.updates_per_second(), 50)),
                           static_cast<double>(Or(l.burst(), 500))};
  };
  std::map<std::string, beds::RateLimit> limits_by_provider;
  for (const auto& [provider, limit] : config->rate_limit_by_provider()) {
    limits_by_provider[provider] = limit_of(limit);
  }
  beds::BedsServiceImpl service(
      &state, &writer, clock, &metrics, writer_options.max_future_skew,
      beds::ProviderRateLimits(limit_of(config->rate_limit()), std::move(limits_by_provider)));

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
      server_options, {{&service, beds::v1::BedsService::service_full_name()}});
  if (!server.ok()) return Fail(server.status());
  if (auto s = resilience::WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
      !s.ok()) {
    return Fail(s);
  }
  log->info("serving on port {}, publishing to {}", (*server)->port(),
            publisher_options.beds_topic);

  int sig = resilience::WaitForTerminationSignal();
  log->info("signal {}: draining", sig);
  (*server)->Shutdown();  // stop accepting; in-flight updates are answered
  publisher.Stop();
  log->info("stopped");
  return EXIT_SUCCESS;  // the writer finishes its queue, the producer flushes, as they go
}
