#include "services/escalation/core/alert_episode.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {
bool AlertingLevel(common::v1::OpelLevel level) { return level >= common::v1::OPEL_LEVEL_2_AMBER; }

bool LevelChangeMovesAlert(common::v1::OpelLevel before, common::v1::OpelLevel after) {
  return before != after && (AlertingLevel(before) || AlertingLevel(after));
}

std::optional<v1::Alert> AlertOnLevelChange(const std::optional<v1::Alert>& current,
                                            int64_t* episode, common::v1::OpelLevel before,
                                            common::v1::OpelLevel after,
                                            const AlertSubject& subject, const AlertText& text,
                                            absl::Time now) {
  if (!LevelChangeMovesAlert(before, after)) return std::nullopt;
  const bool was_alerting = AlertingLevel(before);
  const bool is_alerting = AlertingLevel(after);

  const auto now_ts = ToProtoTime(now);
  v1::Alert alert;
  if (!was_alerting) {
    *episode += 1;
    alert.set_alert_id(absl::StrCat(subject.rule, "/", ScopeKey(subject.scope),
                                    subject.key.empty() ? "" : "/", subject.key, "/", *episode));
    alert.set_rule(subject.rule);
    *alert.mutable_scope() = subject.scope;
    alert.set_area_id(subject.area_id);
    *alert.mutable_raised_at() = now_ts;
  } else {
    alert = current.value_or(v1::Alert{});
  }
  for (const std::string& role : subject.recipient_roles) {
    bool known = false;
    for (const auto& r : alert.recipients()) known = known || r.role_id() == role;
    if (!known) alert.add_recipients()->set_role_id(role);
  }
  if (is_alerting) {
    alert.clear_action_cards();
    for (const auto& card : text.cards) *alert.add_action_cards() = card;
  }
  alert.set_previous_level(before);
  if (is_alerting) alert.set_level(after);
  if (!is_alerting) {
    alert.set_state(v1::ALERT_STATE_RESOLVED);
    *alert.mutable_resolved_at() = now_ts;
  } else if (!was_alerting || after > before) {
    alert.set_state(v1::ALERT_STATE_FIRING);
    // Unacknowledged time, and re-notification, count afresh from a raise or a rise.
    *alert.mutable_firing_since() = now_ts;
    alert.set_renotifications(0);
  }
  alert.set_title(text.title);
  alert.set_summary(text.summary);
  alert.clear_evidence();
  for (const auto& e : text.evidence) *alert.add_evidence() = e;
  *alert.mutable_updated_at() = now_ts;
  alert.set_revision(alert.revision() + 1);
  return alert;
}

}  // namespace resilience::escalation
