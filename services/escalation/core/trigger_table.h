// Trigger tables: the mapping from an indicator's value to a RAG level (DESIGN 3, plan 4.3).
// Pure code: no I/O. Immutable after construction, so thread-safe.
//
// Readings of the plan's unclear edges, tested in tests/unit/escalation/trigger_table_test.cc:
// - Staffing: ">= 70 Green; below 70 and at least 50 Amber; below 50 and at least 35 Red; below
//   35 Black". The plan's "falls below" is strict, so exactly 50.0 is Amber and exactly 35.0 Red.
// - A value outside every band (only possible with a table that leaves part of the number line
//   uncovered on purpose, e.g. percentages from 0) is an error, never silently Green.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_TRIGGER_TABLE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_TRIGGER_TABLE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "escalation/v1/config.pb.h"
#include "events/v1/events.pb.h"

namespace resilience::escalation {

// The outcome of applying a trigger table to one value.
struct TriggerMatch {
  common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
  // The matched row in words, e.g. "Red: >= 35 and < 50 (plan 4.3)".
  std::string row;
  // True when the thresholds are a local default rather than the plan's numbers.
  bool local_default = false;
};

// One indicator's table (for all areas or for one).
class TriggerTable {
 public:
  // Checks and builds a table. INVALID_ARGUMENT naming the indicator when a band has no level,
  // bands overlap or leave a gap between them, or a flag table lacks a level.
  static absl::StatusOr<TriggerTable> FromConfig(const v1::TriggerTable& config);

  // The level of `observation`'s value: numbers go through the bands (after conversion to a
  // percent of the normal level when the table has one), flags through the flag levels, and
  // reported levels are taken as they are. INVALID_ARGUMENT when the value has the wrong type
  // for the table or falls outside every band.
  absl::StatusOr<TriggerMatch> Evaluate(const events::v1::IndicatorObservation& observation) const;

  // The level of a plain number (see Evaluate).
  absl::StatusOr<TriggerMatch> EvaluateNumber(double value) const;

  const v1::TriggerTable& config() const { return config_; }

 private:
  explicit TriggerTable(v1::TriggerTable config);

  v1::TriggerTable config_;
  // Bands sorted from the lowest values up.
  std::vector<v1::TriggerBand> bands_;
};

// Every indicator's tables; an area's own table wins over the all-areas table.
class TriggerTables {
 public:
  // INVALID_ARGUMENT for a bad table or two tables for one indicator and area.
  static absl::StatusOr<TriggerTables> FromConfig(
      const google::protobuf::RepeatedPtrField<v1::TriggerTable>& configs);

  // The table for `indicator` in `area_id` (empty for scopes outside any area); null when none.
  const TriggerTable* Find(const std::string& indicator, const std::string& area_id) const;

 private:
  std::map<std::pair<std::string, std::string>, TriggerTable> tables_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_TRIGGER_TABLE_H_
