// libFuzzer target: the workforce service's ingest decoder and validator. Random bytes are
// decoded as a WorkforceUpdate, validated against a ledger holding the reference data's teams,
// and a valid update becomes a change applied to the ledger (so later inputs meet absences and
// bookings earlier ones made) and its staffing recomputed. Nothing may crash, whatever the bytes.
#include <cstddef>
#include <cstdint>

#include "services/workforce/core/staffing_ledger.h"
#include "services/workforce/core/workforce_update.h"
#include "tests/fuzz/fuzz_support.h"
#include "workforce/v1/workforce.pb.h"

namespace {

resilience::workforce::StaffingLedger& Ledger() {
  static auto* ledger = [] {
    auto* l = new resilience::workforce::StaffingLedger(absl::UTCTimeZone());
    for (const auto& team : resilience::fuzz::Reference().data().teams()) {
      resilience::workforce::v1::WorkforceChange change;
      *change.mutable_team() = team;
      l->Apply(change);
    }
    return l;
  }();
  return *ledger;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace resilience;
  workforce::v1::WorkforceUpdate update;
  if (!update.ParseFromArray(data, static_cast<int>(size))) return 0;
  workforce::StaffingLedger& ledger = Ledger();
  auto violations = workforce::ValidateWorkforceUpdate(update, ledger, fuzz::Now(), absl::Minutes(5));
  if (!violations.empty()) return 0;
  workforce::v1::WorkforceChange change = workforce::ToChange(update, "fuzz", fuzz::Now());
  ledger.Apply(change);
  (void)workforce::TeamsTouched(change, ledger);
  (void)workforce::TransitionTimes(change);
  return 0;
}
