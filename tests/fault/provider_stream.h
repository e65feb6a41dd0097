// A provider system's stream of updates that survives the service, the broker and Redis going
// away: it sends on StreamUpdates with a window, reads the acknowledgements in order, and after a
// broken stream or a RETRY answer reconnects (to whatever address the service has now) and resends
// every update without a final answer, with the same update ids, in the same order. That is what
// DESIGN asks of providers, and what lets the fault test say "no accepted update lost": every
// update ends ACCEPTED once (DUPLICATE when a resend finds it already recorded).
// Works with any service whose StreamUpdates takes a stream of updates with an `update_id` and
// answers common.v1.UpdateAck (capacity, beds, workforce). Thread-safe: one background thread per
// stream; the counters are atomics.
#ifndef RESILIENCE_TESTS_FAULT_PROVIDER_STREAM_H_
#define RESILIENCE_TESTS_FAULT_PROVIDER_STREAM_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/v1/types.pb.h"
#include "grpcpp/grpcpp.h"

namespace resilience::testing {

struct ProviderStreamCounts {
  std::atomic<int64_t> final{0};  // updates with a final answer (all but RETRY)
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> duplicate{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> superseded{0};
  std::atomic<int64_t> retry{0};
  std::atomic<int64_t> reconnects{0};
  std::atomic<int64_t> out_of_order{0};  // an ack for another update than the next expected
};

template <typename Service, typename Update>
class ProviderStream {
 public:
  using Stub = typename Service::Stub;
  // `address()` is asked at each (re)connection; `authenticate` adds the provider's metadata.
  ProviderStream(std::string name, std::vector<Update> updates,
                 std::function<std::string()> address,
                 std::function<void(grpc::ClientContext*)> authenticate, size_t window = 256,
                 double per_second = 0)
      : name_(std::move(name)),
        updates_(std::move(updates)),
        address_(std::move(address)),
        authenticate_(std::move(authenticate)),
        window_(window),
        per_second_(per_second),
        outcomes_(updates_.size(), common::v1::UpdateAck::OUTCOME_UNSPECIFIED) {}
  ~ProviderStream() { Stop(); }

  void Start() { thread_ = std::thread([this] { Run(); }); }
  // Gives up (for a failing test) and joins.
  void Stop() {
    stop_.store(true);
    {
      absl::MutexLock lock(&mu_);
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return counts_.final.load() >= static_cast<int64_t>(updates_.size()); }
  size_t size() const { return updates_.size(); }
  const ProviderStreamCounts& counts() const { return counts_; }
  const std::string& name() const { return name_; }
  // Rejections with their messages (there should be none: every update is valid).
  std::vector<std::string> rejections() const {
    absl::MutexLock lock(&mu_);
    return rejections_;
  }
  // update id -> the final answer it got.
  std::map<std::string, common::v1::UpdateAck::Outcome> outcomes() const {
    absl::MutexLock lock(&mu_);
    std::map<std::string, common::v1::UpdateAck::Outcome> out;
    for (size_t i = 0; i < updates_.size(); ++i) out[updates_[i].update_id()] = outcomes_[i];
    return out;
  }
  // Update ids answered SUPERSEDED (a newer figure for the same scope was recorded first).
  std::vector<std::string> superseded() const {
    absl::MutexLock lock(&mu_);
    return superseded_;
  }
  std::string Summary() const {
    return absl::StrCat(name_, ": ", counts_.final.load(), "/", updates_.size(), " answered, ",
                        counts_.accepted.load(), " accepted, ", counts_.duplicate.load(),
                        " duplicate, ", counts_.rejected.load(), " rejected, ",
                        counts_.superseded.load(), " superseded, ", counts_.retry.load(),
                        " retry, ", counts_.reconnects.load(), " reconnects");
  }

 private:
  void Run() {
    size_t answered = 0;  // updates_[0, answered) have a final answer
    bool first = true;
    const absl::Time start = absl::Now();
    while (answered < updates_.size() && !stop_.load()) {
      if (!first) {
        counts_.reconnects.fetch_add(1);
        absl::SleepFor(absl::Milliseconds(200));  // back-off before reconnecting
      }
      first = false;
      auto stub = Service::NewStub(
          grpc::CreateChannel(address_(), grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      authenticate_(&context);
      {
        absl::MutexLock lock(&mu_);
        if (stop_.load()) return;
        context_ = &context;
      }
      auto stream = stub->StreamUpdates(&context);
      size_t sent = answered;
      bool again = false;
      while (answered < updates_.size() && !again) {
        while (sent < updates_.size() && sent - answered < window_) {
          if (per_second_ > 0) {
            // A provider feeding at a steady rate, so faults land mid-stream.
            const absl::Time due = start + absl::Seconds(sent / per_second_);
            if (due > absl::Now()) {
              if (sent > answered) break;  // read the answers meanwhile
              absl::SleepFor(due - absl::Now());
            }
          }
          if (!stream->Write(updates_[sent])) {
            again = true;
            break;
          }
          ++sent;
        }
        if (again) break;
        common::v1::UpdateAck ack;
        if (!stream->Read(&ack)) break;
        if (ack.update_id() != updates_[answered].update_id()) {
          counts_.out_of_order.fetch_add(1);
          again = true;  // resend from the first unanswered update
          break;
        }
        switch (ack.outcome()) {
          case common::v1::UpdateAck::OUTCOME_RETRY:
            counts_.retry.fetch_add(1);
            again = true;  // Kafka is away: resend from here on a new stream
            continue;
          case common::v1::UpdateAck::OUTCOME_ACCEPTED:
            counts_.accepted.fetch_add(1);
            break;
          case common::v1::UpdateAck::OUTCOME_DUPLICATE:
            counts_.duplicate.fetch_add(1);
            break;
          case common::v1::UpdateAck::OUTCOME_SUPERSEDED: {
            counts_.superseded.fetch_add(1);
            absl::MutexLock lock(&mu_);
            superseded_.push_back(ack.update_id());
            break;
          }
          default: {
            counts_.rejected.fetch_add(1);
            absl::MutexLock lock(&mu_);
            if (rejections_.size() < 20) {
              rejections_.push_back(absl::StrCat(ack.update_id(), ": ", ack.message()));
            }
            break;
          }
        }
        {
          absl::MutexLock lock(&mu_);
          outcomes_[answered] = ack.outcome();
        }
        ++answered;
        counts_.final.fetch_add(1);
      }
      context.TryCancel();
      stream->Finish();
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    }
  }

  const std::string name_;
  const std::vector<Update> updates_;
  const std::function<std::string()> address_;
  const std::function<void(grpc::ClientContext*)> authenticate_;
  const size_t window_;
  const double per_second_;  // 0: as fast as the window allows
  ProviderStreamCounts counts_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<std::string> rejections_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> superseded_ ABSL_GUARDED_BY(mu_);
  std::vector<common::v1::UpdateAck::Outcome> outcomes_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_FAULT_PROVIDER_STREAM_H_
