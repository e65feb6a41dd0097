#!/usr/bin/env bash
# Starts, stops and reports the platform's services (built in $RESILIENCE_BUILD_DIR) for one
# instance, with the Kent and Medway config and the ports of deploy/settings.sh. PID files and
# logs live under var/<instance>/. Usage: services.sh start|stop|status [service...]. Safe to run
# twice.
# With RESILIENCE_CLOCK_START (and _SPEED, _EPOCH) set, `start` runs them on a scenario replay's
# compressed clock (see clock_args).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/settings.sh"

RUN_DIR="$RESILIENCE_VAR_DIR/run"
LOG_DIR="$RESILIENCE_VAR_DIR/log"
OPSCTL="$RESILIENCE_BUILD_DIR/tools/opsctl"
SERVICES=(escalation workforce console beds capacity)

binary() { echo "$RESILIENCE_BUILD_DIR/services/$1/$1-service"; }

args() {
  case "$1" in
    escalation)
      echo "--config=$RESILIENCE_CONFIG_DIR/escalation.textproto" \
        "--grpc_address=127.0.0.1:$ESCALATION_GRPC_PORT" \
        "--metrics_address=127.0.0.1:$ESCALATION_METRICS_PORT" \
        "--kafka_bootstrap=$KAFKA_BOOTSTRAP" "--redis_port=$REDIS_PORT" ;;
    workforce)
      echo "--config=$RESILIENCE_CONFIG_DIR/workforce.textproto" \
        "--grpc_address=127.0.0.1:$WORKFORCE_GRPC_PORT" \
        "--metrics_address=127.0.0.1:$WORKFORCE_METRICS_PORT" \
        "--kafka_bootstrap=$KAFKA_BOOTSTRAP" ;;
    capacity)
      echo "--config=$RESILIENCE_CONFIG_DIR/capacity.textproto" \
        "--grpc_address=127.0.0.1:$CAPACITY_GRPC_PORT" \
        "--metrics_address=127.0.0.1:$CAPACITY_METRICS_PORT" \
        "--kafka_bootstrap=$KAFKA_BOOTSTRAP" ;;
    beds)
      echo "--config=$RESILIENCE_CONFIG_DIR/beds.textproto" \
        "--grpc_address=127.0.0.1:$BEDS_GRPC_PORT" \
        "--metrics_address=127.0.0.1:$BEDS_METRICS_PORT" \
        "--kafka_bootstrap=$KAFKA_BOOTSTRAP" ;;
    console)
      echo "--config=$RESILIENCE_CONFIG_DIR/console.textproto" \
        "--http_address=127.0.0.1:$CONSOLE_HTTP_PORT" \
        "--metrics_address=127.0.0.1:$CONSOLE_METRICS_PORT" \
        "--escalation_address=127.0.0.1:$ESCALATION_GRPC_PORT" \
        "--notifier_state=$RESILIENCE_VAR_DIR/console/notifier.resume" ;;
  esac
}

# clock_args NAME: with RESILIENCE_CLOCK_START (RFC 3339) set, the flags that run a service on
# the replay's compressed clock: scenario time = START + (real now - RESILIENCE_CLOCK_EPOCH) *
# RESILIENCE_CLOCK_SPEED, so services started one after another (and the scenario replayer) agree
# on the time of day to the millisecond (--clock_epoch). The escalation service also re-evaluates
# timers every real second. The console keeps real time.
clock_args() {
  [ -n "${RESILIENCE_CLOCK_START:-}" ] && [ "$1" != console ] || return 0
  echo "--clock_start=$RESILIENCE_CLOCK_START" "--clock_speed=${RESILIENCE_CLOCK_SPEED:-1}"
  if [ -n "${RESILIENCE_CLOCK_EPOCH:-}" ]; then echo "--clock_epoch=$RESILIENCE_CLOCK_EPOCH"; fi
  if [ "$1" = escalation ]; then echo "--level_tick_seconds=1"; fi
}

port() {
  case "$1" in
    escalation) echo "$ESCALATION_GRPC_PORT" ;;
    workforce) echo "$WORKFORCE_GRPC_PORT" ;;
    capacity) echo "$CAPACITY_GRPC_PORT" ;;
    beds) echo "$BEDS_GRPC_PORT" ;;
    console) echo "$CONSOLE_HTTP_PORT" ;;
  esac
}

# healthy NAME: the service answers its health check (gRPC health; the console's HTTP /healthz).
healthy() {
  if [ "$1" = console ]; then
    curl -fsS "http://127.0.0.1:$CONSOLE_HTTP_PORT/healthz"
  else
    "$OPSCTL" health --address="127.0.0.1:$(port "$1")"
  fi
}

start_one() {
  local name="$1" bin pid_file log
  bin="$(binary "$name")"
  pid_file="$RUN_DIR/$name.pid"
  log="$LOG_DIR/$name.log"
  if pid_alive "$pid_file" "$bin"; then
    echo "$name: already running (pid $(cat "$pid_file")) on 127.0.0.1:$(port "$name")"
    return 0
  fi
  [ -x "$bin" ] || { echo "$name: $bin is not built (run the build first)" >&2; return 1; }
  local attempt lines
  for attempt in 1 2 3 4 5 6; do
    lines=0
    [ -f "$log" ] && lines="$(wc -l < "$log")"
    # shellcheck disable=SC2046
    setsid nohup "$bin" $(args "$name") $(clock_args "$name") >> "$log" 2>&1 < /dev/null &
    echo $! > "$pid_file"
    wait_until 30 "$name" "$log" healthy_or_exited "$name" "$pid_file" "$bin"
    if pid_alive "$pid_file" "$bin"; then
      echo "$name: running (pid $(cat "$pid_file")) on 127.0.0.1:$(port "$name"), log $log"
      return 0
    fi
    # The development ports lie in Linux's ephemeral range: a connection that just closed can
    # hold one in TIME-WAIT for up to a minute. Wait for it rather than fail the run.
    if [ "$attempt" -lt 6 ] && tail -n "+$((lines + 1))" "$log" | grep -q "cannot listen"; then
      echo "$name: port $(port "$name") still held by a closed connection; retrying in 15 s"
      sleep 15
      continue
    fi
    echo "$name: exited during start; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    return 1
  done
}

# True once the service answers its health check or its process has gone.
healthy_or_exited() {
  healthy "$1" || ! pid_alive "$2" "$3"
}

# Names after the command restrict it to those services (e.g. `stop escalation workforce`).
command="${1:-}"
shift || true
if [ $# -gt 0 ]; then SERVICES=("$@"); fi

case "$command" in
  start)
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    for s in "${SERVICES[@]}"; do start_one "$s"; done
    ;;
  stop)
    for s in "${SERVICES[@]}"; do stop_pid "$RUN_DIR/$s.pid" "$(binary "$s")" "$s"; done
    ;;
  status)
    status=0
    for s in "${SERVICES[@]}"; do
      if pid_alive "$RUN_DIR/$s.pid" "$(binary "$s")"; then
        healthy "$s" | sed "s/^/$s: /" || status=1
      else
        echo "$s: not running"; status=1
      fi
    done
    exit $status
    ;;
  *) echo "usage: $0 start|stop|status [service...]" >&2; exit 2 ;;
esac
