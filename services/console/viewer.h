// Who is looking, and what they may see: the console's own enforcement of role and area (DESIGN 8:
// staff see only what their role and areas allow). The escalation service enforces the same on
// writes (PERMISSION_DENIED); the console also filters every read, because a list or a stream from
// the service is the whole county. Pure functions over protobuf messages; thread-compatible.
#ifndef RESILIENCE_SERVICES_CONSOLE_VIEWER_H_
#define RESILIENCE_SERVICES_CONSOLE_VIEWER_H_

#include <string>
#include <vector>

#include "common/reference/reference_index.h"
#include "escalation/v1/alert_service.pb.h"

namespace resilience::console {

// A signed-in user.
struct Viewer {
  std::string user_id;
  std::string display_name;
  std::string role_id;
  // KCC localities covered; ignored when county_wide.
  std::vector<std::string> area_ids;
  bool county_wide = false;
  bool may_declare_level = false;
  bool may_silence = false;

  // True when the viewer covers `area_id`. An empty area (county-wide, ICS, acute site and board
  // area scopes) is everyone's context and visible to all signed-in staff.
  bool CoversArea(const std::string& area_id) const;
};

// True when the viewer may see the alert (by its area).
bool MaySee(const Viewer& viewer, const escalation::v1::Alert& alert);

// True when the viewer may see things about `scope` (its KCC locality, when it has one).
bool MaySeeScope(const Viewer& viewer, const common::v1::ScopeRef& scope,
                 const ReferenceIndex& reference);

// Drops what the viewer may not see: other areas' levels and indicators, and the evidence of
// county and board-area levels that names another area's figures.
escalation::v1::StatusBoard FilterBoard(const Viewer& viewer, escalation::v1::StatusBoard board,
                                        const ReferenceIndex& reference);

// Keeps the alerts the viewer may see, in order.
std::vector<escalation::v1::Alert> FilterAlerts(const Viewer& viewer,
                                                const escalation::v1::ListAlertsResponse& alerts);

// Keep the tasks, prompts and silences the viewer may see.
escalation::v1::ListTasksResponse FilterTasks(const Viewer& viewer,
                                              escalation::v1::ListTasksResponse tasks,
                                              const ReferenceIndex& reference);
escalation::v1::ListDecisionPromptsResponse FilterPrompts(
    const Viewer& viewer, escalation::v1::ListDecisionPromptsResponse prompts,
    const ReferenceIndex& reference);
escalation::v1::ListSilencesResponse FilterSilences(const Viewer& viewer,
                                                    escalation::v1::ListSilencesResponse silences,
                                                    const ReferenceIndex& reference);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_VIEWER_H_
