#include "services/escalation/core/time_rules.h"

#include <algorithm>
#include <array>
#include <map>

namespace resilience::escalation {
namespace {

absl::Time At(absl::CivilDay day, int hour, int minute, absl::TimeZone zone) {
  return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute), zone);
}

std::vector<ReportingWindow> WindowsOn(reference::v1::ReportingCadence cadence,
                                       common::v1::OpelLevel level, absl::CivilDay day,
                                       absl::TimeZone zone) {
  const absl::Time midnight = At(day, 0, 0, zone);
  using RC = reference::v1::ReportingCadence;
  switch (cadence) {
    case RC::REPORTING_CADENCE_ON_EVENT:
    case RC::REPORTING_CADENCE_UNSPECIFIED:
      return {};
    case RC::REPORTING_CADENCE_ACUTE_DAILY_BY_10:
      return {{midnight, At(day, 10, 0, zone)}};
    case RC::REPORTING_CADENCE_TWICE_DAILY:
      return {{midnight, At(day, 10, 30, zone)}, {At(day, 14, 0, zone), At(day, 15, 30, zone)}};
    case RC::REPORTING_CADENCE_FOLLOWS_LEVEL:
    default:
      if (level >= common::v1::OPEL_LEVEL_3_RED) {
        return {{midnight, At(day, 10, 30, zone)}, {At(day, 14, 0, zone), At(day, 15, 30, zone)}};
      }
      if (level == common::v1::OPEL_LEVEL_2_AMBER) return {{midnight, At(day, 10, 30, zone)}};
      return {{midnight, absl::FromCivil(day + 1, zone)}};
  }
}

// WindowsOn, remembered per thread for the last few (cadence, level, day, zone): a roll-up asks
// for the same two days of every figure it reads, and each answer costs several time-zone
// conversions.
const std::vector<ReportingWindow>& RememberedWindowsOn(reference::v1::ReportingCadence cadence,
                                                        common::v1::OpelLevel level,
                                                        absl::CivilDay day, absl::TimeZone zone) {
  struct Entry {
    bool used = false;
    reference::v1::ReportingCadence cadence;
    common::v1::OpelLevel level;
    absl::CivilDay day;
    absl::TimeZone zone;
    std::vector<ReportingWindow> windows;
  };
  thread_local std::array<Entry, 32> remembered;
  thread_local size_t next = 0;
  for (const Entry& e : remembered) {
    if (e.used && e.cadence == cadence && e.level == level && e.day == day && e.zone == zone) {
      return e.windows;
    }
  }
  Entry& e = remembered[next];
  next = (next + 1) % remembered.size();
  e = {true, cadence, level, day, zone, WindowsOn(cadence, level, day, zone)};
  return e.windows;
}

bool Met(const ReportingWindow& w, absl::Time last_update) {
  return last_update >= w.opens && last_update < w.closes;
}

}  // namespace

std::vector<ReportingWindow> WindowsOfDay(reference::v1::ReportingCadence cadence,
                                          common::v1::OpelLevel level, absl::Time t,
                                          absl::TimeZone zone) {
  return WindowsOn(cadence, level, absl::ToCivilDay(t, zone), zone);
}

std::optional<absl::Time> MissedDeadline(reference::v1::ReportingCadence cadence,
                                         common::v1::OpelLevel level, absl::Time last_update,
                                         absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  for (absl::CivilDay day : {today - 1, today}) {
    for (const ReportingWindow& w : RememberedWindowsOn(cadence, level, day, zone)) {
      // A window counts if it closed by now and opened after the last update's own window
      // (windows before the last update are history).
      if (w.closes > now || w.closes <= last_update) continue;
      if (!Met(w, last_update)) return w.closes;
    }
  }
  return std::nullopt;
}

bool MissedDeadlineAtAnyLevel(reference::v1::ReportingCadence cadence, absl::Time last_update,
                              absl::Time now, absl::TimeZone zone) {
  using RC = reference::v1::ReportingCadence;
  using L = common::v1::OpelLevel;
  switch (cadence) {
    case RC::REPORTING_CADENCE_ON_EVENT:
    case RC::REPORTING_CADENCE_UNSPECIFIED:
      return false;  // no windows (WindowsOn)
    case RC::REPORTING_CADENCE_ACUTE_DAILY_BY_10:
    case RC::REPORTING_CADENCE_TWICE_DAILY:
      // The same windows at every level.
      return MissedDeadline(cadence, L::OPEL_LEVEL_1_GREEN, last_update, now, zone).has_value();
    default:
      // Below Amber (unspecified and OPEL 1), Amber, and Red or above each share their windows.
      for (L level : {L::OPEL_LEVEL_1_GREEN, L::OPEL_LEVEL_2_AMBER, L::OPEL_LEVEL_3_RED}) {
        if (MissedDeadline(cadence, level, last_update, now, zone).has_value()) return true;
      }
      return false;
  }
}

absl::Time NextDeadline(reference::v1::ReportingCadence cadence, common::v1::OpelLevel level,
                        absl::Time last_update, absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  for (absl::CivilDay day : {today, today + 1, today + 2}) {
    for (const ReportingWindow& w : WindowsOn(cadence, level, day, zone)) {
      if (w.closes <= now) continue;
      if (!Met(w, last_update)) return w.closes;
    }
  }
  return absl::InfiniteFuture();
}

int RenotificationsDue(common::v1::OpelLevel level, absl::Time raised_at, absl::Time now,
                       const RenotifyRule& rule) {
  const absl::Duration period = level >= common::v1::OPEL_LEVEL_3_RED ? rule.high : rule.low;
  if (period <= absl::ZeroDuration() || now <= raised_at) return 0;
  absl::Duration remainder;
  return static_cast<int>(absl::IDivDuration(now - raised_at, period, &remainder));
}

std::vector<std::string> EscalationChain(
    const std::string& first_role, int steps,
    const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles) {
  std::map<std::string, std::string> up;
  for (const auto& r : roles) up[r.id()] = r.escalates_to();
  std::vector<std::string> chain = {first_role};
  for (int i = 0; i < steps; ++i) {
    auto it = up.find(chain.back());
    if (it == up.end() || it->second.empty()) break;
    // Guard against a loop in the reference data.
    if (std::find(chain.begin(), chain.end(), it->second) != chain.end()) break;
    chain.push_back(it->second);
  }
  return chain;
}

}  // namespace resilience::escalation
