// escalation-service: flags, config and wiring only. See indicator_pipeline.h and
// alert_service.h.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/clock.h"
#include "common/config/text_proto.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/server_security.h"
#include "common/kafka/rdkafka_consumer.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/log/log.h"
#include "common/metrics/metrics_http_server.h"
#include "common/redis/hiredis_client.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/config.pb.h"
#include "services/escalation/alert_feed.h"
#include "services/escalation/alert_service.h"
#include "services/escalation/duty_desk.h"
#include "services/escalation/indicator_pipeline.h"
#include "services/escalation/level_rollup.h"
#include "services/escalation/level_state.h"

ABSL_FLAG(std::string, config, "", "Path of the EscalationConfig textproto. Required.");
ABSL_FLAG(std::string, grpc_address, "", "Overrides server.grpc_address (host:port, port 0 = any).");
ABSL_FLAG(std::string, metrics_address, "", "Overrides server.metrics_address.");
ABSL_FLAG(std::string, kafka_bootstrap, "", "Overrides kafka.bootstrap_servers.");
ABSL_FLAG(std::string, group_id, "", "Overrides kafka.group_id.");
ABSL_FLAG(std::string, redis_host, "", "Overrides redis.host.");
ABSL_FLAG(int, redis_port, 0, "Overrides redis.port.");
ABSL_FLAG(std::string, namespace, "",
          "Overrides topics.prefix and redis.key_prefix (tests use a unique one per run).");
ABSL_FLAG(std::string, port_file, "", "Writes the bound gRPC port here once serving.");
ABSL_FLAG(std::string, log_format, "text", "text or json.");
ABSL_FLAG(std::string, clock_start, "",
          "Run on a clock starting at this RFC 3339 time (scenario replays, tests); empty = real.");
ABSL_FLAG(double, clock_speed, 1.0, "With --clock_start: how many times faster than real time.");
ABSL_FLAG(double, clock_epoch, 0,
          "With --clock_start: the real time (Unix seconds) at which the clock reads --clock_start, "
          "so services started one after another agree; 0 = at start-up.");
ABSL_FLAG(int, level_tick_seconds, 0, "Overrides level_tick_seconds (real seconds between timed work).");

namespace {

namespace esc = resilience::escalation;

int Fail(const absl::Status& status) {
  resilience::Logger("escalation")->critical("cannot start: {}", status.ToString());
  return EXIT_FAILURE;
}

std::string Topic(const resilience::common::v1::TopicNames& t, const std::string& name,
                  const char* fallback) {
  return absl::StrCat(t.prefix(), name.empty() ? fallback : name);
}

}  // namespace

int main(int argc, char** argv) {
  resilience::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  resilience::ConfigureLogging(absl::GetFlag(FLAGS_log_format) == "json"
                                   ? resilience::LogFormat::kJson
                                   : resilience::LogFormat::kText);
  auto log = resilience::Logger("escalation");

  const std::string config_path = absl::GetFlag(FLAGS_config);
  auto config = resilience::LoadTextProto<esc::v1::EscalationConfig>(config_path);
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
  if (!absl::GetFlag(FLAGS_group_id).empty()) {
    config->mutable_kafka()->set_group_id(absl::GetFlag(FLAGS_group_id));
  }
  if (!absl::GetFlag(FLAGS_redis_host).empty()) {
    config->mutable_redis()->set_host(absl::GetFlag(FLAGS_redis_host));
  }
  if (absl::GetFlag(FLAGS_redis_port) != 0) {
    config->mutable_redis()->set_port(absl::GetFlag(FLAGS_redis_port));
  }
  if (!absl::GetFlag(FLAGS_namespace).empty()) {
    config->mutable_topics()->set_prefix(absl::GetFlag(FLAGS_namespace));
    config->mutable_redis()->set_key_prefix(absl::StrCat(absl::GetFlag(FLAGS_namespace), ":"));
  }
  if (config->server().grpc_address().empty()) {
    return Fail(resilience::ConfigError(config_path, "server.grpc_address", "required"));
  }

  auto scaled_clock = resilience::ReplayClockFromFlags(
      absl::GetFlag(FLAGS_clock_start), absl::GetFlag(FLAGS_clock_speed), absl::GetFlag(FLAGS_clock_epoch));
  if (!scaled_clock.ok()) return Fail(scaled_clock.status());
  const resilience::Clock* clock =
      *scaled_clock ? scaled_clock->get() : &resilience::Clock::Real();
  if (absl::GetFlag(FLAGS_level_tick_seconds) > 0) {
    config->set_level_tick_seconds(absl::GetFlag(FLAGS_level_tick_seconds));
  }

  auto reference = resilience::ReferenceIndex::Load(
      resilience::ResolveBeside(config_path, config->reference_path()));
  if (!reference.ok()) return Fail(reference.status());
  auto tables = esc::TriggerTables::FromConfig(config->trigger_tables());
  if (!tables.ok()) {
    return Fail(resilience::ConfigError(config_path, "trigger_tables", tables.status().message()));
  }

  const auto& topics = config->topics();
  resilience::kafka::ClientOptions kafka_client;
  kafka_client.bootstrap_servers = config->kafka().bootstrap_servers();
  kafka_client.client_id = "escalation-service";
  kafka_client.properties.insert(config->kafka().properties().begin(),
                                 config->kafka().properties().end());
  resilience::kafka::ProducerOptions producer_options;
  producer_options.client = kafka_client;
  // Every send waits for its delivery before the live view changes, so batching delay would only
  // add to each event's apply time.
  producer_options.linger = absl::ZeroDuration();
  auto producer = resilience::kafka::NewRdKafkaProducer(producer_options);
  if (!producer.ok()) return Fail(producer.status());
  // The first alert after a start must not wait for the topics' lookup.
  (*producer)->Prepare({Topic(topics, topics.alerts(), "alerts"), Topic(topics, topics.audit(), "audit"),
                        Topic(topics, topics.status(), "status"),
                        Topic(topics, topics.dead_letter(), "dead-letter")},
                       absl::Seconds(5));
  resilience::kafka::ConsumerOptions consumer_options;
  consumer_options.client = kafka_client;
  consumer_options.group_id = absl::StrCat(
      topics.prefix(), config->kafka().group_id().empty() ? "escalation" : config->kafka().group_id());
  consumer_options.topics = {Topic(topics, topics.capacity(), "capacity"),
                             Topic(topics, topics.beds(), "beds"),
                             Topic(topics, topics.workforce(), "workforce")};
  // Applying an event is idempotent by event id, so offsets are committed in the background
  // rather than one broker round trip per event; a crash redelivers at most this much.
  consumer_options.commit_interval = absl::Milliseconds(200);
  auto consumer = resilience::kafka::NewRdKafkaConsumer(consumer_options);
  if (!consumer.ok()) return Fail(consumer.status());

  resilience::redis::ClientOptions redis_options;
  redis_options.host = config->redis().host().empty() ? "127.0.0.1" : config->redis().host();
  redis_options.port = config->redis().port() == 0 ? 6379 : static_cast<int>(config->redis().port());
  if (config->redis().timeout_ms() > 0) {
    redis_options.timeout = absl::Milliseconds(config->redis().timeout_ms());
  }
  const int64_t stream_max = config->alert_rules().stream_max_entries() == 0
                                 ? 100000
                                 : config->alert_rules().stream_max_entries();
  // Three connections: the pipeline's writes, queries, and the feed's blocking reads.
  auto pipeline_redis = resilience::redis::NewHiredisClient(redis_options);
  auto query_redis = resilience::redis::NewHiredisClient(redis_options);
  auto feed_redis = resilience::redis::NewHiredisClient(redis_options);
  esc::LiveState pipeline_state(pipeline_redis.get(), config->redis().key_prefix(), stream_max);
  esc::LiveState query_state(query_redis.get(), config->redis().key_prefix(), stream_max);
  esc::LiveState feed_state(feed_redis.get(), config->redis().key_prefix(), stream_max);

  auto& metrics = resilience::MetricsRegistry::Default();
  esc::IndicatorPipelineOptions pipeline_options;
  pipeline_options.alerts_topic = Topic(topics, topics.alerts(), "alerts");
  pipeline_options.audit_topic = Topic(topics, topics.audit(), "audit");
  pipeline_options.dead_letter_topic = Topic(topics, topics.dead_letter(), "dead-letter");
  absl::TimeZone zone;
  const std::string zone_name = config->time_zone().empty() ? "Europe/London" : config->time_zone();
  if (!absl::LoadTimeZone(zone_name, &zone)) {
    return Fail(resilience::ConfigError(config_path, "time_zone",
                                        absl::StrCat("unknown time zone '", zone_name, "'")));
  }
  if (config->level_tick_seconds() > 0) {
    pipeline_options.level_tick = absl::Seconds(config->level_tick_seconds());
  }
  esc::LevelState level_state(pipeline_redis.get(), &pipeline_state, config->redis().key_prefix(),
                              stream_max);
  esc::LevelRollUpOptions rollup_options;
  rollup_options.status_topic = Topic(topics, topics.status(), "status");
  rollup_options.alerts_topic = pipeline_options.alerts_topic;
  rollup_options.audit_topic = pipeline_options.audit_topic;
  rollup_options.zone = zone;
  rollup_options.area_quorum = config->level_rules().area_quorum();
  if (config->level_rules().system_quorum() > 0) {
    rollup_options.system_quorum = config->level_rules().system_quorum();
  }
  rollup_options.countywide_share = config->level_rules().countywide_share();
  if (config->level_rules().step_down_hold_minutes() > 0) {
    rollup_options.step_down_hold = absl::Minutes(config->level_rules().step_down_hold_minutes());
  }
  rollup_options.rules_version = config->rules_version();
  std::optional<esc::ActionCatalogue> catalogue;
  if (!config->action_catalogue_path().empty()) {
    const std::string path = resilience::ResolveBeside(config_path, config->action_catalogue_path());
    auto catalogue_config = resilience::LoadTextProto<esc::v1::ActionCatalogue>(path);
    if (!catalogue_config.ok()) return Fail(catalogue_config.status());
    std::map<std::string, std::string> roles;
    for (const auto& r : (*reference)->data().roles()) roles[r.id()] = r.name();
    auto built = esc::ActionCatalogue::FromConfig(*catalogue_config, roles);
    if (!built.ok()) return Fail(resilience::ConfigError(path, "roles", built.status().message()));
    catalogue = *std::move(built);
  }
  const esc::ActionCatalogue* catalogue_ptr = catalogue.has_value() ? &*catalogue : nullptr;
  auto acute = esc::AcuteFrameworks::FromConfig(config->acute_frameworks());
  if (!acute.ok()) {
    return Fail(resilience::ConfigError(config_path, "acute_frameworks", acute.status().message()));
  }
  // Grouping, silences, protocol tasks, prompts and re-notification (the duty desk): one per
  // Redis connection, the pipeline's for events and timers, the query one for staff calls.
  const auto& alert_rules = config->alert_rules();
  const absl::Duration group_window = absl::Seconds(
      alert_rules.group_window_seconds() == 0 ? 300 : alert_rules.group_window_seconds());
  esc::DutyDeskOptions desk_options;
  desk_options.alerts_topic = pipeline_options.alerts_topic;
  desk_options.audit_topic = pipeline_options.audit_topic;
  desk_options.status_topic = rollup_options.status_topic;
  if (alert_rules.renotify_high_minutes() > 0) {
    desk_options.renotify.high = absl::Minutes(alert_rules.renotify_high_minutes());
  }
  if (alert_rules.renotify_low_minutes() > 0) {
    desk_options.renotify.low = absl::Minutes(alert_rules.renotify_low_minutes());
  }
  const auto& wr = config->workflow_rules();
  auto& ws = desk_options.workflow;
  ws.zone = zone;
  if (wr.nhs111_dos_level() > 0) ws.nhs111_dos_level = static_cast<resilience::common::v1::OpelLevel>(wr.nhs111_dos_level());
  if (wr.nhs111_review_hours() > 0) ws.nhs111_review = absl::Hours(wr.nhs111_review_hours());
  if (wr.in_hours_start() > 0 || wr.in_hours_end() > 0) {
    ws.in_hours_start = static_cast<int>(wr.in_hours_start());
    ws.in_hours_end = static_cast<int>(wr.in_hours_end());
  }
  if (wr.prompt_min_level() > 0) ws.prompt_min_level = static_cast<resilience::common::v1::OpelLevel>(wr.prompt_min_level());
  if (wr.prompt_answer_hours() > 0) ws.prompt_answer = absl::Hours(wr.prompt_answer_hours());
  if (wr.panel_decision_hours() > 0) ws.panel_decision = absl::Hours(wr.panel_decision_hours());
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  desk_options.instance_id = absl::StrCat(host, ":", getpid());
  desk_options.lease = 3 * absl::Seconds(config->level_tick_seconds() > 0 ? config->level_tick_seconds() : 10);
  esc::WorkflowState pipeline_work(pipeline_redis.get(), &pipeline_state, config->redis().key_prefix(),
                                   stream_max);
  esc::WorkflowState query_work(query_redis.get(), &query_state, config->redis().key_prefix(),
                                stream_max);
  // One stamp for both sides, so a silence created by a staff call applies to the very next
  // figure the pipeline takes.
  esc::NotificationStamp stamp(&query_work, group_window);
  rollup_options.stamp = &stamp;

  esc::LevelRollUp rollup(&level_state, producer->get(), *reference, &*tables, rollup_options,
                          catalogue_ptr, &*acute);
  esc::DutyDesk pipeline_desk(&pipeline_work, &level_state, producer->get(), *reference,
                              &stamp, desk_options);
  esc::IndicatorPipeline pipeline(consumer->get(), producer->get(), &pipeline_state, &*tables,
                                  *reference, &metrics, pipeline_options, &rollup, clock,
                                  catalogue_ptr, &*acute, zone);
  pipeline.SetDutyDesk(&pipeline_desk, &stamp);
  esc::RebuildSources sources;
  sources.client = kafka_client;
  sources.alerts_topic = pipeline_options.alerts_topic;
  sources.audit_topic = pipeline_options.audit_topic;
  sources.status_topic = rollup_options.status_topic;
  sources.domain_topics = consumer_options.topics;
  sources.group_id = consumer_options.group_id;
  esc::LiveStateRebuild rebuild(sources, pipeline_redis.get(), &pipeline_state, &level_state,
                                &pipeline_work, config->redis().key_prefix(), stream_max,
                                *reference, &*tables, &*acute, zone);
  pipeline.SetRebuild(&rebuild);
  // Before serving: a Redis that lost the view (or a new one) is rebuilt from Kafka first.
  for (int attempt = 1;; ++attempt) {
    auto rebuilt = rebuild.RebuildIfLost(clock->Now());
    if (rebuilt.ok()) {
      if (rebuilt->has_value()) {
        log->info("live state built from Kafka: {} alerts, {} levels, {} figures, {} tasks",
                  (*rebuilt)->alerts, (*rebuilt)->levels, (*rebuilt)->figures, (*rebuilt)->tasks);
      }
      break;
    }
    if (attempt >= 30) return Fail(rebuilt.status());
    log->warn("cannot check or rebuild the live state yet: {}", rebuilt.status().ToString());
    absl::SleepFor(absl::Seconds(1));  // pacing retries of an unavailable dependency
  }

  // Twice the stream's bound: every revision a rebuild writes back (RelayedRevisions).
  esc::AlertFeed feed(&feed_state, 2 * static_cast<size_t>(stream_max));
  if (auto s = feed.Start(); !s.ok()) return Fail(s);
  esc::AlertServiceOptions alert_options;
  alert_options.alerts_topic = pipeline_options.alerts_topic;
  alert_options.audit_topic = pipeline_options.audit_topic;
  alert_options.status_topic = rollup_options.status_topic;
  alert_options.zone = zone;
  esc::LevelState query_levels(query_redis.get(), &query_state, config->redis().key_prefix(),
                               stream_max);
  esc::DutyDesk query_desk(&query_work, &query_levels, producer->get(), *reference, &stamp,
                           desk_options);
  esc::AlertServiceImpl alert_service(&query_state, &query_levels, &feed, producer->get(),
                                      *reference, clock, alert_options, &query_desk, &stamp);

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
      server_options, {{&alert_service, esc::v1::AlertService::service_full_name()}});
  if (!server.ok()) return Fail(server.status());
  if (auto s = resilience::WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
      !s.ok()) {
    return Fail(s);
  }
  std::thread pipeline_thread([&pipeline] { pipeline.Run(); });
  log->info("serving on port {}, consuming {} as group {}", (*server)->port(),
            absl::StrJoin(consumer_options.topics, ","), consumer_options.group_id);

  int sig = resilience::WaitForTerminationSignal();
  log->info("signal {}: draining", sig);
  feed.ShutdownListeners();  // subscribers get UNAVAILABLE and resume elsewhere
  (*server)->Shutdown();     // then stop accepting and drain unary calls
  pipeline.Stop();        // finishes the record in hand, commits, leaves the group
  pipeline_thread.join();
  log->info("stopped");
  return EXIT_SUCCESS;
}
