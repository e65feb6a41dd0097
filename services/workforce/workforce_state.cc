#include "services/workforce/workforce_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "services/workforce/core/workforce_update.h"

namespace resilience::workforce {

std::string UpdateKey(const std::string& provider_id, const std::string& update_id) {
  return absl::StrCat(provider_id, "\n", update_id);
}

bool WorkforceState::ApplyLocked(const v1::WorkforceChange& change, const std::string& event_id) {
  if (change.has_published()) {
    if (change.published().confirmed()) {
      published[change.published().scope_id()] = change.published();
    } else {
      published.erase(change.published().scope_id());  // unknown: publish again
    }
    return true;
  }
  // Before applying: a cancellation names its team only through what it cancels.
  const std::vector<std::string> teams = TeamsTouched(change, ledger);
  const bool applied = ledger.Apply(change);
  if (applied) {
    for (const std::string& team : teams) {
      NoteCauseLocked(team, PublicationCause{change.provenance(), FromProtoTime(change.occurred_at())});
    }
  }
  if (!change.provenance().update_id().empty()) {
    common::v1::UpdateAck ack;
    ack.set_update_id(change.provenance().update_id());
    ack.set_outcome(common::v1::UpdateAck::OUTCOME_DUPLICATE);
    ack.set_event_id(event_id);
    *ack.mutable_accepted_at() = change.provenance().accepted_at();
    ack.set_message("duplicate: this update id was accepted before; nothing applied again");
    acks[UpdateKey(change.provenance().provider_id(), change.provenance().update_id())] = ack;
  }
  return applied;
}

const PublicationCause& WorkforceState::NoteCauseLocked(const std::string& team,
                                                       PublicationCause cause) {
  auto [it, inserted] = latest_cause.try_emplace(team, cause);
  if (!inserted) {
    cause.effective_at = std::max(cause.effective_at, it->second.effective_at);
    it->second = std::move(cause);
  }
  return it->second;
}

}  // namespace resilience::workforce
