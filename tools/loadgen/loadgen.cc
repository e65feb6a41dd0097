// loadgen: end-to-end latency of the escalation path (observation published to its domain topic
// -> alert received by an AlertService.Subscribe stream), at target rates, beside a bare
// librdkafka produce -> consume round trip of the same messages in the same run. Prints median,
// p99 and a histogram of both, the rate the escalation service sustained, and the ratios.
//
//   loadgen --bootstrap=127.0.0.1:29092 --escalation_address=127.0.0.1:50052 --namespace=<ns>
//       --rates=1000,20000 --seconds=10
// (tools/loadgen/measure.sh starts an escalation service on fresh topics and runs this.)
//
// The mix: every (scope, indicator) pair the reference data and the trigger tables allow (about
// a hundred: teams' staffing, locations' beds, areas' referrals and markets, ...), round-robin;
// most readings are Green or Amber and `--red_share` of them Red or Black, so only some cross a
// threshold and change an alert. Event times are synthetic and advance `--slot_minutes` per
// reading of one pair, so the 24-hour de-escalation hold passes within a run and alerts keep
// being raised and resolved (otherwise every pair would be held Red after its first excursion).
// At thousands of readings a second that is hundreds of synthetic hours a second, so partitions
// the service consumes a fraction of a second apart sit hours apart, and figures on a lagging
// partition are (rightly) reported stale: a small `--slot_minutes` (0.5) avoids that at the cost
// of the hold never passing (README "Proof").
// Each event's id names its index; an indicator alert carries the event id in its evidence, so
// the subscriber matches each alert transition to the publish time of the reading that caused
// it. Throughput: readings published / time until the service's consumer group has committed
// all of them (the rate it sustained, whatever the target).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_admin.h"
#include "common/scope/scope_key.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "escalation/v1/config.pb.h"
#include "events/v1/events.pb.h"
#include "grpcpp/grpcpp.h"
#include "librdkafka/rdkafkacpp.h"
#include "services/escalation/core/trigger_table.h"
#include "tests/testing/kafka_lag.h"

ABSL_FLAG(std::string, bootstrap, "127.0.0.1:29092", "Kafka bootstrap servers.");
ABSL_FLAG(std::string, escalation_address, "127.0.0.1:50052", "The escalation service's gRPC address.");
ABSL_FLAG(std::string, namespace, "",
          "Topic and consumer-group prefix the escalation service runs with (its --namespace).");
ABSL_FLAG(std::string, group_id, "escalation", "The escalation service's consumer group (without the namespace).");
ABSL_FLAG(std::string, config_dir, "deploy/config/kent-medway",
          "Folder of escalation.textproto and reference.textproto (the service's config).");
ABSL_FLAG(std::string, rates, "1000,20000", "Target rates, readings per second, one run each.");
ABSL_FLAG(double, seconds, 10, "How long each run publishes.");
ABSL_FLAG(double, red_share, 0.03, "Share of readings in a Red or Black band.");
ABSL_FLAG(double, level_persistence, 0.0,
          "Chance that a reading repeats its pair's previous level instead of drawing a new one. "
          "0 (the default, the stress mix) draws every reading afresh, so about a quarter of "
          "readings move their figure's level; 0.9 is closer to a real day, where a figure keeps "
          "its colour for hours.");
ABSL_FLAG(double, slot_minutes, 60, "Synthetic minutes between two readings of one (scope, indicator).");
ABSL_FLAG(double, drain_seconds, 120,
          "How long to wait for the service to apply a run; a backlog left then means the target was "
          "not sustained (the rate applied so far is reported).");
ABSL_FLAG(std::string, staff_user, "helen-marsh", "Staff user of the Subscribe stream (county-wide).");
ABSL_FLAG(bool, baseline, true, "Also measure the bare librdkafka round trip at each rate.");

namespace {

using resilience::events::v1::DomainEvent;
namespace esc = resilience::escalation::v1;
namespace ref = resilience::reference::v1;
using resilience::common::v1::OpelLevel;

int64_t NowNanos() { return absl::GetCurrentTimeNanos(); }

// One (scope, indicator) pair with a value in each level's band.
struct Slot {
  resilience::common::v1::ScopeRef scope;
  std::string indicator;
  std::string unit;
  std::string topic;  // domain topic, without the namespace
  std::map<int, double> value_at;  // OpelLevel -> a value in that band
};

// A value inside a band (the middle of a closed band; near the finite end of an open one).
std::optional<double> Inside(const esc::TriggerBand& band) {
  if (band.has_min() && band.has_max()) return (band.min() + band.max()) / 2;
  if (band.has_min()) return band.min() + std::max(1.0, std::abs(band.min()) * 0.1);
  if (band.has_max()) return band.max() - std::max(1.0, std::abs(band.max()) * 0.1);
  return std::nullopt;
}

std::vector<Slot> Slots(const ref::ReferenceData& reference, const esc::EscalationConfig& config,
                        const resilience::escalation::TriggerTables& tables) {
  std::vector<Slot> slots;
  for (const ref::IndicatorDefinition& indicator : reference.indicators()) {
    std::vector<std::pair<resilience::common::v1::ScopeRef, std::string>> scopes;  // scope, area
    auto add = [&](resilience::common::v1::ScopeKind kind, const std::string& id,
                   const std::string& area) {
      resilience::common::v1::ScopeRef s;
      s.set_kind(kind);
      s.set_id(id);
      scopes.emplace_back(s, area);
    };
    switch (indicator.scope_kind()) {
      case resilience::common::v1::SCOPE_KIND_TEAM:
        for (const auto& t : reference.teams()) add(indicator.scope_kind(), t.id(), t.area_id());
        break;
      case resilience::common::v1::SCOPE_KIND_LOCATION:
        for (const auto& l : reference.locations()) add(indicator.scope_kind(), l.id(), l.area_id());
        break;
      case resilience::common::v1::SCOPE_KIND_AREA:
        for (const auto& a : reference.areas()) add(indicator.scope_kind(), a.id(), a.id());
        break;
      case resilience::common::v1::SCOPE_KIND_KEAH_PATCH:
        for (const auto& p : reference.keah_patches()) add(indicator.scope_kind(), p.id(), p.area_id());
        break;
      default:
        break;  // county and NHS scopes: too few to matter
    }
    for (const auto& [scope, area] : scopes) {
      const resilience::escalation::TriggerTable* table = tables.Find(indicator.id(), area);
      if (table == nullptr || table->config().bands().empty()) continue;
      Slot slot;
      slot.scope = scope;
      slot.indicator = indicator.id();
      slot.unit = indicator.unit();
      slot.topic = indicator.source();
      for (const esc::TriggerBand& band : table->config().bands()) {
        std::optional<double> v = Inside(band);
        if (!v) continue;
        if (table->config().normal_level() > 0) *v = *v * table->config().normal_level() / 100;
        if (indicator.unit() != "percent") *v = std::round(*v);
        // Keep only values the table really puts in that band (rounding can move a count).
        auto match = table->EvaluateNumber(*v);
        if (match.ok() && *v >= 0) slot.value_at[match->level] = *v;
      }
      if (slot.value_at.count(resilience::common::v1::OPEL_LEVEL_1_GREEN) &&
          slot.value_at.count(resilience::common::v1::OPEL_LEVEL_3_RED)) {
        slots.push_back(std::move(slot));
      }
    }
  }
  (void)config;
  return slots;
}

// The messages of one run, prebuilt so that publishing measures Kafka and the service only.
struct Message {
  std::string topic;
  std::string key;
  std::string value;
};

std::vector<Message> Build(const std::vector<Slot>& slots, const std::string& run, int64_t count,
                           absl::Time t0) {
  absl::BitGen gen(std::seed_seq{static_cast<int>(count)});
  const double red_share = absl::GetFlag(FLAGS_red_share);
  const absl::Duration step = absl::Minutes(absl::GetFlag(FLAGS_slot_minutes)) / slots.size();
  const double persistence = absl::GetFlag(FLAGS_level_persistence);
  std::vector<int> previous(slots.size(), 0);  // 0: no reading yet
  std::vector<Message> out;
  out.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    const Slot& slot = slots[i % slots.size()];
    int& before = previous[i % slots.size()];
    const double u = absl::Uniform(gen, 0.0, 1.0);
    int level = u < red_share * 0.8   ? resilience::common::v1::OPEL_LEVEL_3_RED
                : u < red_share       ? resilience::common::v1::OPEL_LEVEL_4_BLACK
                : u < red_share + 0.1 ? resilience::common::v1::OPEL_LEVEL_2_AMBER
                                      : resilience::common::v1::OPEL_LEVEL_1_GREEN;
    if (before != 0 && absl::Uniform(gen, 0.0, 1.0) < persistence) level = before;
    if (!slot.value_at.count(level)) level = resilience::common::v1::OPEL_LEVEL_1_GREEN;
    before = level;
    const absl::Time at = t0 + step * i;
    DomainEvent e;
    auto* env = e.mutable_envelope();
    env->set_event_id(absl::StrCat(run, "-", i));
    env->set_source("loadgen");
    *env->mutable_scope() = slot.scope;
    *env->mutable_occurred_at() = resilience::ToProtoTime(at);
    *env->mutable_received_at() = resilience::ToProtoTime(at);
    env->set_schema_version(1);
    env->mutable_provenance()->set_provider_id("loadgen");
    env->mutable_provenance()->set_update_id(env->event_id());
    *env->mutable_provenance()->mutable_accepted_at() = resilience::ToProtoTime(at);
    e.mutable_observation()->set_indicator(slot.indicator);
    e.mutable_observation()->set_number(slot.value_at.at(level));
    e.mutable_observation()->set_unit(slot.unit);
    out.push_back({slot.topic, resilience::ScopeKey(slot.scope), e.SerializeAsString()});
  }
  return out;
}

// Latencies in microseconds, with the summary and histogram printed.
struct Latencies {
  absl::Mutex mu;
  std::vector<int64_t> micros;
  void Add(int64_t us) {
    absl::MutexLock lock(&mu);
    micros.push_back(us);
  }
  double Percentile(double p) {
    absl::MutexLock lock(&mu);
    if (micros.empty()) return 0;
    std::sort(micros.begin(), micros.end());
    const size_t i = std::min(micros.size() - 1, static_cast<size_t>(p * micros.size()));
    return micros[i] / 1000.0;
  }
  size_t Size() {
    absl::MutexLock lock(&mu);
    return micros.size();
  }
  void PrintHistogram(const char* what) {
    absl::MutexLock lock(&mu);
    static const double kEdgesMs[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 1e12};
    std::printf("  %s histogram (ms, count):", what);
    double lower = 0;
    for (double edge : kEdgesMs) {
      const auto n = std::count_if(micros.begin(), micros.end(), [&](int64_t us) {
        return us / 1000.0 >= lower && us / 1000.0 < edge;
      });
      if (n > 0) {
        if (edge > 1e11) {
          std::printf(" >=%g:%ld", lower, static_cast<long>(n));
        } else {
          std::printf(" <%g:%ld", edge, static_cast<long>(n));
        }
      }
      lower = edge;
    }
    std::printf("\n");
  }
};

// Paces `count` calls of `send(i)` at `rate` per second; returns the seconds it took.
double Paced(int64_t count, double rate, const std::function<void(int64_t)>& send) {
  const int64_t start = NowNanos();
  for (int64_t i = 0; i < count; ++i) {
    const int64_t due = start + static_cast<int64_t>(i * 1e9 / rate);
    int64_t now = NowNanos();
    if (due > now + 200000) {
      absl::SleepFor(absl::Nanoseconds(due - now));
    }
    send(i);
  }
  return (NowNanos() - start) / 1e9;
}

struct RunResult {
  double published_per_s = 0;
  double sustained_per_s = 0;
  double median_ms = 0, p99_ms = 0;
  size_t samples = 0;
  bool drained = false;
};

// The escalation path at one rate.
RunResult EndToEnd(const std::vector<Slot>& slots, double rate, const std::string& run) {
  const std::string ns = absl::GetFlag(FLAGS_namespace);
  const int64_t count = static_cast<int64_t>(rate * absl::GetFlag(FLAGS_seconds));
  const std::vector<Message> messages = Build(slots, run, count, absl::Now());
  std::vector<std::atomic<int64_t>> published(count);
  std::vector<std::atomic<bool>> seen(count);
  Latencies latencies;

  // The subscriber: one Subscribe stream, as a duty manager's console holds.
  auto stub = esc::AlertService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_escalation_address), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("x-staff-user", absl::GetFlag(FLAGS_staff_user));
  std::unique_ptr<grpc::ClientReader<esc::AlertStreamItem>> reader =
      stub->Subscribe(&context, esc::SubscribeRequest());
  std::atomic<int64_t> items{0};
  const std::string prefix = run + "-";
  std::thread subscriber([&] {
    esc::AlertStreamItem item;
    while (reader->Read(&item)) {
      const int64_t received = NowNanos();
      items.fetch_add(1);
      if (!item.has_alert() || item.alert().rule() != "indicator-level") continue;
      for (const auto& evidence : item.alert().evidence()) {
        if (evidence.event_id().rfind(prefix, 0) != 0) continue;
        int64_t i = 0;
        if (!absl::SimpleAtoi(evidence.event_id().substr(prefix.size()), &i) || i < 0 || i >= count) continue;
        if (seen[i].exchange(true)) continue;
        const int64_t sent = published[i].load();
        if (sent > 0) latencies.Add((received - sent) / 1000);
      }
    }
  });

  resilience::kafka::ProducerOptions options;
  options.client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
  auto producer = resilience::kafka::NewRdKafkaProducer(options);
  if (!producer.ok()) {
    std::fprintf(stderr, "producer: %s\n", producer.status().ToString().c_str());
    std::exit(1);
  }
  // Where the domain topics live is looked up before the clock starts, as a provider's
  // long-running producer knows it: otherwise the first second of readings waits in this
  // producer, and that wait would count as the service's.
  (*producer)->Prepare({ns + "capacity", ns + "beds", ns + "workforce"}, absl::Seconds(10));
  std::atomic<int64_t> failed{0};
  const int64_t first = NowNanos();
  const double took = Paced(count, rate, [&](int64_t i) {
    const Message& m = messages[i];
    published[i].store(NowNanos());
    (*producer)->SendAsync({ns + m.topic, m.key, m.value, {}}, [&failed](absl::Status s) {
      if (!s.ok()) failed.fetch_add(1);
    });
  });
  RunResult result;
  result.published_per_s = count / took;

  // Sustained: until the service's group has committed every reading.
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  const std::string group = ns + absl::GetFlag(FLAGS_group_id);
  const std::vector<std::string> topics = {ns + "capacity", ns + "beds", ns + "workforce"};
  int64_t remaining = count;
  while (absl::Now() < deadline) {
    auto lag = resilience::testing::GroupLag(absl::GetFlag(FLAGS_bootstrap), group, topics);
    if (lag.ok()) remaining = *lag;
    if (lag.ok() && *lag == 0) {
      result.drained = true;
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  // Below the target the backlog grows for the whole run: the rate is what was applied by now.
  const int64_t drained_at = NowNanos();
  result.sustained_per_s = (count - remaining) / ((drained_at - first) / 1e9);
  // Alerts of the last readings may still be on their way from Redis to the stream.
  absl::SleepFor(absl::Seconds(1));
  context.TryCancel();
  subscriber.join();
  if (failed.load() > 0) std::printf("  %ld readings were not accepted by Kafka\n", static_cast<long>(failed.load()));
  result.samples = latencies.Size();
  result.median_ms = latencies.Percentile(0.5);
  result.p99_ms = latencies.Percentile(0.99);
  std::printf("  escalation: %ld readings published at %.0f/s; applied by the service at %.0f/s%s; "
              "%ld stream items, %zu alert transitions matched to their reading\n",
              static_cast<long>(count), result.published_per_s, result.sustained_per_s,
              result.drained ? "" : " (NOT SUSTAINED: backlog left after --drain_seconds)",
              static_cast<long>(items.load()), result.samples);
  std::printf("  escalation latency: median %.1f ms, p99 %.1f ms\n", result.median_ms, result.p99_ms);
  latencies.PrintHistogram("escalation");
  return result;
}

// The bare librdkafka round trip: the same messages produced (idempotent, acks=all, linger 5 ms
// as the platform's producer) to a fresh 6-partition topic and consumed by a fresh group.
RunResult Baseline(const std::vector<Slot>& slots, double rate, const std::string& run) {
  const std::string ns = absl::GetFlag(FLAGS_namespace);
  const std::string topic = absl::StrCat(ns, "loadgen-baseline-", run);
  resilience::kafka::ClientOptions client;
  client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
  if (auto s = resilience::kafka::CreateTopics(client, {{topic, 6}}); !s.ok()) {
    std::fprintf(stderr, "baseline topic: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  const int64_t count = static_cast<int64_t>(rate * absl::GetFlag(FLAGS_seconds));
  const std::vector<Message> messages = Build(slots, run, count, absl::Now());
  std::vector<std::atomic<int64_t>> published(count);
  Latencies latencies;
  std::string err;

  std::unique_ptr<RdKafka::Conf> cconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  cconf->set("bootstrap.servers", client.bootstrap_servers, err);
  cconf->set("group.id", topic, err);
  cconf->set("auto.offset.reset", "earliest", err);
  cconf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cconf.get(), err));
  if (!consumer || consumer->subscribe({topic}) != RdKafka::ERR_NO_ERROR) {
    std::fprintf(stderr, "baseline consumer: %s\n", err.c_str());
    std::exit(1);
  }
  // Joined (partitions assigned) before producing, like the service's subscribed consumer.
  std::vector<RdKafka::TopicPartition*> assigned;
  const absl::Time join_deadline = absl::Now() + absl::Seconds(30);
  while (assigned.empty() && absl::Now() < join_deadline) {
    delete consumer->consume(100);
    consumer->assignment(assigned);
  }
  RdKafka::TopicPartition::destroy(assigned);

  std::atomic<int64_t> received{0};
  std::atomic<int64_t> last_received{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load() && received.load() < count) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(100));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      const int64_t now = NowNanos();
      int64_t i = 0;
      if (!absl::SimpleAtoi(*m->key(), &i) || i < 0 || i >= count) continue;
      latencies.Add((now - published[i].load()) / 1000);
      received.fetch_add(1);
      last_received.store(now);
    }
  });

  std::unique_ptr<RdKafka::Conf> pconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  pconf->set("bootstrap.servers", client.bootstrap_servers, err);
  pconf->set("enable.idempotence", "true", err);
  pconf->set("acks", "all", err);
  pconf->set("linger.ms", "5", err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pconf.get(), err));
  if (!producer) {
    std::fprintf(stderr, "baseline producer: %s\n", err.c_str());
    std::exit(1);
  }
  const int64_t first = NowNanos();
  const double took = Paced(count, rate, [&](int64_t i) {
    const Message& m = messages[i];
    const std::string key = absl::StrCat(i);  // the index rides in the key
    published[i].store(NowNanos());
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             const_cast<char*>(m.value.data()), m.value.size(), key.data(),
                             key.size(), 0, nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
    producer->poll(0);
  });
  producer->flush(30000);
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  while (received.load() < count && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  stop.store(true);
  reader.join();
  consumer->close();

  RunResult result;
  result.published_per_s = count / took;
  result.drained = received.load() == count;
  result.sustained_per_s = received.load() / ((last_received.load() - first) / 1e9);
  result.samples = latencies.Size();
  result.median_ms = latencies.Percentile(0.5);
  result.p99_ms = latencies.Percentile(0.99);
  std::printf("  bare kafka: %ld messages (%zu bytes on average) produced at %.0f/s, consumed at %.0f/s%s\n",
              static_cast<long>(count),
              messages.empty() ? 0 : [&] { size_t b = 0; for (const auto& m : messages) b += m.value.size(); return b / messages.size(); }(),
              result.published_per_s, result.sustained_per_s, result.drained ? "" : " (NOT all consumed)");
  std::printf("  bare kafka latency: median %.1f ms, p99 %.1f ms\n", result.median_ms, result.p99_ms);
  latencies.PrintHistogram("bare kafka");
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_config_dir);
  auto config = resilience::LoadTextProto<esc::EscalationConfig>(dir + "/escalation.textproto");
  auto reference = resilience::LoadTextProto<ref::ReferenceData>(dir + "/reference.textproto");
  if (!config.ok() || !reference.ok()) {
    std::fprintf(stderr, "config: %s %s\n", config.status().ToString().c_str(),
                 reference.status().ToString().c_str());
    return 1;
  }
  auto tables = resilience::escalation::TriggerTables::FromConfig(config->trigger_tables());
  if (!tables.ok()) {
    std::fprintf(stderr, "trigger tables: %s\n", tables.status().ToString().c_str());
    return 1;
  }
  const std::vector<Slot> slots = Slots(*reference, *config, *tables);
  if (slots.empty()) {
    std::fprintf(stderr, "no (scope, indicator) pair with a Green and a Red band\n");
    return 1;
  }
  std::printf("machine: %u cores, load average %s; %zu (scope, indicator) pairs, %.0f%% of readings Red or Black, level persistence %.2f\n",
              std::thread::hardware_concurrency(), [] {
                char buf[64] = {0};
                if (FILE* f = std::fopen("/proc/loadavg", "r")) {
                  if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
                  std::fclose(f);
                }
                return std::string(buf, std::min<size_t>(14, std::strlen(buf)));
              }().c_str(),
              slots.size(), absl::GetFlag(FLAGS_red_share) * 100,
              absl::GetFlag(FLAGS_level_persistence));
  const std::string run_base = absl::StrCat("lg", absl::ToUnixSeconds(absl::Now()));
  int failures = 0;
  for (absl::string_view r : absl::StrSplit(absl::GetFlag(FLAGS_rates), ',')) {
    double rate = 0;
    if (!absl::SimpleAtod(r, &rate) || rate <= 0) {
      std::fprintf(stderr, "bad rate '%s'\n", std::string(r).c_str());
      return 2;
    }
    std::printf("\n== target %.0f readings/s for %.0f s\n", rate, absl::GetFlag(FLAGS_seconds));
    RunResult base;
    if (absl::GetFlag(FLAGS_baseline)) base = Baseline(slots, rate, absl::StrCat(run_base, "b", r));
    RunResult e2e = EndToEnd(slots, rate, absl::StrCat(run_base, "e", r));
    if (!e2e.drained || e2e.samples == 0) ++failures;
    if (absl::GetFlag(FLAGS_baseline) && base.median_ms > 0 && base.sustained_per_s > 0) {
      std::printf("  ratios (escalation / bare kafka): throughput %.2f, median latency %.1f, p99 latency %.1f\n",
                  e2e.sustained_per_s / base.sustained_per_s, e2e.median_ms / base.median_ms,
                  e2e.p99_ms / base.p99_ms);
    }
  }
  return failures == 0 ? 0 : 3;
}
