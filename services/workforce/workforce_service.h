// The WorkforceService gRPC callback service: thin. Writes go through the ChangeRecorder (one
// acknowledgement per update, streamed or unary); queries read the shared state. Thread-safe.
#ifndef RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
#define RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_

#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/reference/reference_index.h"
#include "services/workforce/change_recorder.h"
#include "services/workforce/workforce_state.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::workforce {

class WorkforceServiceImpl final : public v1::WorkforceService::CallbackService {
 public:
  // Nothing owned except the reference index; all must outlive the service.
  WorkforceServiceImpl(std::shared_ptr<const ReferenceIndex> reference, WorkforceState* state,
                       ChangeRecorder* recorder, const Clock* clock);

  grpc::ServerUnaryReactor* ReportStaffing(grpc::CallbackServerContext* context,
                                           const v1::StaffingReport* request,
                                           common::v1::UpdateAck* response) override;
  grpc::ServerBidiReactor<v1::WorkforceUpdate, common::v1::UpdateAck>* StreamUpdates(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* SubmitUpdate(grpc::CallbackServerContext* context,
                                         const v1::WorkforceUpdate* request,
                                         common::v1::UpdateAck* response) override;
  grpc::ServerUnaryReactor* UpsertTeam(grpc::CallbackServerContext* context,
                                       const v1::UpsertTeamRequest* request,
                                       reference::v1::Team* response) override;
  grpc::ServerUnaryReactor* GetTeamStaffing(grpc::CallbackServerContext* context,
                                            const v1::GetTeamStaffingRequest* request,
                                            v1::TeamStaffing* response) override;
  grpc::ServerUnaryReactor* ListAbsences(grpc::CallbackServerContext* context,
                                         const v1::ListAbsencesRequest* request,
                                         v1::ListAbsencesResponse* response) override;
  grpc::ServerUnaryReactor* GetCountySummary(grpc::CallbackServerContext* context,
                                             const v1::GetCountySummaryRequest* request,
                                             v1::CountySummary* response) override;
  grpc::ServerUnaryReactor* SuggestMutualAid(grpc::CallbackServerContext* context,
                                             const v1::SuggestMutualAidRequest* request,
                                             v1::SuggestMutualAidResponse* response) override;

  // The caller's provider id: the name on its verified client certificate, else metadata
  // "x-provider-id" (development), else "unauthenticated".
  static std::string ProviderOf(const grpc::CallbackServerContext* context);

 private:
  // Answers a unary write: REJECTED becomes INVALID_ARGUMENT with field violations, RETRY
  // becomes UNAVAILABLE, ACCEPTED and DUPLICATE are OK with the ack.
  // `strip_prefix` is removed from violation field paths.
  void SubmitUnary(grpc::CallbackServerContext* context, v1::WorkforceUpdate update,
                   common::v1::UpdateAck* response, grpc::ServerUnaryReactor* reactor,
                   const std::string& strip_prefix);

  std::shared_ptr<const ReferenceIndex> reference_;
  WorkforceState* state_;
  ChangeRecorder* recorder_;
  const Clock* clock_;
};

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
