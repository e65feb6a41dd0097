// libFuzzer target: the beds service's ingest decoder and validator. Random bytes are decoded as
// a BedUpdate, checked against the record of the location it names (as the reference data
// describes it, with some occupancy already counted, or no record for an unknown location), and
// a valid update is applied to a copy of the record. Nothing may crash, whatever the bytes.
#include <cstddef>
#include <cstdint>

#include "beds/v1/beds.pb.h"
#include "beds/v1/changes.pb.h"
#include "common/clock/proto_time.h"
#include "services/beds/core/bed_update.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace resilience;
  beds::v1::BedUpdate update;
  if (!update.ParseFromArray(data, static_cast<int>(size))) return 0;
  const std::string location_id = beds::LocationOfUpdate(update);
  beds::v1::LocationRecord record;
  const beds::v1::LocationRecord* known = nullptr;
  for (const auto& l : fuzz::Reference().data().locations()) {
    if (l.id() != location_id) continue;
    *record.mutable_location() = l;
    known = &record;
  }
  beds::UpdateCheck check = beds::CheckBedUpdate(update, known, fuzz::Now(), absl::Minutes(5));
  if (check.ok() && known != nullptr) {
    common::v1::Provenance provenance;
    provenance.set_provider_id("fuzz");
    provenance.set_update_id(update.update_id());
    *provenance.mutable_accepted_at() = ToProtoTime(fuzz::Now());
    beds::v1::LocationRecord copy = record;
    beds::ApplyBedUpdate(update, provenance, absl::Hours(72), &copy);
    // A second, identical update on the changed record: the path of a retry.
    (void)beds::CheckBedUpdate(update, &copy, fuzz::Now(), absl::Minutes(5));
  }
  return 0;
}
