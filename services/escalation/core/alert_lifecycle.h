// Staff transitions of an alert (DESIGN 5): acknowledgement with who, when and a note, and the
// audit record every transition leaves. Pure code: time is passed in. Thread-safe (stateless).
//
// Rules: a note is required at OPEL 3-4 (a decision there is recorded with its reasons, plan
// Appendix 3); acknowledging a resolved alert is refused; acknowledging twice by the same user
// keeps the first acknowledgement and changes nothing (idempotent retries), unless the alert has
// risen and fired again since, when the new acknowledgement is added; a second user's
// acknowledgement is added beside the first.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_LIFECYCLE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_LIFECYCLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"

namespace resilience::escalation {

// The result of an acknowledgement.
struct Acknowledged {
  v1::Alert alert;
  // False when the same user had already acknowledged: nothing to record.
  bool changed = false;
};

// Acknowledges `alert` for `user_id` in `role_id` at `now`. INVALID_ARGUMENT (field "note") when
// a note is required and missing or longer than 1000 characters; FAILED_PRECONDITION when the
// alert is resolved.
absl::StatusOr<Acknowledged> AcknowledgeAlert(const v1::Alert& alert, const std::string& user_id,
                                              const std::string& role_id, const std::string& note,
                                              absl::Time now);

// Records `action_id` of one of the alert's action cards as done or not done by `user_id`, with
// a note and the risks anticipated (plan Appendix 3). INVALID_ARGUMENT naming "action_id" when no
// card of the alert has it, "note" or "risks" over 1000 characters. Recording exactly the latest
// record again (a retry) changes nothing.
absl::StatusOr<Acknowledged> RecordAlertAction(const v1::Alert& alert, const std::string& user_id,
                                               const std::string& action_id, bool done,
                                               const std::string& note, const std::string& risks,
                                               absl::Time now);

// The audit action naming an automatic transition that left `alert` as it is: "alert.raised"
// (first revision), "alert.resolved", or "alert.level_changed".
std::string TransitionAction(const v1::Alert& alert);

// The audit record of a transition of `alert`, by `actor` ("system:escalation" for automatic
// ones), with `audit_id` chosen by the caller (deterministic ids make replays idempotent).
v1::AuditRecord AlertAudit(const v1::Alert& alert, const std::string& action,
                           const std::string& actor, const std::string& reason, absl::Time at,
                           const std::string& audit_id);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_LIFECYCLE_H_
