#include "services/escalation/core/acute_score.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/escalation/core/bands.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {
namespace {

constexpr int kParameters = 9;

uint32_t MaxPoints(const v1::ParameterScale& scale) {
  uint32_t most = 0;
  for (const auto& b : scale.bands()) most = std::max(most, b.points());
  return most;
}

double MaxScore(const v1::AcuteFramework& f) {
  double total = 0;
  for (const auto& p : f.parameters()) total += MaxPoints(p);
  return total;
}

// The assessment's value of one parameter, if reported.
std::optional<double> ValueOf(v1::AcuteParameter p, const events::v1::AcuteAssessment& a,
                              const reference::v1::AcuteSite& site, absl::Time at,
                              absl::TimeZone zone) {
  switch (p) {
    case v1::ACUTE_PARAMETER_AMBULANCE_HANDOVER_MINUTES:
      if (a.has_mean_ambulance_handover_minutes()) return a.mean_ambulance_handover_minutes();
      break;
    case v1::ACUTE_PARAMETER_ED_FOUR_HOUR_PCT:
      if (a.has_ed_four_hour_performance_pct()) return a.ed_four_hour_performance_pct();
      break;
    case v1::ACUTE_PARAMETER_ED_ATTENDANCES_OVER_EXPECTED_PCT: {
      if (!a.has_ed_attendances_last_60_min()) break;
      double expected = 0;
      const auto& e = site.expected_attendance();
      if (e.has_flat_per_hour()) {
        expected = e.flat_per_hour();
      } else if (e.has_by_hour() && e.by_hour().per_hour_size() == 24) {
        expected = e.by_hour().per_hour(absl::ToCivilHour(at, zone).hour());
      }
      if (!(expected > 0)) break;
      // Subtract first and round away representation error, so 22 of an expected 20 is exactly
      // 10% over (1 point), not 10.000000000000009% (2 points).
      const double over = (a.ed_attendances_last_60_min() - expected) * 100.0 / expected;
      return std::round(over * 1e6) / 1e6;
    }
    case v1::ACUTE_PARAMETER_MAJORS_RESUS_OCCUPANCY_PCT:
      if (a.has_majors_resus_occupancy_pct()) return a.majors_resus_occupancy_pct();
      break;
    case v1::ACUTE_PARAMETER_TIME_TO_TREATMENT_MINUTES:
      if (a.has_median_time_to_treatment_minutes()) return a.median_time_to_treatment_minutes();
      break;
    case v1::ACUTE_PARAMETER_OVER_12H_IN_ED_PCT:
      if (a.has_patients_over_12h_in_ed_pct()) return a.patients_over_12h_in_ed_pct();
      break;
    case v1::ACUTE_PARAMETER_GA_OCCUPANCY_PCT:
      if (a.has_ga_bed_occupancy_pct()) return a.ga_bed_occupancy_pct();
      break;
    case v1::ACUTE_PARAMETER_ESCALATION_BEDS_PCT:
      if (a.has_escalation_beds_pct()) return a.escalation_beds_pct();
      break;
    case v1::ACUTE_PARAMETER_NCTR_PCT:
      if (a.has_nctr_beds_pct()) return a.nctr_beds_pct();
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<AcuteFrameworks> AcuteFrameworks::FromConfig(
    const google::protobuf::RepeatedPtrField<v1::AcuteFramework>& configs) {
  AcuteFrameworks out;
  for (const v1::AcuteFramework& f : configs) {
    const std::string where = absl::StrCat("acute framework '", f.version(), "'");
    if (f.version().empty()) return absl::InvalidArgumentError("acute framework: version is required");
    absl::Time from = absl::InfinitePast();
    std::string err;
    if (!f.in_force_from().empty() &&
        !absl::ParseTime(absl::RFC3339_full, f.in_force_from(), &from, &err)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": in_force_from: ", err));
    }
    std::set<int> seen;
    for (const auto& scale : f.parameters()) {
      if (scale.parameter() == v1::ACUTE_PARAMETER_UNSPECIFIED ||
          !seen.insert(scale.parameter()).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": parameter '", scale.name(), "' is unspecified or appears twice"));
      }
      auto sorted = SortedBands(std::vector<v1::PointBand>(scale.bands().begin(), scale.bands().end()));
      if (sorted.empty() || sorted.front().has_min() || sorted.back().has_max()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": parameter '", scale.name(), "' must cover every value (open lowest and highest bands)"));
      }
      if (std::string gap = BandsGap(sorted); !gap.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": parameter '", scale.name(), "': ", gap));
      }
    }
    if (static_cast<int>(seen.size()) != kParameters) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": has ", seen.size(), " parameters; all ", kParameters, " are required"));
    }
    // Cut-offs cover 0..max in whole points without gaps or overlaps.
    const double max = MaxScore(f);
    for (double s = 0; s <= max; s += 1) {
      int matches = 0;
      for (const auto& c : f.levels()) matches += (s >= c.min_score() && s <= c.max_score()) ? 1 : 0;
      if (matches != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": score ", s, " falls in ", matches, " level cut-offs (must be exactly one)"));
      }
    }
    out.by_version_[f.version()] = Entry{f, from};
  }
  return out;
}

absl::StatusOr<const v1::AcuteFramework*> AcuteFrameworks::Find(const std::string& version,
                                                                 absl::Time at) const {
  if (!version.empty()) {
    auto it = by_version_.find(version);
    if (it == by_version_.end()) {
      return absl::NotFoundError(absl::StrCat("no acute framework '", version, "'"));
    }
    return &it->second.framework;
  }
  const Entry* best = nullptr;
  for (const auto& [v, e] : by_version_) {
    if (e.in_force_from <= at && (best == nullptr || e.in_force_from > best->in_force_from)) best = &e;
  }
  if (best == nullptr) {
    return absl::NotFoundError(absl::StrCat("no acute framework in force at ", absl::FormatTime(at)));
  }
  return &best->framework;
}

common::v1::OpelLevel AcuteFrameworks::LevelOf(const v1::AcuteFramework& f, double score) {
  // Aggregates may fall between whole-point cut-offs (11.5): they take the level of the cut-off
  // whose range, widened to the next cut-off's start, holds them.
  common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
  double best_min = -1;
  for (const auto& c : f.levels()) {
    if (score >= c.min_score() && c.min_score() > best_min) {
      best_min = c.min_score();
      level = c.level();
    }
  }
  return level;
}

absl::StatusOr<v1::AcuteScore> AcuteFrameworks::Score(const events::v1::AcuteAssessment& a,
                                                      const reference::v1::AcuteSite& site,
                                                      absl::Time assessed_at,
                                                      absl::TimeZone zone) const {
  auto framework = Find(a.framework_version(), assessed_at);
  if (!framework.ok()) return framework.status();
  const v1::AcuteFramework& f = **framework;
  v1::AcuteScore out;
  out.set_framework_version(f.version());
  double total = 0;
  for (const v1::ParameterScale& scale : f.parameters()) {
    v1::ParameterPoints* p = out.add_parameters();
    p->set_parameter(scale.name());
    std::optional<double> value = ValueOf(scale.parameter(), a, site, assessed_at, zone);
    if (!value.has_value()) {
      p->set_value_text("not reported");
      p->set_band("scored 0: not reported");
      out.set_missing_parameters(out.missing_parameters() + 1);
      continue;
    }
    p->set_value_text(absl::StrFormat("%.1f%s%s", *value, scale.unit() == "%" ? "" : " ", scale.unit()));
    for (const v1::PointBand& b : scale.bands()) {
      if (InBand(b, *value)) {
        p->set_points(b.points());
        p->set_band(absl::StrCat(BandRange(b), " ", scale.unit(), ": ", b.points(),
                                 b.points() == 1 ? " point" : " points"));
        break;
      }
    }
    total += p->points();
  }
  out.set_score(total);
  out.set_level(LevelOf(f, total));
  return out;
}

absl::StatusOr<AcuteRollUp> RollUpAcuteScores(const std::vector<WeightedScore>& sites,
                                              const v1::AcuteFramework& framework) {
  if (sites.empty()) return absl::InvalidArgumentError("acute roll-up: no site scores");
  AcuteRollUp out;
  double weighted = 0, weights = 0;
  for (const WeightedScore& s : sites) {
    const double w = s.weight > 0 ? s.weight : 1;
    weighted += w * s.score.score();
    weights += w;
    out.aggregate.set_missing_parameters(out.aggregate.missing_parameters() +
                                         s.score.missing_parameters());
    out.action_level = std::max(out.action_level, s.score.level());
  }
  out.aggregate.set_framework_version(framework.version());
  out.aggregate.set_score(weighted / weights);
  out.aggregate.set_level(AcuteFrameworks::LevelOf(framework, out.aggregate.score()));
  return out;
}

AcuteFigure AcuteFigureOf(const events::v1::DomainEvent& assessment_event,
                          const v1::AcuteScore& score) {
  AcuteFigure out;
  *out.event.mutable_envelope() = assessment_event.envelope();
  auto* o = out.event.mutable_observation();
  o->set_indicator(kAcuteIndicator);
  o->set_number(score.score());
  o->set_unit("points");
  for (const auto& p : score.parameters()) {
    (*o->mutable_components())[absl::StrCat("points: ", p.parameter())] = p.points();
  }
  (*o->mutable_components())["parameters not reported"] = score.missing_parameters();
  out.match.level = score.level();
  out.match.row = absl::StrCat(LevelColour(score.level()), ": score ", score.score(), " (",
                               score.framework_version(), ")");
  out.match.local_default = false;
  return out;
}

}  // namespace resilience::escalation
