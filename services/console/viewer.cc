#include "services/console/viewer.h"

#include <algorithm>

namespace resilience::console {

namespace esc = escalation::v1;

bool Viewer::CoversArea(const std::string& area_id) const {
  if (county_wide || area_id.empty()) return true;
  return std::find(area_ids.begin(), area_ids.end(), area_id) != area_ids.end();
}

bool MaySee(const Viewer& viewer, const esc::Alert& alert) {
  return viewer.CoversArea(alert.area_id());
}

bool MaySeeScope(const Viewer& viewer, const common::v1::ScopeRef& scope,
                 const ReferenceIndex& reference) {
  if (viewer.county_wide) return true;
  const auto area = reference.AreaOf(scope);
  return !area.has_value() || viewer.CoversArea(*area);
}

namespace {

template <typename Repeated, typename Keep>
void KeepOnly(Repeated* items, Keep keep) {
  Repeated kept;
  for (auto& item : *items) {
    if (keep(item)) *kept.Add() = std::move(item);
  }
  items->Swap(&kept);
}

}  // namespace

esc::StatusBoard FilterBoard(const Viewer& viewer, esc::StatusBoard board,
                             const ReferenceIndex& reference) {
  if (viewer.county_wide) return board;
  KeepOnly(board.mutable_levels(), [&](const esc::LevelStatus& l) {
    return MaySeeScope(viewer, l.scope(), reference);
  });
  for (auto& level : *board.mutable_levels()) {
    KeepOnly(level.mutable_evidence(), [&](const esc::IndicatorEvidence& e) {
      return MaySeeScope(viewer, e.scope(), reference);
    });
  }
  KeepOnly(board.mutable_indicators(), [&](const esc::IndicatorStatus& i) {
    return MaySeeScope(viewer, i.latest().scope(), reference);
  });
  return board;
}

std::vector<esc::Alert> FilterAlerts(const Viewer& viewer, const esc::ListAlertsResponse& alerts) {
  std::vector<esc::Alert> out;
  for (const auto& a : alerts.alerts()) {
    if (MaySee(viewer, a)) out.push_back(a);
  }
  return out;
}

esc::ListTasksResponse FilterTasks(const Viewer& viewer, esc::ListTasksResponse tasks,
                                   const ReferenceIndex& reference) {
  KeepOnly(tasks.mutable_tasks(), [&](const esc::ProtocolTask& t) {
    return MaySeeScope(viewer, t.scope(), reference);
  });
  return tasks;
}

esc::ListDecisionPromptsResponse FilterPrompts(const Viewer& viewer,
                                               esc::ListDecisionPromptsResponse prompts,
                                               const ReferenceIndex& reference) {
  KeepOnly(prompts.mutable_prompts(), [&](const esc::DecisionPrompt& p) {
    return MaySeeScope(viewer, p.trigger_scope(), reference);
  });
  return prompts;
}

esc::ListSilencesResponse FilterSilences(const Viewer& viewer, esc::ListSilencesResponse silences,
                                         const ReferenceIndex& reference) {
  KeepOnly(silences.mutable_silences(), [&](const esc::Silence& s) {
    return MaySeeScope(viewer, s.scope(), reference);
  });
  return silences;
}

}  // namespace resilience::console
