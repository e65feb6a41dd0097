// Who is told of an alert transition, and when (DESIGN 4.5, 5): re-notification of
// unacknowledged alerts up the role chain, grouping of alerts that arise together, and silences.
// Pure code: time is passed in. Thread-safe (stateless functions).
//
// Readings:
// - Re-notification counts from `firing_since` (the raise, or the latest rise to a worse
//   level). After each `renotify_after` period still FIRING (unacknowledged), the alert is sent
//   again and every role it was first sent to is escalated one more step up its chain
//   (practitioner -> team manager -> operational manager -> assistant director -> director).
//   Acknowledged, resolved and silenced alerts are not re-notified.
// - Grouping: alerts of one KCC area (or of the county-wide scopes together) and one level whose
//   firing starts in the same window of `group_window` (aligned to the window, so every instance
//   and every replay agrees) share a group id; the notifier sends one message per group. A rise
//   to another level moves the alert to that level's group.
// - A silence covers an alert when it is active (created, not expired, `until` in the future)
//   and names the alert's scope (and, when it names an indicator, the alert's indicator), or
//   names a KCC area with no indicator: then it covers every alert of that area. Silenced alerts
//   are stored, streamed and shown with their silence id, but notifiers skip them and they are
//   not re-notified.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_NOTIFICATION_RULES_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_NOTIFICATION_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/status.pb.h"
#include "reference/v1/reference.pb.h"
#include "services/escalation/core/time_rules.h"

namespace resilience::escalation {

// A re-notification that fell due.
struct Renotification {
  // The alert after it: next revision, `renotifications` counted, escalated recipients added.
  v1::Alert alert;
  // Roles added by this escalation (empty at the top of the chain: re-sent to the same roles).
  std::vector<std::string> added_roles;
};

// The re-notification of `alert` due at `now`, or nullopt when none is due. `roles` is the
// reference data's role list (its `escalates_to` chain).
std::optional<Renotification> RenotifyIfDue(
    const v1::Alert& alert, absl::Time now, const RenotifyRule& rule,
    const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles);

// The indicator an alert is about ("indicator-level" and "stale-data" alerts), or "".
std::string AlertIndicator(const v1::Alert& alert);

// True when `silence` is active at `now` and covers `alert` (see the readings above).
bool SilenceCovers(const v1::Silence& silence, const v1::Alert& alert, absl::Time now);

// Sets the alert's group id (firing alerts; see the readings above) and its silence id (the first
// active silence covering it, or none) just before a transition is recorded.
void StampNotification(v1::Alert* alert, const std::vector<v1::Silence>& silences,
                       absl::Duration group_window, absl::Time now);

// Checks a new silence: `until` after `now` and at most 14 days ahead, a reason of at least 10
// characters. INVALID_ARGUMENT naming the field.
absl::Status ValidateSilence(const v1::Silence& silence, absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_NOTIFICATION_RULES_H_
