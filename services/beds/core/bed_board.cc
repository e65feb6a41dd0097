#include "services/beds/core/bed_board.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"

namespace resilience::beds {
namespace {

using reference::v1::BedType;

BedCount& Subtract(BedCount& a, const BedCount& b) {
  a.total -= b.total;
  a.occupied -= b.occupied;
  a.held -= b.held;
  a.closed -= b.closed;
  return a;
}

absl::Time LastUpdated(const v1::LocationRecord& r) {
  return r.has_last_updated_at() ? FromProtoTime(r.last_updated_at()) : absl::InfinitePast();
}

template <typename T>
bool Contains(const google::protobuf::RepeatedField<T>& list, T value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool ContainsId(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& id) {
  return list.empty() || std::find(list.begin(), list.end(), id) != list.end();
}

}  // namespace

BedBoard::BedBoard(std::shared_ptr<const ReferenceIndex> reference, absl::Duration stale_after)
    : reference_(std::move(reference)), stale_after_(stale_after) {}

void BedBoard::LoadReference() {
  for (const auto& location : reference_->data().locations()) {
    v1::LocationRecord record;
    *record.mutable_location() = location;
    Put(std::move(record));
  }
}

void BedBoard::Restore(v1::LocationRecord logged) {
  if (!logged.upserted()) {
    for (const auto& location : reference_->data().locations()) {
      if (location.id() != logged.location().id()) continue;
      *logged.mutable_location() = location;
      for (const auto& change : logged.stock_changes()) {
        bool found = false;
        for (auto& b : *logged.mutable_location()->mutable_beds()) {
          if (b.bed_type() == change.bed_type()) {
            b.set_total(change.new_total());
            found = true;
          }
        }
        if (!found) {
          auto* b = logged.mutable_location()->add_beds();
          b->set_bed_type(change.bed_type());
          b->set_total(change.new_total());
        }
      }
      break;
    }
  }
  Put(std::move(logged));
}

void BedBoard::Put(v1::LocationRecord record) {
  const std::string id = record.location().id();
  auto it = records_.find(id);
  if (it != records_.end()) {
    Unindex(it->second);
    it->second = std::move(record);
  } else {
    it = records_.emplace(id, std::move(record)).first;
  }
  Index(it->second);
}

const v1::LocationRecord* BedBoard::Find(const std::string& location_id) const {
  auto it = records_.find(location_id);
  return it == records_.end() ? nullptr : &it->second;
}

void BedBoard::Index(const v1::LocationRecord& r) {
  const auto& loc = r.location();
  const absl::Time updated = LastUpdated(r);
  for (const auto& stock : loc.beds()) {
    const BedCount count = CountOf(r, stock.bed_type());
    if (count.available() > 0) {
      const VacancyKey key{count.available(), updated, loc.id(), &r};
      vacancies_[{stock.bed_type(), loc.area_id()}].insert(key);
      vacancies_by_provider_[{stock.bed_type(), loc.provider_id()}].insert(key);
      county_available_[stock.bed_type()] += count.available();
      county_available_by_kind_[{stock.bed_type(), loc.kind()}] += count.available();
    }
    if (IsInHouse(loc.kind()) && IsAssessmentBed(stock.bed_type())) {
      county_in_house_assessment_ += count;
    }
    if (IsContractedHome(loc.kind())) area_contracted_[loc.area_id()] += count;
  }
  for (const auto& h : r.holds()) {
    if (h.has_held_until()) hold_expiries_.insert({FromProtoTime(h.held_until()), loc.id()});
  }
}

void BedBoard::Unindex(const v1::LocationRecord& r) {
  const auto& loc = r.location();
  const absl::Time updated = LastUpdated(r);
  for (const auto& stock : loc.beds()) {
    const BedCount count = CountOf(r, stock.bed_type());
    if (count.available() > 0) {
      const VacancyKey key{count.available(), updated, loc.id(), &r};
      for (auto [index, id] : {std::pair{&vacancies_, loc.area_id()},
                               std::pair{&vacancies_by_provider_, loc.provider_id()}}) {
        auto it = index->find({stock.bed_type(), id});
        if (it == index->end()) continue;
        it->second.erase(key);
        if (it->second.empty()) index->erase(it);
      }
      county_available_[stock.bed_type()] -= count.available();
      county_available_by_kind_[{stock.bed_type(), loc.kind()}] -= count.available();
    }
    if (IsInHouse(loc.kind()) && IsAssessmentBed(stock.bed_type())) {
      Subtract(county_in_house_assessment_, count);
    }
    if (IsContractedHome(loc.kind())) Subtract(area_contracted_[loc.area_id()], count);
  }
  for (const auto& h : r.holds()) {
    if (h.has_held_until()) hold_expiries_.erase({FromProtoTime(h.held_until()), loc.id()});
  }
}

std::vector<const v1::LocationRecord*> BedBoard::Locations() const {
  std::map<std::string, int> area_order;
  for (int i = 0; i < reference_->data().areas_size(); ++i) {
    area_order[reference_->data().areas(i).id()] = i;
  }
  std::vector<const v1::LocationRecord*> out;
  out.reserve(records_.size());
  for (const auto& [id, r] : records_) out.push_back(&r);
  std::sort(out.begin(), out.end(), [&](const auto* a, const auto* b) {
    const int aa = area_order.count(a->location().area_id()) ? area_order[a->location().area_id()] : 1 << 20;
    const int ba = area_order.count(b->location().area_id()) ? area_order[b->location().area_id()] : 1 << 20;
    return std::tie(aa, a->location().name(), a->location().id()) <
           std::tie(ba, b->location().name(), b->location().id());
  });
  return out;
}

std::vector<std::string> BedBoard::ExpireHolds(absl::Time now) {
  std::set<std::string> due;
  while (!hold_expiries_.empty() && hold_expiries_.begin()->first <= now) {
    due.insert(hold_expiries_.begin()->second);
    hold_expiries_.erase(hold_expiries_.begin());
  }
  std::vector<std::string> changed;
  for (const std::string& id : due) {
    auto it = records_.find(id);
    if (it == records_.end()) continue;
    v1::LocationRecord copy = it->second;
    if (beds::ExpireHolds(now, &copy)) {
      Put(std::move(copy));
      changed.push_back(id);
    }
  }
  return changed;
}

bool BedBoard::IsStale(const v1::LocationRecord& r, absl::Time now) const {
  return !r.has_last_updated_at() || FromProtoTime(r.last_updated_at()) < now - stale_after_;
}

BedCount BedBoard::AreaContractedHomes(const std::string& area_id) const {
  auto it = area_contracted_.find(area_id);
  return it == area_contracted_.end() ? BedCount{} : it->second;
}

v1::LocationAvailability BedBoard::View(const v1::LocationRecord& r, absl::Time now) const {
  v1::LocationAvailability out;
  *out.mutable_location() = r.location();
  std::vector<BedType> types;
  for (const auto& b : r.location().beds()) types.push_back(b.bed_type());
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  uint32_t available = 0;
  uint32_t closed = 0;
  for (BedType t : types) {
    const BedCount count = CountOf(r, t);
    available += count.available();
    closed += count.closed;
    *out.add_beds() = ToBedCounts(t, count);
  }
  for (const auto& c : r.closures()) {
    *out.add_closures() = c;
    if (c.reason() == v1::CLOSURE_REASON_OUTBREAK) {
      out.add_outbreaks(c.detail().empty() ? "outbreak" : c.detail());
    }
  }
  out.set_accepting_admissions(!(closed > 0 && available == 0));
  *out.mutable_provenance() = r.provenance();
  if (r.has_last_updated_at()) *out.mutable_last_updated_at() = r.last_updated_at();
  out.set_stale(IsStale(r, now));
  return out;
}

v1::AvailabilityReport BedBoard::Availability(const v1::GetAvailabilityRequest& q,
                                              absl::Time now) const {
  v1::AvailabilityReport out;
  std::map<std::string, std::map<int, BedCount>> areas;
  std::map<int, BedCount> county;
  for (const v1::LocationRecord* r : Locations()) {
    const auto& loc = r->location();
    if (!ContainsId(q.location_ids(), loc.id()) || !ContainsId(q.area_ids(), loc.area_id()) ||
        !Contains<int>(q.location_kinds(), loc.kind())) {
      continue;
    }
    v1::LocationAvailability view = View(*r, now);
    if (view.stale()) out.set_stale_locations(out.stale_locations() + 1);
    auto* rows = view.mutable_beds();
    for (int i = rows->size() - 1; i >= 0; --i) {
      if (!Contains<int>(q.bed_types(), rows->Get(i).bed_type())) {
        rows->DeleteSubrange(i, 1);
        continue;
      }
      const BedCount count = CountOf(*r, rows->Get(i).bed_type());
      areas[loc.area_id()][rows->Get(i).bed_type()] += count;
      county[rows->Get(i).bed_type()] += count;
    }
    if (!q.totals_only()) *out.add_locations() = std::move(view);
  }
  for (const auto& area : reference_->data().areas()) {
    auto it = areas.find(area.id());
    if (it == areas.end()) continue;
    auto* row = out.add_areas();
    row->set_area_id(area.id());
    for (const auto& [type, count] : it->second) {
      *row->add_beds() = ToBedCounts(static_cast<BedType>(type), count);
    }
  }
  for (const auto& [type, count] : county) {
    *out.add_county() = ToBedCounts(static_cast<BedType>(type), count);
  }
  *out.mutable_as_of() = ToProtoTime(now);
  return out;
}

absl::StatusOr<v1::SearchVacanciesResponse> BedBoard::SearchVacancies(
    const v1::SearchVacanciesRequest& q, absl::Time now) const {
  std::vector<common::v1::FieldViolation> violations;
  if (q.bed_type() == reference::v1::BED_TYPE_UNSPECIFIED ||
      !reference::v1::BedType_IsValid(q.bed_type())) {
    violations.push_back(Violation("bed_type", "required"));
  }
  const reference::v1::Area* home = nullptr;
  if (!q.area_id().empty()) {
    home = reference_->FindArea(q.area_id());
    if (home == nullptr) {
      violations.push_back(Violation("area_id", absl::StrCat("unknown area '", q.area_id(), "'")));
    }
  }
  if (q.limit() > 200) violations.push_back(Violation("limit", "at most 200"));
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  const uint32_t limit = q.limit() == 0 ? 50 : q.limit();
  const uint32_t min_available = std::max<uint32_t>(1, q.min_available());

  // Groups of areas by rank: the home area, each neighbour in order, then every other area.
  std::vector<std::vector<std::string>> groups;
  if (home == nullptr) {
    groups.emplace_back();
    for (const auto& a : reference_->data().areas()) groups.back().push_back(a.id());
  } else {
    std::set<std::string> placed = {home->id()};
    groups.push_back({home->id()});
    for (const auto& n : home->neighbour_area_ids()) {
      if (placed.insert(n).second) groups.push_back({n});
    }
    groups.emplace_back();
    for (const auto& a : reference_->data().areas()) {
      if (placed.insert(a.id()).second) groups.back().push_back(a.id());
    }
  }
  std::map<std::string, uint32_t> rank_of;
  for (size_t rank = 0; rank < groups.size(); ++rank) {
    for (const auto& a : groups[rank]) rank_of[a] = static_cast<uint32_t>(rank);
  }
  const uint32_t unknown_rank = static_cast<uint32_t>(groups.size());

  v1::SearchVacanciesResponse out;
  auto add = [&](const VacancyKey& key, uint32_t rank) {
    const v1::LocationRecord& r = *key.record;
    auto* v = out.add_vacancies();
    const auto& loc = r.location();
    v->set_location_id(loc.id());
    v->set_location_name(loc.name());
    v->set_area_id(loc.area_id());
    v->set_location_kind(loc.kind());
    v->set_provider_id(loc.provider_id());
    v->set_bed_type(q.bed_type());
    v->set_available(key.available);
    v->set_area_rank(rank);
    if (r.has_last_updated_at()) *v->mutable_last_updated_at() = r.last_updated_at();
    v->set_stale(IsStale(r, now));
  };
  auto kind_ok = [&](const v1::LocationRecord& r) {
    return Contains<int>(q.location_kinds(), r.location().kind());
  };

  if (!q.provider_ids().empty()) {
    // Limited to providers: their own index entries only, ranked and ordered here.
    uint64_t county_available = 0;
    std::vector<std::tuple<uint32_t, bool, VacancyKey>> found;
    std::set<std::string> providers(q.provider_ids().begin(), q.provider_ids().end());
    for (const std::string& provider : providers) {
      auto it = vacancies_by_provider_.find({q.bed_type(), provider});
      if (it == vacancies_by_provider_.end()) continue;
      for (const VacancyKey& key : it->second) {
        if (!kind_ok(*key.record)) continue;
        county_available += key.available;
        if (key.available < min_available) continue;
        const bool stale = IsStale(*key.record, now);
        if (stale && q.exclude_stale()) continue;
        auto r = rank_of.find(key.record->location().area_id());
        found.emplace_back(r == rank_of.end() ? unknown_rank : r->second, stale, key);
      }
    }
    const size_t n = std::min<size_t>(limit, found.size());
    std::partial_sort(found.begin(), found.begin() + n, found.end());
    for (size_t i = 0; i < n; ++i) add(std::get<2>(found[i]), std::get<0>(found[i]));
    out.set_county_available(static_cast<uint32_t>(county_available));
    *out.mutable_as_of() = ToProtoTime(now);
    return out;
  }

  // By area rank: each area's entries are already most available first, then most recently
  // updated; within a rank, fresh before stale. Stops as soon as `limit` results are found.
  for (size_t rank = 0; rank < groups.size(); ++rank) {
    const uint32_t room = limit - static_cast<uint32_t>(out.vacancies_size());
    if (room == 0) break;
    std::vector<VacancyKey> fresh, stale;
    for (const std::string& area : groups[rank]) {
      auto it = vacancies_.find({q.bed_type(), area});
      if (it == vacancies_.end()) continue;
      size_t fresh_here = 0, stale_here = 0;
      for (const VacancyKey& key : it->second) {
        if (key.available < min_available || fresh_here >= room) break;
        if (!kind_ok(*key.record)) continue;
        if (IsStale(*key.record, now)) {
          if (!q.exclude_stale() && stale_here < room) {
            stale.push_back(key);
            ++stale_here;
          }
        } else {
          fresh.push_back(key);
          ++fresh_here;
        }
      }
    }
    std::sort(fresh.begin(), fresh.end());
    std::sort(stale.begin(), stale.end());
    for (const auto* list : {&fresh, &stale}) {
      for (const VacancyKey& key : *list) {
        if (static_cast<uint32_t>(out.vacancies_size()) >= limit) break;
        add(key, static_cast<uint32_t>(rank));
      }
    }
  }
  uint64_t county_available = 0;
  if (q.location_kinds().empty()) {
    auto it = county_available_.find(q.bed_type());
    county_available = it == county_available_.end() ? 0 : it->second;
  } else {
    for (int kind : std::set<int>(q.location_kinds().begin(), q.location_kinds().end())) {
      auto it = county_available_by_kind_.find({q.bed_type(), kind});
      if (it != county_available_by_kind_.end()) county_available += it->second;
    }
  }
  out.set_county_available(static_cast<uint32_t>(county_available));
  *out.mutable_as_of() = ToProtoTime(now);
  return out;
}

}  // namespace resilience::beds
