// Caller identity rules (common/auth): bearer tokens against the reference data's hashes, the
// development-header policy at every combination, and the capacity service's certificate identity.
#include <string>
#include <vector>

#include "common/auth/credentials.h"
#include "common/reference/reference_index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/capacity/core/caller_identity.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const ReferenceIndex> KentMedway() {
  static auto* reference = new std::shared_ptr<const ReferenceIndex>([] {
    auto loaded =
        ReferenceIndex::Load(SourceDir() + "/deploy/config/kent-medway/reference.textproto");
    EXPECT_THAT(loaded, IsOk());
    return loaded.ok() ? *loaded : nullptr;
  }());
  return *reference;
}

TEST(Sha256HexTest, KnownDigests) {
  EXPECT_EQ(auth::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(auth::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BearerTokenTest, EveryForm) {
  struct Case {
    std::string value;
    std::string token;  // empty: UNAUTHENTICATED
  };
  const std::vector<Case> cases = {
      {"Bearer abc", "abc"},
      {"bearer abc", "abc"},    // the scheme in any case (RFC 7235)
      {"BEARER abc", "abc"},
      {"Bearer  abc ", "abc"},  // surrounding blanks are not part of the token
      {"Bearer ", ""},
      {"Bearer", ""},
      {"Basic YWJjOmRlZg==", ""},
      {"abc", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    auto token = auth::BearerToken(c.value);
    if (c.token.empty()) {
      EXPECT_THAT(token, StatusIs(absl::StatusCode::kUnauthenticated)) << "'" << c.value << "'";
    } else {
      EXPECT_THAT(token, IsOkAndHolds(c.token)) << "'" << c.value << "'";
    }
  }
}

TEST(StaffByTokenTest, DevelopmentTokensNameTheirHolder) {
  auto reference = KentMedway();
  ASSERT_NE(reference, nullptr);
  auto priya = auth::StaffByToken(*reference, "dev-token-priya-nair");
  ASSERT_THAT(priya, IsOk());
  EXPECT_EQ((*priya)->id(), "priya-nair");
  auto helen = auth::StaffByToken(*reference, "dev-token-helen-marsh");
  ASSERT_THAT(helen, IsOk());
  EXPECT_EQ((*helen)->id(), "helen-marsh");
  // Every person but the service account has one.
  for (const auto& person : reference->data().people()) {
    auto holder = auth::StaffByToken(*reference, "dev-token-" + person.id());
    if (person.id() == "console-notifier") {
      EXPECT_THAT(holder, StatusIs(absl::StatusCode::kUnauthenticated));
    } else {
      ASSERT_THAT(holder, IsOk()) << person.id();
      EXPECT_EQ((*holder)->id(), person.id());
    }
  }
}

TEST(StaffByTokenTest, AnythingElseIsRefusedWithoutEchoingIt) {
  auto reference = KentMedway();
  ASSERT_NE(reference, nullptr);
  for (const std::string token :
       {"", "dev-token-", "dev-token-PRIYA-NAIR", "dev-token-priya-nair ", "priya-nair",
        "dev-token-rostering-kcc" /* a provider's token is not a person's */}) {
    auto holder = auth::StaffByToken(*reference, token);
    EXPECT_THAT(holder, StatusIs(absl::StatusCode::kUnauthenticated)) << token;
    if (!token.empty()) {
      EXPECT_THAT(std::string(holder.status().message()), ::testing::Not(HasSubstr(token)));
    }
  }
}

TEST(CheckDevelopmentHeadersTest, EveryCombination) {
  auth::CallerPolicy open;  // development: headers accepted from anyone
  auth::CallerPolicy closed;
  closed.allow_development_headers = false;
  closed.trusted_clients = {"resilience-console"};
  struct Case {
    const auth::CallerPolicy* policy;
    std::string peer;
    bool staff_user;
    bool provider_id;
    bool ok;
  };
  const std::vector<Case> cases = {
      // Development: anything goes.
      {&open, "", false, false, true},
      {&open, "", true, false, true},
      {&open, "", false, true, true},
      {&open, "", true, true, true},
      {&open, "rostering-kcc", true, true, true},
      // Headers off: nothing to judge is fine from anyone.
      {&closed, "", false, false, true},
      {&closed, "rostering-kcc", false, false, true},
      // A bare x-staff-user only from a trusted client.
      {&closed, "", true, false, false},
      {&closed, "rostering-kcc", true, false, false},
      {&closed, "resilience-console", true, false, true},
      {&closed, "RESILIENCE-CONSOLE", true, false, false},  // names match exactly
      // x-provider-id never, not even from the trusted client.
      {&closed, "", false, true, false},
      {&closed, "rostering-kcc", false, true, false},
      {&closed, "resilience-console", false, true, false},
      {&closed, "resilience-console", true, true, false},
  };
  for (const Case& c : cases) {
    auth::DevelopmentHeaders headers;
    headers.staff_user = c.staff_user;
    headers.provider_id = c.provider_id;
    absl::Status s = auth::CheckDevelopmentHeaders(*c.policy, c.peer, headers);
    const std::string what = ::testing::PrintToString(
        std::vector<std::string>{c.policy == &open ? "open" : "closed", c.peer,
                                 c.staff_user ? "staff" : "-", c.provider_id ? "provider" : "-"});
    if (c.ok) {
      EXPECT_THAT(s, IsOk()) << what;
    } else {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnauthenticated)) << what;
    }
  }
}

TEST(CheckDevelopmentHeadersTest, RefusalsSayWhatToSendInstead) {
  auth::CallerPolicy closed;
  closed.allow_development_headers = false;
  EXPECT_THAT(auth::CheckDevelopmentHeaders(closed, "", {.staff_user = true}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("Bearer")));
  EXPECT_THAT(auth::CheckDevelopmentHeaders(closed, "", {.provider_id = true}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("client certificate")));
}

// The capacity service's caller identity with a verified client certificate (mTLS).
TEST(CapacityCertificateIdentityTest, TheCertificateNamesTheProviderAndStandsAlone) {
  auto reference = KentMedway();
  ASSERT_NE(reference, nullptr);
  capacity::v1::CallerAuth production;  // every development flag off
  capacity::v1::CallerAuth development;
  development.set_accept_dev_tokens(true);
  development.set_accept_provider_id_header(true);
  development.set_accept_staff_user_header(true);
  for (const auto* auth : {&production, &development}) {
    capacity::CallerIdentity identity(reference, *auth);
    capacity::CallerCredentials c;
    c.certificate_name = "homecare-invicta";
    auto caller = identity.Identify(c);
    ASSERT_THAT(caller, IsOk());
    ASSERT_NE(caller->provider, nullptr);
    EXPECT_EQ(caller->provider->id(), "homecare-invicta");
    // A certificate of something that is not a provider (the console's) identifies nobody.
    c.certificate_name = "resilience-console";
    EXPECT_THAT(identity.Identify(c),
                StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("names no provider")));
    // Beside a certificate, any other credential is refused, even the same provider's token.
    for (auto set : std::vector<void (*)(capacity::CallerCredentials*)>{
             [](capacity::CallerCredentials* x) { x->authorization = "Bearer dev-token-homecare-invicta"; },
             [](capacity::CallerCredentials* x) { x->provider_id = "homecare-saxon-shore"; },
             [](capacity::CallerCredentials* x) { x->staff_user = "helen-marsh"; }}) {
      capacity::CallerCredentials both;
      both.certificate_name = "homecare-invicta";
      set(&both);
      EXPECT_THAT(identity.Identify(both), StatusIs(absl::StatusCode::kUnauthenticated,
                                                    HasSubstr("no other credentials")));
    }
  }
  // Without a certificate the production settings accept nothing.
  capacity::CallerIdentity identity(reference, production);
  capacity::CallerCredentials token;
  token.authorization = "Bearer dev-token-homecare-invicta";
  EXPECT_THAT(identity.Identify(token), StatusIs(absl::StatusCode::kUnauthenticated));
  capacity::CallerCredentials header;
  header.provider_id = "homecare-invicta";
  EXPECT_THAT(identity.Identify(header), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace resilience::testing
