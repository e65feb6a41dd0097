#!/usr/bin/env bash
# Measures the capacity service against the real broker of one instance (RESILIENCE_INSTANCE,
# default dev; the broker must be running: deploy/infra.sh start): creates the topics under a
# fresh prefix, starts a capacity-service with tools/providersim/bench-capacity.textproto (the
# Kent and Medway defaults with the rate limit lifted), runs `providersim --measure` (the bare
# librdkafka produce baseline, 1 stream and 50 concurrent streams in one run), and stops the
# service it started (by its PID). Extra arguments go to providersim (e.g. --seconds=20).
# Safe to run twice: each run has its own topics.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../deploy/settings.sh"

prefix="bench-$(date +%s)-"
port="$((CAPACITY_GRPC_PORT + 50))"
log="$RESILIENCE_VAR_DIR/log/capacity-bench.log"
mkdir -p "$(dirname "$log")"
"$RESILIENCE_BUILD_DIR/tools/create_topics" --bootstrap="$KAFKA_BOOTSTRAP" --prefix="$prefix" \
  --topics="$RESILIENCE_ROOT/deploy/topics.textproto" > /dev/null
"$RESILIENCE_BUILD_DIR/services/capacity/capacity-service" \
  --config="$here/bench-capacity.textproto" --kafka_bootstrap="$KAFKA_BOOTSTRAP" \
  --topic_prefix="$prefix" --grpc_address="127.0.0.1:$port" --metrics_address= \
  > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  grep -q "serving on port" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "capacity-service did not start:" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.5
done
grep -q "serving on port" "$log" || { echo "capacity-service not serving after 30 s:" >&2; tail -20 "$log" >&2; exit 1; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); topics ${prefix}*"
"$RESILIENCE_BUILD_DIR/tools/providersim/providersim" --measure --address="127.0.0.1:$port" \
  --bootstrap="$KAFKA_BOOTSTRAP" --baseline_topic="${prefix}baseline" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
