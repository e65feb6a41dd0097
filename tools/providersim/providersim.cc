// providersim: a provider system for the capacity service. Streams capacity updates, generated
// or read from a JSON-lines file of CapacityUpdate messages, over one or many concurrent
// StreamUpdates calls, and counts the acknowledgements. Used by the demo, by hand against a
// running service, and to measure:
//
//   providersim --address=127.0.0.1:50053 --streams=50 --seconds=10
//       sustained accepted updates/s of 50 concurrent streams
//   providersim --baseline --bootstrap=127.0.0.1:29092 --seconds=10
//       bare librdkafka produce rate (idempotent, acks=all, through common/kafka) of the same
//       serialised messages, straight to a topic
//   providersim --measure --address=... --bootstrap=...
//       all three in one run (baseline, 1 stream, 50 streams) with the ratios
//
// Generated updates are KEaH daily capacity figures (the most frequent feed), round-robin over
// the 9 patches, sent as `--provider` with its development token. Every update of a run has the
// same occurred_at (the run's start), so concurrent streams never supersede each other: each is
// accepted (ties go to the later received). Update ids are unique per run.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "capacity/v1/capacity.grpc.pb.h"
#include "common/clock/proto_time.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_admin.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50053", "The capacity service (host:port).");
ABSL_FLAG(std::string, provider, "keah-rostering",
          "Provider to send as (its development token 'dev-token-<id>' is used).");
ABSL_FLAG(std::string, token, "", "Token to send instead of the provider's development token.");
ABSL_FLAG(int, streams, 1, "Concurrent StreamUpdates calls, each on its own connection.");
ABSL_FLAG(double, seconds, 10, "How long to send (generated updates).");
ABSL_FLAG(int64_t, updates, 0, "Stop after this many updates per stream (0: --seconds decides).");
ABSL_FLAG(int, window, 2048, "Updates a stream may have sent but not had answered.");
ABSL_FLAG(std::string, file, "",
          "JSON-lines file of CapacityUpdate messages to stream (once, on one stream) instead of "
          "generated ones; an empty update_id gets one, an empty occurred_at gets now.");
ABSL_FLAG(bool, baseline, false,
          "Produce the same serialised messages straight to Kafka (no service) and report the rate.");
ABSL_FLAG(bool, measure, false, "Baseline, 1 stream and 50 streams in one run, with ratios.");
ABSL_FLAG(std::string, bootstrap, "127.0.0.1:29092", "Kafka for --baseline / --measure.");
ABSL_FLAG(std::string, baseline_topic, "providersim-baseline",
          "Topic the baseline writes to (created if missing, 3 partitions).");
ABSL_FLAG(bool, verbose, false, "Print every acknowledgement.");

namespace {

namespace cap = resilience::capacity::v1;
using Ack = resilience::common::v1::UpdateAck;

const std::vector<std::string>& Patches() {
  static const auto* patches = new std::vector<std::string>{
      "keah-dartford-gravesham", "keah-swale", "keah-maidstone", "keah-tonbridge-tunbridge-wells",
      "keah-sevenoaks", "keah-ashford", "keah-canterbury", "keah-thanet", "keah-dover-folkestone"};
  return *patches;
}

// Generated update `n` of stream `stream`: a patch's free start slots, so levels vary.
cap::CapacityUpdate Generated(const std::string& run, int stream, int64_t n, absl::Time occurred) {
  cap::CapacityUpdate u;
  u.set_update_id(absl::StrCat(run, "-", stream, "-", n));
  *u.mutable_occurred_at() = resilience::ToProtoTime(occurred);
  auto* k = u.mutable_keah_daily_capacity();
  k->set_patch_id(Patches()[(n + stream) % Patches().size()]);
  k->set_free_start_slots(static_cast<int>((n * 7 + stream) % 9));
  return u;
}

struct Tally {
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> duplicate{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> superseded{0};
  std::atomic<int64_t> retry{0};
  void Count(const Ack& a) {
    switch (a.outcome()) {
      case Ack::OUTCOME_ACCEPTED: ++accepted; break;
      case Ack::OUTCOME_DUPLICATE: ++duplicate; break;
      case Ack::OUTCOME_REJECTED: ++rejected; break;
      case Ack::OUTCOME_SUPERSEDED: ++superseded; break;
      default: ++retry; break;
    }
  }
  int64_t answered() const { return accepted + duplicate + rejected + superseded + retry; }
};

// One stream: a writer keeping at most `window` updates unanswered, a reader counting acks.
// `next` returns false when there is nothing more to send.
grpc::Status RunStream(const std::shared_ptr<grpc::Channel>& channel,
                       const std::function<bool(cap::CapacityUpdate*)>& next, int window,
                       Tally* tally) {
  auto stub = cap::CapacityService::NewStub(channel);
  grpc::ClientContext context;
  const std::string token = absl::GetFlag(FLAGS_token).empty()
                                ? "dev-token-" + absl::GetFlag(FLAGS_provider)
                                : absl::GetFlag(FLAGS_token);
  context.AddMetadata("authorization", "Bearer " + token);
  auto stream = stub->StreamUpdates(&context);
  absl::Mutex mu;
  struct Window {
    int64_t in_flight = 0;
    int64_t limit = 0;
  } w{0, window};
  int64_t& in_flight = w.in_flight;
  std::thread reader([&] {
    Ack ack;
    while (stream->Read(&ack)) {
      tally->Count(ack);
      if (absl::GetFlag(FLAGS_verbose)) {
        std::printf("%s %s %s\n", ack.update_id().c_str(), Ack::Outcome_Name(ack.outcome()).c_str(),
                    ack.message().c_str());
      }
      absl::MutexLock lock(&mu);
      --in_flight;
    }
  });
  cap::CapacityUpdate u;
  while (true) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(+[](Window* x) { return x->in_flight < x->limit; }, &w));
    }
    if (!next(&u)) break;
    {
      absl::MutexLock lock(&mu);
      ++in_flight;
    }
    if (!stream->Write(u)) break;
    ++tally->sent;
  }
  stream->WritesDone();
  reader.join();
  return stream->Finish();
}

std::shared_ptr<grpc::Channel> Channel(int i) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per stream
  args.SetInt("providersim.stream", i);
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_address), grpc::InsecureChannelCredentials(),
                                   args);
}

std::string RunId() {
  absl::BitGen gen;
  return absl::StrCat("sim", absl::Hex(absl::Uniform<uint32_t>(gen), absl::kZeroPad8));
}

struct Result {
  double seconds = 0;
  int64_t accepted = 0;
  int64_t answered = 0;
  double rate() const { return seconds > 0 ? accepted / seconds : 0; }
};

// Generated updates on `streams` concurrent streams for `duration`.
Result Streams(int streams, absl::Duration duration, int64_t per_stream) {
  const std::string run = RunId();
  const absl::Time occurred = absl::Now() - absl::Seconds(1);
  Tally tally;
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  std::atomic<int> failed{0};
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      int64_t n = 0;
      grpc::Status status = RunStream(
          Channel(s),
          [&](cap::CapacityUpdate* u) {
            if (per_stream > 0 ? n >= per_stream : absl::Now() >= end) return false;
            *u = Generated(run, s, n++, occurred);
            return true;
          },
          absl::GetFlag(FLAGS_window), &tally);
      if (!status.ok()) {
        ++failed;
        std::fprintf(stderr, "stream %d ended: %s\n", s, status.error_message().c_str());
      }
    });
  }
  for (auto& t : threads) t.join();
  Result r;
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.accepted = tally.accepted;
  r.answered = tally.answered();
  std::printf(
      "streams=%d sent=%lld answered=%lld accepted=%lld duplicate=%lld rejected=%lld "
      "superseded=%lld retry=%lld failed_streams=%d in %.2f s: %.0f accepted updates/s\n",
      streams, static_cast<long long>(tally.sent.load()), static_cast<long long>(r.answered),
      static_cast<long long>(tally.accepted.load()), static_cast<long long>(tally.duplicate.load()),
      static_cast<long long>(tally.rejected.load()),
      static_cast<long long>(tally.superseded.load()), static_cast<long long>(tally.retry.load()),
      failed.load(), r.seconds, r.rate());
  std::fflush(stdout);
  return r;
}

// The same serialised updates produced straight to a topic with the platform's producer
// (librdkafka, idempotent, acks=all), as fast as it takes them, for `duration`.
Result Baseline(absl::Duration duration) {
  resilience::kafka::ClientOptions client;
  client.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap);
  client.client_id = "providersim-baseline";
  const std::string topic = absl::GetFlag(FLAGS_baseline_topic);
  resilience::kafka::TopicDefinition def;
  def.name = topic;
  def.partitions = 3;
  def.retention = absl::Hours(1);
  if (auto s = resilience::kafka::CreateTopics(client, {def}); !s.ok()) {
    std::fprintf(stderr, "baseline topic: %s\n", s.ToString().c_str());
    return {};
  }
  resilience::kafka::ProducerOptions options;
  options.client = client;
  auto producer = resilience::kafka::NewRdKafkaProducer(options);
  if (!producer.ok()) {
    std::fprintf(stderr, "baseline producer: %s\n", producer.status().ToString().c_str());
    return {};
  }
  const std::string run = RunId();
  const absl::Time occurred = absl::Now() - absl::Seconds(1);
  std::atomic<int64_t> delivered{0}, failed{0};
  absl::Mutex mu;
  int64_t in_flight = 0;
  const int64_t kMaxInFlight = 100000;
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  int64_t n = 0;
  while (absl::Now() < end) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int64_t* f) { return *f < kMaxInFlight; }, &in_flight));
      ++in_flight;
    }
    cap::CapacityUpdate u = Generated(run, 0, n++, occurred);
    resilience::kafka::OutgoingRecord record{
        topic, "keah_patch/" + u.keah_daily_capacity().patch_id(), u.SerializeAsString(), {}};
    (*producer)->SendAsync(record, [&](absl::Status s) {
      (s.ok() ? delivered : failed)++;
      absl::MutexLock lock(&mu);
      --in_flight;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](int64_t* f) { return *f == 0; }, &in_flight));
  }
  Result r;
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.accepted = delivered;
  r.answered = delivered + failed;
  std::printf("baseline: produced=%lld delivered=%lld failed=%lld in %.2f s: %.0f records/s\n",
              static_cast<long long>(n), static_cast<long long>(delivered.load()),
              static_cast<long long>(failed.load()), r.seconds, r.rate());
  std::fflush(stdout);
  return r;
}

int FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<cap::CapacityUpdate> updates;
  std::string line;
  const std::string run = RunId();
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    cap::CapacityUpdate u;
    auto s = google::protobuf::util::JsonStringToMessage(line, &u);
    if (!s.ok()) {
      std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), n, s.ToString().c_str());
      return 1;
    }
    if (u.update_id().empty()) u.set_update_id(absl::StrCat(run, "-", n));
    if (!u.has_occurred_at()) *u.mutable_occurred_at() = resilience::ToProtoTime(absl::Now());
    updates.push_back(std::move(u));
  }
  Tally tally;
  size_t i = 0;
  absl::SetFlag(&FLAGS_verbose, true);
  grpc::Status status = RunStream(
      Channel(0),
      [&](cap::CapacityUpdate* u) {
        if (i == updates.size()) return false;
        *u = updates[i++];
        return true;
      },
      absl::GetFlag(FLAGS_window), &tally);
  std::printf("sent=%lld accepted=%lld duplicate=%lld rejected=%lld superseded=%lld retry=%lld: %s\n",
              static_cast<long long>(tally.sent.load()), static_cast<long long>(tally.accepted.load()),
              static_cast<long long>(tally.duplicate.load()), static_cast<long long>(tally.rejected.load()),
              static_cast<long long>(tally.superseded.load()), static_cast<long long>(tally.retry.load()),
              status.ok() ? "stream OK" : status.error_message().c_str());
  return status.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  if (!absl::GetFlag(FLAGS_file).empty()) return FromFile(absl::GetFlag(FLAGS_file));
  if (absl::GetFlag(FLAGS_baseline)) return Baseline(duration).accepted > 0 ? 0 : 1;
  if (!absl::GetFlag(FLAGS_measure)) {
    Result r = Streams(absl::GetFlag(FLAGS_streams), duration, absl::GetFlag(FLAGS_updates));
    return r.accepted > 0 ? 0 : 1;
  }
  // One run: warm up, then the baseline and both stream counts back to back.
  Streams(1, absl::Seconds(2), 0);
  const Result base = Baseline(duration);
  const Result one = Streams(1, duration, 0);
  const Result fifty = Streams(50, duration, 0);
  std::printf("\n| what | per second | ratio to baseline |\n|---|---|---|\n");
  std::printf("| baseline: librdkafka produce of the same messages (acks=all, idempotent) | %.0f | 1 |\n",
              base.rate());
  std::printf("| 1 stream: accepted updates | %.0f | %.3f |\n", one.rate(),
              base.rate() > 0 ? one.rate() / base.rate() : 0);
  std::printf("| 50 streams: accepted updates | %.0f | %.3f |\n", fifty.rate(),
              base.rate() > 0 ? fifty.rate() / base.rate() : 0);
  return 0;
}
