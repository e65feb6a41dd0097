#include "services/escalation/core/opel_levels.h"

#include <algorithm>

#include "common/clock/proto_time.h"
#include "services/escalation/core/levels.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;

std::vector<std::string> AtOrAbove(const std::vector<LevelInput>& inputs, OpelLevel level) {
  std::vector<std::string> out;
  for (const LevelInput& i : inputs) {
    if (i.fresh && i.level >= level && IsLevel(i.level)) out.push_back(i.name);
  }
  return out;
}

}  // namespace

ComputedLevel LevelByQuorum(const std::vector<LevelInput>& inputs, uint32_t quorum,
                            uint32_t expected) {
  ComputedLevel out;
  if (quorum == 0) quorum = 1;
  out.expected = expected > 0 ? expected : static_cast<uint32_t>(inputs.size());
  for (const LevelInput& i : inputs) out.fresh += (i.fresh && IsLevel(i.level)) ? 1 : 0;
  out.coverage = out.expected > 0 ? static_cast<double>(out.fresh) / out.expected : 0;
  if (out.fresh == 0) return out;  // unknown, never Green by default
  for (int l = common::v1::OPEL_LEVEL_4_BLACK; l >= common::v1::OPEL_LEVEL_1_GREEN; --l) {
    auto because = AtOrAbove(inputs, static_cast<OpelLevel>(l));
    // Green needs no quorum: any fresh figure makes a known level.
    if (because.size() >= quorum || l == common::v1::OPEL_LEVEL_1_GREEN) {
      out.level = static_cast<OpelLevel>(l);
      out.because = std::move(because);
      return out;
    }
  }
  return out;
}

ComputedLevel CountyLevel(const std::vector<LevelInput>& areas,
                          const std::vector<LevelInput>& county_indicators,
                          double countywide_share) {
  if (!(countywide_share > 0) || countywide_share > 1) countywide_share = 1;
  ComputedLevel out;
  out.expected = static_cast<uint32_t>(areas.size() + county_indicators.size());
  for (const auto& i : areas) out.fresh += (i.fresh && IsLevel(i.level)) ? 1 : 0;
  for (const auto& i : county_indicators) out.fresh += (i.fresh && IsLevel(i.level)) ? 1 : 0;
  out.coverage = out.expected > 0 ? static_cast<double>(out.fresh) / out.expected : 0;
  const double needed = countywide_share * static_cast<double>(areas.size());
  auto share_at = [&](OpelLevel level) {
    auto names = AtOrAbove(areas, level);
    return std::make_pair(static_cast<double>(names.size()) >= needed - 1e-9 && !areas.empty(), names);
  };
  auto black_indicators = AtOrAbove(county_indicators, common::v1::OPEL_LEVEL_4_BLACK);
  if (auto [countywide, names] = share_at(common::v1::OPEL_LEVEL_4_BLACK);
      countywide || !black_indicators.empty()) {
    out.level = common::v1::OPEL_LEVEL_4_BLACK;
    out.because = black_indicators;
    if (countywide) out.because.insert(out.because.end(), names.begin(), names.end());
    return out;
  }
  if (auto [countywide, names] = share_at(common::v1::OPEL_LEVEL_2_AMBER); countywide) {
    out.level = common::v1::OPEL_LEVEL_3_RED;
    out.because = names;
    return out;
  }
  if (auto names = AtOrAbove(areas, common::v1::OPEL_LEVEL_2_AMBER); !names.empty()) {
    out.level = common::v1::OPEL_LEVEL_2_AMBER;
    out.because = names;
    return out;
  }
  if (out.fresh > 0) out.level = common::v1::OPEL_LEVEL_1_GREEN;
  return out;
}

absl::Time DeclarationExpiry(absl::Time declared_at, absl::TimeZone zone) {
  const absl::CivilDay next = absl::ToCivilDay(declared_at, zone) + 1;
  return absl::FromCivil(absl::CivilMinute(next.year(), next.month(), next.day(), 10, 30), zone);
}

OpelLevel EffectiveLevel(OpelLevel computed, const std::optional<v1::Declaration>& declaration,
                         absl::Time now) {
  if (!declaration.has_value() || !IsLevel(declaration->level())) return computed;
  // In force from when it was recorded until it lapses. A level evaluated as of a moment before
  // the declaration (a figure that arrived late, a replica's clock a little behind) still sees
  // it: the declaration is the official level now, whatever the figure's own time.
  const absl::Time until = declaration->has_expires_at() ? FromProtoTime(declaration->expires_at())
                                                         : absl::InfiniteFuture();
  return now < until ? declaration->level() : computed;
}

}  // namespace resilience::escalation
