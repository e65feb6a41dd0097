// The facts the capacity service holds: the latest figure per scope and indicator, each home
// care provider's latest part per area, the latest version of each weather-health alert and of
// each outbreak notice. Every fact is merged by the DESIGN 4.6 rule (later occurred_at wins, then
// later received_at, then the larger id), never by arrival order, so the log can be replayed in
// any order and a late, older figure never replaces a newer one. Not thread-safe: the owner
// locks.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_FACT_STORE_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_FACT_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "capacity/v1/changes.pb.h"

namespace resilience::capacity {

class FactStore {
 public:
  // (scope key, indicator) -> the latest observation or acute assessment.
  using LatestMap = std::map<std::pair<std::string, std::string>, v1::RecordedEvent>;

  // Merges every fact of `facts`; each replaces what is held only if it is later. Events other
  // than observations and acute assessments (referral steps, outbreak notices) are not figures
  // and are not kept.
  void Merge(const v1::CapacityFacts& facts);

  const v1::RecordedEvent* Latest(const std::string& scope_key, const std::string& indicator) const;
  const LatestMap& latest() const { return latest_; }
  const v1::HomeCareContribution* HomeCare(const std::string& area_id,
                                           const std::string& provider_id) const;
  // Every provider's part in `area_id`, by provider id.
  std::vector<const v1::HomeCareContribution*> HomeCareIn(const std::string& area_id) const;
  const v1::WeatherAlertFact* Weather(const std::string& provider_id,
                                      const std::string& alert_ref) const;
  std::vector<const v1::WeatherAlertFact*> AllWeather() const;
  const v1::OutbreakFact* Outbreak(const std::string& location_id,
                                   const std::string& infection) const;
  std::vector<const v1::OutbreakFact*> OutbreaksAt(const std::string& location_id) const;

 private:
  LatestMap latest_;
  std::map<std::pair<std::string, std::string>, v1::HomeCareContribution> home_care_;
  std::map<std::pair<std::string, std::string>, v1::WeatherAlertFact> weather_;
  std::map<std::pair<std::string, std::string>, v1::OutbreakFact> outbreaks_;
};

// The facts as the planning of new updates sees them: those still being recorded (`pending`,
// not yet confirmed by Kafka) over those recorded (`confirmed`); for each key, the later.
// Neither is owned; both must outlive the lookup.
class FactLookup {
 public:
  FactLookup(const FactStore* confirmed, const FactStore* pending)
      : confirmed_(confirmed), pending_(pending) {}

  const v1::RecordedEvent* Latest(const std::string& scope_key, const std::string& indicator) const;
  const v1::HomeCareContribution* HomeCare(const std::string& area_id,
                                           const std::string& provider_id) const;
  std::vector<const v1::HomeCareContribution*> HomeCareIn(const std::string& area_id) const;
  const v1::WeatherAlertFact* Weather(const std::string& provider_id,
                                      const std::string& alert_ref) const;
  std::vector<const v1::WeatherAlertFact*> AllWeather() const;
  const v1::OutbreakFact* Outbreak(const std::string& location_id,
                                   const std::string& infection) const;
  std::vector<const v1::OutbreakFact*> OutbreaksAt(const std::string& location_id) const;

 private:
  const FactStore* confirmed_;
  const FactStore* pending_;
};

// The DESIGN 4.6 order: true when version (a) is later than version (b).
bool IsLater(absl::Time occurred_a, absl::Time received_a, const std::string& id_a,
             absl::Time occurred_b, absl::Time received_b, const std::string& id_b);

// When the figure of a recorded event held (its envelope's occurred_at).
absl::Time OccurredAt(const v1::RecordedEvent& e);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_FACT_STORE_H_
