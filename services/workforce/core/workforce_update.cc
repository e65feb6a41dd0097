#include "services/workforce/core/workforce_update.h"

#include <algorithm>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "services/workforce/core/staffing_report.h"

namespace resilience::workforce {
namespace {

using common::v1::FieldViolation;
using Violations = std::vector<FieldViolation>;

void CheckId(const std::string& field, const std::string& id, Violations* out) {
  if (id.empty()) {
    out->push_back(Violation(field, "required"));
  } else if (!IsValidExternalId(id)) {
    out->push_back(Violation(field, "must be 1 to 128 printable ASCII characters"));
  }
}

void CheckTeam(const std::string& field, const std::string& id, const StaffingLedger& ledger,
               Violations* out) {
  if (id.empty()) {
    out->push_back(Violation(field, "required"));
  } else if (ledger.FindTeam(id) == nullptr) {
    out->push_back(Violation(field, absl::StrCat("unknown team '", id, "'")));
  }
}

void CheckAbsence(const v1::Absence& a, const StaffingLedger& ledger, Violations* out) {
  CheckId("absence.absence_id", a.absence_id(), out);
  CheckId("absence.person_ref", a.person_ref(), out);
  CheckTeam("absence.team_id", a.team_id(), ledger, out);
  if (a.kind() == v1::ABSENCE_KIND_UNSPECIFIED || !v1::AbsenceKind_IsValid(a.kind())) {
    out->push_back(Violation("absence.kind", "required: sickness, annual leave, training or other"));
  }
  if (!a.has_starts_at()) {
    out->push_back(Violation("absence.starts_at", "required"));
  } else if (a.has_ends_at() && !(FromProtoTime(a.ends_at()) > FromProtoTime(a.starts_at()))) {
    out->push_back(Violation("absence.ends_at", "must be after starts_at"));
  }
  if (!std::isfinite(a.wte()) || a.wte() < 0 || a.wte() > 1) {
    out->push_back(Violation("absence.wte", "must be a fraction of a WTE in (0, 1]; 0 means 1"));
  }
}

void CheckCover(const v1::CoverBooking& b, const StaffingLedger& ledger, Violations* out) {
  CheckId("cover.booking_id", b.booking_id(), out);
  CheckTeam("cover.team_id", b.team_id(), ledger, out);
  absl::CivilDay day;
  if (!ParseDay(b.day(), &day)) out->push_back(Violation("cover.day", "must be YYYY-MM-DD"));
  if (!std::isfinite(b.wte()) || !(b.wte() > 0) || b.wte() > 100) {
    out->push_back(Violation("cover.wte", "must be more than 0 and at most 100"));
  }
  if (b.source() == v1::CoverBooking::SOURCE_UNSPECIFIED ||
      !v1::CoverBooking::Source_IsValid(b.source())) {
    out->push_back(Violation("cover.source", "required: agency or bank"));
  }
}

void CheckRedeployment(const v1::Redeployment& r, const StaffingLedger& ledger, Violations* out) {
  CheckId("redeployment.redeployment_id", r.redeployment_id(), out);
  CheckTeam("redeployment.from_team_id", r.from_team_id(), ledger, out);
  CheckTeam("redeployment.to_team_id", r.to_team_id(), ledger, out);
  if (!r.from_team_id().empty() && r.from_team_id() == r.to_team_id()) {
    out->push_back(Violation("redeployment.to_team_id", "must differ from from_team_id"));
  }
  const auto* from = ledger.FindTeam(r.from_team_id());
  if (!std::isfinite(r.wte()) || !(r.wte() > 0)) {
    out->push_back(Violation("redeployment.wte", "must be more than 0"));
  } else if (from != nullptr && r.wte() > from->establishment_wte()) {
    out->push_back(Violation("redeployment.wte",
                             absl::StrCat("more than the lending team's establishment of ",
                                          from->establishment_wte(), " WTE")));
  }
  if (!r.has_starts_at()) out->push_back(Violation("redeployment.starts_at", "required"));
  if (!r.has_ends_at()) {
    out->push_back(Violation("redeployment.ends_at", "required: redeployments are time-limited"));
  } else if (r.has_starts_at() && !(FromProtoTime(r.ends_at()) > FromProtoTime(r.starts_at()))) {
    out->push_back(Violation("redeployment.ends_at", "must be after starts_at"));
  }
}

}  // namespace

std::vector<FieldViolation> ValidateWorkforceUpdate(const v1::WorkforceUpdate& u,
                                                    const StaffingLedger& ledger, absl::Time now,
                                                    absl::Duration max_future_skew) {
  Violations out;
  if (u.update_id().empty()) {
    out.push_back(Violation("update_id", "required: a provider-chosen id, so retries are safe"));
  } else if (!IsValidExternalId(u.update_id())) {
    out.push_back(Violation("update_id", "must be 1 to 128 printable ASCII characters"));
  }
  if (u.has_occurred_at() && FromProtoTime(u.occurred_at()) > now + max_future_skew) {
    out.push_back(Violation("occurred_at",
                            absl::StrCat("more than ", absl::FormatDuration(max_future_skew),
                                         " in the future: check the sender's clock")));
  }
  switch (u.change_case()) {
    case v1::WorkforceUpdate::kAbsence:
      CheckAbsence(u.absence(), ledger, &out);
      break;
    case v1::WorkforceUpdate::kCancelAbsenceId:
      if (ledger.FindAbsence(u.cancel_absence_id()) == nullptr) {
        out.push_back(Violation("cancel_absence_id",
                                absl::StrCat("no absence '", u.cancel_absence_id(), "'")));
      }
      break;
    case v1::WorkforceUpdate::kCover:
      CheckCover(u.cover(), ledger, &out);
      break;
    case v1::WorkforceUpdate::kCancelCoverBookingId:
      if (ledger.FindCover(u.cancel_cover_booking_id()) == nullptr) {
        out.push_back(Violation("cancel_cover_booking_id",
                                absl::StrCat("no booking '", u.cancel_cover_booking_id(), "'")));
      }
      break;
    case v1::WorkforceUpdate::kRedeployment:
      CheckRedeployment(u.redeployment(), ledger, &out);
      break;
    case v1::WorkforceUpdate::kCancelRedeploymentId:
      if (ledger.FindRedeployment(u.cancel_redeployment_id()) == nullptr) {
        out.push_back(Violation("cancel_redeployment_id",
                                absl::StrCat("no redeployment '", u.cancel_redeployment_id(), "'")));
      }
      break;
    case v1::WorkforceUpdate::kStaffing: {
      v1::StaffingReport report = u.staffing();
      if (report.update_id().empty()) report.set_update_id(u.update_id());
      auto more = ValidateStaffingReport(report, ledger.FindTeam(report.team_id()), now,
                                         max_future_skew, "staffing.");
      out.insert(out.end(), more.begin(), more.end());
      break;
    }
    default:
      out.push_back(Violation("change", "one of absence, cancel_absence_id, cover, "
                                        "cancel_cover_booking_id, redeployment, "
                                        "cancel_redeployment_id or staffing is required"));
  }
  return out;
}

v1::WorkforceChange ToChange(const v1::WorkforceUpdate& u, const std::string& provider_id,
                             absl::Time now) {
  v1::WorkforceChange c;
  auto* p = c.mutable_provenance();
  p->set_provider_id(provider_id);
  p->set_update_id(u.update_id());
  p->set_accepted_by("workforce-service");
  *p->mutable_accepted_at() = ToProtoTime(now);
  *c.mutable_occurred_at() = u.has_occurred_at() ? u.occurred_at() : ToProtoTime(now);
  switch (u.change_case()) {
    case v1::WorkforceUpdate::kAbsence: *c.mutable_absence() = u.absence(); break;
    case v1::WorkforceUpdate::kCancelAbsenceId:
      c.set_cancelled_absence_id(u.cancel_absence_id());
      break;
    case v1::WorkforceUpdate::kCover: *c.mutable_cover() = u.cover(); break;
    case v1::WorkforceUpdate::kCancelCoverBookingId:
      c.set_cancelled_cover_booking_id(u.cancel_cover_booking_id());
      break;
    case v1::WorkforceUpdate::kRedeployment: *c.mutable_redeployment() = u.redeployment(); break;
    case v1::WorkforceUpdate::kCancelRedeploymentId:
      c.set_cancelled_redeployment_id(u.cancel_redeployment_id());
      break;
    case v1::WorkforceUpdate::kStaffing:
      *c.mutable_manual_count() = u.staffing();
      if (c.manual_count().update_id().empty()) c.mutable_manual_count()->set_update_id(u.update_id());
      if (u.staffing().has_occurred_at()) *c.mutable_occurred_at() = u.staffing().occurred_at();
      break;
    default:
      break;
  }
  return c;
}

std::vector<std::string> TeamsTouched(const v1::WorkforceChange& c, const StaffingLedger& ledger) {
  std::vector<std::string> teams;
  switch (c.change_case()) {
    case v1::WorkforceChange::kAbsence: teams.push_back(c.absence().team_id()); break;
    case v1::WorkforceChange::kCancelledAbsenceId:
      if (auto* a = ledger.FindAbsence(c.cancelled_absence_id())) teams.push_back(a->team_id());
      break;
    case v1::WorkforceChange::kCover: teams.push_back(c.cover().team_id()); break;
    case v1::WorkforceChange::kCancelledCoverBookingId:
      if (auto* b = ledger.FindCover(c.cancelled_cover_booking_id())) teams.push_back(b->team_id());
      break;
    case v1::WorkforceChange::kRedeployment:
      teams.push_back(c.redeployment().from_team_id());
      teams.push_back(c.redeployment().to_team_id());
      break;
    case v1::WorkforceChange::kCancelledRedeploymentId:
      if (auto* r = ledger.FindRedeployment(c.cancelled_redeployment_id())) {
        teams.push_back(r->from_team_id());
        teams.push_back(r->to_team_id());
      }
      break;
    case v1::WorkforceChange::kTeam: teams.push_back(c.team().id()); break;
    case v1::WorkforceChange::kManualCount: teams.push_back(c.manual_count().team_id()); break;
    default: break;
  }
  return teams;
}

std::vector<absl::Time> TransitionTimes(const v1::WorkforceChange& c) {
  std::vector<absl::Time> out;
  if (c.has_absence()) {
    out.push_back(FromProtoTime(c.absence().starts_at()));
    if (c.absence().has_ends_at()) out.push_back(FromProtoTime(c.absence().ends_at()));
  } else if (c.has_redeployment()) {
    out.push_back(FromProtoTime(c.redeployment().starts_at()));
    out.push_back(FromProtoTime(c.redeployment().ends_at()));
  }
  return out;
}

std::optional<common::v1::FieldViolation> ProviderScopeViolation(
    const ReferenceIndex& reference, const std::string& provider_id,
    const v1::WorkforceUpdate& update, const StaffingLedger& ledger) {
  common::v1::FieldViolation v;
  v.set_field("provider");
  const auto* provider = reference.FindProvider(provider_id);
  if (provider == nullptr) {
    v.set_reason(absl::StrCat("permission denied: '", provider_id,
                              "' is not a provider of the reference data"));
    return v;
  }
  const v1::WorkforceChange change = ToChange(update, provider_id, absl::UnixEpoch());
  for (const std::string& team : TeamsTouched(change, ledger)) {
    const bool allowed = std::any_of(
        provider->may_write().begin(), provider->may_write().end(), [&](const auto& scope) {
          return scope.kind() == common::v1::SCOPE_KIND_TEAM && scope.id() == team;
        });
    if (!allowed) {
      v.set_reason(absl::StrCat("permission denied: provider '", provider_id,
                                "' may not write team '", team, "'"));
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace resilience::workforce
