#include "services/workforce/core/staffing_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"

namespace resilience::workforce {
namespace {

using common::v1::FieldViolation;

FieldViolation Violation(std::string field, std::string reason) {
  FieldViolation v;
  v.set_field(std::move(field));
  v.set_reason(std::move(reason));
  return v;
}

bool PrintableAscii(const std::string& s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

double StaffingPercent(double available_wte, double establishment_wte) {
  return available_wte / establishment_wte * 100.0;
}

std::vector<FieldViolation> ValidateStaffingReport(const v1::StaffingReport& report,
                                                   const ReferenceIndex& reference,
                                                   absl::Time now,
                                                   absl::Duration max_future_skew) {
  std::vector<FieldViolation> out;
  if (report.update_id().empty()) {
    out.push_back(Violation("update_id", "required: a provider-chosen id, so retries are safe"));
  } else if (report.update_id().size() > 128 || !PrintableAscii(report.update_id())) {
    out.push_back(Violation("update_id", "must be 1 to 128 printable ASCII characters"));
  }
  if (report.team_id().empty()) {
    out.push_back(Violation("team_id", "required"));
  } else if (reference.FindTeam(report.team_id()) == nullptr) {
    out.push_back(Violation("team_id", absl::StrCat("unknown team '", report.team_id(), "'")));
  }
  if (!std::isfinite(report.available_wte())) {
    out.push_back(Violation("available_wte", "must be a finite number"));
  } else if (report.available_wte() < 0) {
    out.push_back(Violation("available_wte", "must not be negative"));
  } else if (const auto* team = reference.FindTeam(report.team_id());
             team != nullptr && report.available_wte() > 3 * team->establishment_wte()) {
    out.push_back(Violation(
        "available_wte", absl::StrCat("more than three times the team's establishment of ",
                                      team->establishment_wte(), " WTE: likely a typing error")));
  }
  if (report.has_occurred_at()) {
    const auto& ts = report.occurred_at();
    if (ts.nanos() < 0 || ts.nanos() > 999999999) {
      out.push_back(Violation("occurred_at", "nanos must be 0 to 999999999"));
    } else if (FromProtoTime(ts) > now + max_future_skew) {
      out.push_back(Violation("occurred_at",
                              absl::StrCat("more than ", absl::FormatDuration(max_future_skew),
                                           " in the future: check the sender's clock")));
    }
  }
  if (report.note().size() > 500) {
    out.push_back(Violation("note", "at most 500 characters"));
  }
  return out;
}

std::string StaffingEventId(const std::string& provider_id, const std::string& update_id) {
  return NameBasedUuid(absl::StrCat("workforce/staffing/", provider_id), update_id);
}

events::v1::DomainEvent BuildStaffingEvent(const v1::StaffingReport& report,
                                           const reference::v1::Team& team,
                                           const std::string& provider_id, absl::Time now) {
  events::v1::DomainEvent event;
  auto* env = event.mutable_envelope();
  env->set_event_id(StaffingEventId(provider_id, report.update_id()));
  env->set_source("workforce-service");
  env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_TEAM);
  env->mutable_scope()->set_id(team.id());
  *env->mutable_occurred_at() = report.has_occurred_at() ? report.occurred_at() : ToProtoTime(now);
  *env->mutable_received_at() = ToProtoTime(now);
  env->set_schema_version(1);
  auto* prov = env->mutable_provenance();
  prov->set_provider_id(provider_id);
  prov->set_update_id(report.update_id());
  prov->set_accepted_by("workforce-service");
  *prov->mutable_accepted_at() = ToProtoTime(now);

  auto* obs = event.mutable_observation();
  obs->set_indicator(kStaffingIndicator);
  obs->set_number(StaffingPercent(report.available_wte(), team.establishment_wte()));
  obs->set_unit("percent");
  (*obs->mutable_components())["available_wte"] = report.available_wte();
  (*obs->mutable_components())["establishment_wte"] = team.establishment_wte();
  obs->set_note(report.note());
  return event;
}

}  // namespace resilience::workforce
