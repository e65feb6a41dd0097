#include "services/escalation/core/alert_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {

absl::StatusOr<Acknowledged> AcknowledgeAlert(const v1::Alert& alert, const std::string& user_id,
                                              const std::string& role_id, const std::string& note,
                                              absl::Time now) {
  // A repeat by the same user changes nothing, unless the alert has fired again since (a rise to
  // a worse level needs a fresh acknowledgement, DESIGN 5).
  const absl::Time firing_since =
      alert.has_firing_since() ? FromProtoTime(alert.firing_since()) : absl::InfinitePast();
  for (const auto& ack : alert.acknowledgements()) {
    if (ack.user_id() == user_id &&
        (alert.state() != v1::ALERT_STATE_FIRING || FromProtoTime(ack.at()) >= firing_since)) {
      return Acknowledged{alert, false};
    }
  }
  if (alert.state() == v1::ALERT_STATE_RESOLVED) {
    return absl::FailedPreconditionError(
        absl::StrCat("alert ", alert.alert_id(), " is resolved; nothing to acknowledge"));
  }
  if (note.size() > 1000) {
    return absl::InvalidArgumentError("note: at most 1000 characters");
  }
  if (alert.level() >= common::v1::OPEL_LEVEL_3_RED && note.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "note: required at ", LevelColour(alert.level()),
        " (OPEL 3-4): say what you are doing about it and the risks you see"));
  }
  Acknowledged out{alert, true};
  v1::Acknowledgement* ack = out.alert.add_acknowledgements();
  ack->set_user_id(user_id);
  ack->set_role_id(role_id);
  ack->set_note(note);
  *ack->mutable_at() = ToProtoTime(now);
  out.alert.set_state(v1::ALERT_STATE_ACKNOWLEDGED);
  *out.alert.mutable_updated_at() = ToProtoTime(now);
  out.alert.set_revision(alert.revision() + 1);
  return out;
}

absl::StatusOr<Acknowledged> RecordAlertAction(const v1::Alert& alert, const std::string& user_id,
                                               const std::string& action_id, bool done,
                                               const std::string& note, const std::string& risks,
                                               absl::Time now) {
  bool on_card = false;
  for (const auto& card : alert.action_cards()) {
    for (const auto& a : card.actions()) on_card = on_card || a.action_id() == action_id;
  }
  if (!on_card) {
    return absl::InvalidArgumentError(
        absl::StrCat("action_id: '", action_id, "' is not on this alert's action cards"));
  }
  if (note.size() > 1000) return absl::InvalidArgumentError("note: at most 1000 characters");
  if (risks.size() > 1000) return absl::InvalidArgumentError("risks: at most 1000 characters");
  for (int i = alert.action_records_size() - 1; i >= 0; --i) {
    const auto& r = alert.action_records(i);
    if (r.action_id() != action_id || r.by_user() != user_id) continue;
    if (r.done() == done && r.note() == note && r.risks() == risks) return Acknowledged{alert, false};
    break;
  }
  Acknowledged out{alert, true};
  v1::ActionRecord* r = out.alert.add_action_records();
  r->set_action_id(action_id);
  r->set_done(done);
  r->set_note(note);
  r->set_risks(risks);
  r->set_by_user(user_id);
  *r->mutable_at() = ToProtoTime(now);
  *out.alert.mutable_updated_at() = ToProtoTime(now);
  out.alert.set_revision(alert.revision() + 1);
  return out;
}

std::string TransitionAction(const v1::Alert& alert) {
  if (alert.state() == v1::ALERT_STATE_RESOLVED) return "alert.resolved";
  return alert.revision() == 1 ? "alert.raised" : "alert.level_changed";
}

v1::AuditRecord AlertAudit(const v1::Alert& alert, const std::string& action,
                           const std::string& actor, const std::string& reason, absl::Time at,
                           const std::string& audit_id) {
  v1::AuditRecord r;
  r.set_audit_id(audit_id);
  *r.mutable_at() = ToProtoTime(at);
  r.set_actor(actor);
  r.set_action(action);
  r.set_subject(alert.alert_id());
  r.set_reason(reason);
  auto& d = *r.mutable_detail();
  d["level"] = LevelColour(alert.level());
  d["state"] = v1::AlertState_Name(alert.state());
  d["revision"] = absl::StrCat(alert.revision());
  if (!alert.area_id().empty()) d["area_id"] = alert.area_id();
  return r;
}

}  // namespace resilience::escalation
