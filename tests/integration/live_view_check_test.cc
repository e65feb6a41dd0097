// The escalation service's reads that feed a publication notice a live view wiped under them.
// A FLUSHALL between a wave's reads once let a board area's roll-up read its member areas'
// levels as missing and publish a step down to OPEL 1 (no alert moved with it), which the
// rebuild then took as the record: the board area's episode lost its alert and a second one
// was raised. Each such read now ends with an EXISTS of the live-view marker (written last by
// a rebuild, gone with a wipe) and answers "live view lost" (IsLiveViewLost) when it is gone, so
// the pipeline leaves the record for after the rebuild. The duty desk's guard reads (one open
// task or prompt at a time) and task and prompt loads do the same, and so do the lists the
// alert API (alerts, indicators, audit trails) and timed re-notification read. Against the
// real Redis.
#include "absl/strings/str_cat.h"
#include "common/redis/hiredis_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/level_state.h"
#include "services/escalation/live_state.h"
#include "services/escalation/workflow_state.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::testing {
namespace {

using escalation::IsLiveViewLost;

TEST(LiveViewCheckTest, ReadsFeedingAPublicationSayWhenTheViewWasWiped) {
  redis::ClientOptions options;
  options.port = RedisPort();
  auto client = redis::NewHiredisClient(options);
  const std::string ns = UniqueNamespace("liveview");
  escalation::LiveState live(client.get(), ns, 1000);
  escalation::LevelState levels(client.get(), &live, ns, 1000);
  escalation::WorkflowState work(client.get(), &live, ns, 1000);
  common::v1::ScopeRef area;
  area.set_kind(common::v1::SCOPE_KIND_AREA);
  area.set_id("west-kent");
  const std::string figure_key = "area/west-kent|referrals_pending_assessment";

  // Whole: the marker is there (a rebuild wrote it last).
  ASSERT_THAT(client->Run({"SET", live.LiveViewKey(), "1"}), IsOk());
  EXPECT_THAT(live.Load(area, "referrals_pending_assessment", "event-1"), IsOk());
  EXPECT_THAT(levels.Load(area), IsOk());
  EXPECT_THAT(levels.LoadFigures({figure_key}), IsOk());
  EXPECT_THAT(work.Guards({"panel", "nhs111"}), IsOk());
  EXPECT_THAT(work.LoadTask("task-1"), IsOk());
  EXPECT_THAT(live.ListAlerts(100), IsOk());
  EXPECT_THAT(live.ListIndicators(), IsOk());
  EXPECT_THAT(work.ListTasks(false), IsOk());
  EXPECT_THAT(live.ListAudit("indicator-level/area/west-kent/beds/1", 10), IsOk());

  // Wiped: the marker went with every other key. The same reads are refused, with the status
  // the pipeline recognises, not read as "nothing here yet".
  ASSERT_THAT(client->Run({"DEL", live.LiveViewKey()}), IsOk());
  auto figure = live.Load(area, "referrals_pending_assessment", "event-1");
  EXPECT_TRUE(IsLiveViewLost(figure.status())) << figure.status();
  auto level = levels.Load(area);
  EXPECT_TRUE(IsLiveViewLost(level.status())) << level.status();
  auto figures = levels.LoadFigures({figure_key});
  EXPECT_TRUE(IsLiveViewLost(figures.status())) << figures.status();
  // A guard read as free would open its task or prompt a second time.
  auto guard = work.Guard("panel");
  EXPECT_TRUE(IsLiveViewLost(guard.status())) << guard.status();
  auto task = work.LoadTask("task-1");
  EXPECT_TRUE(IsLiveViewLost(task.status())) << task.status();
  // The lists (the alert API, timed re-notification) say so too, rather than "none".
  auto alerts = live.ListAlerts(100);
  EXPECT_TRUE(IsLiveViewLost(alerts.status())) << alerts.status();
  auto indicators = live.ListIndicators();
  EXPECT_TRUE(IsLiveViewLost(indicators.status())) << indicators.status();
  auto tasks = work.ListTasks(false);
  EXPECT_TRUE(IsLiveViewLost(tasks.status())) << tasks.status();
  auto audit = live.ListAudit("indicator-level/area/west-kent/beds/1", 10);
  EXPECT_TRUE(IsLiveViewLost(audit.status())) << audit.status();
  // Another unavailability is not mistaken for it.
  EXPECT_FALSE(IsLiveViewLost(absl::UnavailableError("redis 127.0.0.1:1: connection refused")));
}

}  // namespace
}  // namespace resilience::testing
