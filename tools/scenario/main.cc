// scenario: replays a scenario file (deploy/scenarios/*.textproto) against the running platform
// on the compressed clock the services were started with, printing a narrative of what was done
// and what the platform answered. Exit 0 when everything went as the scenario says, 1 on a
// refusal it did not expect or an expectation not met, 2 on bad flags or a bad scenario file.
// Wiring only; the logic is tools/scenario/replayer.h.
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "tools/scenario/grpc_platform.h"
#include "tools/scenario/replayer.h"
#include "tools/scenario/scenario_clock.h"
#include "tools/scenario/timeline.h"

ABSL_FLAG(std::string, scenario, "", "Scenario file (textproto). Required.");
ABSL_FLAG(std::string, reference, "",
          "Reference data textproto: checks the scenario's ids and names scopes and people.");
ABSL_FLAG(std::string, workforce, "127.0.0.1:50051", "Workforce service address.");
ABSL_FLAG(std::string, escalation, "127.0.0.1:50052", "Escalation service address.");
ABSL_FLAG(std::string, capacity, "127.0.0.1:50053", "Capacity service address.");
ABSL_FLAG(std::string, beds, "127.0.0.1:50054", "Beds service address.");
ABSL_FLAG(double, clock_speed, 0, "Scenario seconds per real second; 0 means the scenario's speed.");
ABSL_FLAG(std::string, clock_epoch, "",
          "Real time (Unix seconds, may be fractional) at which the services' clock read the "
          "scenario's clock_start; empty means now.");
ABSL_FLAG(std::string, viewer, "helen-marsh", "Staff person whose view is narrated and checked.");
ABSL_FLAG(bool, keep_going, false, "Go on after a failed step (still exits 1).");
ABSL_FLAG(bool, quiet, false, "Do not narrate what the platform shows changing.");
ABSL_FLAG(bool, check, false, "Only load and check the scenario, then exit.");
ABSL_FLAG(bool, print_clock, false,
          "Print the scenario's clock start (RFC 3339) and speed as 'START SPEED', then exit.");
ABSL_FLAG(double, grace_seconds, 2, "Real seconds an expectation gets past its deadline.");
ABSL_FLAG(double, trail_seconds, 0.5,
          "Real seconds the replayer's clock trails the services' mapping, so that a service whose "
          "clock started a moment late (it reads --clock_start once it has started) never receives "
          "an update from its future (refused beyond 5 minutes).");

namespace {

int Usage(const std::string& message) {
  std::cerr << "scenario: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Replays a scenario file against the running platform.");
  absl::ParseCommandLine(argc, argv);
  using resilience::scenario::AnchoredClock;
  using resilience::scenario::GrpcPlatform;
  using resilience::scenario::GrpcPlatformOptions;
  using resilience::scenario::ReplayOptions;
  using resilience::scenario::Replayer;

  if (absl::GetFlag(FLAGS_scenario).empty()) return Usage("--scenario is required");
  auto timeline = resilience::scenario::LoadTimeline(absl::GetFlag(FLAGS_scenario));
  if (!timeline.ok()) return Usage(std::string(timeline.status().message()));
  const double speed = absl::GetFlag(FLAGS_clock_speed) > 0 ? absl::GetFlag(FLAGS_clock_speed)
                       : timeline->scenario.speed() > 0   ? timeline->scenario.speed()
                                                          : 1.0;
  if (absl::GetFlag(FLAGS_print_clock)) {
    std::cout << absl::FormatTime(absl::RFC3339_sec, timeline->clock_start, absl::UTCTimeZone())
              << " " << speed << "\n";
    return 0;
  }

  ReplayOptions options;
  if (!absl::GetFlag(FLAGS_reference).empty()) {
    auto reference = resilience::ReferenceIndex::Load(absl::GetFlag(FLAGS_reference));
    if (!reference.ok()) return Usage(std::string(reference.status().message()));
    absl::Status checked = resilience::scenario::CheckReferences(*timeline, **reference);
    if (!checked.ok()) return Usage(std::string(checked.message()));
    options.reference = *reference;
  }
  if (absl::GetFlag(FLAGS_check)) {
    std::cout << absl::GetFlag(FLAGS_scenario) << ": " << timeline->scenario.steps_size()
              << " steps, OK\n";
    return 0;
  }

  absl::Time epoch = absl::Now();
  if (!absl::GetFlag(FLAGS_clock_epoch).empty()) {
    double seconds = 0;
    if (!absl::SimpleAtod(absl::GetFlag(FLAGS_clock_epoch), &seconds)) {
      return Usage("--clock_epoch: Unix seconds expected");
    }
    epoch = absl::FromUnixNanos(static_cast<int64_t>(seconds * 1e9));
  }
  AnchoredClock clock(timeline->clock_start,
                      epoch + absl::Milliseconds(absl::GetFlag(FLAGS_trail_seconds) * 1000), speed);

  GrpcPlatformOptions platform_options;
  platform_options.workforce_address = absl::GetFlag(FLAGS_workforce);
  platform_options.capacity_address = absl::GetFlag(FLAGS_capacity);
  platform_options.beds_address = absl::GetFlag(FLAGS_beds);
  platform_options.escalation_address = absl::GetFlag(FLAGS_escalation);
  GrpcPlatform platform(platform_options);

  options.viewer = absl::GetFlag(FLAGS_viewer);
  options.keep_going = absl::GetFlag(FLAGS_keep_going);
  options.narrate_platform = !absl::GetFlag(FLAGS_quiet);
  options.grace = absl::Seconds(absl::GetFlag(FLAGS_grace_seconds));
  Replayer replayer(&*timeline, &platform, &clock, &std::cout, options);
  const absl::Time started = absl::Now();
  absl::Status status = replayer.Run();
  const auto& s = replayer.summary();
  std::cout << "\n== " << (status.ok() ? "Replayed" : "Stopped after") << " " << s.steps << " of "
            << timeline->scenario.steps_size() << " steps in "
            << absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Seconds(1)))
            << " at " << speed << "x: " << s.updates_accepted << " updates accepted, "
            << s.updates_duplicate << " already taken (duplicates), " << s.refused_as_expected
            << " refused as expected, " << s.staff_actions << " staff actions, "
            << s.expectations_met << " expectations met, " << s.failures << " failed.\n";
  if (!status.ok()) {
    std::cerr << "scenario: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
