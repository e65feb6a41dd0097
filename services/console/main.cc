// console-service: flags, config and wiring only. See console_server.h (pages, JSON API, live
// feed) and notifier/notifier.h (webhook deliveries).
#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/clock/clock.h"
#include "common/config/text_proto.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/tls_credentials.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_http_server.h"
#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/console/console_config.h"
#include "services/console/console_server.h"
#include "services/console/escalation_client.h"
#include "services/console/notifier/notifier.h"
#include "services/console/sessions.h"

ABSL_FLAG(std::string, config, "", "Path of the ConsoleConfig textproto. Required.");
ABSL_FLAG(std::string, http_address, "", "Overrides http_address (host:port, port 0 = any).");
ABSL_FLAG(std::string, metrics_address, "", "Overrides metrics_address.");
ABSL_FLAG(std::string, escalation_address, "", "Overrides escalation_grpc_address.");
ABSL_FLAG(std::string, static_dir, "", "Overrides static_dir (serve assets from this folder).");
ABSL_FLAG(std::string, notifier_state, "", "Overrides notifier.resume_state_path.");
ABSL_FLAG(std::string, port_file, "", "Writes the bound HTTP port here once serving.");
ABSL_FLAG(std::string, log_format, "text", "text or json.");

namespace {

namespace console = resilience::console;

int Fail(const absl::Status& status) {
  resilience::Logger("console")->critical("cannot start: {}", status.ToString());
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  resilience::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  resilience::ConfigureLogging(absl::GetFlag(FLAGS_log_format) == "json"
                                   ? resilience::LogFormat::kJson
                                   : resilience::LogFormat::kText);
  auto log = resilience::Logger("console");

  const std::string config_path = absl::GetFlag(FLAGS_config);
  auto config = resilience::LoadTextProto<console::v1::ConsoleConfig>(config_path);
  if (!config.ok()) return Fail(config.status());
  if (!absl::GetFlag(FLAGS_http_address).empty()) {
    config->set_http_address(absl::GetFlag(FLAGS_http_address));
  }
  if (!absl::GetFlag(FLAGS_metrics_address).empty()) {
    config->set_metrics_address(absl::GetFlag(FLAGS_metrics_address));
  }
  if (!absl::GetFlag(FLAGS_escalation_address).empty()) {
    config->set_escalation_grpc_address(absl::GetFlag(FLAGS_escalation_address));
  }
  auto reference = resilience::ReferenceIndex::Load(
      resilience::ResolveBeside(config_path, config->reference_path()));
  if (!reference.ok()) return Fail(reference.status());
  if (auto s = console::ValidateConsoleConfig(*config, **reference, config_path); !s.ok()) {
    return Fail(s);
  }
  for (const auto& u : config->development_users()) {
    if ((*reference)->FindPerson(u.user_id()) == nullptr) {
      log->warn("development user {} is not a person of the reference data: the escalation "
                "service will refuse their acknowledgements", u.user_id());
    }
  }

  // TLS to the escalation service: escalation_tls (with the console's client certificate, which
  // the escalation service trusts to name the signed-in user), or the older CA-only setting.
  if (config->has_escalation_tls() && !config->escalation_ca_cert_path().empty()) {
    return Fail(resilience::ConfigError(config_path, "escalation_ca_cert_path",
                                        "set escalation_tls.ca_path instead (not both)"));
  }
  resilience::common::v1::ClientTlsSettings escalation_tls = config->escalation_tls();
  if (!config->escalation_ca_cert_path().empty()) {
    escalation_tls.set_ca_path(config->escalation_ca_cert_path());
  }
  auto channel = resilience::NewGrpcChannel(config->escalation_grpc_address(), escalation_tls,
                                            config_path, "escalation_tls");
  if (!channel.ok()) return Fail(channel.status());
  console::EscalationClient escalation(
      *std::move(channel),
      absl::Milliseconds(config->escalation_call_timeout_ms() == 0
                             ? 5000
                             : config->escalation_call_timeout_ms()));

  auto& metrics = resilience::MetricsRegistry::Default();
  std::unique_ptr<resilience::MetricsHttpServer> metrics_server;
  if (!config->metrics_address().empty()) {
    auto started = resilience::MetricsHttpServer::Start(config->metrics_address(), &metrics);
    if (!started.ok()) return Fail(started.status());
    metrics_server = *std::move(started);
  }

  console::SessionStore sessions(*config, *reference, &resilience::Clock::Real());
  std::unique_ptr<console::Notifier> notifier;
  console::ConsoleServerOptions options;
  options.serve_metrics = config->metrics_address().empty();
  const std::string static_dir = absl::GetFlag(FLAGS_static_dir).empty()
                                     ? config->static_dir()
                                     : absl::GetFlag(FLAGS_static_dir);
  if (!static_dir.empty()) options.static_dir = resilience::ResolveBeside(config_path, static_dir);
  options.notifications_json = [&notifier]() -> std::string {
    return notifier ? notifier->AttemptsJson() : "{\"enabled\":false,\"waiting\":0,\"attempts\":[]}";
  };
  console::ConsoleServer server(*config, *reference, &escalation, &sessions, &metrics, options);
  auto port = server.Start(config->http_address());
  if (!port.ok()) return Fail(port.status());
  const std::string host = config->http_address().substr(0, config->http_address().rfind(':'));
  const std::string console_url = absl::StrCat("http://", host, ":", *port);

  if (config->has_notifier() && config->notifier().enabled()) {
    console::NotifierOptions notifier_options;
    std::string state = absl::GetFlag(FLAGS_notifier_state);
    if (state.empty()) {
      state = config->notifier().resume_state_path().empty()
                  ? "var/console/notifier.resume"
                  : resilience::ResolveBeside(config_path, config->notifier().resume_state_path());
    }
    notifier_options.resume_path = state;
    notifier_options.console_url = console_url;
    notifier = std::make_unique<console::Notifier>(config->notifier(), *reference, &escalation,
                                                   &resilience::Clock::Real(), &metrics,
                                                   notifier_options);
    if (auto s = notifier->Start(); !s.ok()) return Fail(s);
  }
  if (auto s = resilience::WritePortFile(absl::GetFlag(FLAGS_port_file), *port); !s.ok()) {
    return Fail(s);
  }
  log->info("serving the console on {} (escalation service at {}), notifier {}", console_url,
            config->escalation_grpc_address(), notifier ? "on" : "off");

  const int sig = resilience::WaitForTerminationSignal();
  log->info("signal {}: draining", sig);
  const absl::Duration grace = absl::Seconds(
      config->shutdown_grace_seconds() == 0 ? 10 : config->shutdown_grace_seconds());
  server.Shutdown(grace);  // feeds told to reconnect, then in-flight requests finish
  if (notifier) notifier->Stop();
  log->info("stopped");
  return EXIT_SUCCESS;
}
