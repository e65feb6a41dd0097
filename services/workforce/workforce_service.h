// The WorkforceService gRPC callback service: validates, calls the core, publishes the resulting
// observation to the `workforce` topic and answers once Kafka holds it. Thin by design.
// Thread-safe.
#ifndef RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
#define RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::workforce {

struct WorkforceServiceOptions {
  // Full name of the workforce topic (prefix included).
  std::string topic = "workforce";
  // How far in the future occurred_at may be (DESIGN 3: 5 minutes).
  absl::Duration max_future_skew = absl::Minutes(5);
  // Update ids remembered per process for answering DUPLICATE; older retries are still safe
  // (downstream deduplicates by event id) but are answered ACCEPTED.
  size_t remembered_updates = 100000;
};

class WorkforceServiceImpl final : public v1::WorkforceService::CallbackService {
 public:
  // `producer`, `clock` and `metrics` are not owned and must outlive the service.
  WorkforceServiceImpl(std::shared_ptr<const ReferenceIndex> reference, kafka::Producer* producer,
                       const Clock* clock, MetricsRegistry* metrics,
                       WorkforceServiceOptions options);

  grpc::ServerUnaryReactor* ReportStaffing(grpc::CallbackServerContext* context,
                                           const v1::StaffingReport* request,
                                           common::v1::UpdateAck* response) override;

 private:
  // The caller's provider id (metadata "x-provider-id"; authentication arrives with the
  // security issue), or "unauthenticated".
  static std::string ProviderOf(grpc::CallbackServerContext* context);

  std::shared_ptr<const ReferenceIndex> reference_;
  kafka::Producer* producer_;
  const Clock* clock_;
  WorkforceServiceOptions options_;
  Counter* accepted_;
  Counter* duplicate_;
  Counter* rejected_;
  Counter* retry_;

  absl::Mutex mu_;
  // "<provider>\n<update id>" -> accepted_at, for DUPLICATE answers.
  absl::flat_hash_map<std::string, absl::Time> recent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
