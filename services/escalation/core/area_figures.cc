#include "services/escalation/core/area_figures.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/time_rules.h"

namespace resilience::escalation {
namespace {

common::v1::ScopeRef Scope(common::v1::ScopeKind kind, const std::string& id) {
  common::v1::ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

}  // namespace

std::string FigureKey(const common::v1::ScopeRef& scope, const std::string& indicator) {
  return absl::StrCat(ScopeKey(scope), "|", indicator);
}

bool FigureCanMoveLevels(const v1::IndicatorStatus* previous,
                         const v1::IndicatorStatus& next,
                         const reference::v1::IndicatorDefinition& indicator,
                         const common::v1::ScopeRef& scope, absl::Time at, absl::TimeZone zone) {
  if (previous == nullptr || !previous->has_latest()) return true;
  if (previous->held_level() != next.held_level()) return true;
  if (scope.kind() == common::v1::SCOPE_KIND_ACUTE_SITE || indicator.id() == kAcuteIndicator ||
      indicator.id() == kReferralsIndicatorId) {
    return true;
  }
  const absl::Time updated = FromProtoTime(previous->latest().provenance().accepted_at());
  return MissedDeadlineAtAnyLevel(indicator.cadence(), updated, at, zone);
}

std::vector<ExpectedFigure> ExpectedAreaFigures(const ReferenceIndex& reference,
                                                const std::string& area_id) {
  std::vector<ExpectedFigure> out;
  const auto& d = reference.data();
  auto add = [&](common::v1::ScopeRef scope, const std::string& indicator) {
    std::string key = FigureKey(scope, indicator);
    out.push_back({std::move(scope), indicator, std::move(key)});
  };
  for (const auto& indicator : d.indicators()) {
    if (!indicator.counts_for_area_level()) continue;
    switch (indicator.scope_kind()) {
      case common::v1::SCOPE_KIND_TEAM:
        for (const auto& t : d.teams()) {
          if (t.area_id() == area_id && t.kind() == reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY) {
            add(Scope(common::v1::SCOPE_KIND_TEAM, t.id()), indicator.id());
          }
        }
        break;
      case common::v1::SCOPE_KIND_LOCATION:
        for (const auto& l : d.locations()) {
          if (l.area_id() == area_id &&
              (l.kind() == reference::v1::LOCATION_KIND_INTEGRATED_CARE_CENTRE ||
               l.kind() == reference::v1::LOCATION_KIND_IN_HOUSE_UNIT)) {
            add(Scope(common::v1::SCOPE_KIND_LOCATION, l.id()), indicator.id());
          }
        }
        break;
      case common::v1::SCOPE_KIND_KEAH_PATCH:
        for (const auto& p : d.keah_patches()) {
          if (p.area_id() == area_id) add(Scope(common::v1::SCOPE_KIND_KEAH_PATCH, p.id()), indicator.id());
        }
        break;
      case common::v1::SCOPE_KIND_AREA:
        add(Scope(common::v1::SCOPE_KIND_AREA, area_id), indicator.id());
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<ExpectedFigure> ExpectedBoardFigures(const ReferenceIndex& reference,
                                                 const std::string& board_area_id) {
  std::vector<ExpectedFigure> out;
  const auto& d = reference.data();
  const reference::v1::BoardArea* board = nullptr;
  for (const auto& b : d.board_areas()) {
    if (b.id() == board_area_id) board = &b;
  }
  if (board == nullptr) return out;
  auto add = [&](common::v1::ScopeRef scope, const std::string& indicator) {
    std::string key = FigureKey(scope, indicator);
    out.push_back({std::move(scope), indicator, std::move(key)});
  };
  std::set<std::string> localities(board->area_ids().begin(), board->area_ids().end());
  for (const auto& indicator : d.indicators()) {
    switch (indicator.scope_kind()) {
      case common::v1::SCOPE_KIND_ACUTE_SITE:
        for (const auto& site : board->acute_site_ids()) {
          add(Scope(common::v1::SCOPE_KIND_ACUTE_SITE, site), indicator.id());
        }
        break;
      case common::v1::SCOPE_KIND_TEAM:
        for (const auto& t : d.teams()) {
          if (localities.count(t.area_id()) && t.kind() == reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY) {
            add(Scope(common::v1::SCOPE_KIND_TEAM, t.id()), indicator.id());
          }
        }
        break;
      case common::v1::SCOPE_KIND_KEAH_PATCH:
        for (const auto& p : d.keah_patches()) {
          if (localities.count(p.area_id())) add(Scope(common::v1::SCOPE_KIND_KEAH_PATCH, p.id()), indicator.id());
        }
        break;
      case common::v1::SCOPE_KIND_LOCATION:
        for (const auto& l : d.locations()) {
          if (localities.count(l.area_id())) add(Scope(common::v1::SCOPE_KIND_LOCATION, l.id()), indicator.id());
        }
        break;
      case common::v1::SCOPE_KIND_AREA:
        for (const auto& a : localities) add(Scope(common::v1::SCOPE_KIND_AREA, a), indicator.id());
        break;
      case common::v1::SCOPE_KIND_COUNTY:
        if (indicator.id() == "nhs111_call_volume_pct") {
          add(Scope(common::v1::SCOPE_KIND_COUNTY, d.county_id()), indicator.id());
        }
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<ExpectedFigure> ExpectedCountyFigures(const ReferenceIndex& reference) {
  std::vector<ExpectedFigure> out;
  for (const auto& indicator : reference.data().indicators()) {
    if (indicator.scope_kind() != common::v1::SCOPE_KIND_COUNTY) continue;
    auto scope = Scope(common::v1::SCOPE_KIND_COUNTY, reference.data().county_id());
    std::string key = FigureKey(scope, indicator.id());
    out.push_back({scope, indicator.id(), key});
  }
  return out;
}

}  // namespace resilience::escalation
