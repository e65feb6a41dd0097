// opsctl: the command-line client for operations staff and integration engineers.
//
//   opsctl health   --address=HOST:PORT [--service=NAME]     health of a server (exit 0 if SERVING)
//   opsctl services --address=HOST:PORT                      services listed by reflection
//   opsctl report-staffing --address=HOST:PORT --team=ID --available_wte=N
//                   [--update_id=ID] [--provider=ID] [--note=TEXT]
//   opsctl absence  --address=HOST:PORT --team=ID --person=REF --absence_id=ID
//                   [--kind=sickness|annual_leave|training|other] [--starts=RFC3339] [--ends=RFC3339]
//                   [--wte=F] [--cancel]                  report (or cancel) an absence
//   opsctl team     --address=HOST:PORT --team=ID        staffing now and for 14 days
//   opsctl mutual-aid --address=HOST:PORT --team=ID [--day=YYYY-MM-DD]
//   opsctl watch    --address=HOST:PORT [--resume_token=T] [--area=ID] [--min_level=N]
//                   [--count=N] [--timeout_seconds=N] [--json]
//   opsctl alerts   --address=HOST:PORT [--json]             current alerts
//   opsctl ack      --address=HOST:PORT --user=STAFF_ID --alert_id=ID [--note=TEXT]
//   opsctl audit    --address=HOST:PORT --alert_id=ID|--area=ID   audit trail of an alert or area
//   opsctl declare  --address=HOST:PORT --user=STAFF_ID --area=ID --level=N --reason=TEXT
//                   [--withdraw]                         declare (or withdraw) a KCC area level
//   opsctl board    --address=HOST:PORT [--json]             indicator statuses as a table
//
// Every command also takes --tls_ca=PEM [--tls_cert=PEM --tls_key=PEM] for TLS and mTLS ports
// (the production config), and staff commands --token=T (or $OPSCTL_TOKEN) to sign in with a
// bearer token instead of naming the user.
#include <cstdlib>
#include <algorithm>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/clock/proto_time.h"
#include "common/grpc/server_probe.h"
#include "common/grpc/tls_credentials.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/scope/scope_key.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "workforce/v1/workforce.grpc.pb.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051", "Server address host:port.");
ABSL_FLAG(std::string, service, "", "health: service name (empty = whole server).");
ABSL_FLAG(std::string, team, "", "report-staffing: team id.");
ABSL_FLAG(double, available_wte, -1, "report-staffing: available whole-time equivalents.");
ABSL_FLAG(std::string, update_id, "", "report-staffing: update id (default: a new UUID).");
ABSL_FLAG(std::string, provider, "rostering-kcc",
          "report-staffing/absence: provider id sent as x-provider-id (it may write only its own "
          "teams; default the KCC rostering and HR system of the development reference data).");
ABSL_FLAG(std::string, note, "", "report-staffing: note.");
ABSL_FLAG(std::string, person, "", "absence: pseudonymous person reference.");
ABSL_FLAG(std::string, absence_id, "", "absence: the absence's id (default: a new UUID).");
ABSL_FLAG(std::string, kind, "sickness", "absence: sickness, annual_leave, training or other.");
ABSL_FLAG(std::string, starts, "", "absence: start, RFC 3339 (default: now).");
ABSL_FLAG(std::string, ends, "", "absence: end, RFC 3339 (default: open-ended).");
ABSL_FLAG(double, wte, 1.0, "absence: fraction of a WTE absent.");
ABSL_FLAG(bool, cancel, false, "absence: cancel the absence --absence_id.");
ABSL_FLAG(std::string, day, "", "mutual-aid: local day YYYY-MM-DD (default: today).");
ABSL_FLAG(std::string, user, "",
          "Staff user id signing in to the escalation service (sent as x-staff-user); default "
          "$OPSCTL_USER, else helen-marsh (the county-wide service manager of the development "
          "reference data).");
ABSL_FLAG(std::string, token, "",
          "Staff bearer token for the escalation service (sent as \"authorization: Bearer\"; "
          "default $OPSCTL_TOKEN), e.g. dev-token-priya-nair in development. With a token, "
          "x-staff-user is sent only when --user is given.");
ABSL_FLAG(std::string, tls_ca, "",
          "TLS: PEM of the CA that signed the server's certificate (e.g. var/tls/ca.pem); empty "
          "= plaintext (local development).");
ABSL_FLAG(std::string, tls_cert, "",
          "mTLS: PEM client certificate (e.g. var/tls/clients/rostering-kcc.pem); a provider's "
          "certificate names it, so x-provider-id is then not sent.");
ABSL_FLAG(std::string, tls_key, "", "mTLS: PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_server_name, "",
          "TLS: name to check the server's certificate against instead of --address's host.");
ABSL_FLAG(std::string, task_id, "", "step: the protocol task.");
ABSL_FLAG(std::string, step_id, "", "step: the step done.");
ABSL_FLAG(std::string, prompt_id, "", "answer: the decision prompt.");
ABSL_FLAG(std::string, decision, "", "answer: respond or decline.");
ABSL_FLAG(std::string, action_id, "", "act: the action of the alert's card.");
ABSL_FLAG(bool, not_done, false, "act: record the action as not done.");
ABSL_FLAG(std::string, risks, "", "act: the risks anticipated (plan Appendix 3).");
ABSL_FLAG(std::string, scope, "", "silence: scope as <kind>/<id>, e.g. area/west-kent.");
ABSL_FLAG(std::string, indicator, "", "silence: only this indicator (default: every one).");
ABSL_FLAG(int, hours, 4, "silence: how long, hours.");
ABSL_FLAG(std::string, silence_id, "", "unsilence: the silence to end.");
ABSL_FLAG(bool, all, false, "tasks/prompts: include closed tasks and answered prompts.");
ABSL_FLAG(std::string, alert_id, "", "ack/audit: the alert.");
ABSL_FLAG(int, level, 0, "declare: OPEL level 1-4.");
ABSL_FLAG(std::string, reason, "", "declare: why (at least 10 characters).");
ABSL_FLAG(bool, withdraw, false, "declare: withdraw the declaration in force.");
ABSL_FLAG(std::string, resume_token, "", "watch: continue after this token.");
ABSL_FLAG(std::string, area, "", "watch/alerts: only this KCC locality.");
ABSL_FLAG(int, min_level, 0, "watch/alerts: only alerts at this OPEL level or above.");
ABSL_FLAG(int, count, 0, "watch: exit after this many alerts (0 = never).");
ABSL_FLAG(int, timeout_seconds, 0, "watch: give up after this long (0 = never).");
ABSL_FLAG(bool, json, false, "Print JSON instead of text.");

namespace {

namespace esc = resilience::escalation::v1;

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string Colour(resilience::common::v1::OpelLevel level) {
  switch (level) {
    case 1: return "GREEN (OPEL 1)";
    case 2: return "AMBER (OPEL 2)";
    case 3: return "RED (OPEL 3)";
    case 4: return "BLACK (OPEL 4)";
    default: return "UNKNOWN";
  }
}

// Signs the call in as the staff user: with a bearer token (--token or $OPSCTL_TOKEN) when there
// is one, else by naming the user (--user, $OPSCTL_USER, or the development default), which only
// development ports accept.
grpc::ClientContext* AsStaff(grpc::ClientContext* context) {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty() && std::getenv("OPSCTL_TOKEN") != nullptr) token = std::getenv("OPSCTL_TOKEN");
  std::string user = absl::GetFlag(FLAGS_user);
  if (user.empty() && std::getenv("OPSCTL_USER") != nullptr) user = std::getenv("OPSCTL_USER");
  if (!token.empty()) {
    context->AddMetadata("authorization", "Bearer " + token);
    if (!user.empty()) context->AddMetadata("x-staff-user", user);  // must match the token
    return context;
  }
  if (user.empty()) user = "helen-marsh";
  context->AddMetadata("x-staff-user", user);
  return context;
}

// Names the provider (--provider) unless a client certificate already does (mTLS).
grpc::ClientContext* AsProvider(grpc::ClientContext* context) {
  if (absl::GetFlag(FLAGS_tls_cert).empty()) {
    context->AddMetadata("x-provider-id", absl::GetFlag(FLAGS_provider));
  }
  return context;
}

int Report(const absl::Status& status) {
  std::cerr << "opsctl: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  for (const auto& v : resilience::FieldViolationsOf(status)) {
    std::cerr << "  " << v.field() << ": " << v.reason() << "\n";
  }
  return EXIT_FAILURE;
}

void PrintAlert(const esc::Alert& a, const std::string& token) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << Json(a) << std::endl;
    return;
  }
  std::cout << absl::StrFormat("[%s] %s  %s\n    %s\n    id=%s revision=%d state=%s token=%s\n",
                               Colour(a.level()), absl::FormatTime("%H:%M:%S", resilience::FromProtoTime(a.updated_at()), absl::UTCTimeZone()),
                               a.title(), a.summary(), a.alert_id(), a.revision(),
                               esc::AlertState_Name(a.state()), token)
            << std::flush;
}

int Watch(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = esc::AlertService::NewStub(channel);
  esc::SubscribeRequest request;
  request.set_resume_token(absl::GetFlag(FLAGS_resume_token));
  if (!absl::GetFlag(FLAGS_area).empty()) request.mutable_filter()->add_area_ids(absl::GetFlag(FLAGS_area));
  request.mutable_filter()->set_min_level(
      static_cast<resilience::common::v1::OpelLevel>(absl::GetFlag(FLAGS_min_level)));
  const int want = absl::GetFlag(FLAGS_count);
  const int timeout = absl::GetFlag(FLAGS_timeout_seconds);
  int seen = 0;
  std::string token = request.resume_token();
  // Reconnects after a dropped stream, resuming after the last token received.
  const absl::Time deadline = timeout > 0 ? absl::Now() + absl::Seconds(timeout) : absl::InfiniteFuture();
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    AsStaff(&context);
    if (timeout > 0) context.set_deadline(absl::ToChronoTime(deadline));
    request.set_resume_token(token);
    auto reader = stub->Subscribe(&context, request);
    esc::AlertStreamItem item;
    bool announced = false;
    while (reader->Read(&item)) {
      token = item.resume_token();
      if (!announced) {
        std::cerr << "opsctl: subscribed at " << token << std::endl;
        announced = true;
      }
      if (!item.has_alert()) continue;
      PrintAlert(item.alert(), token);
      if (want > 0 && ++seen >= want) {
        context.TryCancel();
        return EXIT_SUCCESS;
      }
    }
    grpc::Status status = reader->Finish();
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) break;
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
        status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      return Report(resilience::FromGrpcStatus(status));
    }
    std::cerr << "opsctl: stream ended (" << status.error_message() << "); reconnecting\n";
    absl::SleepFor(absl::Milliseconds(500));  // pacing reconnects, not synchronisation
  }
  std::cerr << "opsctl: timed out after " << seen << " alert(s)\n";
  return want > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << "usage: opsctl health|services|report-staffing|absence|team|mutual-aid|watch|alerts|ack|act|audit|declare|board|tasks|step|prompts|answer|silence|silences|unsilence --address=HOST:PORT ...\n";
    return 2;
  }
  const std::string command = args[1];
  resilience::common::v1::ClientTlsSettings tls;
  tls.set_ca_path(absl::GetFlag(FLAGS_tls_ca));
  tls.set_cert_path(absl::GetFlag(FLAGS_tls_cert));
  tls.set_key_path(absl::GetFlag(FLAGS_tls_key));
  tls.set_server_name(absl::GetFlag(FLAGS_tls_server_name));
  auto secured = resilience::NewGrpcChannel(absl::GetFlag(FLAGS_address), tls, "", "--tls");
  if (!secured.ok()) return Report(secured.status());
  std::shared_ptr<grpc::Channel> channel = *std::move(secured);

  if (command == "health") {
    auto status = resilience::CheckHealth(channel, absl::GetFlag(FLAGS_service));
    if (!status.ok()) return Report(status.status());
    std::cout << absl::GetFlag(FLAGS_address) << " " << *status << "\n";
    return *status == "SERVING" ? EXIT_SUCCESS : EXIT_FAILURE;
  }
  if (command == "services") {
    auto names = resilience::ListServicesByReflection(channel);
    if (!names.ok()) return Report(names.status());
    for (const auto& n : *names) std::cout << n << "\n";
    return EXIT_SUCCESS;
  }
  if (command == "report-staffing") {
    auto stub = resilience::workforce::v1::WorkforceService::NewStub(channel);
    resilience::workforce::v1::StaffingReport report;
    report.set_update_id(absl::GetFlag(FLAGS_update_id).empty() ? resilience::NewRandomUuid()
                                                                : absl::GetFlag(FLAGS_update_id));
    report.set_team_id(absl::GetFlag(FLAGS_team));
    report.set_available_wte(absl::GetFlag(FLAGS_available_wte));
    report.set_note(absl::GetFlag(FLAGS_note));
    grpc::ClientContext context;
    AsProvider(&context);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(40)));
    resilience::common::v1::UpdateAck ack;
    grpc::Status status = stub->ReportStaffing(&context, report, &ack);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << (absl::GetFlag(FLAGS_json) ? Json(ack) : ack.DebugString());
    return EXIT_SUCCESS;
  }
  if (command == "absence") {
    auto stub = resilience::workforce::v1::WorkforceService::NewStub(channel);
    resilience::workforce::v1::WorkforceUpdate update;
    update.set_update_id(absl::GetFlag(FLAGS_update_id).empty() ? resilience::NewRandomUuid()
                                                                : absl::GetFlag(FLAGS_update_id));
    if (absl::GetFlag(FLAGS_cancel)) {
      update.set_cancel_absence_id(absl::GetFlag(FLAGS_absence_id));
    } else {
      auto* a = update.mutable_absence();
      a->set_absence_id(absl::GetFlag(FLAGS_absence_id).empty() ? resilience::NewRandomUuid()
                                                                : absl::GetFlag(FLAGS_absence_id));
      a->set_person_ref(absl::GetFlag(FLAGS_person));
      a->set_team_id(absl::GetFlag(FLAGS_team));
      resilience::workforce::v1::AbsenceKind kind;
      if (!resilience::workforce::v1::AbsenceKind_Parse(
              "ABSENCE_KIND_" + absl::AsciiStrToUpper(absl::GetFlag(FLAGS_kind)), &kind)) {
        std::cerr << "opsctl: --kind must be sickness, annual_leave, training or other\n";
        return 2;
      }
      a->set_kind(kind);
      a->set_wte(absl::GetFlag(FLAGS_wte));
      absl::Time starts = absl::Now(), ends;
      std::string err;
      if (!absl::GetFlag(FLAGS_starts).empty() &&
          !absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_starts), &starts, &err)) {
        std::cerr << "opsctl: --starts: " << err << "\n";
        return 2;
      }
      *a->mutable_starts_at() = resilience::ToProtoTime(starts);
      if (!absl::GetFlag(FLAGS_ends).empty()) {
        if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_ends), &ends, &err)) {
          std::cerr << "opsctl: --ends: " << err << "\n";
          return 2;
        }
        *a->mutable_ends_at() = resilience::ToProtoTime(ends);
      }
    }
    grpc::ClientContext context;
    AsProvider(&context);
    resilience::common::v1::UpdateAck ack;
    grpc::Status status = stub->SubmitUpdate(&context, update, &ack);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << (absl::GetFlag(FLAGS_json) ? Json(ack) : ack.DebugString());
    return EXIT_SUCCESS;
  }
  if (command == "team") {
    auto stub = resilience::workforce::v1::WorkforceService::NewStub(channel);
    grpc::ClientContext context;
    resilience::workforce::v1::GetTeamStaffingRequest request;
    request.set_team_id(absl::GetFlag(FLAGS_team));
    resilience::workforce::v1::TeamStaffing staffing;
    grpc::Status status = stub->GetTeamStaffing(&context, request, &staffing);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << Json(staffing) << "\n";
      return EXIT_SUCCESS;
    }
    std::cout << staffing.team().name() << " (" << staffing.team().id() << "), establishment "
              << staffing.team().establishment_wte() << " WTE\n";
    std::cout << absl::StrFormat("%-10s %9s %7s %7s %7s %7s %7s  %s\n", "DAY", "AVAILABLE", "ABSENT",
                                 "COVER", "IN", "OUT", "PCT", "LEVEL");
    auto row = [](const resilience::workforce::v1::StaffingPoint& p, const std::string& day) {
      std::cout << absl::StrFormat("%-10s %9.1f %7.1f %7.1f %7.1f %7.1f %6.1f%%  %s\n", day,
                                   p.available_wte(), p.absent_wte(), p.cover_wte(),
                                   p.redeployed_in_wte(), p.redeployed_out_wte(), p.staffing_pct(),
                                   Colour(p.level()));
    };
    row(staffing.now(), "now");
    for (const auto& p : staffing.ahead()) row(p, p.day());
    return EXIT_SUCCESS;
  }
  if (command == "mutual-aid") {
    auto stub = resilience::workforce::v1::WorkforceService::NewStub(channel);
    grpc::ClientContext context;
    resilience::workforce::v1::SuggestMutualAidRequest request;
    request.set_team_id(absl::GetFlag(FLAGS_team));
    request.set_day(absl::GetFlag(FLAGS_day));
    resilience::workforce::v1::SuggestMutualAidResponse aid;
    grpc::Status status = stub->SuggestMutualAid(&context, request, &aid);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << Json(aid) << "\n";
      return EXIT_SUCCESS;
    }
    std::cout << absl::StrFormat("%s on %s: %.1f%% %s, needs %.1f WTE to reach Green\n",
                                 aid.team().team().id(), aid.day(), aid.team().now().staffing_pct(),
                                 Colour(aid.team().now().level()), aid.needed_wte());
    for (const auto& o : aid.offers()) {
      std::cout << absl::StrFormat("  %-24s %-26s spare %.1f  ask %.1f  -> lender at %.1f%%\n",
                                   o.lending_team_id(),
                                   o.same_area() ? "same area" : "neighbour: " + o.lending_area_id(),
                                   o.spare_wte(), o.suggested_wte(), o.lender_pct_after());
    }
    if (aid.unmet_wte() > 0) std::cout << absl::StrFormat("  unmet: %.1f WTE\n", aid.unmet_wte());
    return EXIT_SUCCESS;
  }
  if (command == "watch") return Watch(channel);
  if (command == "alerts") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    AsStaff(&context);
    esc::ListAlertsRequest request;
    if (!absl::GetFlag(FLAGS_area).empty()) request.mutable_filter()->add_area_ids(absl::GetFlag(FLAGS_area));
    esc::ListAlertsResponse response;
    grpc::Status status = stub->ListAlerts(&context, request, &response);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    for (const auto& a : response.alerts()) PrintAlert(a, "");
    return EXIT_SUCCESS;
  }
  if (command == "ack") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    AsStaff(&context);
    esc::AcknowledgeRequest request;
    request.set_alert_id(absl::GetFlag(FLAGS_alert_id));
    request.set_note(absl::GetFlag(FLAGS_note));
    esc::Alert alert;
    grpc::Status status = stub->Acknowledge(&context, request, &alert);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    PrintAlert(alert, "");
    return EXIT_SUCCESS;
  }
  if (command == "audit") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    AsStaff(&context);
    esc::ListAuditRequest request;
    request.set_subject(absl::GetFlag(FLAGS_alert_id).empty() ? "area/" + absl::GetFlag(FLAGS_area)
                                                              : absl::GetFlag(FLAGS_alert_id));
    esc::ListAuditResponse audit;
    grpc::Status status = stub->ListAudit(&context, request, &audit);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    for (const auto& r : audit.records()) {
      if (absl::GetFlag(FLAGS_json)) {
        std::cout << Json(r) << "\n";
        continue;
      }
      std::cout << absl::FormatTime("%Y-%m-%d %H:%M:%S", resilience::FromProtoTime(r.at()),
                                    absl::UTCTimeZone())
                << "  " << r.action() << " by " << r.actor()
                << (r.reason().empty() ? "" : ": " + r.reason()) << "\n";
    }
    return EXIT_SUCCESS;
  }
  if (command == "declare") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    AsStaff(&context);
    esc::LevelStatus status;
    grpc::Status result;
    resilience::common::v1::ScopeRef scope;
    scope.set_kind(resilience::common::v1::SCOPE_KIND_AREA);
    scope.set_id(absl::GetFlag(FLAGS_area));
    if (absl::GetFlag(FLAGS_withdraw)) {
      esc::WithdrawDeclarationRequest request;
      *request.mutable_scope() = scope;
      request.set_reason(absl::GetFlag(FLAGS_reason));
      result = stub->WithdrawDeclaration(&context, request, &status);
    } else {
      esc::DeclareLevelRequest request;
      *request.mutable_scope() = scope;
      request.set_level(static_cast<resilience::common::v1::OpelLevel>(absl::GetFlag(FLAGS_level)));
      request.set_reason(absl::GetFlag(FLAGS_reason));
      result = stub->DeclareLevel(&context, request, &status);
    }
    if (!result.ok()) return Report(resilience::FromGrpcStatus(result, &context));
    std::cout << status.scope().id() << ": computed " << Colour(status.computed_level())
              << ", effective " << Colour(status.effective_level())
              << (status.has_declaration() ? " (declared by " + status.declaration().declared_by() + ")" : "")
              << "\n";
    return EXIT_SUCCESS;
  }
  if (command == "board") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    AsStaff(&context);
    esc::StatusBoard board;
    grpc::Status status = stub->GetStatusBoard(&context, esc::GetStatusBoardRequest(), &board);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << Json(board) << "\n";
      return EXIT_SUCCESS;
    }
    std::vector<esc::LevelStatus> levels(board.levels().begin(), board.levels().end());
    std::sort(levels.begin(), levels.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.scope().kind(), a.scope().id()) < std::make_pair(b.scope().kind(), b.scope().id());
    });
    std::cout << absl::StrFormat("%-28s %-15s %-15s %-10s %s\n", "LEVEL OF", "COMPUTED", "EFFECTIVE",
                                 "COVERAGE", "PENDING STEP DOWN");
    for (const auto& l : levels) {
      std::string pending = "-";
      if (l.pending_level() != resilience::common::v1::OPEL_LEVEL_UNSPECIFIED) {
        pending = absl::StrCat(
            Colour(l.pending_level()), " not before ",
            absl::FormatTime("%Y-%m-%d %H:%M", resilience::FromProtoTime(l.step_down_not_before()),
                             absl::UTCTimeZone()));
      }
      std::cout << absl::StrFormat("%-28s %-15s %-15s %3d of %-3d %s%s\n", resilience::ScopeKey(l.scope()),
                                   Colour(l.computed_level()), Colour(l.effective_level()),
                                   l.fresh_indicators(), l.expected_indicators(), pending,
                                   l.has_declaration() ? " (declared)" : "");
    }
    std::cout << "\n";
    std::cout << absl::StrFormat("%-28s %-24s %-15s %-8s %s\n", "SCOPE", "INDICATOR", "LEVEL", "VALUE", "FROM");
    std::vector<resilience::escalation::v1::IndicatorStatus> rows(board.indicators().begin(),
                                                                  board.indicators().end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.latest().scope().id(), a.latest().indicator()) <
             std::make_pair(b.latest().scope().id(), b.latest().indicator());
    });
    for (const auto& i : rows) {
      const auto& e = i.latest();
      const std::string from =
          e.provenance().provider_id().empty()
              ? e.provenance().accepted_by() + " (computed)"
              : e.provenance().provider_id() + "/" + e.provenance().update_id();
      std::cout << absl::StrFormat("%-28s %-24s %-15s %-8s %s%s\n", e.scope().id(), e.indicator(),
                                   Colour(e.level()), e.value_text(), from,
                                   e.local_default() ? " [local default thresholds]" : "");
    }
    return EXIT_SUCCESS;
  }
  if (command == "tasks") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::ListTasksRequest request;
    request.set_include_closed(absl::GetFlag(FLAGS_all));
    esc::ListTasksResponse response;
    grpc::Status status = stub->ListTasks(AsStaff(&context), request, &response);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    for (const auto& t : response.tasks()) {
      if (absl::GetFlag(FLAGS_json)) {
        std::cout << Json(t) << "\n";
        continue;
      }
      std::cout << (t.closed() ? "[closed] " : "[open]   ") << t.title() << "\n    id=" << t.task_id()
                << "\n    " << t.summary() << "\n";
      for (const auto& s : t.steps()) {
        std::cout << "    " << (s.done_by().empty() ? (s.overdue() ? "OVERDUE " : "to do   ") : "done    ")
                  << s.step_id() << ": " << s.description() << " (" << s.role_id()
                  << (s.has_due_at() ? ", due " + absl::FormatTime("%a %H:%M", resilience::FromProtoTime(s.due_at()), absl::UTCTimeZone()) : "")
                  << (s.done_by().empty() ? "" : ", by " + s.done_by()) << ")\n";
      }
    }
    return EXIT_SUCCESS;
  }
  if (command == "step") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::CompleteTaskStepRequest request;
    request.set_task_id(absl::GetFlag(FLAGS_task_id));
    request.set_step_id(absl::GetFlag(FLAGS_step_id));
    request.set_note(absl::GetFlag(FLAGS_note));
    esc::ProtocolTask task;
    grpc::Status status = stub->CompleteTaskStep(AsStaff(&context), request, &task);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << (absl::GetFlag(FLAGS_json) ? Json(task) : task.title() + (task.closed() ? ": closed (" + task.closed_reason() + ")" : ": step done")) << "\n";
    return EXIT_SUCCESS;
  }
  if (command == "prompts") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::ListDecisionPromptsRequest request;
    request.set_include_answered(absl::GetFlag(FLAGS_all));
    esc::ListDecisionPromptsResponse response;
    grpc::Status status = stub->ListDecisionPrompts(AsStaff(&context), request, &response);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    for (const auto& p : response.prompts()) {
      if (absl::GetFlag(FLAGS_json)) {
        std::cout << Json(p) << "\n";
        continue;
      }
      std::cout << p.title() << "\n    id=" << p.prompt_id() << "\n    "
                << (p.decision() == esc::DecisionPrompt::DECISION_UNSPECIFIED
                        ? "awaiting an answer"
                        : esc::DecisionPrompt::Decision_Name(p.decision()) + " by " + p.decided_by() + ": " + p.reason())
                << "\n";
    }
    return EXIT_SUCCESS;
  }
  if (command == "answer") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::AnswerDecisionPromptRequest request;
    request.set_prompt_id(absl::GetFlag(FLAGS_prompt_id));
    const std::string d = absl::GetFlag(FLAGS_decision);
    request.set_decision(d == "respond"   ? esc::DecisionPrompt::DECISION_RESPOND
                         : d == "decline" ? esc::DecisionPrompt::DECISION_DECLINE
                                          : esc::DecisionPrompt::DECISION_UNSPECIFIED);
    request.set_reason(absl::GetFlag(FLAGS_reason));
    esc::DecisionPrompt prompt;
    grpc::Status status = stub->AnswerDecisionPrompt(AsStaff(&context), request, &prompt);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << (absl::GetFlag(FLAGS_json) ? Json(prompt) : prompt.title() + ": answered") << "\n";
    return EXIT_SUCCESS;
  }
  if (command == "act") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::RecordActionRequest request;
    request.set_alert_id(absl::GetFlag(FLAGS_alert_id));
    request.set_action_id(absl::GetFlag(FLAGS_action_id));
    request.set_done(!absl::GetFlag(FLAGS_not_done));
    request.set_note(absl::GetFlag(FLAGS_note));
    request.set_risks(absl::GetFlag(FLAGS_risks));
    esc::Alert alert;
    grpc::Status status = stub->RecordAction(AsStaff(&context), request, &alert);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    PrintAlert(alert, "");
    return EXIT_SUCCESS;
  }
  if (command == "silence") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::CreateSilenceRequest request;
    auto scope = resilience::ParseScopeKey(absl::GetFlag(FLAGS_scope));
    if (!scope.ok()) return Report(scope.status());
    *request.mutable_scope() = *scope;
    request.set_indicator(absl::GetFlag(FLAGS_indicator));
    *request.mutable_until() = resilience::ToProtoTime(absl::Now() + absl::Hours(absl::GetFlag(FLAGS_hours)));
    request.set_reason(absl::GetFlag(FLAGS_reason));
    esc::Silence silence;
    grpc::Status status = stub->CreateSilence(AsStaff(&context), request, &silence);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << (absl::GetFlag(FLAGS_json) ? Json(silence) : "silenced: " + silence.silence_id()) << "\n";
    return EXIT_SUCCESS;
  }
  if (command == "silences") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::ListSilencesResponse response;
    grpc::Status status = stub->ListSilences(AsStaff(&context), esc::ListSilencesRequest(), &response);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    for (const auto& s : response.silences()) {
      std::cout << (absl::GetFlag(FLAGS_json) ? Json(s)
                                              : absl::StrCat(s.silence_id(), "  ", resilience::ScopeKey(s.scope()),
                                                             s.indicator().empty() ? "" : " " + s.indicator(),
                                                             " until ", absl::FormatTime("%a %H:%M", resilience::FromProtoTime(s.until()), absl::UTCTimeZone()),
                                                             " by ", s.created_by(), ": ", s.reason()))
                << "\n";
    }
    return EXIT_SUCCESS;
  }
  if (command == "unsilence") {
    auto stub = esc::AlertService::NewStub(channel);
    grpc::ClientContext context;
    esc::ExpireSilenceRequest request;
    request.set_silence_id(absl::GetFlag(FLAGS_silence_id));
    request.set_reason(absl::GetFlag(FLAGS_reason));
    esc::Silence silence;
    grpc::Status status = stub->ExpireSilence(AsStaff(&context), request, &silence);
    if (!status.ok()) return Report(resilience::FromGrpcStatus(status, &context));
    std::cout << "ended: " << silence.silence_id() << "\n";
    return EXIT_SUCCESS;
  }
  std::cerr << "opsctl: unknown command '" << command << "'\n";
  return 2;
}
