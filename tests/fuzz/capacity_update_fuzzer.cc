// libFuzzer target: the capacity service's ingest decoder and validator. Random bytes are
// decoded as a CapacityUpdate (the protobuf parse the gRPC layer does), validated for every
// provider of the reference data, and a valid update is planned into events as the service
// would. Nothing may crash, hang or touch memory it should not, whatever the bytes.
#include <cstddef>
#include <cstdint>

#include "capacity/v1/capacity.pb.h"
#include "capacity/v1/config.pb.h"
#include "services/capacity/core/capacity_rules.h"
#include "services/capacity/core/fact_store.h"
#include "services/capacity/core/update_plan.h"
#include "services/capacity/core/update_validation.h"
#include "tests/fuzz/fuzz_support.h"

namespace resilience::capacity {
namespace {

const CapacityRules& Rules() {
  static const CapacityRules* rules = [] {
    auto config = fuzz::LoadOrDie<v1::CapacityConfig>("capacity.textproto");
    auto r = RulesFromConfig(config, fuzz::Reference(), "capacity.textproto");
    if (!r.ok()) std::abort();
    return new CapacityRules(*std::move(r));
  }();
  return *rules;
}

}  // namespace
}  // namespace resilience::capacity

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace resilience;
  capacity::v1::CapacityUpdate update;
  if (!update.ParseFromArray(data, static_cast<int>(size))) return 0;
  const capacity::CapacityRules& rules = capacity::Rules();
  for (const auto& provider : fuzz::Reference().data().providers()) {
    capacity::Verdict verdict = capacity::ValidateCapacityUpdate(update, size, provider,
                                                                 fuzz::Reference(), rules, fuzz::Now());
    if (!verdict.ok()) continue;
    capacity::FactStore confirmed, pending;
    capacity::FactLookup facts(&confirmed, &pending);
    capacity::UpdatePlan plan =
        capacity::PlanUpdate(update, provider.id(), fuzz::Now(), facts, fuzz::Reference(), rules);
    (void)plan;
  }
  return 0;
}
