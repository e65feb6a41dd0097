// When a level change raises, re-levels or resolves an alert (DESIGN 5), for any subject: an
// indicator of a scope, or a scope's OPEL level. Pure code. Thread-safe (stateless).
//
// An *episode* starts when the level goes from Green or unknown to Amber or worse; its alert id
// is "<rule>/<scope key>[/<key>]/<episode number>", so the same input always yields the same id.
// Within an episode a change of level updates the alert (next revision); a rise makes it FIRING
// again (a worse level needs a fresh acknowledgement). Back to Green resolves it.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_EPISODE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_EPISODE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"

namespace resilience::escalation {

// What an alert is about and who is told.
struct AlertSubject {
  std::string rule;  // "indicator-level", "area-level", "county-level"
  common::v1::ScopeRef scope;
  std::string key;  // indicator id for indicator alerts; empty for levels
  std::string area_id;
  std::vector<std::string> recipient_roles;
};

// The words and figures of a transition.
struct AlertText {
  std::string title;
  std::string summary;
  std::vector<v1::IndicatorEvidence> evidence;
  // What each recipient role must do at the new level (replaces the previous cards).
  std::vector<v1::ActionCard> cards;
};

// Whether a figure or scope at `level` has an open alert (Amber and above).
bool AlertingLevel(common::v1::OpelLevel level);

// Whether the level going from `before` to `after` makes an alert transition (a raise, a new
// level or a resolve): only then does AlertOnLevelChange read the episode's alert or the text.
bool LevelChangeMovesAlert(common::v1::OpelLevel before, common::v1::OpelLevel after);

// The alert after the level went from `before` to `after` at `now`, or nullopt when that makes no
// transition. `current` is the episode's alert so far (if any); `episode` is incremented when a
// new episode starts. Recipients accumulate over the episode (a role told at OPEL 3 stays on the
// alert when it eases to OPEL 2); action cards are those of the new level.
std::optional<v1::Alert> AlertOnLevelChange(const std::optional<v1::Alert>& current,
                                            int64_t* episode, common::v1::OpelLevel before,
                                            common::v1::OpelLevel after,
                                            const AlertSubject& subject, const AlertText& text,
                                            absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_ALERT_EPISODE_H_
