#include "services/workforce/core/staffing_level.h"

namespace resilience::workforce {

common::v1::OpelLevel StaffingLevelOf(double pct) {
  if (pct >= kGreenFloorPct) return common::v1::OPEL_LEVEL_1_GREEN;
  if (pct >= 50.0) return common::v1::OPEL_LEVEL_2_AMBER;
  if (pct >= 35.0) return common::v1::OPEL_LEVEL_3_RED;
  return common::v1::OPEL_LEVEL_4_BLACK;
}

double StaffingPercent(double available_wte, double establishment_wte) {
  if (!(establishment_wte > 0)) return 0;
  // Multiply first: 7 of 20 is exactly 35.0, not 34.999..., so the plan's edges hold.
  return available_wte * 100.0 / establishment_wte;
}

}  // namespace resilience::workforce
