// The live bed board: every location's record (stock, occupancy, holds, closures), indexed for
// vacancy search (per bed type and area, locations with a vacant bed ordered by beds available)
// and with running totals per area and for the county, so a search or a county figure never scans
// every location or any history. Pure code: no I/O; time is passed in. Thread-compatible: the
// service guards it with its state mutex.
#ifndef RESILIENCE_SERVICES_BEDS_CORE_BED_BOARD_H_
#define RESILIENCE_SERVICES_BEDS_CORE_BED_BOARD_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "beds/v1/beds.pb.h"
#include "beds/v1/changes.pb.h"
#include "common/reference/reference_index.h"
#include "services/beds/core/bed_update.h"

namespace resilience::beds {

class BedBoard {
 public:
  // `reference` gives the areas (and their neighbour order) and the starting locations.
  // Locations whose latest update is older than `stale_after` are flagged stale.
  BedBoard(std::shared_ptr<const ReferenceIndex> reference, absl::Duration stale_after);

  // Starts every reference location with no occupancy recorded.
  void LoadReference();

  // Restores a record read back from the log: an upserted location is taken as logged; otherwise
  // the reference file's location is taken with the logged stock changes applied on top (so a
  // new reference version changes what run-time changes did not touch). Occupancy is kept.
  void Restore(v1::LocationRecord logged);

  // Inserts or replaces a location's record and re-indexes it.
  void Put(v1::LocationRecord record);

  // The record of a location; null when unknown. Valid until the next Put or Restore.
  const v1::LocationRecord* Find(const std::string& location_id) const;

  // Every location, ordered by area (reference order) then name.
  std::vector<const v1::LocationRecord*> Locations() const;

  // Lets holds lapse whose held_until is at or before `now`; returns the locations changed.
  std::vector<std::string> ExpireHolds(absl::Time now);

  // True when the location's figures are older than the freshness limit (or there are none).
  bool IsStale(const v1::LocationRecord& record, absl::Time now) const;

  // Sums per bed type (every type of every matching location), for indicators:
  // ICC and in-house assessment beds (plain and dementia) in the county.
  BedCount CountyInHouseAssessment() const { return county_in_house_assessment_; }
  // Contracted residential and nursing homes' beds of every type in one area.
  BedCount AreaContractedHomes(const std::string& area_id) const;

  // The availability report (GetAvailability).
  v1::AvailabilityReport Availability(const v1::GetAvailabilityRequest& request,
                                      absl::Time now) const;

  // Locations with vacant beds (SearchVacancies), from the index. INVALID_ARGUMENT with field
  // violations for a missing bed type, an unknown area or a limit above 200.
  absl::StatusOr<v1::SearchVacanciesResponse> SearchVacancies(
      const v1::SearchVacanciesRequest& request, absl::Time now) const;

  // The location as the API shows it, with availability, closures and staleness.
  v1::LocationAvailability View(const v1::LocationRecord& record, absl::Time now) const;

  size_t size() const { return records_.size(); }

 private:
  // Index entry: most available first, then most recently updated, then id.
  struct VacancyKey {
    uint32_t available;
    absl::Time last_updated;
    std::string location_id;
    // The record (map nodes are stable: Put replaces the value in place). Not part of the order.
    const v1::LocationRecord* record;
    bool operator<(const VacancyKey& o) const {
      return std::tie(o.available, o.last_updated, location_id) <
             std::tie(available, last_updated, o.location_id);
    }
  };
  using IndexKey = std::pair<int, std::string>;  // bed type, area id (or provider id)

  void Unindex(const v1::LocationRecord& record);
  void Index(const v1::LocationRecord& record);

  std::shared_ptr<const ReferenceIndex> reference_;
  absl::Duration stale_after_;
  std::map<std::string, v1::LocationRecord> records_;
  std::map<IndexKey, std::set<VacancyKey>> vacancies_;
  // The same entries per bed type and provider, for searches limited to providers.
  std::map<IndexKey, std::set<VacancyKey>> vacancies_by_provider_;
  // County available per bed type (every location), and per bed type and location kind.
  std::map<int, uint64_t> county_available_;
  std::map<std::pair<int, int>, uint64_t> county_available_by_kind_;
  BedCount county_in_house_assessment_;
  std::map<std::string, BedCount> area_contracted_;
  // Hold expiries: (held_until, location id).
  std::set<std::pair<absl::Time, std::string>> hold_expiries_;
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CORE_BED_BOARD_H_
