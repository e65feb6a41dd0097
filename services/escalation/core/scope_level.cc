#include "services/escalation/core/scope_level.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {
namespace {

HeldLevel HeldOf(const v1::LevelStatus& s, const HoldRule& rule) {
  HeldLevel h;
  h.level = s.computed_level();
  h.since = s.has_since() ? FromProtoTime(s.since()) : absl::InfinitePast();
  h.pending = s.pending_level();
  if (IsLevel(h.pending) && s.has_step_down_not_before()) {
    h.pending_since = FromProtoTime(s.step_down_not_before()) - rule.hold;
  }
  return h;
}

// What a reader sees of a status, as bytes: everything but "since" (it moves only with the
// level), with or without the evidence. Swaps fields out and back rather than copying: the
// evidence of a board area or the county can be long.
std::string Fingerprint(v1::LevelStatus& s, bool with_evidence) {
  const bool had_since = s.has_since();
  google::protobuf::Timestamp since;
  if (had_since) since.Swap(s.mutable_since());
  s.clear_since();
  google::protobuf::RepeatedPtrField<v1::IndicatorEvidence> evidence;
  if (!with_evidence) evidence.Swap(s.mutable_evidence());
  std::string out;
  s.SerializeToString(&out);
  if (!with_evidence) evidence.Swap(s.mutable_evidence());
  if (had_since) s.mutable_since()->Swap(&since);
  return out;
}

}  // namespace

common::v1::OpelLevel NextComputedLevel(const std::optional<ScopeLevelRecord>& previous,
                                        const ComputedLevel& computed,
                                        std::optional<double> referrals, const HoldRule& rule,
                                        absl::Time now) {
  const HeldLevel held = previous.has_value() ? HeldOf(previous->status, rule) : HeldLevel{};
  return ApplyHold(held, computed.level, now, referrals, rule).level;
}

ScopeLevelAssessment AssessScopeLevel(std::optional<ScopeLevelRecord> previous,
                                      const ComputedLevel& computed,
                                      std::optional<double> referrals, const HoldRule& rule,
                                      ScopeLevelContext context, absl::Time now) {
  ScopeLevelAssessment out;
  if (previous.has_value()) out.next = *std::move(previous);
  const common::v1::OpelLevel before = out.next.status.computed_level();
  const HeldLevel held =
      ApplyHold(HeldOf(out.next.status, rule), computed.level, now, referrals, rule);
  const std::string seen_before = Fingerprint(out.next.status, true);
  const std::string level_before = Fingerprint(out.next.status, false);

  v1::LevelStatus& s = out.next.status;
  *s.mutable_scope() = context.scope;
  s.set_computed_level(held.level);
  if (held.since != absl::InfinitePast()) *s.mutable_since() = ToProtoTime(held.since);
  s.set_pending_level(held.pending);
  if (IsLevel(held.pending)) {
    *s.mutable_step_down_not_before() = ToProtoTime(held.StepDownNotBefore(rule));
  } else {
    s.clear_step_down_not_before();
  }
  s.set_coverage(computed.coverage);
  s.set_fresh_indicators(computed.fresh);
  s.set_expected_indicators(computed.expected);
  s.clear_evidence();
  // Moved, not copied: a board area's or the county's evidence can be long.
  s.mutable_evidence()->Reserve(static_cast<int>(context.evidence.size()));
  for (auto& e : context.evidence) *s.add_evidence() = std::move(e);
  s.set_rules_version(context.rules_version);
  if (context.acute_score.has_value()) *s.mutable_acute_score() = *context.acute_score;
  s.set_action_level(context.action_level);
  // The effective level follows the declaration in force, if any (kept in the status).
  std::optional<v1::Declaration> declaration;
  if (s.has_declaration()) declaration = s.declaration();
  s.set_effective_level(EffectiveLevel(held.level, declaration, now));
  if (declaration.has_value() && s.effective_level() == held.level &&
      now >= FromProtoTime(declaration->expires_at())) {
    s.clear_declaration();  // lapsed
  }
  out.status_changed = seen_before != Fingerprint(s, true);
  out.only_evidence_changed = out.status_changed && level_before == Fingerprint(s, false);

  const common::v1::OpelLevel after = held.level;
  // An unchanged level never changes the alert (AlertOnLevelChange): its text is not built.
  if (before == after) return out;
  AlertSubject subject{context.rule, context.scope, "", context.area_id, context.recipient_roles};
  AlertText text;
  if (context.catalogue != nullptr && IsLevel(after)) {
    subject.recipient_roles = context.catalogue->RolesAt(after);
    text.cards = context.catalogue->CardsAt(after);
  }
  std::vector<std::string> because;
  for (const auto& e : s.evidence()) {
    because.push_back(absl::StrCat(e.indicator_name(), " (", e.scope().id(), ") ",
                                   LevelColour(e.level()), " at ", e.value_text()));
  }
  text.title = absl::StrCat(context.scope_name, ": OPEL ", static_cast<int>(after), " (",
                            LevelColour(after), ")");
  text.summary = absl::StrCat(
      context.scope_name, " is at OPEL ", static_cast<int>(after), " (", LevelColour(after),
      "), was ", LevelColour(before), ".",
      because.empty() ? "" : absl::StrCat(" Because: ", absl::StrJoin(because, "; "), "."),
      absl::StrFormat(" Coverage: %d of %d expected figures fresh.", computed.fresh,
                      computed.expected));
  text.evidence.assign(s.evidence().begin(), s.evidence().end());
  out.changed_alert = AlertOnLevelChange(out.next.alert, &out.next.episode, before, after, subject,
                                         text, now);
  if (out.changed_alert.has_value()) {
    out.next.alert = out.changed_alert;
    out.status_changed = true;
    out.only_evidence_changed = false;
  }
  return out;
}

}  // namespace resilience::escalation
