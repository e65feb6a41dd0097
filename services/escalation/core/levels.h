// Names of OPEL levels as the plan writes them. Pure functions.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_LEVELS_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_LEVELS_H_

#include <string>

#include "common/v1/types.pb.h"

namespace resilience::escalation {

// "Green", "Amber", "Red", "Black" (OPEL 1-4) or "Unknown".
inline std::string LevelColour(common::v1::OpelLevel level) {
  switch (level) {
    case common::v1::OPEL_LEVEL_1_GREEN: return "Green";
    case common::v1::OPEL_LEVEL_2_AMBER: return "Amber";
    case common::v1::OPEL_LEVEL_3_RED: return "Red";
    case common::v1::OPEL_LEVEL_4_BLACK: return "Black";
    default: return "Unknown";
  }
}

// True for OPEL 1 to 4.
inline bool IsLevel(common::v1::OpelLevel level) {
  return level >= common::v1::OPEL_LEVEL_1_GREEN && level <= common::v1::OPEL_LEVEL_4_BLACK;
}

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_LEVELS_H_
