#include "services/capacity/core/fact_store.h"

#include <tuple>

#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::capacity {
namespace {

bool Later(const v1::RecordedEvent& a, const v1::RecordedEvent& b) {
  const auto& ea = a.event().envelope();
  const auto& eb = b.event().envelope();
  return IsLater(FromProtoTime(ea.occurred_at()), FromProtoTime(ea.received_at()), ea.event_id(),
                 FromProtoTime(eb.occurred_at()), FromProtoTime(eb.received_at()), eb.event_id());
}
bool Later(const v1::HomeCareContribution& a, const v1::HomeCareContribution& b) {
  return IsLater(FromProtoTime(a.part().occurred_at()), FromProtoTime(a.received_at()),
                 a.part().update_id(), FromProtoTime(b.part().occurred_at()),
                 FromProtoTime(b.received_at()), b.part().update_id());
}
template <typename Fact>
bool LaterFact(const Fact& a, const Fact& b) {
  return IsLater(FromProtoTime(a.occurred_at()), FromProtoTime(a.received_at()), a.update_id(),
                 FromProtoTime(b.occurred_at()), FromProtoTime(b.received_at()), b.update_id());
}
bool Later(const v1::WeatherAlertFact& a, const v1::WeatherAlertFact& b) { return LaterFact(a, b); }
bool Later(const v1::OutbreakFact& a, const v1::OutbreakFact& b) { return LaterFact(a, b); }

template <typename Map, typename Fact>
void Keep(Map* map, typename Map::key_type key, const Fact& fact) {
  auto [it, inserted] = map->try_emplace(std::move(key), fact);
  if (!inserted && Later(fact, it->second)) it->second = fact;
}

template <typename T>
const T* Find(const std::map<std::pair<std::string, std::string>, T>& map, const std::string& a,
              const std::string& b) {
  auto it = map.find({a, b});
  return it == map.end() ? nullptr : &it->second;
}

// All values whose key starts with `first`.
template <typename T>
std::vector<const T*> Range(const std::map<std::pair<std::string, std::string>, T>& map,
                            const std::string& first) {
  std::vector<const T*> out;
  for (auto it = map.lower_bound({first, ""}); it != map.end() && it->first.first == first; ++it) {
    out.push_back(&it->second);
  }
  return out;
}

template <typename T>
const T* LaterOf(const T* a, const T* b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  return Later(*a, *b) ? a : b;
}

// Merges two lists keyed by `key`, keeping the later of each key; in key order.
template <typename T, typename KeyFn>
std::vector<const T*> MergeLists(const std::vector<const T*>& a, const std::vector<const T*>& b,
                                 KeyFn key) {
  std::map<std::string, const T*> by_key;
  for (const T* x : a) by_key[key(*x)] = x;
  for (const T* x : b) {
    auto [it, inserted] = by_key.try_emplace(key(*x), x);
    if (!inserted) it->second = LaterOf(it->second, x);
  }
  std::vector<const T*> out;
  for (const auto& [k, x] : by_key) out.push_back(x);
  return out;
}

}  // namespace

bool IsLater(absl::Time occurred_a, absl::Time received_a, const std::string& id_a,
             absl::Time occurred_b, absl::Time received_b, const std::string& id_b) {
  return std::tie(occurred_a, received_a, id_a) > std::tie(occurred_b, received_b, id_b);
}

absl::Time OccurredAt(const v1::RecordedEvent& e) {
  return FromProtoTime(e.event().envelope().occurred_at());
}

void FactStore::Merge(const v1::CapacityFacts& facts) {
  for (const v1::RecordedEvent& e : facts.events()) {
    const auto body = e.event().body_case();
    if (body != events::v1::DomainEvent::kObservation &&
        body != events::v1::DomainEvent::kAcuteAssessment) {
      continue;
    }
    Keep(&latest_, {ScopeKey(e.event().envelope().scope()), e.indicator()}, e);
  }
  for (const auto& h : facts.home_care()) {
    Keep(&home_care_, {h.area_id(), h.part().provider_id()}, h);
  }
  for (const auto& w : facts.weather_alerts()) {
    Keep(&weather_, {w.provider_id(), w.alert().alert_ref()}, w);
  }
  for (const auto& o : facts.outbreaks()) {
    Keep(&outbreaks_, {o.notice().location_id(), o.notice().infection()}, o);
  }
}

const v1::RecordedEvent* FactStore::Latest(const std::string& scope_key,
                                           const std::string& indicator) const {
  return Find(latest_, scope_key, indicator);
}
const v1::HomeCareContribution* FactStore::HomeCare(const std::string& area_id,
                                                    const std::string& provider_id) const {
  return Find(home_care_, area_id, provider_id);
}
std::vector<const v1::HomeCareContribution*> FactStore::HomeCareIn(
    const std::string& area_id) const {
  return Range(home_care_, area_id);
}
const v1::WeatherAlertFact* FactStore::Weather(const std::string& provider_id,
                                               const std::string& alert_ref) const {
  return Find(weather_, provider_id, alert_ref);
}
std::vector<const v1::WeatherAlertFact*> FactStore::AllWeather() const {
  std::vector<const v1::WeatherAlertFact*> out;
  for (const auto& [k, w] : weather_) out.push_back(&w);
  return out;
}
const v1::OutbreakFact* FactStore::Outbreak(const std::string& location_id,
                                            const std::string& infection) const {
  return Find(outbreaks_, location_id, infection);
}
std::vector<const v1::OutbreakFact*> FactStore::OutbreaksAt(const std::string& location_id) const {
  return Range(outbreaks_, location_id);
}

const v1::RecordedEvent* FactLookup::Latest(const std::string& scope_key,
                                            const std::string& indicator) const {
  return LaterOf(confirmed_->Latest(scope_key, indicator), pending_->Latest(scope_key, indicator));
}
const v1::HomeCareContribution* FactLookup::HomeCare(const std::string& area_id,
                                                     const std::string& provider_id) const {
  return LaterOf(confirmed_->HomeCare(area_id, provider_id),
                 pending_->HomeCare(area_id, provider_id));
}
std::vector<const v1::HomeCareContribution*> FactLookup::HomeCareIn(
    const std::string& area_id) const {
  return MergeLists(confirmed_->HomeCareIn(area_id), pending_->HomeCareIn(area_id),
                    [](const v1::HomeCareContribution& h) { return h.part().provider_id(); });
}
const v1::WeatherAlertFact* FactLookup::Weather(const std::string& provider_id,
                                                const std::string& alert_ref) const {
  return LaterOf(confirmed_->Weather(provider_id, alert_ref),
                 pending_->Weather(provider_id, alert_ref));
}
std::vector<const v1::WeatherAlertFact*> FactLookup::AllWeather() const {
  return MergeLists(confirmed_->AllWeather(), pending_->AllWeather(),
                    [](const v1::WeatherAlertFact& w) {
                      return w.provider_id() + "\n" + w.alert().alert_ref();
                    });
}
const v1::OutbreakFact* FactLookup::Outbreak(const std::string& location_id,
                                             const std::string& infection) const {
  return LaterOf(confirmed_->Outbreak(location_id, infection),
                 pending_->Outbreak(location_id, infection));
}
std::vector<const v1::OutbreakFact*> FactLookup::OutbreaksAt(const std::string& location_id) const {
  return MergeLists(confirmed_->OutbreaksAt(location_id), pending_->OutbreaksAt(location_id),
                    [](const v1::OutbreakFact& o) { return o.notice().infection(); });
}

}  // namespace resilience::capacity
