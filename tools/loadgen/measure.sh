#!/usr/bin/env bash
# Measures the escalation path against the real broker and Redis of one instance
# (RESILIENCE_INSTANCE, default dev; both must be running: deploy/infra.sh start): creates the
# topics under a fresh namespace, starts an escalation-service on it (Kent and Medway config),
# runs `loadgen` (bare librdkafka round trip and end-to-end latency, with the ratios) for each
# rate of LOADGEN_RATES (default "1000 20000"), a fresh service per rate, and stops each service it
# started (by its PID). LOADGEN_INSTANCES (default 1) runs that many escalation-service instances
# in one consumer group (scale-out, DESIGN 8); the first serves the alert stream the loadgen times.
# Extra arguments go to loadgen (e.g. --seconds=10 --drain_seconds=120).
# Exits non-zero when a rate was not sustained (backlog left) or no alert came through. Safe to
# run twice: each run has its own topics and keys, and deletes both when done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../deploy/settings.sh"

rates="${LOADGEN_RATES:-1000 20000}"
instances="${LOADGEN_INSTANCES:-1}"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); escalation instances: $instances"
status=0
for rate in $rates; do
  # A fresh service and namespace per rate, so one rate's backlog never delays the next.
  ns="load-$(date +%s)-$rate-"
  # Ports the kernel has just handed out as free: a fixed one in the ephemeral range was once
  # held by a client socket, and the service could not start.
  ports=($(python3 -c 'import socket,sys
socks=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$instances"))
  port="${ports[0]}"
  log="$RESILIENCE_VAR_DIR/log/escalation-load-$rate.log"
  mkdir -p "$(dirname "$log")"
  "$RESILIENCE_BUILD_DIR/tools/create_topics" --bootstrap="$KAFKA_BOOTSTRAP" --prefix="$ns" \
    --topics="$RESILIENCE_ROOT/deploy/topics.textproto" > /dev/null
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT
  for ((i = 0; i < instances; ++i)); do
    ilog="$log"
    [[ $i -gt 0 ]] && ilog="${log%.log}-$i.log"
    "$RESILIENCE_BUILD_DIR/services/escalation/escalation-service" \
      --config="$RESILIENCE_CONFIG_DIR/escalation.textproto" --kafka_bootstrap="$KAFKA_BOOTSTRAP" \
      --redis_port="$REDIS_PORT" --namespace="$ns" --grpc_address="127.0.0.1:${ports[i]}" \
      --metrics_address=127.0.0.1:0 > "$ilog" 2>&1 &
    pids+=($!)
    wait_until 60 escalation-service "$ilog" "$RESILIENCE_BUILD_DIR/tools/opsctl" health \
      --address="127.0.0.1:${ports[i]}"
  done
  if [[ $instances -gt 1 ]]; then
    # Every instance holds partitions before the clock starts, so no rebalance falls in the run.
    wait_until 60 "the consumer group's rebalance" "$log" bash -c '
      for l in "$0"*.log; do grep -q "consumer assigned [1-9]" "$l" || exit 1; done' "${log%.log}"
  fi
  "$RESILIENCE_BUILD_DIR/tools/loadgen/loadgen" --bootstrap="$KAFKA_BOOTSTRAP" \
    --escalation_address="127.0.0.1:$port" --namespace="$ns" \
    --config_dir="$RESILIENCE_CONFIG_DIR" --rates="$rate" "$@" || status=1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  # The run's Redis keys and topics go with it: left behind, the keys grow the instance's
  # append-only file by hundreds of megabytes per run and slow every later Redis start, and the
  # topics (about 400 MB a run) make a broker restarted after a crash recover every partition's
  # log, which took longer than kafka.sh waits once some 30 runs had piled up.
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$ns:*" |
    xargs -r -n 1000 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" unlink > /dev/null
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" bgrewriteaof > /dev/null || true
  "$RESILIENCE_BUILD_DIR/tools/create_topics" --bootstrap="$KAFKA_BOOTSTRAP" --prefix="$ns" \
    --delete || status=1
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
