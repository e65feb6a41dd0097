# Security (DESIGN 8, issue 8 "Security"): caller identity rules, and TLS and mTLS on a real
# in-process gRPC server configured as the services are.
add_project_test(security_auth_test SRCS unit/security/auth_test.cc
  DEPS auth capacity_core reference test_support LABELS unit)
add_project_test(security_transport_test SRCS integration/security_transport_test.cc
  DEPS grpc_server grpc_tls auth_grpc grpc_probe_proto test_support LABELS integration)
