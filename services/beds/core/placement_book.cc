#include "services/beds/core/placement_book.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/scope/scope_key.h"
#include "services/beds/core/bed_update.h"

namespace resilience::beds {
namespace {

using Milestone = events::v1::PlacementMilestone;

bool IsPrintable(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace

std::string PlacementIdFor(const std::string& request_id) {
  return NameBasedUuid("beds/placement", request_id);
}

bool ParseDay(const std::string& text, absl::CivilDay* day) {
  return text.size() == 10 && absl::ParseCivilTime(text, day);
}

std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::Time PlacementBook::EndBoundary(const v1::Placement& p) const {
  absl::CivilDay end;
  if (p.end_date().empty() || !ParseDay(p.end_date(), &end)) return absl::InfiniteFuture();
  return LocalMidnight(end + 1);
}

absl::StatusOr<v1::Placement> PlacementBook::PrepareStart(const v1::StartPlacementRequest& q,
                                                          const reference::v1::Location* location,
                                                          absl::Time now) const {
  std::vector<common::v1::FieldViolation> v;
  if (!IsValidExternalId(q.request_id())) {
    v.push_back(Violation("request_id", "required: 1 to 128 printable characters"));
  }
  if (!IsPrintable(q.person_ref(), 64)) {
    v.push_back(Violation("person_ref", "required: a pseudonymous reference of 1 to 64 "
                                        "characters, never a name"));
  }
  if (q.location_id().empty()) v.push_back(Violation("location_id", "required"));
  if (q.bed_type() == reference::v1::BED_TYPE_UNSPECIFIED ||
      !reference::v1::BedType_IsValid(q.bed_type())) {
    v.push_back(Violation("bed_type", "required"));
  }
  const absl::CivilDay today = Today(now);
  absl::CivilDay start;
  if (!ParseDay(q.start_date(), &start)) {
    v.push_back(Violation("start_date", "required, as YYYY-MM-DD"));
  } else if (start < today - rules_.max_past_start_days) {
    v.push_back(Violation("start_date", absl::StrCat("more than ", rules_.max_past_start_days,
                                                     " days in the past")));
  } else if (start > today + rules_.max_planned_start_days) {
    v.push_back(Violation("start_date", absl::StrCat("more than ", rules_.max_planned_start_days,
                                                     " days ahead")));
  }
  absl::CivilDay disregard;
  if (!q.disregard_start_date().empty() && !ParseDay(q.disregard_start_date(), &disregard)) {
    v.push_back(Violation("disregard_start_date", "must be YYYY-MM-DD (or empty: no disregard)"));
  }
  if (q.started_by().empty()) v.push_back(Violation("started_by", "required (audited)"));
  if (q.note().size() > 1000) v.push_back(Violation("note", "at most 1000 characters"));
  if (!v.empty()) return InvalidArgumentWithViolations(v);
  if (location == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown location '", q.location_id(), "'"));
  }
  if (!HasBedType(*location, q.bed_type())) {
    return absl::NotFoundError(absl::StrCat("location '", location->id(), "' has no ",
                                            reference::v1::BedType_Name(q.bed_type()), " beds"));
  }
  if (auto it = open_by_person_.find(q.person_ref());
      it != open_by_person_.end() && !it->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("person '", q.person_ref(), "' already has a planned or active placement (",
                     *it->second.begin(), "): end it first"));
  }
  v1::Placement p;
  p.set_placement_id(PlacementIdFor(q.request_id()));
  p.set_request_id(q.request_id());
  p.set_person_ref(q.person_ref());
  p.set_location_id(location->id());
  p.set_area_id(location->area_id());
  p.set_bed_type(q.bed_type());
  p.set_start_date(FormatDay(start));
  p.set_disregard_start_date(q.disregard_start_date());
  p.set_started_by(q.started_by());
  p.set_note(q.note());
  *p.mutable_created_at() = ToProtoTime(now);
  if (IsAssessmentBed(q.bed_type())) {
    auto* m = p.add_milestones();
    m->set_milestone(Milestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS);
    *m->mutable_due_at() = ToProtoTime(LocalMidnight(start + rules_.assessment_overdue_days));
  }
  if (!q.disregard_start_date().empty()) {
    auto* m = p.add_milestones();
    m->set_milestone(Milestone::MILESTONE_DISREGARD_WEEK_8_NOTICE);
    *m->mutable_due_at() = ToProtoTime(LocalMidnight(disregard + rules_.disregard_notice_days));
  }
  std::sort(p.mutable_milestones()->begin(), p.mutable_milestones()->end(),
            [](const auto& a, const auto& b) {
              return FromProtoTime(a.due_at()) < FromProtoTime(b.due_at());
            });
  return View(p, now);
}

absl::StatusOr<v1::Placement> PlacementBook::PrepareEnd(const v1::EndPlacementRequest& q,
                                                        absl::Time now) const {
  if (q.placement_id().empty()) {
    return InvalidArgumentWithViolations({Violation("placement_id", "required")});
  }
  const v1::Placement* found = Find(q.placement_id());
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("no placement '", q.placement_id(), "'"));
  }
  std::vector<common::v1::FieldViolation> v;
  absl::CivilDay end, start;
  ParseDay(found->start_date(), &start);
  if (!ParseDay(q.end_date(), &end)) {
    v.push_back(Violation("end_date", "required, as YYYY-MM-DD"));
  } else if (end < start) {
    v.push_back(Violation("end_date", absl::StrCat("before the start date ", found->start_date())));
  } else if (end > Today(now)) {
    v.push_back(Violation("end_date", "must not be in the future"));
  }
  if (q.reason() == v1::PLACEMENT_END_REASON_UNSPECIFIED ||
      !v1::PlacementEndReason_IsValid(q.reason())) {
    v.push_back(Violation("reason", "required"));
  } else if (q.reason() == v1::PLACEMENT_END_REASON_OTHER && q.note().empty()) {
    v.push_back(Violation("note", "required when the reason is other: say what"));
  }
  if (q.ended_by().empty()) v.push_back(Violation("ended_by", "required (audited)"));
  if (q.note().size() > 1000) v.push_back(Violation("note", "at most 1000 characters"));
  if (!v.empty()) return InvalidArgumentWithViolations(v);
  if (!found->end_date().empty()) {
    if (found->end_date() == FormatDay(end) && found->end_reason() == q.reason()) {
      return View(*found, now);
    }
    return absl::FailedPreconditionError(
        absl::StrCat("placement '", q.placement_id(), "' already ended on ", found->end_date(),
                     " (", v1::PlacementEndReason_Name(found->end_reason()), ")"));
  }
  v1::Placement p = *found;
  p.set_end_date(FormatDay(end));
  p.set_end_reason(q.reason());
  p.set_ended_by(q.ended_by());
  *p.mutable_ended_at() = ToProtoTime(now);
  if (!q.note().empty()) p.set_note(p.note().empty() ? q.note() : p.note() + " | " + q.note());
  return View(p, now);
}

void PlacementBook::Put(v1::Placement p) {
  const std::string id = p.placement_id();
  if (auto it = placements_.find(id); it != placements_.end()) {
    for (const auto& m : it->second.milestones()) {
      pending_.erase({FromProtoTime(m.due_at()), id, m.milestone()});
    }
    auto person = open_by_person_.find(it->second.person_ref());
    if (person != open_by_person_.end()) {
      person->second.erase(id);
      if (person->second.empty()) open_by_person_.erase(person);
    }
  }
  const bool ended = !p.end_date().empty();
  const absl::Time end = EndBoundary(p);
  if (p.end_reason() != v1::PLACEMENT_END_REASON_ENTERED_IN_ERROR) {
    for (const auto& m : p.milestones()) {
      const absl::Time due = FromProtoTime(m.due_at());
      if (!m.has_fired_at() && due < end) pending_.insert({due, id, m.milestone()});
    }
  }
  if (!ended) open_by_person_[p.person_ref()].insert(id);
  placements_[id] = std::move(p);
}

const v1::Placement* PlacementBook::Find(const std::string& placement_id) const {
  auto it = placements_.find(placement_id);
  return it == placements_.end() ? nullptr : &it->second;
}

std::vector<DueMilestone> PlacementBook::Due(absl::Time now) const {
  std::vector<DueMilestone> out;
  for (const auto& [due, id, milestone] : pending_) {
    if (due > now) break;
    out.push_back({id, static_cast<Milestone::Milestone>(milestone), due});
  }
  return out;
}

absl::Time PlacementBook::NextDue() const {
  return pending_.empty() ? absl::InfiniteFuture() : std::get<0>(*pending_.begin());
}

v1::Placement PlacementBook::WithFired(v1::Placement p, Milestone::Milestone milestone,
                                       absl::Time now) {
  for (auto& m : *p.mutable_milestones()) {
    if (m.milestone() == milestone && !m.has_fired_at()) *m.mutable_fired_at() = ToProtoTime(now);
  }
  return p;
}

events::v1::DomainEvent PlacementBook::MilestoneEvent(const v1::Placement& p,
                                                      const DueMilestone& due,
                                                      absl::Time now) const {
  events::v1::DomainEvent e;
  auto* env = e.mutable_envelope();
  env->set_event_id(NameBasedUuid("beds/milestone",
                                  absl::StrCat(p.placement_id(), "/", due.milestone)));
  env->set_source("beds-service");
  env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_LOCATION);
  env->mutable_scope()->set_id(p.location_id());
  *env->mutable_occurred_at() = ToProtoTime(due.due_at);
  *env->mutable_received_at() = ToProtoTime(now);
  env->set_schema_version(1);
  env->mutable_provenance()->set_accepted_by("beds-service");
  *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
  env->mutable_provenance()->set_update_id(p.request_id());
  env->mutable_provenance()->set_entered_by(p.started_by());
  auto* m = e.mutable_placement_milestone();
  m->set_milestone(due.milestone);
  m->set_placement_id(p.placement_id());
  m->set_person_ref(p.person_ref());
  m->set_location_id(p.location_id());
  m->set_bed_type(reference::v1::BedType_Name(p.bed_type()));
  absl::CivilDay start;
  if (ParseDay(p.start_date(), &start)) *m->mutable_started_at() = ToProtoTime(LocalMidnight(start));
  *m->mutable_due_at() = ToProtoTime(due.due_at);
  return e;
}

v1::Placement PlacementBook::View(const v1::Placement& placement, absl::Time now) const {
  v1::Placement p = placement;
  absl::CivilDay start, end;
  const absl::CivilDay today = Today(now);
  ParseDay(p.start_date(), &start);
  if (!p.end_date().empty() && ParseDay(p.end_date(), &end)) {
    p.set_state(v1::PLACEMENT_STATE_ENDED);
    p.set_days_in_placement(static_cast<uint32_t>(std::max<int64_t>(0, end - start + 1)));
  } else if (start > today) {
    p.set_state(v1::PLACEMENT_STATE_PLANNED);
    p.set_days_in_placement(0);
  } else {
    p.set_state(v1::PLACEMENT_STATE_ACTIVE);
    p.set_days_in_placement(static_cast<uint32_t>(today - start + 1));
  }
  bool overdue = false;
  if (p.state() == v1::PLACEMENT_STATE_ACTIVE) {
    for (const auto& m : p.milestones()) {
      if (m.milestone() == Milestone::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS &&
          now >= FromProtoTime(m.due_at())) {
        overdue = true;
      }
    }
  }
  p.set_overdue(overdue);
  return p;
}

absl::StatusOr<v1::ListPlacementsResponse> PlacementBook::List(
    const v1::ListPlacementsRequest& q, absl::Time now) const {
  if (q.limit() > 500) return InvalidArgumentWithViolations({Violation("limit", "at most 500")});
  size_t offset = 0;
  if (!q.page_token().empty() && !absl::SimpleAtoi(q.page_token(), &offset)) {
    return InvalidArgumentWithViolations({Violation("page_token", "not a token this service gave")});
  }
  const size_t limit = q.limit() == 0 ? 100 : q.limit();
  auto in = [](const auto& list, auto value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  std::vector<v1::Placement> matched;
  for (const auto& [id, stored] : placements_) {
    v1::Placement p = View(stored, now);
    if (!in(q.location_ids(), p.location_id()) || !in(q.area_ids(), p.area_id()) ||
        !in(q.bed_types(), static_cast<int>(p.bed_type()))) {
      continue;
    }
    if (q.states().empty() ? p.state() == v1::PLACEMENT_STATE_ENDED
                           : !in(q.states(), static_cast<int>(p.state()))) {
      continue;
    }
    if (q.overdue_only() && !p.overdue()) continue;
    if (!q.person_ref().empty() && p.person_ref() != q.person_ref()) continue;
    matched.push_back(std::move(p));
  }
  std::sort(matched.begin(), matched.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start_date(), a.placement_id()) < std::tie(b.start_date(), b.placement_id());
  });
  v1::ListPlacementsResponse out;
  for (size_t i = offset; i < matched.size() && i < offset + limit; ++i) {
    *out.add_placements() = std::move(matched[i]);
  }
  if (offset + limit < matched.size()) out.set_next_page_token(std::to_string(offset + limit));
  return out;
}

}  // namespace resilience::beds
