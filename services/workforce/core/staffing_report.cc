#include "services/workforce/core/staffing_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"

namespace resilience::workforce {
namespace {

using common::v1::FieldViolation;

}  // namespace

FieldViolation Violation(std::string field, std::string reason) {
  FieldViolation v;
  v.set_field(std::move(field));
  v.set_reason(std::move(reason));
  return v;
}

bool IsValidExternalId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::vector<FieldViolation> ValidateStaffingReport(const v1::StaffingReport& report,
                                                   const reference::v1::Team* team,
                                                   absl::Time now, absl::Duration max_future_skew,
                                                   const std::string& prefix) {
  std::vector<FieldViolation> out;
  if (report.update_id().empty()) {
    out.push_back(
        Violation(prefix + "update_id", "required: a provider-chosen id, so retries are safe"));
  } else if (!IsValidExternalId(report.update_id())) {
    out.push_back(Violation(prefix + "update_id", "must be 1 to 128 printable ASCII characters"));
  }
  if (report.team_id().empty()) {
    out.push_back(Violation(prefix + "team_id", "required"));
  } else if (team == nullptr) {
    out.push_back(
        Violation(prefix + "team_id", absl::StrCat("unknown team '", report.team_id(), "'")));
  }
  if (!std::isfinite(report.available_wte())) {
    out.push_back(Violation(prefix + "available_wte", "must be a finite number"));
  } else if (report.available_wte() < 0) {
    out.push_back(Violation(prefix + "available_wte", "must not be negative"));
  } else if (team != nullptr && report.available_wte() > 3 * team->establishment_wte()) {
    out.push_back(Violation(
        prefix + "available_wte",
        absl::StrCat("more than three times the team's establishment of ",
                     team->establishment_wte(), " WTE: likely a typing error")));
  }
  if (report.has_occurred_at()) {
    const auto& ts = report.occurred_at();
    if (ts.nanos() < 0 || ts.nanos() > 999999999) {
      out.push_back(Violation(prefix + "occurred_at", "nanos must be 0 to 999999999"));
    } else if (FromProtoTime(ts) > now + max_future_skew) {
      out.push_back(Violation(prefix + "occurred_at",
                              absl::StrCat("more than ", absl::FormatDuration(max_future_skew),
                                           " in the future: check the sender's clock")));
    }
  }
  if (report.note().size() > 500) {
    out.push_back(Violation(prefix + "note", "at most 500 characters"));
  }
  return out;
}

std::string StaffingEventId(const std::string& provider_id, const std::string& update_id,
                            const std::string& team_id) {
  return NameBasedUuid(absl::StrCat("workforce/staffing/", provider_id),
                       absl::StrCat(update_id, "|", team_id));
}

namespace {

events::v1::DomainEvent StaffingEvent(common::v1::ScopeRef scope, const char* indicator,
                                      const v1::StaffingPoint& point,
                                      const common::v1::Provenance& cause, std::string event_id,
                                      absl::Time effective_at, absl::Time now) {
  events::v1::DomainEvent event;
  auto* env = event.mutable_envelope();
  env->set_event_id(std::move(event_id));
  env->set_source("workforce-service");
  *env->mutable_scope() = std::move(scope);
  *env->mutable_occurred_at() = ToProtoTime(effective_at);
  *env->mutable_received_at() = ToProtoTime(now);
  env->set_schema_version(1);
  *env->mutable_provenance() = cause;
  env->mutable_provenance()->set_accepted_by("workforce-service");
  *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
  auto* obs = event.mutable_observation();
  obs->set_indicator(indicator);
  obs->set_number(point.staffing_pct());
  obs->set_unit("percent");
  auto& c = *obs->mutable_components();
  c["available_wte"] = point.available_wte();
  c["establishment_wte"] = point.establishment_wte();
  c["absent_wte"] = point.absent_wte();
  c["cover_wte"] = point.cover_wte();
  c["redeployed_in_wte"] = point.redeployed_in_wte();
  c["redeployed_out_wte"] = point.redeployed_out_wte();
  return event;
}

// Publications caused by time alone (an absence ending at midnight) get an id from what they
// say and when it took effect, so a republication after a crash repeats the same id.
std::string TimeEventId(const std::string& scope_id, const v1::StaffingPoint& point,
                        absl::Time effective_at) {
  return NameBasedUuid("workforce/staffing/time",
                       absl::StrCat(scope_id, "|", absl::FormatTime(effective_at), "|",
                                    absl::SixDigits(point.staffing_pct())));
}

}  // namespace

events::v1::DomainEvent BuildStaffingEvent(const reference::v1::Team& team,
                                           const v1::StaffingPoint& point,
                                           const common::v1::Provenance& cause,
                                           absl::Time effective_at, absl::Time now) {
  common::v1::ScopeRef scope;
  scope.set_kind(common::v1::SCOPE_KIND_TEAM);
  scope.set_id(team.id());
  std::string event_id =
      cause.update_id().empty()
          ? TimeEventId(team.id(), point, effective_at)
          : StaffingEventId(cause.provider_id(), cause.update_id(), team.id());
  return StaffingEvent(std::move(scope), kStaffingIndicator, point, cause, std::move(event_id),
                       effective_at, now);
}

events::v1::DomainEvent BuildCountyStaffingEvent(const std::string& county_id,
                                                 const v1::StaffingPoint& point,
                                                 absl::Time effective_at, absl::Time now) {
  common::v1::ScopeRef scope;
  scope.set_kind(common::v1::SCOPE_KIND_COUNTY);
  scope.set_id(county_id);
  return StaffingEvent(std::move(scope), kCountyStaffingIndicator, point, common::v1::Provenance(),
                       TimeEventId("county/" + county_id, point, effective_at), effective_at, now);
}

}  // namespace resilience::workforce
