# Security (DESIGN 8, issue 8 "Security"): caller identity rules, the production config set, TLS
# and mTLS on a real in-process gRPC server, and the services themselves under the production
# config (TLS, client certificates for providers, bearer tokens for staff, no development headers).
add_project_test(security_auth_test SRCS unit/security/auth_test.cc
  DEPS auth capacity_core reference test_support LABELS unit)
add_project_test(security_production_config_test SRCS unit/security/production_config_test.cc
  DEPS grpc_server config capacity_proto beds_proto workforce_proto escalation_proto console_proto
       test_support
  LABELS unit)
add_project_test(security_transport_test SRCS integration/security_transport_test.cc
  DEPS grpc_server grpc_tls auth_grpc grpc_probe_proto test_support LABELS integration)
add_project_test(security_services_test SRCS integration/security_services_test.cc
  DEPS grpc_tls config clock capacity_proto beds_proto workforce_proto escalation_proto
       console_proto test_support PkgConfig::HTTPLIB
  LABELS integration INFRA)
add_dependencies(security_services_test escalation-service workforce-service capacity-service
  beds-service console-service opsctl)
