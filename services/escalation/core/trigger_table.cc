#include "services/escalation/core/trigger_table.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/escalation/core/bands.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;

std::string BandText(const v1::TriggerBand& b, const v1::TriggerTable& table) {
  std::string text = absl::StrCat(LevelColour(b.level()), ": ", BandRange(b));
  if (table.normal_level() > 0) absl::StrAppend(&text, " % of normal (", table.normal_level(), ")");
  if (!table.source().empty()) absl::StrAppend(&text, " (", table.source(), ")");
  return text;
}

}  // namespace

TriggerTable::TriggerTable(v1::TriggerTable config) : config_(std::move(config)) {
  bands_ = SortedBands(std::vector<v1::TriggerBand>(config_.bands().begin(), config_.bands().end()));
}

absl::StatusOr<TriggerTable> TriggerTable::FromConfig(const v1::TriggerTable& config) {
  const std::string where = absl::StrCat("trigger table '", config.indicator(),
                                         config.area_id().empty() ? "" : "' for area '",
                                         config.area_id(), "'");
  if (config.indicator().empty()) {
    return absl::InvalidArgumentError("trigger table: indicator is required");
  }
  const bool is_flag = IsLevel(config.flag_true_level()) || IsLevel(config.flag_false_level());
  if (is_flag && !(IsLevel(config.flag_true_level()) && IsLevel(config.flag_false_level()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": a flag table needs both flag_true_level and flag_false_level"));
  }
  TriggerTable table(config);
  for (size_t i = 0; i < table.bands_.size(); ++i) {
    if (!IsLevel(table.bands_[i].level())) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": band ", i, " has no level"));
    }
  }
  if (std::string gap = BandsGap(table.bands_); !gap.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", gap));
  }
  return table;
}

absl::StatusOr<TriggerMatch> TriggerTable::EvaluateNumber(double value) const {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(config_.indicator(), ": value is not finite"));
  }
  if (bands_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config_.indicator(), ": its trigger table has no numeric bands"));
  }
  double v = config_.normal_level() > 0 ? value / config_.normal_level() * 100.0 : value;
  for (const auto& b : bands_) {
    if (InBand(b, v)) {
      return TriggerMatch{b.level(), BandText(b, config_),
                          config_.origin() != reference::v1::THRESHOLD_ORIGIN_PLAN};
    }
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: value %g is outside every band of its trigger table",
                      config_.indicator(), value));
}

absl::StatusOr<TriggerMatch> TriggerTable::Evaluate(
    const events::v1::IndicatorObservation& observation) const {
  const bool local_default = config_.origin() != reference::v1::THRESHOLD_ORIGIN_PLAN;
  switch (observation.value_case()) {
    case events::v1::IndicatorObservation::kNumber:
      return EvaluateNumber(observation.number());
    case events::v1::IndicatorObservation::kFlag: {
      if (!IsLevel(config_.flag_true_level())) {
        return absl::InvalidArgumentError(
            absl::StrCat(config_.indicator(), ": yes/no value for a numeric indicator"));
      }
      OpelLevel level = observation.flag() ? config_.flag_true_level() : config_.flag_false_level();
      return TriggerMatch{level,
                          absl::StrCat(LevelColour(level), ": ", observation.flag() ? "yes" : "no",
                                       config_.source().empty() ? "" : " (" + config_.source() + ")"),
                          local_default};
    }
    case events::v1::IndicatorObservation::kReportedLevel: {
      if (!IsLevel(observation.reported_level())) {
        return absl::InvalidArgumentError(
            absl::StrCat(config_.indicator(), ": reported level must be 1 to 4"));
      }
      return TriggerMatch{observation.reported_level(),
                          absl::StrCat(LevelColour(observation.reported_level()),
                                       ": reported by the provider"),
                          local_default};
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat(config_.indicator(), ": observation has no value"));
  }
}

absl::StatusOr<TriggerTables> TriggerTables::FromConfig(
    const google::protobuf::RepeatedPtrField<v1::TriggerTable>& configs) {
  TriggerTables tables;
  for (const auto& c : configs) {
    auto table = TriggerTable::FromConfig(c);
    if (!table.ok()) return table.status();
    if (!tables.tables_.emplace(std::make_pair(c.indicator(), c.area_id()), *std::move(table))
             .second) {
      return absl::InvalidArgumentError(absl::StrCat("two trigger tables for indicator '",
                                                     c.indicator(), "' and area '", c.area_id(),
                                                     "'"));
    }
  }
  return tables;
}

const TriggerTable* TriggerTables::Find(const std::string& indicator,
                                        const std::string& area_id) const {
  if (!area_id.empty()) {
    auto it = tables_.find({indicator, area_id});
    if (it != tables_.end()) return &it->second;
  }
  auto it = tables_.find({indicator, ""});
  return it == tables_.end() ? nullptr : &it->second;
}

}  // namespace resilience::escalation
