#include "services/escalation/core/stale_data.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {

v1::Alert StaleDataAlert(const common::v1::ScopeRef& scope, const std::string& scope_name,
                         const std::string& area_id,
                         const reference::v1::IndicatorDefinition& indicator,
                         absl::Time last_update, absl::Time missed,
                         common::v1::OpelLevel scope_level, absl::Time now, absl::TimeZone zone) {
  v1::Alert a;
  a.set_alert_id(absl::StrCat("stale-data/", ScopeKey(scope), "/", indicator.id(), "/",
                              absl::ToUnixMillis(last_update)));
  a.set_rule("stale-data");
  *a.mutable_scope() = scope;
  a.set_area_id(area_id);
  a.set_level(std::max(scope_level, common::v1::OPEL_LEVEL_2_AMBER));
  a.set_state(v1::ALERT_STATE_FIRING);
  const std::string when = absl::FormatTime("%a %d %b %H:%M", missed, zone);
  a.set_title(absl::StrCat(scope_name, ": ", indicator.name(), " not updated by ", when));
  a.set_summary(absl::StrCat(
      indicator.name(), " for ", scope_name, " was last updated ",
      absl::FormatTime("%a %d %b %H:%M", last_update, zone), " and missed its deadline of ", when,
      ". Until it is updated it does not count toward the level, which rests on less data."));
  if (!indicator.responsible_role().empty()) {
    a.add_recipients()->set_role_id(indicator.responsible_role());
  }
  *a.mutable_raised_at() = ToProtoTime(now);
  *a.mutable_updated_at() = ToProtoTime(now);
  *a.mutable_firing_since() = ToProtoTime(now);
  a.set_revision(1);
  return a;
}

v1::Alert ResolveStaleDataAlert(const v1::Alert& alert, absl::Time now) {
  v1::Alert a = alert;
  a.set_state(v1::ALERT_STATE_RESOLVED);
  *a.mutable_resolved_at() = ToProtoTime(now);
  *a.mutable_updated_at() = ToProtoTime(now);
  a.set_revision(alert.revision() + 1);
  a.set_summary(absl::StrCat(alert.summary(), " Updated since: resolved."));
  return a;
}

}  // namespace resilience::escalation
