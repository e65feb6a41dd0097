// The services under the production example config (deploy/config/production/, DESIGN 8), against
// the real broker and Redis, with certificates from deploy/tls/make-dev-certs.sh: plaintext
// clients are refused on every port; providers are who their client certificate says and may
// write only their own scopes (a TLS client without a certificate never gets in); staff sign in
// with bearer tokens and read only their areas' alerts; a bare x-staff-user is refused except from
// the console, whose users are still held to their areas.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "beds/v1/beds.grpc.pb.h"
#include "beds/v1/config.pb.h"
#include "capacity/v1/capacity.grpc.pb.h"
#include "capacity/v1/config.pb.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "console/v1/config.pb.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "escalation/v1/config.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/security_test_support.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"
#include "workforce/v1/config.pb.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;
namespace esc = escalation::v1;
using Ack = common::v1::UpdateAck;
using Metadata = std::multimap<std::string, std::string>;

// The alert a West Kent staffing report at 45% raises (plan 4.3: Red).
constexpr char kWestKentStaffingAlert[] = "indicator-level/team/stp-west-kent/stp_staffing_pct/1";

class ProductionServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("sec");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
    ASSERT_FALSE(CertificateDir().empty());
  }
  void TearDown() override {
    for (auto& [name, service] : services_) {
      if (HasFailure()) std::cerr << name << " log:\n" << service->process.LogTail(40);
    }
    for (const auto& path : config_files_) std::remove(path.c_str());
  }

  // deploy/config/production/<name>.textproto with the TLS files of this test's certificates and
  // absolute paths, written where the service can read it.
  template <typename Config>
  std::string WriteConfig(const std::string& name, const std::function<void(Config*)>& edit) {
    const std::string production = SourceDir() + "/deploy/config/production/" + name + ".textproto";
    auto config = LoadTextProto<Config>(production);
    EXPECT_THAT(config, IsOk());
    config->set_reference_path(ResolveBeside(production, config->reference_path()));
    auto* tls = config->mutable_server()->mutable_tls();
    EXPECT_FALSE(tls->cert_path().empty()) << "production " << name << " has no TLS";
    tls->set_cert_path(CertificateDir() + "/server.pem");
    tls->set_key_path(CertificateDir() + "/server.key");
    tls->set_client_ca_path(CertificateDir() + "/ca.pem");
    if (edit) edit(&*config);
    std::string text;
    google::protobuf::TextFormat::PrintToString(*config, &text);
    const std::string path = absl::StrCat(::testing::TempDir(), "/", ns_, name, ".textproto");
    std::ofstream(path) << text;
    config_files_.push_back(path);
    return path;
  }

  // Starts `binary` with `config` and the test's broker, Redis and namespace.
  void Start(const std::string& binary, const std::string& config,
             std::vector<std::string> extra) {
    std::vector<std::string> args = {"--config=" + config, "--grpc_address=127.0.0.1:0",
                                     "--metrics_address=127.0.0.1:0",
                                     "--kafka_bootstrap=" + KafkaBootstrap()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto service = StartService(binary, args, absl::Seconds(60));
    ASSERT_THAT(service, IsOk());
    services_[binary] = std::make_unique<RunningService>(*std::move(service));
  }
  std::string Address(const std::string& binary) { return services_.at(binary)->address(); }

  void StartEscalation() {
    const std::string config = WriteConfig<esc::EscalationConfig>(
        "escalation", [](esc::EscalationConfig* c) {
          c->set_action_catalogue_path(ResolveBeside(
              SourceDir() + "/deploy/config/production/escalation.textproto",
              c->action_catalogue_path()));
        });
    Start("escalation-service", config,
          {"--redis_port=" + std::to_string(RedisPort()), "--namespace=" + ns_});
  }
  void StartWorkforce() {
    Start("workforce-service", WriteConfig<workforce::v1::WorkforceConfig>("workforce", nullptr),
          {"--topic_prefix=" + ns_});
  }
  void StartCapacity() {
    Start("capacity-service", WriteConfig<capacity::v1::CapacityConfig>("capacity", nullptr),
          {"--topic_prefix=" + ns_});
  }
  void StartBeds() {
    Start("beds-service", WriteConfig<beds::v1::BedsConfig>("beds", nullptr),
          {"--topic_prefix=" + ns_});
  }

  static grpc::ClientContext* Prepare(grpc::ClientContext* context, const Metadata& metadata) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(40));
    for (const auto& [key, value] : metadata) context->AddMetadata(key, value);
    return context;
  }
  static absl::Status ToStatus(const grpc::Status& s) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }

  // SubmitUpdate of a provider-ingest service (capacity, beds) with `metadata`.
  template <typename Service, typename Update>
  static absl::StatusOr<Ack> Submit(const std::shared_ptr<grpc::Channel>& channel,
                                    const Update& update, const Metadata& metadata) {
    auto stub = Service::NewStub(channel);
    grpc::ClientContext context;
    Ack ack;
    grpc::Status s = stub->SubmitUpdate(Prepare(&context, metadata), update, &ack);
    if (!s.ok()) return ToStatus(s);
    return ack;
  }

  // A staffing report for Short-term Pathway West Kent (establishment 20 WTE).
  absl::StatusOr<Ack> ReportStaffing(const std::shared_ptr<grpc::Channel>& channel,
                                     const std::string& update_id, double available,
                                     const Metadata& metadata = {}) {
    auto stub = workforce::v1::WorkforceService::NewStub(channel);
    workforce::v1::StaffingReport report;
    report.set_update_id(update_id);
    report.set_team_id("stp-west-kent");
    report.set_available_wte(available);
    grpc::ClientContext context;
    Ack ack;
    grpc::Status s = stub->ReportStaffing(Prepare(&context, metadata), report, &ack);
    if (!s.ok()) return ToStatus(s);
    return ack;
  }

  absl::StatusOr<esc::Alert> GetAlert(const std::shared_ptr<grpc::Channel>& channel,
                                      const Metadata& metadata) {
    auto stub = esc::AlertService::NewStub(channel);
    esc::GetAlertRequest request;
    request.set_alert_id(kWestKentStaffingAlert);
    grpc::ClientContext context;
    esc::Alert alert;
    grpc::Status s = stub->GetAlert(Prepare(&context, metadata), request, &alert);
    if (!s.ok()) return ToStatus(s);
    return alert;
  }

  std::string ns_;
  std::map<std::string, std::unique_ptr<RunningService>> services_;
  std::vector<std::string> config_files_;
};

Metadata Token(const std::string& person) {
  return {{"authorization", "Bearer dev-token-" + person}};
}

TEST_F(ProductionServicesTest, StaffReadOnlyTheirAreasAlertsWithTokensOrThroughTheConsole) {
  ASSERT_NO_FATAL_FAILURE(StartEscalation());
  ASSERT_NO_FATAL_FAILURE(StartWorkforce());
  const std::string workforce = Address("workforce-service");
  const std::string escalation = Address("escalation-service");

  // Plaintext is refused on both ports; the workforce port wants a client certificate.
  EXPECT_THAT(ReportStaffing(PlaintextChannel(workforce), "u-plain", 9,
                             {{"x-provider-id", "rostering-kcc"}}),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(GetAlert(PlaintextChannel(escalation), Token("priya-nair")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(ReportStaffing(SecureChannel(workforce, ClientTls()), "u-nocert", 9,
                             {{"x-provider-id", "rostering-kcc"}}),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(ReportStaffing(SecureChannel(workforce, IntruderTls()), "u-intruder", 9),
              StatusIs(absl::StatusCode::kUnavailable));
  // The rostering system's certificate is its identity; naming itself as well is refused.
  auto rostering = SecureChannel(workforce, ClientTls("rostering-kcc"));
  EXPECT_THAT(ReportStaffing(rostering, "u-named", 9, {{"x-provider-id", "rostering-kcc"}}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("client certificate")));
  auto red = ReportStaffing(rostering, "u-red", 9);  // 9/20 = 45%: Red
  ASSERT_THAT(red, IsOk());
  EXPECT_EQ(red->outcome(), Ack::OUTCOME_ACCEPTED);

  // Priya (West Kent) reads the alert with her token; its evidence names the certificate's
  // provider.
  auto staff = SecureChannel(escalation, ClientTls());
  ASSERT_TRUE(WaitFor([&] { return GetAlert(staff, Token("priya-nair")).ok(); },
                      absl::Seconds(60)));
  auto alert = GetAlert(staff, Token("priya-nair"));
  ASSERT_THAT(alert, IsOk());
  EXPECT_EQ(alert->area_id(), "west-kent");
  ASSERT_GE(alert->evidence_size(), 1);
  EXPECT_EQ(alert->evidence(0).provenance().provider_id(), "rostering-kcc");

  // Tom (East Kent) may not read, list or follow it.
  EXPECT_THAT(GetAlert(staff, Token("tom-ellery")), StatusIs(absl::StatusCode::kPermissionDenied));
  {
    auto stub = esc::AlertService::NewStub(staff);
    grpc::ClientContext context;
    esc::ListAlertsResponse response;
    ASSERT_TRUE(
        stub->ListAlerts(Prepare(&context, Token("tom-ellery")), esc::ListAlertsRequest(), &response)
            .ok());
    for (const auto& a : response.alerts()) EXPECT_NE(a.area_id(), "west-kent");
    grpc::ClientContext follow;
    esc::SubscribeRequest request;
    request.mutable_filter()->add_area_ids("west-kent");
    auto reader = stub->Subscribe(Prepare(&follow, Token("tom-ellery")), request);
    esc::AlertStreamItem item;
    EXPECT_FALSE(reader->Read(&item));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }

  // Tokens: unknown, malformed, or contradicted by x-staff-user: UNAUTHENTICATED.
  EXPECT_THAT(GetAlert(staff, Token("nobody")), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(GetAlert(staff, {{"authorization", "dev-token-priya-nair"}}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  Metadata contradicted = Token("tom-ellery");
  contradicted.emplace("x-staff-user", "priya-nair");
  EXPECT_THAT(GetAlert(staff, contradicted), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(GetAlert(staff, {}), StatusIs(absl::StatusCode::kUnauthenticated));

  // A bare x-staff-user is refused, with or without a provider's certificate...
  const Metadata as_priya = {{"x-staff-user", "priya-nair"}};
  EXPECT_THAT(GetAlert(staff, as_priya),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("Bearer")));
  EXPECT_THAT(GetAlert(SecureChannel(escalation, ClientTls("rostering-kcc")), as_priya),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // ...but the console, by its certificate, names its signed-in users, who keep to their areas.
  auto console = SecureChannel(escalation, ClientTls(kConsoleClient));
  EXPECT_THAT(GetAlert(console, as_priya), IsOk());
  EXPECT_THAT(GetAlert(console, {{"x-staff-user", "tom-ellery"}}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(GetAlert(console, {}), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(ProductionServicesTest, CapacityProvidersWriteOnlyTheirScopesByCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartCapacity());
  const std::string address = Address("capacity-service");
  auto market = [](const std::string& id, const std::string& area) {
    capacity::v1::CapacityUpdate u;
    u.set_update_id(id);
    *u.mutable_occurred_at() = ToProtoTime(absl::Now());
    u.mutable_home_care_market()->set_area_id(area);
    u.mutable_home_care_market()->set_packages_startable_this_week(3);
    return u;
  };
  auto submit = [](const std::shared_ptr<grpc::Channel>& channel,
                   const capacity::v1::CapacityUpdate& u, const Metadata& metadata = {}) {
    return Submit<capacity::v1::CapacityService>(channel, u, metadata);
  };

  EXPECT_THAT(submit(PlaintextChannel(address), market("m-plain", "west-kent"),
                     {{"authorization", "Bearer dev-token-homecare-invicta"}}),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(submit(SecureChannel(address, ClientTls()), market("m-nocert", "west-kent"),
                     {{"authorization", "Bearer dev-token-homecare-invicta"}}),
              StatusIs(absl::StatusCode::kUnavailable));

  // Invicta (West and North Kent) by its certificate: its own area is accepted...
  auto invicta = SecureChannel(address, ClientTls("homecare-invicta"));
  auto own = submit(invicta, market("m-own", "west-kent"));
  ASSERT_THAT(own, IsOk());
  EXPECT_EQ(own->outcome(), Ack::OUTCOME_ACCEPTED);
  // ...Saxon Shore's is not, on the unary path or a stream, which goes on.
  EXPECT_THAT(submit(invicta, market("m-theirs", "thanet-south-kent-coast")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("thanet")));
  {
    auto stub = capacity::v1::CapacityService::NewStub(invicta);
    grpc::ClientContext context;
    auto stream = stub->StreamUpdates(Prepare(&context, {}));
    ASSERT_TRUE(stream->Write(market("s-theirs", "thanet-south-kent-coast")));
    Ack ack;
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.outcome(), Ack::OUTCOME_REJECTED);
    ASSERT_EQ(ack.violations_size(), 1);
    EXPECT_EQ(ack.violations(0).field(), "home_care_market.area_id");
    ASSERT_TRUE(stream->Write(market("s-own", "north-kent")));
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.outcome(), Ack::OUTCOME_ACCEPTED);
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
  // No second credential beside the certificate, and no development credential instead of one.
  EXPECT_THAT(submit(invicta, market("m-token", "west-kent"),
                     {{"authorization", "Bearer dev-token-homecare-saxon-shore"}}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(submit(invicta, market("m-header", "west-kent"),
                     {{"x-provider-id", "homecare-saxon-shore"}}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // The console's certificate is no provider's.
  EXPECT_THAT(submit(SecureChannel(address, ClientTls(kConsoleClient)), market("m-console", "west-kent")),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("names no provider")));
}

TEST_F(ProductionServicesTest, BedProvidersWriteOnlyTheirLocationsByCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartBeds());
  const std::string address = Address("beds-service");
  int n = 0;
  auto admit = [&](const std::string& location, reference::v1::BedType type) {
    beds::v1::BedUpdate u;
    u.set_update_id(absl::StrCat("b-", ++n));
    *u.mutable_occurred_at() = ToProtoTime(absl::Now() - absl::Minutes(1));
    u.mutable_admission()->set_location_id(location);
    u.mutable_admission()->set_bed_type(type);
    return u;
  };
  auto submit = [](const std::shared_ptr<grpc::Channel>& channel, const beds::v1::BedUpdate& u,
                   const Metadata& metadata = {}) {
    return Submit<beds::v1::BedsService>(channel, u, metadata);
  };
  const auto long_term = reference::v1::BED_TYPE_LONG_TERM;
  EXPECT_THAT(submit(PlaintextChannel(address), admit("rh-oast-house", long_term),
                     {{"x-provider-id", "care-group-weald"}}),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(submit(SecureChannel(address, ClientTls()), admit("rh-oast-house", long_term)),
              StatusIs(absl::StatusCode::kUnavailable));
  auto weald = SecureChannel(address, ClientTls("care-group-weald"));
  auto own = submit(weald, admit("rh-oast-house", long_term));  // one of Weald's homes
  ASSERT_THAT(own, IsOk());
  EXPECT_EQ(own->outcome(), Ack::OUTCOME_ACCEPTED);
  // KCC's in-house unit is not Weald's to write.
  EXPECT_THAT(submit(weald, admit("icc-orchard-view", reference::v1::BED_TYPE_ASSESSMENT)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(submit(weald, admit("rh-oast-house", long_term),
                     {{"x-provider-id", "bed-management-kcc"}}),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

// The console under the production config reaches the escalation service with its client
// certificate and names its signed-in user; without the certificate the same console is refused.
TEST_F(ProductionServicesTest, ConsoleIsTrustedByItsCertificateOnly) {
  ASSERT_NO_FATAL_FAILURE(StartEscalation());
  ASSERT_NO_FATAL_FAILURE(StartWorkforce());
  auto rostering = SecureChannel(Address("workforce-service"), ClientTls("rostering-kcc"));
  ASSERT_THAT(ReportStaffing(rostering, "c-red", 9), IsOk());
  // Production signs nobody in by password; this test adds two users to reach the API.
  auto start_console = [&](const std::string& name, bool with_certificate) {
    const std::string production = SourceDir() + "/deploy/config/production/console.textproto";
    auto config = LoadTextProto<console::v1::ConsoleConfig>(production);
    ASSERT_THAT(config, IsOk());
    config->set_reference_path(ResolveBeside(production, config->reference_path()));
    *config->mutable_escalation_tls() = ClientTls(with_certificate ? kConsoleClient : "");
    for (const auto& [user, area] : {std::pair<std::string, std::string>{"priya-nair", "west-kent"},
                                     {"tom-ellery", "ashford-canterbury"}}) {
      auto* u = config->add_development_users();
      u->set_user_id(user);
      u->set_display_name(user);
      u->set_role_id("stp_team_manager");
      u->add_area_ids(area);
      u->set_password_sha256("30c5461fc27b84f1f1ad0a83162a26882b22d11cdfa45978dd21c810056e8d0e");
    }
    std::string text;
    google::protobuf::TextFormat::PrintToString(*config, &text);
    const std::string path = absl::StrCat(::testing::TempDir(), "/", ns_, name, ".textproto");
    std::ofstream(path) << text;
    config_files_.push_back(path);
    auto service = StartService(
        "console-service",
        {"--config=" + path, "--http_address=127.0.0.1:0",
         "--escalation_address=" + Address("escalation-service"),
         "--notifier_state=" + ::testing::TempDir() + "/" + ns_ + name + ".resume"});
    ASSERT_THAT(service, IsOk());
    services_[name] = std::make_unique<RunningService>(*std::move(service));
  };
  // GET /api/alert of the West Kent alert as `user`: the HTTP status.
  auto alert_as = [&](const std::string& console, const std::string& user) {
    httplib::Client http("127.0.0.1", services_.at(console)->port);
    auto signin = http.Post("/signin", "user=" + user + "&password=winter",
                            "application/x-www-form-urlencoded");
    if (!signin) return -1;
    const std::string cookie = signin->get_header_value("Set-Cookie");
    auto got = http.Get(absl::StrCat("/api/alert?id=", kWestKentStaffingAlert).c_str(),
                        {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    return got ? got->status : -1;
  };
  ASSERT_NO_FATAL_FAILURE(start_console("console", true));
  ASSERT_TRUE(WaitFor([&] { return alert_as("console", "priya-nair") == 200; }, absl::Seconds(60)));
  EXPECT_EQ(alert_as("console", "tom-ellery"), 403);
  // TLS without the console's certificate: the escalation service refuses x-staff-user.
  ASSERT_NO_FATAL_FAILURE(start_console("console-without-certificate", false));
  EXPECT_EQ(alert_as("console-without-certificate", "priya-nair"), 401);
}

// Runs tools/opsctl with `args`; its exit code and everything it printed.
std::pair<int, std::string> Opsctl(const std::vector<std::string>& args) {
  std::string command = BinaryDir() + "/tools/opsctl";
  for (const auto& a : args) absl::StrAppend(&command, " '", a, "'");
  absl::StrAppend(&command, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "cannot run " + command};
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(ProductionServicesTest, OpsctlSignsInWithATokenAndACertificate) {
  ASSERT_NO_FATAL_FAILURE(StartEscalation());
  ASSERT_NO_FATAL_FAILURE(StartWorkforce());
  const std::string ca = "--tls_ca=" + CertificateDir() + "/ca.pem";
  const std::string workforce = "--address=" + Address("workforce-service");
  const std::string escalation = "--address=" + Address("escalation-service");
  // A provider reports with its certificate (no x-provider-id is sent then).
  auto report = Opsctl({"report-staffing", workforce, ca,
                        "--tls_cert=" + CertificateDir() + "/clients/rostering-kcc.pem",
                        "--tls_key=" + CertificateDir() + "/clients/rostering-kcc.key",
                        "--team=stp-west-kent", "--available_wte=9", "--update_id=ops-1"});
  EXPECT_EQ(report.first, 0) << report.second;
  // Without a certificate, or without TLS, it does not get in.
  auto anonymous = Opsctl({"report-staffing", workforce, ca, "--team=stp-west-kent",
                           "--available_wte=9", "--provider=rostering-kcc"});
  EXPECT_NE(anonymous.first, 0);
  EXPECT_THAT(anonymous.second, HasSubstr("UNAVAILABLE"));
  EXPECT_NE(Opsctl({"alerts", escalation, "--token=dev-token-priya-nair"}).first, 0);
  // Staff: the token signs Priya in and she sees West Kent's alert; naming a user is refused.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto alerts = Opsctl({"alerts", escalation, ca, "--token=dev-token-priya-nair"});
        return alerts.first == 0 && alerts.second.find("stp-west-kent") != std::string::npos;
      },
      absl::Seconds(60)));
  auto named = Opsctl({"alerts", escalation, ca, "--user=priya-nair"});
  EXPECT_NE(named.first, 0);
  EXPECT_THAT(named.second, HasSubstr("UNAUTHENTICATED"));
  auto other = Opsctl({"alerts", escalation, ca, "--token=dev-token-tom-ellery"});
  EXPECT_EQ(other.first, 0) << other.second;
  EXPECT_THAT(other.second, ::testing::Not(HasSubstr("stp-west-kent")));
}

}  // namespace
}  // namespace resilience::testing
