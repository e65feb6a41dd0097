// The BedsService gRPC callback service: thin. Writes (bed updates, bed base changes,
// placements) go through the ChangeWriter and are answered once the log has them; queries read
// the shared state (availability and vacancy search from the live board and its indexes).
// Thread-safe.
#ifndef RESILIENCE_SERVICES_BEDS_BEDS_SERVICE_H_
#define RESILIENCE_SERVICES_BEDS_BEDS_SERVICE_H_

#include <memory>
#include <string>

#include "beds/v1/beds.grpc.pb.h"
#include "common/clock/clock.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "services/beds/beds_state.h"
#include "services/beds/change_writer.h"
#include "services/beds/core/rate_limit.h"

namespace resilience::beds {

class BedsServiceImpl final : public v1::BedsService::CallbackService {
 public:
  // Nothing owned; all must outlive the service. `limits` are applied per provider, in real
  // time (a replayed clock does not loosen them).
  BedsServiceImpl(BedsState* state, ChangeWriter* writer, const Clock* clock,
                  MetricsRegistry* metrics, absl::Duration max_future_skew,
                  ProviderRateLimits limits);

  grpc::ServerBidiReactor<v1::BedUpdate, common::v1::UpdateAck>* StreamUpdates(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* SubmitUpdate(grpc::CallbackServerContext* context,
                                         const v1::BedUpdate* request,
                                         common::v1::UpdateAck* response) override;
  grpc::ServerUnaryReactor* ListLocations(grpc::CallbackServerContext* context,
                                          const v1::ListLocationsRequest* request,
                                          v1::ListLocationsResponse* response) override;
  grpc::ServerUnaryReactor* UpsertLocation(grpc::CallbackServerContext* context,
                                           const v1::UpsertLocationRequest* request,
                                           reference::v1::Location* response) override;
  grpc::ServerUnaryReactor* ChangeBedStock(grpc::CallbackServerContext* context,
                                           const v1::ChangeBedStockRequest* request,
                                           v1::BedStockChange* response) override;
  grpc::ServerUnaryReactor* ListBedStockChanges(grpc::CallbackServerContext* context,
                                                const v1::ListBedStockChangesRequest* request,
                                                v1::ListBedStockChangesResponse* response) override;
  grpc::ServerUnaryReactor* GetAvailability(grpc::CallbackServerContext* context,
                                            const v1::GetAvailabilityRequest* request,
                                            v1::AvailabilityReport* response) override;
  grpc::ServerUnaryReactor* SearchVacancies(grpc::CallbackServerContext* context,
                                            const v1::SearchVacanciesRequest* request,
                                            v1::SearchVacanciesResponse* response) override;
  grpc::ServerUnaryReactor* StartPlacement(grpc::CallbackServerContext* context,
                                           const v1::StartPlacementRequest* request,
                                           v1::Placement* response) override;
  grpc::ServerUnaryReactor* EndPlacement(grpc::CallbackServerContext* context,
                                         const v1::EndPlacementRequest* request,
                                         v1::Placement* response) override;
  grpc::ServerUnaryReactor* GetPlacement(grpc::CallbackServerContext* context,
                                         const v1::GetPlacementRequest* request,
                                         v1::Placement* response) override;
  grpc::ServerUnaryReactor* ListPlacements(grpc::CallbackServerContext* context,
                                           const v1::ListPlacementsRequest* request,
                                           v1::ListPlacementsResponse* response) override;

  // The caller's provider id: the name on its verified client certificate, else metadata
  // "x-provider-id" (development), else "unauthenticated".
  static std::string ProviderOf(const grpc::CallbackServerContext* context);

 private:
  // INVALID_ARGUMENT naming `field` when `user` is not a staff member in the reference data.
  absl::Status CheckStaffUser(const std::string& field, const std::string& user) const;

  BedsState* state_;
  ChangeWriter* writer_;
  const Clock* clock_;
  absl::Duration max_future_skew_;
  Histogram* search_latency_;
  Counter* throttled_;
  absl::Mutex limits_mu_;
  ProviderRateLimits limits_ ABSL_GUARDED_BY(limits_mu_);
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_BEDS_SERVICE_H_
