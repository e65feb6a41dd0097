// The CapacityService gRPC callback service: identifies the caller, applies the provider's rate
// limit and hands updates to the UpdateRecorder (one acknowledgement per update, streamed in
// order, or unary); answers the queries from the shared state. Thin: the rules live in core/.
// Thread-safe.
#ifndef RESILIENCE_SERVICES_CAPACITY_CAPACITY_SERVICE_H_
#define RESILIENCE_SERVICES_CAPACITY_CAPACITY_SERVICE_H_

#include <atomic>
#include <memory>

#include "capacity/v1/capacity.grpc.pb.h"
#include "common/clock/clock.h"
#include "common/reference/reference_index.h"
#include "services/capacity/capacity_state.h"
#include "services/capacity/core/caller_identity.h"
#include "services/capacity/provider_rate_limits.h"
#include "services/capacity/update_recorder.h"

namespace resilience::capacity {

// Metadata key of the retry hint sent with RESOURCE_EXHAUSTED: milliseconds to wait.
inline constexpr char kRetryAfterMsTrailer[] = "retry-after-ms";

struct CapacityServiceOptions {
  // Updates one stream may have read but not yet answered, at most. Default 1024.
  size_t stream_window = 1024;
  // Updates all streams together may have read but not yet answered: each open stream gets an
  // equal share, at least `min_stream_window`. Default 8192 and 32.
  size_t read_ahead_budget = 8192;
  size_t min_stream_window = 32;
};

class CapacityServiceImpl final : public v1::CapacityService::CallbackService {
 public:
  // Nothing owned except the reference index; all must outlive the service.
  CapacityServiceImpl(std::shared_ptr<const ReferenceIndex> reference, CapacityState* state,
                      UpdateRecorder* recorder, const CallerIdentity* identity,
                      ProviderRateLimits* limits, const Clock* clock,
                      CapacityServiceOptions options);

  // StreamUpdates: UNAUTHENTICATED (stream ends at once) when the caller cannot be identified,
  // PERMISSION_DENIED for a staff caller; otherwise one ack per update in order, the stream read
  // more slowly while the provider is over its rate limit.
  grpc::ServerBidiReactor<v1::CapacityUpdate, common::v1::UpdateAck>* StreamUpdates(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* SubmitUpdate(grpc::CallbackServerContext* context,
                                         const v1::CapacityUpdate* request,
                                         common::v1::UpdateAck* response) override;
  grpc::ServerUnaryReactor* GetLatest(grpc::CallbackServerContext* context,
                                      const v1::GetLatestRequest* request,
                                      v1::GetLatestResponse* response) override;
  grpc::ServerUnaryReactor* ListProviderUpdates(grpc::CallbackServerContext* context,
                                                const v1::ListProviderUpdatesRequest* request,
                                                v1::ListProviderUpdatesResponse* response) override;

 private:
  absl::StatusOr<Caller> Identify(const grpc::CallbackServerContext* context) const;

  std::shared_ptr<const ReferenceIndex> reference_;
  CapacityState* state_;
  UpdateRecorder* recorder_;
  const CallerIdentity* identity_;
  ProviderRateLimits* limits_;
  const Clock* clock_;
  CapacityServiceOptions options_;
  std::atomic<int> open_streams_{0};
};

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CAPACITY_SERVICE_H_
