#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run. This file is the only
# place the list lives. Safe to run twice: apt-get skips what is already installed, and nothing
# runs when every package is already present.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git clang libclang-rt-14-dev
  # contracts and RPC
  protobuf-compiler libprotobuf-dev libgrpc++-dev libgrpc-dev protobuf-compiler-grpc
  # libraries
  libabsl-dev libssl-dev librdkafka-dev libhiredis-dev libspdlog-dev libfmt-dev
  # the services' allocator (glibc malloc was a third of the escalation pipeline's CPU)
  libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # infrastructure: Redis server, Kafka's JVM and Maven to fetch the broker, kcat to look at topics
  redis-server redis-tools default-jdk-headless maven kcat
  # scripts
  curl ca-certificates procps iproute2 python3
  # web console: HTTP server library; browser tests drive Debian's Chromium from Node.js
  # (the machine's Node.js and npm; playwright-core comes from npm, tests/browser)
  libcpp-httplib-dev chromium nodejs
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
