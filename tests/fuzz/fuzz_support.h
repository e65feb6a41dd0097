// Shared set-up of the libFuzzer targets: the Kent and Medway reference data and configs, loaded
// once per process from the source tree (RESILIENCE_SOURCE_DIR at build time, or the environment
// variable of that name), and a fixed clock. A fuzzer that cannot load them aborts at start-up,
// before any input: that is a broken build, not a finding. Thread-compatible (libFuzzer runs
// one input at a time).
#ifndef RESILIENCE_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define RESILIENCE_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/config/text_proto.h"
#include "common/reference/reference_index.h"

namespace resilience::fuzz {

inline std::string SourceDir() {
  const char* env = std::getenv("RESILIENCE_SOURCE_DIR");
  return env != nullptr ? env : RESILIENCE_SOURCE_DIR;
}

inline std::string ConfigPath(const std::string& file) {
  return SourceDir() + "/deploy/config/kent-medway/" + file;
}

template <typename T>
T LoadOrDie(const std::string& file) {
  auto loaded = LoadTextProto<T>(ConfigPath(file));
  if (!loaded.ok()) {
    std::fprintf(stderr, "fuzz set-up: %s\n", loaded.status().ToString().c_str());
    std::abort();
  }
  return *std::move(loaded);
}

inline const ReferenceIndex& Reference() {
  static const std::shared_ptr<const ReferenceIndex> index = [] {
    auto built = ReferenceIndex::Load(ConfigPath("reference.textproto"));
    if (!built.ok()) {
      std::fprintf(stderr, "fuzz set-up: %s\n", built.status().ToString().c_str());
      std::abort();
    }
    return *std::move(built);
  }();
  return *index;
}

// 1 December 2026, 09:00 UTC: the fuzzers' "now".
inline absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone());
}

}  // namespace resilience::fuzz

#endif  // RESILIENCE_TESTS_FUZZ_FUZZ_SUPPORT_H_
