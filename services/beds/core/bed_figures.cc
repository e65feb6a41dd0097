#include "services/beds/core/bed_figures.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"
#include "common/scope/scope_key.h"

namespace resilience::beds {
namespace {

using reference::v1::BedType;

std::map<std::string, double> Components(const BedCount& c) {
  return {{"total", c.total},
          {"occupied", c.occupied},
          {"held", c.held},
          {"closed", c.closed},
          {"available", c.available()}};
}

Figure Make(common::v1::ScopeKind kind, const std::string& id, const char* indicator,
            double value, const char* unit, const BedCount& count) {
  Figure f;
  f.scope.set_kind(kind);
  f.scope.set_id(id);
  f.indicator = indicator;
  f.value = value;
  f.unit = unit;
  f.components = Components(count);
  return f;
}

}  // namespace

std::vector<Figure> LocationFigures(const v1::LocationRecord& r) {
  std::vector<Figure> out;
  const auto& loc = r.location();
  if (!IsInHouse(loc.kind())) return out;
  BedCount assessment, all;
  for (int t = reference::v1::BedType_MIN; t <= reference::v1::BedType_MAX; ++t) {
    const auto type = static_cast<BedType>(t);
    if (!HasBedType(loc, type)) continue;
    const BedCount c = CountOf(r, type);
    all += c;
    if (IsAssessmentBed(type)) assessment += c;
  }
  if (assessment.total > 0) {
    const double pct = 100.0 * (assessment.total - assessment.available()) / assessment.total;
    out.push_back(Make(common::v1::SCOPE_KIND_LOCATION, loc.id(), kAssessmentOccupancy, pct,
                       "percent", assessment));
  }
  if (HasBedType(loc, reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT)) {
    const BedCount c = CountOf(r, reference::v1::BED_TYPE_DEMENTIA_ASSESSMENT);
    out.push_back(Make(common::v1::SCOPE_KIND_LOCATION, loc.id(), kDementiaAvailable,
                       c.available(), "beds", c));
  }
  out.push_back(Make(common::v1::SCOPE_KIND_LOCATION, loc.id(), kInHouseVacant, all.available(),
                     "beds", all));
  return out;
}

Figure AreaFigure(const BedBoard& board, const std::string& area_id) {
  const BedCount c = board.AreaContractedHomes(area_id);
  return Make(common::v1::SCOPE_KIND_AREA, area_id, kCareHomeVacancies, c.available(), "beds", c);
}

Figure CountyFigure(const BedBoard& board, const std::string& county_id) {
  const BedCount c = board.CountyInHouseAssessment();
  return Make(common::v1::SCOPE_KIND_COUNTY, county_id, kCountyAssessmentAvailable,
              c.available(), "beds", c);
}

bool ChangedSince(const Figure& f, const v1::PublishedFigure* last) {
  if (last == nullptr || std::fabs(last->value() - f.value) > 1e-9) return true;
  if (static_cast<size_t>(last->components_size()) != f.components.size()) return true;
  for (const auto& [name, value] : f.components) {
    auto it = last->components().find(name);
    if (it == last->components().end() || std::fabs(it->second - value) > 1e-9) return true;
  }
  return false;
}

events::v1::DomainEvent FigureEvent(const Figure& f, uint64_t sequence,
                                    const common::v1::Provenance& cause, absl::Time occurred_at,
                                    absl::Time now) {
  events::v1::DomainEvent e;
  auto* env = e.mutable_envelope();
  env->set_event_id(NameBasedUuid("beds/figure",
                                  absl::StrCat(ScopeKey(f.scope), "/", f.indicator, "/", sequence)));
  env->set_source("beds-service");
  *env->mutable_scope() = f.scope;
  *env->mutable_occurred_at() = ToProtoTime(occurred_at);
  *env->mutable_received_at() = ToProtoTime(now);
  env->set_schema_version(1);
  *env->mutable_provenance() = cause;
  env->mutable_provenance()->set_accepted_by("beds-service");
  if (!cause.has_accepted_at()) *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
  auto* o = e.mutable_observation();
  o->set_indicator(f.indicator);
  o->set_number(f.value);
  o->set_unit(f.unit);
  for (const auto& [name, value] : f.components) (*o->mutable_components())[name] = value;
  return e;
}

v1::PublishedFigure PublishedOf(const events::v1::DomainEvent& e, uint64_t sequence) {
  v1::PublishedFigure p;
  p.set_scope_key(ScopeKey(e.envelope().scope()));
  p.set_indicator(e.observation().indicator());
  p.set_value(e.observation().number());
  *p.mutable_components() = e.observation().components();
  p.set_sequence(sequence);
  p.set_event_id(e.envelope().event_id());
  *p.mutable_occurred_at() = e.envelope().occurred_at();
  return p;
}

}  // namespace resilience::beds
