#include "services/workforce/core/mutual_aid.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/workforce/core/staffing_level.h"

namespace resilience::workforce {
namespace {

// Rank of a lender's area: 0 same area, 1.. neighbours in order; -1 not eligible.
int AreaRank(const ReferenceIndex& reference, const std::string& borrower_area,
             const std::string& lender_area) {
  if (lender_area == borrower_area) return 0;
  const auto* area = reference.FindArea(borrower_area);
  if (area == nullptr) return -1;
  for (int i = 0; i < area->neighbour_area_ids_size(); ++i) {
    if (area->neighbour_area_ids(i) == lender_area) return i + 1;
  }
  return -1;
}

}  // namespace

absl::StatusOr<v1::SuggestMutualAidResponse> SuggestMutualAid(const StaffingLedger& ledger,
                                                              const ReferenceIndex& reference,
                                                              const std::string& team_id,
                                                              absl::CivilDay day) {
  const reference::v1::Team* team = ledger.FindTeam(team_id);
  if (team == nullptr) return absl::NotFoundError(absl::StrCat("no team '", team_id, "'"));
  v1::SuggestMutualAidResponse out;
  out.set_day(FormatDay(day));
  *out.mutable_team()->mutable_team() = *team;
  *out.mutable_team()->mutable_now() = ledger.StaffingOnDay(*team, day);
  const v1::StaffingPoint& mine = out.team().now();
  const double need =
      std::max(0.0, kGreenFloorPct / 100.0 * team->establishment_wte() - mine.available_wte());
  out.set_needed_wte(need);
  if (need <= 0) return out;

  struct Candidate {
    int rank;
    v1::MutualAidOffer offer;
  };
  std::vector<Candidate> candidates;
  for (const reference::v1::Team* lender : ledger.Teams()) {
    if (lender->id() == team->id() || lender->kind() != team->kind()) continue;
    const int rank = AreaRank(reference, team->area_id(), lender->area_id());
    if (rank < 0) continue;
    const v1::StaffingPoint p = ledger.StaffingOnDay(*lender, day);
    const double spare = p.available_wte() - kGreenFloorPct / 100.0 * lender->establishment_wte();
    if (spare <= 1e-9) continue;
    v1::MutualAidOffer offer;
    offer.set_lending_team_id(lender->id());
    offer.set_lending_area_id(lender->area_id());
    offer.set_same_area(rank == 0);
    offer.set_spare_wte(spare);
    offer.set_lender_level(p.level());
    candidates.push_back({rank, offer});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.offer.spare_wte() > b.offer.spare_wte();
  });
  double remaining = need;
  for (Candidate& c : candidates) {
    const double give = std::min(c.offer.spare_wte(), remaining);
    remaining -= give;
    c.offer.set_suggested_wte(give);
    const auto* lender = ledger.FindTeam(c.offer.lending_team_id());
    const v1::StaffingPoint p = ledger.StaffingOnDay(*lender, day);
    c.offer.set_lender_pct_after(
        StaffingPercent(p.available_wte() - give, lender->establishment_wte()));
    *out.add_offers() = c.offer;
  }
  out.set_unmet_wte(std::max(0.0, remaining));
  return out;
}

v1::CountySummary SummariseCounty(const StaffingLedger& ledger,
                                  const std::vector<std::string>& area_ids, absl::Time now) {
  v1::CountySummary out;
  out.mutable_teams_per_level()->Resize(5, 0);
  double available = 0, cover = 0;
  for (const reference::v1::Team* team : ledger.Teams()) {
    if (!area_ids.empty() &&
        std::find(area_ids.begin(), area_ids.end(), team->area_id()) == area_ids.end()) {
      continue;
    }
    v1::TeamStaffing* t = out.add_teams();
    *t->mutable_team() = *team;
    *t->mutable_now() = ledger.StaffingAt(*team, now);
    out.set_teams_per_level(t->now().level(), out.teams_per_level(t->now().level()) + 1);
    available += t->now().available_wte();
    cover += t->now().cover_wte();
  }
  out.set_cover_share_pct(available > 0 ? cover / available * 100.0 : 0);
  return out;
}

}  // namespace resilience::workforce
