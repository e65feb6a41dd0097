#include "tests/integration/console_test_support.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "common/ids/uuid.h"
#include "common/kafka/rdkafka_producer.h"
#include "events/v1/events.pb.h"
#include "google/protobuf/text_format.h"
#include "httplib.h"
#include "tests/testing/infra.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {

SseReader::SseReader(int port, const std::string& session, const std::string& last_event_id) {
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  client_->set_read_timeout(std::chrono::seconds(120));
  thread_ = std::thread([this, session, last_event_id] {
    httplib::Headers headers = {{"Cookie", "console_session=" + session}};
    if (!last_event_id.empty()) headers.emplace("Last-Event-ID", last_event_id);
    {
      client_->Get("/api/events", headers, [&](const char* data, size_t length) {
        absl::MutexLock lock(&mu_);
        buffer_.append(data, length);
        size_t end;
        while ((end = buffer_.find("\n\n")) != std::string::npos) {
          SseEvent event;
          for (absl::string_view line : absl::StrSplit(buffer_.substr(0, end), '\n')) {
            if (absl::ConsumePrefix(&line, "id: ")) event.id = std::string(line);
            else if (absl::ConsumePrefix(&line, "event: ")) event.event = std::string(line);
            else if (absl::ConsumePrefix(&line, "data: ")) event.data += std::string(line);
          }
          buffer_.erase(0, end + 2);
          if (!event.event.empty()) events_.push_back(std::move(event));
        }
        return !stop_;
      });
    }
  });
}

SseReader::~SseReader() {
  stop_ = true;
  client_->stop();
  thread_.join();
}

std::vector<SseEvent> SseReader::Events() {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::optional<SseEvent> SseReader::WaitFor(const std::string& type, const std::string& needle,
                                           absl::Duration deadline) {
  std::optional<SseEvent> found;
  resilience::testing::WaitFor(
      [&] {
        for (const auto& e : Events()) {
          if (e.event == type && absl::StrContains(e.data, needle)) {
            found = e;
            return true;
          }
        }
        return false;
      },
      deadline);
  return found;
}

absl::StatusOr<std::unique_ptr<ConsoleStack>> ConsoleStack::Start(
    const console::v1::NotifierConfig& notifier) {
  auto stack = std::unique_ptr<ConsoleStack>(new ConsoleStack());
  stack->ns_ = UniqueNamespace("console");
  if (auto s = CreateProjectTopics(stack->ns_); !s.ok()) return s;
  const std::string config_dir = SourceDir() + "/deploy/config/kent-medway/";
  auto escalation = StartService(
      "escalation-service",
      {"--config=" + config_dir + "escalation.textproto", "--grpc_address=127.0.0.1:0",
       "--metrics_address=127.0.0.1:0", "--kafka_bootstrap=" + KafkaBootstrap(),
       "--redis_port=" + std::to_string(RedisPort()), "--namespace=" + stack->ns_});
  if (!escalation.ok()) return escalation.status();
  stack->escalation_ = std::make_unique<RunningService>(*std::move(escalation));
  stack->escalation_address_ = stack->escalation_->address();

  auto config = LoadTextProto<console::v1::ConsoleConfig>(config_dir + "console.textproto");
  if (!config.ok()) return config.status();
  config->set_http_address("127.0.0.1:0");
  config->set_escalation_grpc_address(stack->escalation_address_);
  config->set_reference_path(config_dir + "reference.textproto");
  config->set_shutdown_grace_seconds(2);
  *config->mutable_notifier() = notifier;
  stack->dir_ = absl::StrCat(BinaryDir(), "/Testing/", stack->ns_);
  std::filesystem::create_directories(stack->dir_);
  config->mutable_notifier()->set_resume_state_path(stack->dir_ + "/notifier.resume");
  std::string text;
  google::protobuf::TextFormat::PrintToString(*config, &text);
  stack->config_path_ = stack->dir_ + "/console.textproto";
  std::ofstream(stack->config_path_) << text;
  if (auto s = stack->RestartConsole(); !s.ok()) return s;
  return stack;
}

ConsoleStack::~ConsoleStack() {
  if (console_) (void)console_->process.Terminate();
  if (escalation_) (void)escalation_->process.Terminate();
}

absl::Status ConsoleStack::RestartConsole() {
  if (console_) {
    auto code = console_->process.Terminate();
    if (!code.ok()) return code.status();
    if (*code != 0) return absl::InternalError(absl::StrCat("console exited ", *code));
  }
  auto console = StartService("console-service", {"--config=" + config_path_});
  if (!console.ok()) return console.status();
  console_ = std::make_unique<RunningService>(*std::move(console));
  return absl::OkStatus();
}

absl::Status ConsoleStack::PublishStaffing(const std::string& team, double percent) {
  static std::unique_ptr<kafka::Producer>* producer = nullptr;
  if (producer == nullptr) {
    kafka::ProducerOptions options;
    options.client.bootstrap_servers = KafkaBootstrap();
    auto made = kafka::NewRdKafkaProducer(options);
    if (!made.ok()) return made.status();
    producer = new std::unique_ptr<kafka::Producer>(*std::move(made));
  }
  events::v1::DomainEvent event;
  auto* env = event.mutable_envelope();
  env->set_event_id(NewRandomUuid());
  env->set_source("test-rostering");
  env->mutable_scope()->set_kind(common::v1::SCOPE_KIND_TEAM);
  env->mutable_scope()->set_id(team);
  *env->mutable_occurred_at() = ToProtoTime(absl::Now());
  *env->mutable_received_at() = ToProtoTime(absl::Now());
  *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(absl::Now());
  env->mutable_provenance()->set_provider_id("rostering-kcc");
  env->mutable_provenance()->set_update_id(NewRandomUuid());
  env->mutable_provenance()->set_accepted_by("workforce-service");
  env->set_schema_version(1);
  auto* o = event.mutable_observation();
  o->set_indicator("stp_staffing_pct");
  o->set_number(percent);
  o->set_unit("percent");
  (*o->mutable_components())["available_wte"] = percent / 5;
  (*o->mutable_components())["establishment_wte"] = 20;
  return (*producer)->Send({ns_ + "workforce", "team/" + team, event.SerializeAsString(), {}});
}

absl::StatusOr<std::string> ConsoleStack::SignIn(const std::string& user) {
  httplib::Client client("127.0.0.1", console_->port);
  auto res = client.Post("/signin", "user=" + user + "&password=winter",
                         "application/x-www-form-urlencoded");
  if (!res) return absl::UnavailableError("console did not answer the sign-in");
  const std::string cookie = res->get_header_value("Set-Cookie");
  const size_t start = cookie.find("console_session=");
  if (res->status != 303 || start == std::string::npos || cookie.find("Max-Age=0") != std::string::npos) {
    return absl::UnauthenticatedError("sign-in refused for " + user);
  }
  const size_t from = start + std::string("console_session=").size();
  return cookie.substr(from, cookie.find(';', from) - from);
}

std::string ConsoleStack::Logs() {
  std::string out;
  if (escalation_) out += "escalation log:\n" + escalation_->process.LogTail(30);
  if (console_) out += "console log:\n" + console_->process.LogTail(40);
  return out;
}

}  // namespace resilience::testing
