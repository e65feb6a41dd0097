#include "services/beds/core/bed_update.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"

namespace resilience::beds {
namespace {

using common::v1::FieldViolation;
using reference::v1::BedType;

const v1::BedTypeState* FindState(const v1::LocationRecord& r, BedType t) {
  for (const auto& b : r.beds()) {
    if (b.bed_type() == t) return &b;
  }
  return nullptr;
}

v1::BedTypeState* MutableState(v1::LocationRecord* r, BedType t) {
  for (auto& b : *r->mutable_beds()) {
    if (b.bed_type() == t) return &b;
  }
  auto* b = r->add_beds();
  b->set_bed_type(t);
  return b;
}

const v1::HoldRecord* FindHold(const v1::LocationRecord& r, const std::string& ref) {
  for (const auto& h : r.holds()) {
    if (h.hold_ref() == ref) return &h;
  }
  return nullptr;
}

const v1::ClosureStatus* FindClosure(const v1::LocationRecord& r, const std::string& ref) {
  for (const auto& c : r.closures()) {
    if (c.closure_ref() == ref) return &c;
  }
  return nullptr;
}

// True when an event of `type` at `at` comes after the latest snapshot of that type (so counts).
bool CountsAfter(const google::protobuf::Timestamp* snapshot_at, absl::Time at) {
  return snapshot_at == nullptr || at > FromProtoTime(*snapshot_at);
}

bool OccupancyCounts(const v1::LocationRecord& r, BedType t, absl::Time at) {
  const auto* s = FindState(r, t);
  return CountsAfter(s != nullptr && s->has_snapshot_at() ? &s->snapshot_at() : nullptr, at);
}

bool HoldsCount(const v1::LocationRecord& r, BedType t, absl::Time at) {
  const auto* s = FindState(r, t);
  return CountsAfter(s != nullptr && s->has_held_snapshot_at() ? &s->held_snapshot_at() : nullptr,
                     at);
}

std::string Describe(const BedCount& c) {
  return absl::StrCat(c.total, " beds: ", c.occupied, " occupied, ", c.held, " held, ", c.closed,
                      " closed");
}

class Checker {
 public:
  Checker(const v1::LocationRecord* record, UpdateCheck* out) : record_(record), out_(out) {}

  void Invalid(std::string field, std::string reason) {
    out_->violations.push_back(Violation(std::move(field), std::move(reason)));
    if (out_->code == absl::StatusCode::kOk) out_->code = absl::StatusCode::kInvalidArgument;
  }
  void NotFound(std::string field, std::string reason) {
    out_->violations.push_back(Violation(std::move(field), std::move(reason)));
    out_->code = absl::StatusCode::kNotFound;
  }

  void Ref(const std::string& field, const std::string& ref, bool required) {
    if (ref.empty()) {
      if (required) Invalid(field, "required");
    } else if (!IsValidExternalId(ref)) {
      Invalid(field, "must be 1 to 128 printable ASCII characters");
    }
  }

  void Text(const std::string& field, const std::string& text, size_t max) {
    if (text.size() > max) Invalid(field, absl::StrCat("at most ", max, " characters"));
  }

  // The location named by `field`; false (with a violation) when missing or unknown.
  bool Location(const std::string& field, const std::string& id) {
    if (id.empty()) {
      Invalid(field, "required");
      return false;
    }
    if (record_ == nullptr) {
      NotFound(field, absl::StrCat("unknown location '", id, "'"));
      return false;
    }
    return true;
  }

  // The bed type named by `field`; false when missing or not one the location has.
  bool Type(const std::string& field, BedType t) {
    if (t == reference::v1::BED_TYPE_UNSPECIFIED || !reference::v1::BedType_IsValid(t)) {
      Invalid(field, "required: assessment, dementia assessment, planned respite, emergency "
                     "respite or long-term");
      return false;
    }
    if (record_ != nullptr && !HasBedType(record_->location(), t)) {
      NotFound(field, absl::StrCat("location '", record_->location().id(), "' has no ",
                                   reference::v1::BedType_Name(t), " beds"));
      return false;
    }
    return true;
  }

 private:
  const v1::LocationRecord* record_;
  UpdateCheck* out_;
};

void CheckSnapshot(const v1::OccupancySnapshot& s, const v1::LocationRecord* r, absl::Time at,
                   Checker& c) {
  if (!c.Location("snapshot.location_id", s.location_id())) return;
  if (s.beds().empty()) c.Invalid("snapshot.beds", "at least one bed type is required");
  std::set<int> seen;
  for (int i = 0; i < s.beds_size(); ++i) {
    const auto& b = s.beds(i);
    const std::string field = absl::StrCat("snapshot.beds[", i, "]");
    if (!c.Type(field + ".bed_type", b.bed_type())) continue;
    if (!seen.insert(b.bed_type()).second) {
      c.Invalid(field + ".bed_type", "listed twice in one snapshot");
      continue;
    }
    if (b.occupied() < 0) {
      c.Invalid(field + ".occupied", "must not be negative");
      continue;
    }
    if (b.has_held() && b.held() < 0) {
      c.Invalid(field + ".held", "must not be negative");
      continue;
    }
    if (!OccupancyCounts(*r, b.bed_type(), at)) continue;  // older than the snapshot we have
    BedCount count = CountOf(*r, b.bed_type());
    if (static_cast<uint32_t>(b.occupied()) > count.total) {
      c.Invalid(field + ".occupied", absl::StrCat(b.occupied(), " is more than the ", count.total,
                                                  " beds of the type"));
      continue;
    }
    count.occupied = b.occupied();
    if (b.has_held()) count.held = b.held();
    if (uint64_t{count.occupied} + count.held + count.closed > count.total) {
      c.Invalid(field + ".occupied",
                absl::StrCat("occupied + held + closed would exceed the total (", Describe(count),
                             "): release holds or reopen closed beds first"));
    }
  }
}

}  // namespace

uint32_t TotalOf(const reference::v1::Location& location, BedType type) {
  uint32_t total = 0;
  for (const auto& b : location.beds()) {
    if (b.bed_type() == type) total += b.total();
  }
  return total;
}

bool HasBedType(const reference::v1::Location& location, BedType type) {
  for (const auto& b : location.beds()) {
    if (b.bed_type() == type) return true;
  }
  return false;
}

BedCount CountOf(const v1::LocationRecord& record, BedType type) {
  BedCount c;
  c.total = TotalOf(record.location(), type);
  if (const auto* s = FindState(record, type)) {
    c.occupied = s->occupied();
    c.held = s->anonymous_held();
  }
  for (const auto& h : record.holds()) {
    if (h.bed_type() == type) ++c.held;
  }
  for (const auto& cl : record.closures()) {
    if (cl.bed_type() == type) c.closed += cl.beds();
  }
  return c;
}

v1::BedCounts ToBedCounts(BedType type, const BedCount& count) {
  v1::BedCounts out;
  out.set_bed_type(type);
  out.set_total(count.total);
  out.set_occupied(count.occupied);
  out.set_held(count.held);
  out.set_closed(count.closed);
  out.set_available(count.available());
  if (count.total > 0) {
    out.set_occupancy_pct(100.0 * (count.total - count.available()) / count.total);
    out.set_occupied_pct(100.0 * std::min(count.occupied, count.total) / count.total);
  }
  return out;
}

bool IsInHouse(reference::v1::LocationKind kind) {
  return kind == reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE ||
         kind == reference::v1::LOCATION_KIND_IN_HOUSE_UNIT;
}

bool IsContractedHome(reference::v1::LocationKind kind) {
  return kind == reference::v1::LOCATION_KIND_RESIDENTIAL_HOME ||
         kind == reference::v1::LOCATION_KIND_NURSING_HOME;
}

bool IsAssessmentBed(BedType type) {
  return type == reference::v1::BED_TYPE_ASSESSMENT ||
         type == reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT;
}

std::string LocationOfUpdate(const v1::BedUpdate& u) {
  switch (u.change_case()) {
    case v1::BedUpdate::kSnapshot: return u.snapshot().location_id();
    case v1::BedUpdate::kAdmission: return u.admission().location_id();
    case v1::BedUpdate::kDischarge: return u.discharge().location_id();
    case v1::BedUpdate::kHold: return u.hold().location_id();
    case v1::BedUpdate::kHoldReleased: return u.hold_released().location_id();
    case v1::BedUpdate::kClosure: return u.closure().location_id();
    case v1::BedUpdate::kReopening: return u.reopening().location_id();
    default: return "";
  }
}

FieldViolation Violation(std::string field, std::string reason) {
  FieldViolation v;
  v.set_field(std::move(field));
  v.set_reason(std::move(reason));
  return v;
}

bool IsValidExternalId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) { return ch >= 0x21 && ch <= 0x7e; });
}

UpdateCheck CheckBedUpdate(const v1::BedUpdate& u, const v1::LocationRecord* r, absl::Time now,
                           absl::Duration max_future_skew) {
  UpdateCheck out;
  Checker c(r, &out);
  if (u.update_id().empty()) {
    c.Invalid("update_id", "required: a provider-chosen id, so retries are safe");
  } else if (!IsValidExternalId(u.update_id())) {
    c.Invalid("update_id", "must be 1 to 128 printable ASCII characters");
  }
  if (!u.has_occurred_at()) {
    c.Invalid("occurred_at", "required");
  } else if (FromProtoTime(u.occurred_at()) > now + max_future_skew) {
    c.Invalid("occurred_at", absl::StrCat("more than ", absl::FormatDuration(max_future_skew),
                                          " in the future: check the sender's clock"));
  }
  c.Text("note", u.note(), 500);
  const absl::Time at = u.has_occurred_at() ? FromProtoTime(u.occurred_at()) : now;
  switch (u.change_case()) {
    case v1::BedUpdate::kSnapshot:
      CheckSnapshot(u.snapshot(), r, at, c);
      break;
    case v1::BedUpdate::kAdmission: {
      const auto& a = u.admission();
      c.Ref("admission.stay_ref", a.stay_ref(), false);
      c.Ref("admission.hold_ref", a.hold_ref(), false);
      if (!c.Location("admission.location_id", a.location_id()) ||
          !c.Type("admission.bed_type", a.bed_type()) || !out.ok()) {
        break;
      }
      if (!OccupancyCounts(*r, a.bed_type(), at)) break;
      const auto* hold = a.hold_ref().empty() ? nullptr : FindHold(*r, a.hold_ref());
      if (hold != nullptr && hold->bed_type() == a.bed_type()) break;  // fills its own hold
      const BedCount count = CountOf(*r, a.bed_type());
      if (count.available() == 0) {
        c.Invalid("admission.bed_type",
                  absl::StrCat("no vacant bed to admit into (", Describe(count), ")"));
      }
      break;
    }
    case v1::BedUpdate::kDischarge: {
      const auto& d = u.discharge();
      c.Ref("discharge.stay_ref", d.stay_ref(), false);
      if (!c.Location("discharge.location_id", d.location_id()) ||
          !c.Type("discharge.bed_type", d.bed_type()) || !out.ok()) {
        break;
      }
      if (OccupancyCounts(*r, d.bed_type(), at) && CountOf(*r, d.bed_type()).occupied == 0) {
        c.Invalid("discharge.bed_type", "no bed of this type is occupied: occupied cannot go below 0");
      }
      break;
    }
    case v1::BedUpdate::kHold: {
      const auto& h = u.hold();
      c.Ref("hold.hold_ref", h.hold_ref(), true);
      c.Text("hold.held_for", h.held_for(), 200);
      if (h.has_held_until() && !(FromProtoTime(h.held_until()) > at)) {
        c.Invalid("hold.held_until", "must be after occurred_at");
      }
      if (!c.Location("hold.location_id", h.location_id()) ||
          !c.Type("hold.bed_type", h.bed_type()) || !out.ok()) {
        break;
      }
      if (!HoldsCount(*r, h.bed_type(), at)) break;
      BedCount count = CountOf(*r, h.bed_type());
      const auto* same = FindHold(*r, h.hold_ref());
      if (same != nullptr && same->bed_type() == h.bed_type()) break;  // a change to the hold
      if (count.available() == 0) {
        c.Invalid("hold.bed_type", absl::StrCat("no vacant bed to hold (", Describe(count), ")"));
      }
      break;
    }
    case v1::BedUpdate::kHoldReleased: {
      const auto& h = u.hold_released();
      c.Ref("hold_released.hold_ref", h.hold_ref(), true);
      if (!c.Location("hold_released.location_id", h.location_id()) || !out.ok()) break;
      const auto* hold = FindHold(*r, h.hold_ref());
      if (hold == nullptr) {
        // A release older than a snapshot that replaced the holds is recorded, not counted.
        bool superseded = false;
        for (const auto& s : r->beds()) {
          if (s.has_held_snapshot_at() && at <= FromProtoTime(s.held_snapshot_at())) {
            superseded = true;
          }
        }
        if (!superseded) {
          c.Invalid("hold_released.hold_ref",
                    absl::StrCat("no open hold '", h.hold_ref(), "' at this location"));
        }
      }
      break;
    }
    case v1::BedUpdate::kClosure: {
      const auto& cl = u.closure();
      c.Ref("closure.closure_ref", cl.closure_ref(), true);
      if (cl.beds() <= 0) c.Invalid("closure.beds", "must be more than 0");
      if (cl.reason() == v1::CLOSURE_REASON_UNSPECIFIED || !v1::ClosureReason_IsValid(cl.reason())) {
        c.Invalid("closure.reason", "required: outbreak, awaiting cleaning, staffing, maintenance, "
                                    "suspension or other");
      } else if (cl.reason() == v1::CLOSURE_REASON_OTHER && cl.detail().empty()) {
        c.Invalid("closure.detail", "required when the reason is other: say what");
      }
      c.Text("closure.detail", cl.detail(), 500);
      if (!c.Location("closure.location_id", cl.location_id()) ||
          !c.Type("closure.bed_type", cl.bed_type()) || !out.ok()) {
        break;
      }
      BedCount count = CountOf(*r, cl.bed_type());
      const auto* same = FindClosure(*r, cl.closure_ref());
      if (same != nullptr && same->bed_type() == cl.bed_type()) count.closed -= same->beds();
      if (static_cast<uint32_t>(cl.beds()) > count.available()) {
        c.Invalid("closure.beds",
                  absl::StrCat("only vacant beds can be closed: ", count.available(),
                               " vacant and not held or closed (", Describe(count), ")"));
      }
      break;
    }
    case v1::BedUpdate::kReopening: {
      const auto& ro = u.reopening();
      c.Ref("reopening.closure_ref", ro.closure_ref(), true);
      if (!c.Location("reopening.location_id", ro.location_id()) || !out.ok()) break;
      if (FindClosure(*r, ro.closure_ref()) == nullptr) {
        c.Invalid("reopening.closure_ref",
                  absl::StrCat("no open closure '", ro.closure_ref(), "' at this location"));
      }
      break;
    }
    default:
      c.Invalid("change", "one of snapshot, admission, discharge, hold, hold_released, closure "
                          "or reopening is required");
  }
  return out;
}

void ApplyBedUpdate(const v1::BedUpdate& u, const common::v1::Provenance& provenance,
                    absl::Duration idempotency_window, v1::LocationRecord* r) {
  const absl::Time at = FromProtoTime(u.occurred_at());
  auto remove_hold = [r](const std::string& ref) {
    auto* holds = r->mutable_holds();
    for (int i = 0; i < holds->size(); ++i) {
      if (holds->Get(i).hold_ref() == ref) {
        holds->DeleteSubrange(i, 1);
        return true;
      }
    }
    return false;
  };
  switch (u.change_case()) {
    case v1::BedUpdate::kSnapshot:
      for (const auto& b : u.snapshot().beds()) {
        if (!OccupancyCounts(*r, b.bed_type(), at)) continue;
        auto* s = MutableState(r, b.bed_type());
        s->set_occupied(static_cast<uint32_t>(std::max(0, b.occupied())));
        *s->mutable_snapshot_at() = u.occurred_at();
        if (b.has_held()) {
          s->set_anonymous_held(static_cast<uint32_t>(std::max(0, b.held())));
          *s->mutable_held_snapshot_at() = u.occurred_at();
          auto* holds = r->mutable_holds();
          for (int i = holds->size() - 1; i >= 0; --i) {
            if (holds->Get(i).bed_type() == b.bed_type()) holds->DeleteSubrange(i, 1);
          }
        }
      }
      break;
    case v1::BedUpdate::kAdmission: {
      const auto& a = u.admission();
      if (!OccupancyCounts(*r, a.bed_type(), at)) break;
      auto* s = MutableState(r, a.bed_type());
      s->set_occupied(s->occupied() + 1);
      if (!a.hold_ref().empty()) {
        const auto* hold = FindHold(*r, a.hold_ref());
        if (hold != nullptr && hold->bed_type() == a.bed_type()) remove_hold(a.hold_ref());
      }
      break;
    }
    case v1::BedUpdate::kDischarge: {
      const auto& d = u.discharge();
      if (!OccupancyCounts(*r, d.bed_type(), at)) break;
      auto* s = MutableState(r, d.bed_type());
      if (s->occupied() > 0) s->set_occupied(s->occupied() - 1);
      break;
    }
    case v1::BedUpdate::kHold: {
      const auto& h = u.hold();
      if (!HoldsCount(*r, h.bed_type(), at)) break;
      remove_hold(h.hold_ref());
      auto* hold = r->add_holds();
      hold->set_hold_ref(h.hold_ref());
      hold->set_bed_type(h.bed_type());
      if (h.has_held_until()) *hold->mutable_held_until() = h.held_until();
      hold->set_held_for(h.held_for());
      *hold->mutable_held_since() = u.occurred_at();
      break;
    }
    case v1::BedUpdate::kHoldReleased:
      remove_hold(u.hold_released().hold_ref());
      break;
    case v1::BedUpdate::kClosure: {
      const auto& cl = u.closure();
      google::protobuf::Timestamp since = u.occurred_at();
      auto* closures = r->mutable_closures();
      for (int i = 0; i < closures->size(); ++i) {
        if (closures->Get(i).closure_ref() == cl.closure_ref()) {
          since = closures->Get(i).closed_since();
          closures->DeleteSubrange(i, 1);
          break;
        }
      }
      auto* status = r->add_closures();
      status->set_closure_ref(cl.closure_ref());
      status->set_bed_type(cl.bed_type());
      status->set_beds(static_cast<uint32_t>(std::max(0, cl.beds())));
      status->set_reason(cl.reason());
      status->set_detail(cl.detail());
      if (cl.has_expected_reopen_at()) *status->mutable_expected_reopen_at() = cl.expected_reopen_at();
      *status->mutable_closed_since() = since;
      break;
    }
    case v1::BedUpdate::kReopening: {
      auto* closures = r->mutable_closures();
      for (int i = 0; i < closures->size(); ++i) {
        if (closures->Get(i).closure_ref() == u.reopening().closure_ref()) {
          closures->DeleteSubrange(i, 1);
          break;
        }
      }
      break;
    }
    default:
      break;
  }
  *r->mutable_provenance() = provenance;
  if (!r->has_last_updated_at() || at > FromProtoTime(r->last_updated_at())) {
    *r->mutable_last_updated_at() = u.occurred_at();
  }
  const absl::Time accepted = FromProtoTime(provenance.accepted_at());
  auto* recent = r->mutable_recent_updates();
  for (int i = recent->size() - 1; i >= 0; --i) {
    if (FromProtoTime(recent->Get(i).accepted_at()) + idempotency_window < accepted) {
      recent->DeleteSubrange(i, 1);
    }
  }
  auto* mine = recent->Add();
  mine->set_provider_id(provenance.provider_id());
  mine->set_update_id(u.update_id());
  *mine->mutable_accepted_at() = provenance.accepted_at();
  r->set_sequence(r->sequence() + 1);
}

bool ExpireHolds(absl::Time now, v1::LocationRecord* r) {
  bool any = false;
  auto* holds = r->mutable_holds();
  for (int i = holds->size() - 1; i >= 0; --i) {
    const auto& h = holds->Get(i);
    if (h.has_held_until() && FromProtoTime(h.held_until()) <= now) {
      holds->DeleteSubrange(i, 1);
      any = true;
    }
  }
  return any;
}

absl::Status CheckStockChange(const v1::LocationRecord& record, BedType type, uint32_t new_total) {
  BedCount count = CountOf(record, type);
  const uint64_t needed = uint64_t{count.occupied} + count.held + count.closed;
  if (new_total < needed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "location '", record.location().id(), "' ", BedType_Name(type), ": a total of ", new_total,
        " is below the ", needed, " beds occupied, held or closed (", Describe(count),
        "): people must leave, holds be released or closures reopened first"));
  }
  return absl::OkStatus();
}

void ApplyStockChange(const v1::BedStockChange& change, v1::LocationRecord* record) {
  auto* beds = record->mutable_location()->mutable_beds();
  bool found = false;
  for (auto& b : *beds) {
    if (b.bed_type() == change.bed_type()) {
      b.set_total(change.new_total());
      found = true;
    }
  }
  if (!found) {
    auto* b = beds->Add();
    b->set_bed_type(change.bed_type());
    b->set_total(change.new_total());
    std::sort(beds->begin(), beds->end(), [](const auto& x, const auto& y) {
      return x.bed_type() < y.bed_type();
    });
  }
  *record->add_stock_changes() = change;
  record->set_sequence(record->sequence() + 1);
}

}  // namespace resilience::beds
