// Numeric bands as the config writes them: [min, max], each end inclusive, exclusive when
// marked, or open when absent. Shared by trigger tables (band -> level) and acute scoring
// (band -> points). Works for any message with the fields min, min_exclusive, max,
// max_exclusive (proto3 optional min/max). Pure functions.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_BANDS_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_BANDS_H_

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace resilience::escalation {

// True when `v` lies in band `b`.
template <typename Band>
bool InBand(const Band& b, double v) {
  if (b.has_min() && (b.min_exclusive() ? !(v > b.min()) : !(v >= b.min()))) return false;
  if (b.has_max() && (b.max_exclusive() ? !(v < b.max()) : !(v <= b.max()))) return false;
  return true;
}

// Lower end of a band for ordering (-infinity when open).
template <typename Band>
double BandFloor(const Band& b) {
  return b.has_min() ? b.min() : -std::numeric_limits<double>::infinity();
}

// The band's range in words: ">= 35 and < 50", "> 60", "<= 2".
template <typename Band>
std::string BandRange(const Band& b) {
  std::string text;
  if (b.has_min()) absl::StrAppend(&text, b.min_exclusive() ? "> " : ">= ", b.min());
  if (b.has_min() && b.has_max()) absl::StrAppend(&text, " and ");
  if (b.has_max()) absl::StrAppend(&text, b.max_exclusive() ? "< " : "<= ", b.max());
  if (!b.has_min() && !b.has_max()) text = "any value";
  return text;
}

// Sorts bands by their lower end.
template <typename Band>
std::vector<Band> SortedBands(const std::vector<Band>& bands) {
  std::vector<Band> out = bands;
  std::sort(out.begin(), out.end(),
            [](const Band& a, const Band& b) { return BandFloor(a) < BandFloor(b); });
  return out;
}

// Empty when sorted bands meet exactly (each ends where the next starts, the shared value in
// exactly one of them); otherwise the first problem in words.
template <typename Band>
std::string BandsGap(const std::vector<Band>& sorted) {
  for (size_t i = 1; i < sorted.size(); ++i) {
    const Band& prev = sorted[i - 1];
    const Band& cur = sorted[i];
    if (!prev.has_max() || !cur.has_min() || prev.max() != cur.min() ||
        prev.max_exclusive() == cur.min_exclusive()) {
      return absl::StrCat("bands '", BandRange(prev), "' and '", BandRange(cur),
                          "' must meet at one value, one end inclusive and the other exclusive");
    }
  }
  return "";
}

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_BANDS_H_
