# Build helpers: one small target per concept (Abseil's absl_cc_library, Envoy's one target per
# interface and per implementation).

set(PROJECT_WARNINGS -Wall -Wextra -Wno-unused-parameter)

# add_project_library(NAME HDRS ... SRCS ... DEPS ...)
# A static library (or an interface library when it has no sources) with the alias
# resilience::NAME. Includes are rooted at the source tree: #include "common/clock/clock.h".
function(add_project_library NAME)
  cmake_parse_arguments(ARG "" "" "HDRS;SRCS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${NAME} PUBLIC ${ARG_DEPS})
    target_compile_options(${NAME} PRIVATE ${PROJECT_WARNINGS})
  else()
    add_library(${NAME} INTERFACE)
    target_include_directories(${NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${NAME} INTERFACE ${ARG_DEPS})
  endif()
  add_library(resilience::${NAME} ALIAS ${NAME})
endfunction()

# add_project_binary(NAME [SERVICE] SRCS ... DEPS ...): a service, tool or helper executable.
# SERVICE links jemalloc, which replaces glibc's malloc for the whole process: the services
# allocate and free many small protobuf messages and strings per event, where glibc's malloc
# spent a third of the escalation pipeline's CPU (README "Proof").
function(add_project_binary NAME)
  cmake_parse_arguments(ARG "SERVICE" "" "SRCS;DEPS" ${ARGN})
  add_executable(${NAME} ${ARG_SRCS})
  target_link_libraries(${NAME} PRIVATE ${ARG_DEPS})
  if(ARG_SERVICE)
    target_link_libraries(${NAME} PRIVATE PkgConfig::JEMALLOC)
  endif()
  target_compile_options(${NAME} PRIVATE ${PROJECT_WARNINGS})
endfunction()

# add_project_test(NAME SRCS ... DEPS ... LABELS ... [INFRA] [TIMEOUT seconds])
# A GoogleTest binary registered with ctest. INFRA marks a test that needs the real Kafka broker
# and Redis: it joins the `infra` fixture (started once per ctest run by deploy/infra.sh) and gets
# their addresses through the environment (RESILIENCE_KAFKA_BOOTSTRAP, RESILIENCE_REDIS_PORT).
function(add_project_test NAME)
  cmake_parse_arguments(ARG "INFRA" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${NAME} ${ARG_SRCS})
  target_link_libraries(${NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${NAME} PRIVATE ${PROJECT_WARNINGS})
  add_test(NAME ${NAME} COMMAND ${NAME})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "RESILIENCE_SOURCE_DIR=${PROJECT_SOURCE_DIR};RESILIENCE_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(ARG_INFRA)
    set_tests_properties(${NAME} PROPERTIES FIXTURES_REQUIRED infra RESOURCE_LOCK infra_heavy)
    # INFRA_ENV (tests/CMakeLists.txt): the test instance's Kafka and Redis addresses.
    set_property(TEST ${NAME} APPEND PROPERTY ENVIRONMENT ${INFRA_ENV})
  endif()
endfunction()

# add_proto_library(NAME PROTOS ... DEPS ... [GRPC])
# Generates C++ for .proto files under proto/ (import paths rooted at proto/) into the build tree
# and builds them as one library. GRPC also generates the service stubs.
function(add_proto_library NAME)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  set(gen_dir ${PROJECT_BINARY_DIR}/gen)
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/proto ${abs})
    string(REGEX REPLACE "\\.proto$" "" base ${rel})
    set(outs ${gen_dir}/${base}.pb.cc ${gen_dir}/${base}.pb.h)
    set(plugin_args)
    if(ARG_GRPC)
      list(APPEND outs ${gen_dir}/${base}.grpc.pb.cc ${gen_dir}/${base}.grpc.pb.h)
      set(plugin_args --grpc_out=${gen_dir} --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${gen_dir}
      COMMAND protobuf::protoc -I${PROJECT_SOURCE_DIR}/proto --cpp_out=${gen_dir} ${plugin_args} ${abs}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${gen_dir}/${base}.pb.cc)
    if(ARG_GRPC)
      list(APPEND srcs ${gen_dir}/${base}.grpc.pb.cc)
    endif()
  endforeach()
  add_library(${NAME} STATIC ${srcs})
  target_include_directories(${NAME} PUBLIC ${gen_dir})
  target_link_libraries(${NAME} PUBLIC ${ARG_DEPS} protobuf::libprotobuf)
  if(ARG_GRPC)
    target_link_libraries(${NAME} PUBLIC gRPC::grpc++)
  endif()
  add_library(resilience::${NAME} ALIAS ${NAME})
endfunction()
