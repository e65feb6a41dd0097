#include "tests/fault/escalation_harness.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/scope/scope_key.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/infra.h"
#include "tests/testing/kafka_lag.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {

namespace esc = escalation::v1;

absl::StatusOr<RunningService> StartEscalation(const std::string& ns,
                                               const std::vector<std::string>& extra) {
  std::vector<std::string> args = {
      "--config=" + SourceDir() + "/deploy/config/kent-medway/escalation.textproto",
      "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
      "--kafka_bootstrap=" + KafkaBootstrap(), "--redis_port=" + std::to_string(RedisPort()),
      "--namespace=" + ns};
  args.insert(args.end(), extra.begin(), extra.end());
  return StartService("escalation-service", args, absl::Seconds(60));
}

bool WaitEscalationApplied(const std::string& ns, absl::Duration deadline) {
  return WaitFor(
      [&] {
        auto lag = GroupLag(KafkaBootstrap(), ns + "escalation",
                            {ns + "capacity", ns + "beds", ns + "workforce"});
        return lag.ok() && *lag == 0;
      },
      deadline, absl::Milliseconds(50));
}

namespace {

grpc::ClientContext* Staff(grpc::ClientContext* context) {
  context->AddMetadata("x-staff-user", kCountyWideStaff);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

// "nhs111-dos/county/kent/1796122810827" -> "nhs111-dos/county/kent/<time>": ids of tasks and
// their alerts carry the millisecond the level was reached, which depends on interleaving.
std::string WithoutTime(const std::string& id) {
  const size_t slash = id.rfind('/');
  if (slash == std::string::npos || id.size() - slash - 1 < 12) return id;
  for (size_t i = slash + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return id;
  }
  return id.substr(0, slash) + "/<time>";
}

bool IsScopeLevelRule(const std::string& rule) {
  return rule == "area-level" || rule == "county-level" || rule == "board-area-level" ||
         rule == "ics-level";
}

}  // namespace

std::vector<std::string> EscalationSnapshot(esc::AlertService::Stub& stub, SnapshotDetail detail) {
  const bool exact = detail == SnapshotDetail::kExact;
  std::vector<std::string> lines;
  esc::ListAlertsRequest list;
  list.mutable_filter()->set_include_resolved(true);
  list.set_limit(500);
  esc::ListAlertsResponse alerts;
  {
    grpc::ClientContext context;
    grpc::Status s = stub.ListAlerts(Staff(&context), list, &alerts);
    if (!s.ok()) lines.push_back("ListAlerts failed: " + s.error_message());
  }
  for (const auto& a : alerts.alerts()) {
    // Protocol tasks and decision prompts open for the first scope to reach a level (the
    // extraordinary panel for the first area at OPEL 4): which one that is depends on the order.
    if (!exact && !a.task_id().empty()) continue;
    std::vector<std::string> roles;
    for (const auto& r : a.recipients()) roles.push_back(r.role_id());
    std::string line = absl::StrCat("alert ", exact ? a.alert_id() : WithoutTime(a.alert_id()),
                                    " ", esc::AlertState_Name(a.state()),
                                    " L", static_cast<int>(a.level()), " to ",
                                    absl::StrJoin(roles, ","));
    // A scope level's revisions count the steps it took, which depend on the order figures of
    // different scopes arrived in; an indicator's own alert depends on its scope's figures only.
    // So do the steps of a county figure (a total derived from many providers' figures).
    if (exact || !(IsScopeLevelRule(a.rule()) || a.scope().kind() == common::v1::SCOPE_KIND_COUNTY)) {
      absl::StrAppend(&line, " rev ", a.revision(), " group ", a.group_id());
    }
    if (exact) {
      esc::ListAuditRequest audit_request;
      audit_request.set_subject(a.alert_id());
      esc::ListAuditResponse audit;
      grpc::ClientContext context;
      grpc::Status s = stub.ListAudit(Staff(&context), audit_request, &audit);
      if (!s.ok()) absl::StrAppend(&line, " ListAudit failed: ", s.error_message());
      std::vector<std::string> actions;
      for (const auto& r : audit.records()) {
        actions.push_back(absl::StrCat(r.action(), "@", r.at().seconds()));
      }
      absl::StrAppend(&line, " audit ", absl::StrJoin(actions, ","));
    }
    lines.push_back(std::move(line));
  }
  esc::StatusBoard board;
  {
    grpc::ClientContext context;
    grpc::Status s = stub.GetStatusBoard(Staff(&context), esc::GetStatusBoardRequest(), &board);
    if (!s.ok()) lines.push_back("GetStatusBoard failed: " + s.error_message());
  }
  for (const auto& l : board.levels()) {
    std::string line = absl::StrCat("level ", ScopeKey(l.scope()), " computed L",
                                    static_cast<int>(l.computed_level()), " effective L",
                                    static_cast<int>(l.effective_level()), " pending L",
                                    static_cast<int>(l.pending_level()));
    if (exact) absl::StrAppend(&line, " since ", l.since().seconds());
    lines.push_back(std::move(line));
  }
  for (const auto& i : board.indicators()) {
    // Figures the services derive (county totals, team staffing) get ids from when they were
    // derived; only their levels are order-free.
    lines.push_back(absl::StrCat("figure ", ScopeKey(i.latest().scope()), " ", i.latest().indicator(),
                                 " L", static_cast<int>(i.latest().level()), " held L",
                                 static_cast<int>(i.held_level()),
                                 exact ? " event " + i.latest().event_id() : ""));
  }
  if (!exact) {
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  esc::ListTasksRequest tasks_request;
  tasks_request.set_include_closed(true);
  esc::ListTasksResponse tasks;
  {
    grpc::ClientContext context;
    grpc::Status s = stub.ListTasks(Staff(&context), tasks_request, &tasks);
    if (!s.ok()) lines.push_back("ListTasks failed: " + s.error_message());
  }
  for (const auto& t : tasks.tasks()) {
    std::vector<std::string> steps;
    for (const auto& s : t.steps()) steps.push_back(absl::StrCat(s.step_id(), s.done_by().empty() ? "" : "=done"));
    lines.push_back(absl::StrCat("task ", exact ? t.task_id() : WithoutTime(t.task_id()),
                                 t.closed() ? " closed " : " open ",
                                 absl::StrJoin(steps, ",")));
  }
  esc::ListDecisionPromptsRequest prompts_request;
  prompts_request.set_include_answered(true);
  esc::ListDecisionPromptsResponse prompts;
  {
    grpc::ClientContext context;
    grpc::Status s = stub.ListDecisionPrompts(Staff(&context), prompts_request, &prompts);
    if (!s.ok()) lines.push_back("ListDecisionPrompts failed: " + s.error_message());
  }
  for (const auto& p : prompts.prompts()) {
    lines.push_back(absl::StrCat("prompt ", exact ? p.prompt_id() : WithoutTime(p.prompt_id()), " ",
                                 p.title()));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

AlertStreamRecorder::AlertStreamRecorder(std::function<std::string()> address)
    : address_(std::move(address)), thread_([this] { Run(); }) {}

AlertStreamRecorder::~AlertStreamRecorder() {
  stop_.store(true);
  {
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr) context_->TryCancel();
  }
  thread_.join();
}

std::map<std::string, int> AlertStreamRecorder::Received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

void AlertStreamRecorder::Run() {
  bool first = true;
  while (!stop_.load()) {
    const std::string address = address_();
    auto stub = esc::AlertService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("x-staff-user", kCountyWideStaff);
    esc::SubscribeRequest request;
    {
      absl::MutexLock lock(&mu_);
      if (stop_.load()) return;
      request.set_resume_token(resume_token_);
      context_ = &context;
    }
    if (!first) reconnections_.fetch_add(1);
    first = false;
    auto reader = stub->Subscribe(&context, request);
    esc::AlertStreamItem item;
    while (reader->Read(&item)) {
      connected_.store(true);
      absl::MutexLock lock(&mu_);
      if (!item.resume_token().empty()) resume_token_ = item.resume_token();
      if (item.has_alert()) {
        ++received_[absl::StrCat(item.alert().alert_id(), "#", item.alert().revision())];
        alerts_.fetch_add(1);
      }
    }
    reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    }
    // The service is down or restarting: try again shortly (bounded by the test's own deadline).
    if (!stop_.load()) absl::SleepFor(absl::Milliseconds(200));
  }
}

std::vector<std::string> Duplicates(const std::map<std::string, int>& received) {
  std::vector<std::string> out;
  for (const auto& [key, n] : received) {
    if (n > 1) out.push_back(absl::StrCat(key, " x", n));
  }
  return out;
}

}  // namespace resilience::testing
