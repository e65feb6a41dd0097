#include "common/grpc/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"

namespace resilience {
namespace {

// ConfigError, or "field: reason" for settings that came from flags (no config file).
absl::Status SettingError(const std::string& config_path, const std::string& field,
                          const std::string& reason) {
  if (config_path.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
  return ConfigError(config_path, field, reason);
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(const std::string& config_path, const std::string& field,
                                        const std::string& path) {
  const std::string resolved = config_path.empty() ? path : ResolveBeside(config_path, path);
  std::ifstream in(resolved);
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (pem.empty()) {
    return SettingError(config_path, field, absl::StrCat("cannot read '", resolved, "'"));
  }
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return SettingError(config_path, field, absl::StrCat("'", resolved, "' holds no PEM block"));
  }
  return pem;
}

absl::Status CheckKeyPair(const std::string& config_path, const std::string& field,
                          const std::string& cert_pem, const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (cert == nullptr) {
    status = SettingError(config_path, field, "the certificate file holds no certificate");
  } else if (key == nullptr) {
    status = SettingError(config_path, field, "the key file holds no (unencrypted) private key");
  } else if (X509_check_private_key(cert, key) != 1) {
    status = SettingError(config_path, field, "the private key does not belong to the certificate");
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return status;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewGrpcChannel(
    const std::string& address, const common::v1::ClientTlsSettings& tls,
    const std::string& config_path, const std::string& field_prefix) {
  auto field = [&](const char* name) { return absl::StrCat(field_prefix, ".", name); };
  if (tls.ca_path().empty()) {
    if (!tls.cert_path().empty() || !tls.key_path().empty()) {
      return SettingError(config_path, field("ca_path"),
                         "required with a client certificate (no mTLS without TLS)");
    }
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  if (tls.cert_path().empty() != tls.key_path().empty()) {
    return SettingError(config_path, field(tls.cert_path().empty() ? "cert_path" : "key_path"),
                       "cert_path and key_path go together");
  }
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadPemFile(config_path, field("ca_path"), tls.ca_path());
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (!tls.cert_path().empty()) {
    auto cert = ReadPemFile(config_path, field("cert_path"), tls.cert_path());
    if (!cert.ok()) return cert.status();
    auto key = ReadPemFile(config_path, field("key_path"), tls.key_path());
    if (!key.ok()) return key.status();
    if (auto s = CheckKeyPair(config_path, field("cert_path"), *cert, *key); !s.ok()) return s;
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  grpc::ChannelArguments arguments;
  if (!tls.server_name().empty()) arguments.SetSslTargetNameOverride(tls.server_name());
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), arguments);
}

}  // namespace resilience
