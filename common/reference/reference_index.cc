#include "common/reference/reference_index.h"

#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"
#include "common/scope/scope_key.h"

namespace resilience {
namespace {

using reference::v1::ReferenceData;

template <typename T>
const T* Lookup(const std::map<std::string, const T*, std::less<>>& m, absl::string_view id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : it->second;
}

// Adds each entry by id, rejecting malformed and duplicate ids.
// Indicator and role ids are snake_case names ("stp_staffing_pct"), not scope ids.
bool IsValidName(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

enum class IdStyle { kScope, kName };

template <typename T, typename Repeated>
absl::Status IndexAll(absl::string_view source, absl::string_view what, const Repeated& entries,
                      std::map<std::string, const T*, std::less<>>* out,
                      IdStyle style = IdStyle::kScope) {
  for (int i = 0; i < entries.size(); ++i) {
    const T& e = entries.Get(i);
    std::string field = absl::StrCat(what, "[", i, "].id");
    if (style == IdStyle::kScope && !IsValidScopeId(e.id())) {
      return ConfigError(source, field,
                         absl::StrCat("'", e.id(), "' must be 1-64 lower-case letters, digits or '-'"));
    }
    if (style == IdStyle::kName && !IsValidName(e.id())) {
      return ConfigError(source, field,
                         absl::StrCat("'", e.id(), "' must be 1-64 lower-case letters, digits or '_'"));
    }
    if (!out->emplace(e.id(), &e).second) {
      return ConfigError(source, field, absl::StrCat("duplicate id '", e.id(), "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ReferenceIndex>> ReferenceIndex::Build(
    ReferenceData data, absl::string_view source) {
  std::shared_ptr<ReferenceIndex> index(new ReferenceIndex(std::move(data)));
  const ReferenceData& d = index->data_;
  absl::Status s = IndexAll(source, "areas", d.areas(), &index->areas_);
  if (s.ok()) s = IndexAll(source, "board_areas", d.board_areas(), &index->board_areas_);
  if (s.ok()) s = IndexAll(source, "trusts", d.trusts(), &index->trusts_);
  if (s.ok()) s = IndexAll(source, "acute_sites", d.acute_sites(), &index->sites_);
  if (s.ok()) s = IndexAll(source, "keah_patches", d.keah_patches(), &index->patches_);
  if (s.ok()) s = IndexAll(source, "teams", d.teams(), &index->teams_);
  if (s.ok()) s = IndexAll(source, "locations", d.locations(), &index->locations_);
  if (s.ok()) s = IndexAll(source, "providers", d.providers(), &index->providers_);
  if (s.ok()) {
    s = IndexAll(source, "indicators", d.indicators(), &index->indicators_, IdStyle::kName);
  }
  if (s.ok()) s = IndexAll(source, "roles", d.roles(), &index->roles_, IdStyle::kName);
  for (int i = 0; i < d.people_size() && s.ok(); ++i) {
    if (d.people(i).id().empty() || !index->people_.emplace(d.people(i).id(), &d.people(i)).second) {
      s = ConfigError(source, absl::StrCat("people[", i, "].id"),
                      absl::StrCat("empty or duplicate id '", d.people(i).id(), "'"));
    }
  }
  if (!s.ok()) return s;
  auto need = [&](bool ok, absl::string_view field, absl::string_view what,
                  absl::string_view id) -> absl::Status {
    if (ok) return absl::OkStatus();
    return ConfigError(source, field, absl::StrCat("unknown ", what, " '", id, "'"));
  };
  for (int i = 0; i < d.teams_size() && s.ok(); ++i) {
    const auto& t = d.teams(i);
    s = need(index->areas_.count(t.area_id()) > 0, absl::StrCat("teams[", i, "].area_id"), "area",
             t.area_id());
    if (s.ok() && !(t.establishment_wte() > 0)) {
      s = ConfigError(source, absl::StrCat("teams[", i, "].establishment_wte"), "must be > 0");
    }
  }
  for (int i = 0; i < d.areas_size() && s.ok(); ++i) {
    for (const auto& n : d.areas(i).neighbour_area_ids()) {
      s = need(index->areas_.count(n) > 0, absl::StrCat("areas[", i, "].neighbour_area_ids"),
               "area", n);
      if (!s.ok()) break;
    }
  }
  for (int i = 0; i < d.keah_patches_size() && s.ok(); ++i) {
    s = need(index->areas_.count(d.keah_patches(i).area_id()) > 0,
             absl::StrCat("keah_patches[", i, "].area_id"), "area", d.keah_patches(i).area_id());
  }
  for (int i = 0; i < d.locations_size() && s.ok(); ++i) {
    s = need(index->areas_.count(d.locations(i).area_id()) > 0,
             absl::StrCat("locations[", i, "].area_id"), "area", d.locations(i).area_id());
  }
  for (int i = 0; i < d.acute_sites_size() && s.ok(); ++i) {
    s = need(index->trusts_.count(d.acute_sites(i).trust_id()) > 0,
             absl::StrCat("acute_sites[", i, "].trust_id"), "trust", d.acute_sites(i).trust_id());
  }
  for (int i = 0; i < d.board_areas_size() && s.ok(); ++i) {
    for (const auto& a : d.board_areas(i).area_ids()) {
      s = need(index->areas_.count(a) > 0, absl::StrCat("board_areas[", i, "].area_ids"), "area", a);
      if (!s.ok()) break;
    }
    for (const auto& site : d.board_areas(i).acute_site_ids()) {
      if (!s.ok()) break;
      s = need(index->sites_.count(site) > 0, absl::StrCat("board_areas[", i, "].acute_site_ids"),
               "acute site", site);
    }
  }
  for (int i = 0; i < d.providers_size() && s.ok(); ++i) {
    for (const auto& scope : d.providers(i).may_write()) {
      s = need(index->ScopeExists(scope), absl::StrCat("providers[", i, "].may_write"), "scope",
               ScopeKey(scope));
      if (!s.ok()) break;
    }
    for (const auto& indicator : d.providers(i).indicators()) {
      if (!s.ok()) break;
      s = need(index->indicators_.count(indicator) > 0,
               absl::StrCat("providers[", i, "].indicators"), "indicator", indicator);
    }
  }
  for (int i = 0; i < d.roles_size() && s.ok(); ++i) {
    const auto& up = d.roles(i).escalates_to();
    if (!up.empty()) {
      s = need(index->roles_.count(up) > 0, absl::StrCat("roles[", i, "].escalates_to"), "role",
               up);
    }
  }
  for (int i = 0; i < d.indicators_size() && s.ok(); ++i) {
    const auto& r = d.indicators(i).responsible_role();
    if (!r.empty()) {
      s = need(index->roles_.count(r) > 0, absl::StrCat("indicators[", i, "].responsible_role"),
               "role", r);
    }
  }
  for (int i = 0; i < d.people_size() && s.ok(); ++i) {
    s = need(index->roles_.count(d.people(i).role_id()) > 0,
             absl::StrCat("people[", i, "].role_id"), "role", d.people(i).role_id());
  }
  if (!s.ok()) return s;
  return std::shared_ptr<const ReferenceIndex>(std::move(index));
}

absl::StatusOr<std::shared_ptr<const ReferenceIndex>> ReferenceIndex::Load(
    const std::string& path) {
  ReferenceData data;
  absl::Status s = ParseTextProtoFile(path, &data);
  if (!s.ok()) return s;
  return Build(std::move(data), path);
}

const reference::v1::Area* ReferenceIndex::FindArea(absl::string_view id) const {
  return Lookup(areas_, id);
}
const reference::v1::Team* ReferenceIndex::FindTeam(absl::string_view id) const {
  return Lookup(teams_, id);
}
const reference::v1::Role* ReferenceIndex::FindRole(absl::string_view id) const {
  return Lookup(roles_, id);
}
const reference::v1::IndicatorDefinition* ReferenceIndex::FindIndicator(
    absl::string_view id) const {
  return Lookup(indicators_, id);
}
const reference::v1::Provider* ReferenceIndex::FindProvider(absl::string_view id) const {
  return Lookup(providers_, id);
}

const reference::v1::AcuteSite* ReferenceIndex::FindAcuteSite(absl::string_view id) const {
  return Lookup(sites_, id);
}

const reference::v1::StaffMember* ReferenceIndex::FindPerson(absl::string_view id) const {
  return Lookup(people_, id);
}

bool ReferenceIndex::ScopeExists(const common::v1::ScopeRef& scope) const {
  const std::string& id = scope.id();
  switch (scope.kind()) {
    case common::v1::SCOPE_KIND_TEAM: return teams_.count(id) > 0;
    case common::v1::SCOPE_KIND_KEAH_PATCH: return patches_.count(id) > 0;
    case common::v1::SCOPE_KIND_LOCATION: return locations_.count(id) > 0;
    case common::v1::SCOPE_KIND_AREA: return areas_.count(id) > 0;
    case common::v1::SCOPE_KIND_BOARD_AREA: return board_areas_.count(id) > 0;
    case common::v1::SCOPE_KIND_ACUTE_SITE: return sites_.count(id) > 0;
    case common::v1::SCOPE_KIND_TRUST: return trusts_.count(id) > 0;
    case common::v1::SCOPE_KIND_ICS: return id == data_.ics_id();
    case common::v1::SCOPE_KIND_REGION: return id == data_.region_id();
    case common::v1::SCOPE_KIND_COUNTY: return id == data_.county_id();
    case common::v1::SCOPE_KIND_PROVIDER: return providers_.count(id) > 0;
    default: return false;
  }
}

std::optional<std::string> ReferenceIndex::AreaOf(const common::v1::ScopeRef& scope) const {
  const std::string& id = scope.id();
  switch (scope.kind()) {
    case common::v1::SCOPE_KIND_TEAM:
      if (auto* t = Lookup(teams_, id)) return t->area_id();
      break;
    case common::v1::SCOPE_KIND_KEAH_PATCH:
      if (auto* p = Lookup(patches_, id)) return p->area_id();
      break;
    case common::v1::SCOPE_KIND_LOCATION:
      if (auto* l = Lookup(locations_, id)) return l->area_id();
      break;
    case common::v1::SCOPE_KIND_AREA:
      if (areas_.count(id)) return id;
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::string ReferenceIndex::ScopeName(const common::v1::ScopeRef& scope) const {
  const std::string& id = scope.id();
  switch (scope.kind()) {
    case common::v1::SCOPE_KIND_TEAM:
      if (auto* t = Lookup(teams_, id)) return t->name();
      break;
    case common::v1::SCOPE_KIND_KEAH_PATCH:
      if (auto* p = Lookup(patches_, id)) return p->name();
      break;
    case common::v1::SCOPE_KIND_LOCATION:
      if (auto* l = Lookup(locations_, id)) return l->name();
      break;
    case common::v1::SCOPE_KIND_AREA:
      if (auto* a = Lookup(areas_, id)) return a->name();
      break;
    case common::v1::SCOPE_KIND_ACUTE_SITE:
      if (auto* a = Lookup(sites_, id)) return a->name();
      break;
    case common::v1::SCOPE_KIND_BOARD_AREA:
      // Board areas share names with KCC localities ("West Kent"): say which it is.
      if (auto* b = Lookup(board_areas_, id)) return b->name() + " (Urgent Care Delivery Board area)";
      break;
    case common::v1::SCOPE_KIND_TRUST:
      if (auto* t = Lookup(trusts_, id)) return t->name();
      break;
    case common::v1::SCOPE_KIND_COUNTY:
      if (id == data_.county_id()) return "Kent (county-wide)";
      break;
    case common::v1::SCOPE_KIND_ICS:
      if (id == data_.ics_id()) return "Kent and Medway ICS";
      break;
    default:
      break;
  }
  return id;
}

}  // namespace resilience
