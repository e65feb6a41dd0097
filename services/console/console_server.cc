#include "services/console/console_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "httplib.h"
#include "services/console/embedded_assets.h"
#include "services/console/json_api.h"
#include "services/console/viewer.h"

namespace resilience::console {
namespace {

namespace esc = escalation::v1;
using Stub = esc::AlertService::Stub;

constexpr char kJson[] = "application/json";

void SetSecurityHeaders(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                 "form-action 'self'; base-uri 'none'");
  res.set_header("Cache-Control", "no-store");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  res.status = HttpStatusFor(status.code());
  res.set_content(ErrorJson(status), kJson);
}

template <typename T>
void SendResult(httplib::Response& res, const absl::StatusOr<T>& result) {
  if (!result.ok()) {
    SendError(res, result.status());
    return;
  }
  res.set_content(ToJson(*result), kJson);
}

bool TruthyParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  const std::string v = absl::AsciiStrToLower(req.get_param_value(name));
  return v == "1" || v == "true" || v == "yes";
}

}  // namespace

ConsoleServer::ConsoleServer(const v1::ConsoleConfig& config,
                             std::shared_ptr<const ReferenceIndex> reference,
                             const EscalationClient* escalation, SessionStore* sessions,
                             MetricsRegistry* metrics, ConsoleServerOptions options)
    : config_(config),
      reference_(std::move(reference)),
      escalation_(escalation),
      sessions_(sessions),
      metrics_(metrics),
      options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()) {
  const int threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  Routes();
}

ConsoleServer::~ConsoleServer() { Shutdown(absl::Seconds(1)); }

absl::StatusOr<int> ConsoleServer::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("http address '", address, "' is not host:port"));
  }
  const std::string host = address.substr(0, colon);
  if (port == 0) {
    port = http_->bind_to_any_port(host);
    if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot bind ", address));
  } else if (!http_->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", address));
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  return port;
}

void ConsoleServer::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  signal_.Shutdown();  // feeds write a "reconnect" event and end within their poll interval
  // Let feeds and in-flight requests finish, but no longer than the grace period.
  const absl::Time end = absl::Now() + grace;
  while (absl::Now() < end && live_feeds_.load() > 0) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

void ConsoleServer::Routes() {
  auto& http = *http_;
  auto* requests_ok = metrics_->GetCounter("console_http_requests_total",
                                           "HTTP requests served, by outcome", "outcome=\"ok\"");
  auto* requests_failed = metrics_->GetCounter(
      "console_http_requests_total", "HTTP requests served, by outcome", "outcome=\"error\"");
  auto* feeds = metrics_->GetGauge("console_live_feeds", "Open live feeds (Server-Sent Events)");
  auto* sign_ins_ok =
      metrics_->GetCounter("console_sign_ins_total", "Sign-in attempts", "outcome=\"ok\"");
  auto* sign_ins_failed =
      metrics_->GetCounter("console_sign_ins_total", "Sign-in attempts", "outcome=\"refused\"");

  http.set_post_routing_handler([=, this](const httplib::Request&, httplib::Response& res) {
    SetSecurityHeaders(res);
    (res.status >= 400 ? requests_failed : requests_ok)->Increment();
  });

  // The signed-in viewer, or a 401 already written.
  auto viewer_of = [this](const httplib::Request& req,
                          httplib::Response& res) -> std::optional<Viewer> {
    auto viewer = sessions_->Find(CookieValue(req.get_header_value("Cookie"), kSessionCookie));
    if (!viewer.has_value()) {
      SendError(res, absl::UnauthenticatedError("sign in first"));
    }
    return viewer;
  };
  // Writes must come from our own pages: JSON bodies (a cross-site form cannot send one without
  // a CORS preflight we never answer) and, when the browser says where from, our own origin.
  auto same_origin_json = [](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    const std::string host = req.get_header_value("Host");
    if (!origin.empty() && !absl::EndsWith(origin, "//" + host)) {
      SendError(res, absl::PermissionDeniedError("cross-origin request refused"));
      return false;
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), kJson)) {
      SendError(res, absl::InvalidArgumentError("send the body as application/json"));
      return false;
    }
    return true;
  };
  auto serve_asset = [this](const std::string& name, httplib::Response& res) {
    if (!options_.static_dir.empty()) {
      std::ifstream in(options_.static_dir + "/" + name, std::ios::binary);
      if (in) {
        std::stringstream buffer;
        buffer << in.rdbuf();
        res.set_content(buffer.str(), std::string(ContentTypeOf(name)).c_str());
        return;
      }
    } else if (const auto* asset = FindEmbeddedAsset(name); asset != nullptr) {
      res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
      return;
    }
    res.status = 404;
    res.set_content("not found", "text/plain");
  };

  // --- pages ------------------------------------------------------------------------------------
  http.Get("/", [=, this](const httplib::Request& req, httplib::Response& res) {
    if (!sessions_->Find(CookieValue(req.get_header_value("Cookie"), kSessionCookie))) {
      res.set_redirect("/signin", 303);
      return;
    }
    serve_asset("index.html", res);
  });
  http.Get("/signin", [=, this](const httplib::Request&, httplib::Response& res) {
    serve_asset("signin.html", res);
  });
  http.Get(R"(/static/([a-z0-9_\-]+\.(js|css|svg|png)))",
           [=, this](const httplib::Request& req, httplib::Response& res) {
             serve_asset(req.matches[1], res);
             res.set_header("Cache-Control", "no-cache");
           });
  http.Post("/signin", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto session = sessions_->SignIn(req.get_param_value("user"), req.get_param_value("password"));
    if (!session.ok()) {
      sign_ins_failed->Increment();
      res.set_redirect("/signin?failed=1", 303);
      return;
    }
    sign_ins_ok->Increment();
    res.set_header("Set-Cookie", SessionCookieHeader(*session, sessions_->lifetime(), false));
    res.set_redirect("/", 303);
  });
  http.Post("/signout", [=, this](const httplib::Request& req, httplib::Response& res) {
    sessions_->SignOut(CookieValue(req.get_header_value("Cookie"), kSessionCookie));
    res.set_header("Set-Cookie", SessionCookieHeader("", absl::ZeroDuration(), false));
    res.set_redirect("/signin", 303);
  });

  // --- operations -----------------------------------------------------------------------------
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    if (signal_.shutting_down()) {
      res.status = 503;
      res.set_content("{\"status\":\"shutting_down\"}", kJson);
      return;
    }
    res.set_content("{\"status\":\"serving\"}", kJson);
  });
  if (options_.serve_metrics) {
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_->RenderPrometheusText(), "text/plain; version=0.0.4");
    });
  }

  // --- JSON API: reads ------------------------------------------------------------------------
  http.Get("/api/me", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (viewer) res.set_content(ViewerJson(*viewer, *reference_), kJson);
  });
  http.Get("/api/reference", [=, this](const httplib::Request& req, httplib::Response& res) {
    if (viewer_of(req, res)) {
      res.set_content(ToJson(ReferenceForConsole(reference_->data())), kJson);
    }
  });
  http.Get("/api/board", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    auto board = escalation_->Call(viewer->user_id, &Stub::GetStatusBoard, esc::GetStatusBoardRequest());
    if (!board.ok()) return SendError(res, board.status());
    res.set_content(ToJson(FilterBoard(*viewer, *std::move(board), *reference_)), kJson);
  });
  http.Get("/api/alerts", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    esc::ListAlertsRequest request;
    int number = 0;
    if (absl::SimpleAtoi(req.get_param_value("min_level"), &number) && number >= 1 && number <= 4) {
      request.mutable_filter()->set_min_level(static_cast<common::v1::OpelLevel>(number));
    }
    request.mutable_filter()->set_role_id(req.get_param_value("role"));
    request.mutable_filter()->set_include_resolved(TruthyParam(req, "include_resolved"));
    const std::string area = req.get_param_value("area");
    if (!area.empty()) {
      if (!viewer->CoversArea(area)) {
        return SendError(res, absl::PermissionDeniedError(
                                  absl::StrCat(viewer->user_id, " does not cover area '", area, "'")));
      }
      request.mutable_filter()->add_area_ids(area);
    }
    request.set_limit(absl::SimpleAtoi(req.get_param_value("limit"), &number) && number > 0
                          ? static_cast<uint32_t>(number)
                          : 200);
    auto alerts = escalation_->Call(viewer->user_id, &Stub::ListAlerts, request);
    if (!alerts.ok()) return SendError(res, alerts.status());
    res.set_content(AlertsJson(FilterAlerts(*viewer, *alerts)), kJson);
  });
  // One alert the viewer may see, or the error already written.
  auto visible_alert = [this](const Viewer& viewer, const std::string& alert_id,
                              httplib::Response& res) -> std::optional<esc::Alert> {
    esc::GetAlertRequest request;
    request.set_alert_id(alert_id);
    auto alert = escalation_->Call(viewer.user_id, &Stub::GetAlert, request);
    if (!alert.ok()) {
      SendError(res, alert.status());
      return std::nullopt;
    }
    if (!MaySee(viewer, *alert)) {
      SendError(res, absl::PermissionDeniedError(absl::StrCat(
                         viewer.user_id, " does not cover area '", alert->area_id(), "'")));
      return std::nullopt;
    }
    return *std::move(alert);
  };
  http.Get("/api/alert", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    auto alert = visible_alert(*viewer, req.get_param_value("id"), res);
    if (alert) res.set_content(ToJson(*alert), kJson);
  });
  http.Get("/api/audit", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    const std::string subject = req.get_param_value("subject");
    if (subject.empty()) return SendError(res, absl::InvalidArgumentError("subject: required"));
    // The subject is a scope ("area/west-kent"), an alert id, or a task or silence id; the first
    // two are checked against the viewer's areas.
    if (auto scope = ParseScopeKey(subject); scope.ok() && reference_->ScopeExists(*scope)) {
      if (!MaySeeScope(*viewer, *scope, *reference_)) {
        return SendError(res, absl::PermissionDeniedError("not your area"));
      }
    } else if (absl::StrContains(subject, '/')) {
      if (!visible_alert(*viewer, subject, res)) return;
    }
    esc::ListAuditRequest request;
    request.set_subject(subject);
    request.set_limit(200);
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::ListAudit, request));
  });
  http.Get("/api/tasks", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    esc::ListTasksRequest request;
    request.set_include_closed(TruthyParam(req, "include_closed"));
    auto tasks = escalation_->Call(viewer->user_id, &Stub::ListTasks, request);
    if (!tasks.ok()) return SendError(res, tasks.status());
    res.set_content(ToJson(FilterTasks(*viewer, *std::move(tasks), *reference_)), kJson);
  });
  http.Get("/api/prompts", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    esc::ListDecisionPromptsRequest request;
    request.set_include_answered(TruthyParam(req, "include_answered"));
    auto prompts = escalation_->Call(viewer->user_id, &Stub::ListDecisionPrompts, request);
    if (!prompts.ok()) return SendError(res, prompts.status());
    res.set_content(ToJson(FilterPrompts(*viewer, *std::move(prompts), *reference_)), kJson);
  });
  http.Get("/api/silences", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    auto silences =
        escalation_->Call(viewer->user_id, &Stub::ListSilences, esc::ListSilencesRequest());
    if (!silences.ok()) return SendError(res, silences.status());
    res.set_content(ToJson(FilterSilences(*viewer, *std::move(silences), *reference_)), kJson);
  });
  http.Get("/api/notifications", [=, this](const httplib::Request& req, httplib::Response& res) {
    if (!viewer_of(req, res)) return;
    res.set_content(options_.notifications_json ? options_.notifications_json()
                                                : "{\"enabled\":false,\"attempts\":[]}",
                    kJson);
  });

  // --- JSON API: writes -----------------------------------------------------------------------
  // Parses the body into the AlertService request, checks what the console itself can check,
  // calls the service as the viewer, and answers the service's response.
  http.Post("/api/acknowledge", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::AcknowledgeRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!visible_alert(*viewer, request->alert_id(), res)) return;
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::Acknowledge, *request));
  });
  http.Post("/api/record-action", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::RecordActionRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!visible_alert(*viewer, request->alert_id(), res)) return;
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::RecordAction, *request));
  });
  // Declaring is for roles that may, on scopes they cover.
  auto may_declare = [](const Viewer& viewer, const common::v1::ScopeRef& scope,
                        httplib::Response& res) {
    if (!viewer.may_declare_level) {
      SendError(res, absl::PermissionDeniedError(
                         absl::StrCat(viewer.user_id, " (", viewer.role_id,
                                      ") may not declare KCC levels")));
      return false;
    }
    if (scope.kind() == common::v1::SCOPE_KIND_AREA && !viewer.CoversArea(scope.id())) {
      SendError(res, absl::PermissionDeniedError(
                         absl::StrCat(viewer.user_id, " does not cover ", scope.id())));
      return false;
    }
    if (scope.kind() == common::v1::SCOPE_KIND_COUNTY && !viewer.county_wide) {
      SendError(res, absl::PermissionDeniedError(
                         absl::StrCat(viewer.user_id, " does not cover the whole county")));
      return false;
    }
    return true;
  };
  http.Post("/api/declare", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::DeclareLevelRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!may_declare(*viewer, request->scope(), res)) return;
    auto status = escalation_->Call(viewer->user_id, &Stub::DeclareLevel, *request);
    if (status.ok()) signal_.Notify();
    SendResult(res, status);
  });
  http.Post("/api/withdraw", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::WithdrawDeclarationRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!may_declare(*viewer, request->scope(), res)) return;
    auto status = escalation_->Call(viewer->user_id, &Stub::WithdrawDeclaration, *request);
    if (status.ok()) signal_.Notify();
    SendResult(res, status);
  });
  http.Post("/api/complete-step", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::CompleteTaskStepRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::CompleteTaskStep, *request));
  });
  http.Post("/api/answer-prompt", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::AnswerDecisionPromptRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::AnswerDecisionPrompt, *request));
  });
  http.Post("/api/silences", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::CreateSilenceRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!viewer->may_silence) {
      return SendError(res, absl::PermissionDeniedError(absl::StrCat(
                                viewer->user_id, " (", viewer->role_id, ") may not silence alerts")));
    }
    if (!MaySeeScope(*viewer, request->scope(), *reference_)) {
      return SendError(res, absl::PermissionDeniedError("not your area"));
    }
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::CreateSilence, *request));
  });
  http.Post("/api/expire-silence", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer || !same_origin_json(req, res)) return;
    auto request = ParseJsonBody<esc::ExpireSilenceRequest>(req.body);
    if (!request.ok()) return SendError(res, request.status());
    if (!viewer->may_silence) {
      return SendError(res, absl::PermissionDeniedError(absl::StrCat(
                                viewer->user_id, " (", viewer->role_id, ") may not end silences")));
    }
    SendResult(res, escalation_->Call(viewer->user_id, &Stub::ExpireSilence, *request));
  });

  // --- live feed --------------------------------------------------------------------------------
  // One Subscribe stream per open feed, resumed from Last-Event-ID (the browser sends it itself
  // on reconnect) or ?resume=. Events: "alert" (id = resume token; only alerts the viewer may
  // see), "heartbeat" (id = resume token, so a quiet feed still moves its position), "board"
  // (re-read the board), "resync" (the token is too old: reload lists and open a fresh feed),
  // "reconnect" (the console or the escalation service is going away).
  http.Get("/api/events", [=, this](const httplib::Request& req, httplib::Response& res) {
    auto viewer = viewer_of(req, res);
    if (!viewer) return;
    std::string resume = req.get_header_value("Last-Event-ID");
    if (resume.empty()) resume = req.get_param_value("resume");
    auto relay = std::make_shared<AlertStreamRelay>(escalation_, viewer->user_id, resume);
    struct FeedState {
      bool started = false;
      uint64_t board_version = 0;
      absl::Time last_write = absl::Now();
    };
    auto state = std::make_shared<FeedState>();
    state->board_version = signal_.version();
    feeds->Set(++live_feeds_);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, relay, state, viewer = *viewer](size_t, httplib::DataSink& sink) {
          const auto write = [&](const std::string& text) {
            state->last_write = absl::Now();
            return sink.write(text.data(), text.size());
          };
          if (!state->started) {
            state->started = true;
            if (!write("retry: 3000\n\n")) return false;
          }
          if (signal_.shutting_down()) {
            write(FormatSseEvent("", "reconnect", "{\"reason\":\"console shutting down\"}"));
            sink.done();
            return true;
          }
          // Wait a short while for an item, so shutdown and board changes are seen promptly.
          auto event = relay->Next(absl::Milliseconds(250));
          if (event.has_value() && event->item.has_value()) {
            const esc::AlertStreamItem& item = *event->item;
            if (item.has_alert()) {
              if (MaySee(viewer, item.alert())) {
                return write(FormatSseEvent(item.resume_token(), "alert", ToJson(item.alert())));
              }
              return true;
            }
            return write(FormatSseEvent(item.resume_token(), "heartbeat",
                                        absl::StrCat("{\"at\":", ToJson(item.heartbeat()), "}")));
          }
          if (event.has_value()) {  // the stream ended
            const absl::Status& ended = event->ended;
            const bool too_old = ended.code() == absl::StatusCode::kOutOfRange ||
                                 ended.code() == absl::StatusCode::kInvalidArgument;
            write(FormatSseEvent("", too_old ? "resync" : "reconnect", ErrorJson(ended)));
            sink.done();
            return true;
          }
          const uint64_t version = signal_.version();
          if (version != state->board_version) {
            state->board_version = version;
            return write(FormatSseEvent("", "board", "{}"));
          }
          if (absl::Now() - state->last_write >= options_.feed_keepalive) {
            return write(": keep-alive\n\n");
          }
          return true;
        },
        [this, feeds](bool) { feeds->Set(--live_feeds_); });
  });
}

}  // namespace resilience::console
