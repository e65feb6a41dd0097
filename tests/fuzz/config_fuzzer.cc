// libFuzzer target: the config parser (common/config) on every service's config and the
// reference data: random text parsed as protobuf text format into each config message, and what
// parses is put through the escalation service's semantic checks (trigger tables, acute
// frameworks) and the reference index. Errors must come back as Status, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "beds/v1/config.pb.h"
#include "capacity/v1/config.pb.h"
#include "common/config/text_proto.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/config.pb.h"
#include "reference/v1/reference.pb.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/trigger_table.h"
#include "workforce/v1/config.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace resilience;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  escalation::v1::EscalationConfig escalation;
  if (ParseTextProto(text, "fuzz.textproto", &escalation).ok()) {
    (void)escalation::TriggerTables::FromConfig(escalation.trigger_tables());
    (void)escalation::AcuteFrameworks::FromConfig(escalation.acute_frameworks());
  }
  reference::v1::ReferenceData reference;
  if (ParseTextProto(text, "fuzz.textproto", &reference).ok()) {
    (void)ReferenceIndex::Build(reference);
  }
  capacity::v1::CapacityConfig capacity;
  (void)ParseTextProto(text, "fuzz.textproto", &capacity);
  beds::v1::BedsConfig beds;
  (void)ParseTextProto(text, "fuzz.textproto", &beds);
  workforce::v1::WorkforceConfig workforce;
  (void)ParseTextProto(text, "fuzz.textproto", &workforce);
  return 0;
}
