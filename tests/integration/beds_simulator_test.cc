// The bed management simulator (tools/bedsim) against the real service and broker: the same
// seeded day streamed as events, as snapshots and as a mix, each into a fresh service, leaves
// exactly the same availability, and the occupancy the simulator believes it reported.
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/integration/beds_test_support.h"

namespace resilience::testing {
namespace {

// Runs a command; its standard output and exit status.
std::pair<std::string, int> RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

class BedsSimulatorTest : public BedsServiceTest {};

// Every row of the simulated provider's homes, "location type total/occupied/held/closed/avail".
std::vector<std::string> AvailabilityRows(beds::v1::BedsService::Stub* stub) {
  grpc::ClientContext context;
  beds::v1::GetAvailabilityRequest q;
  for (const char* id : {"rh-oast-house", "nh-greensand-ridge", "nh-thames-reach"}) {
    q.add_location_ids(id);
  }
  beds::v1::AvailabilityReport r;
  EXPECT_TRUE(stub->GetAvailability(&context, q, &r).ok());
  std::vector<std::string> rows;
  for (const auto& l : r.locations()) {
    for (const auto& b : l.beds()) {
      rows.push_back(absl::StrCat(l.location().id(), " ", reference::v1::BedType_Name(b.bed_type()),
                                  " ", b.total(), "/", b.occupied(), "/", b.held(), "/",
                                  b.closed(), "/", b.available()));
    }
  }
  return rows;
}

TEST_F(BedsSimulatorTest, EventsSnapshotsAndAMixGiveTheSameAvailability) {
  std::vector<std::vector<std::string>> results;
  std::string first_model;
  for (const std::string style : {"events", "snapshots", "mixed"}) {
    SCOPED_TRACE(style);
    if (service_) {
      ASSERT_THAT(service_->process.Terminate(), IsOk());
      ns_ = UniqueNamespace("bedsim");
      ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
    }
    ASSERT_NO_FATAL_FAILURE(Start());
    const std::string command = absl::StrCat(
        BinaryDir(), "/tools/bedsim/bedsim stream --address=", service_->address(),
        " --provider=care-group-weald --reference=", SourceDir(),
        "/deploy/config/kent-medway/reference.textproto --updates=150 --seed=7 --style=", style,
        " --run_id=", style, " 2>/dev/null");
    auto [model, status] = RunCommand(command);
    EXPECT_EQ(status, 0) << model;
    ASSERT_FALSE(model.empty());
    if (first_model.empty()) first_model = model;
    EXPECT_EQ(model, first_model);  // the simulator made the same changes
    results.push_back(AvailabilityRows(stub_.get()));
    // What the simulator believes equals what the service counts.
    for (absl::string_view line : absl::StrSplit(model, '\n', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      ASSERT_EQ(f.size(), 6u) << line;
      bool found = false;
      for (const auto& row : results.back()) {
        if (absl::StartsWith(row, absl::StrCat(f[0], " ", f[1], " ", f[3], "/", f[5], "/"))) {
          found = true;
        }
      }
      EXPECT_TRUE(found) << line;
    }
  }
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
}

}  // namespace
}  // namespace resilience::testing
