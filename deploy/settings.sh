# Ports and paths of the local infrastructure and services, in one place. Sourced by every
# deploy/ and tools/ script; each value can be overridden from the environment.
#
# Instances never meet: "dev" (the run command) and "test" (ctest's fixture) use different
# ports and data folders, so tests can run while the platform is up. "test1" to "test9" are
# further test instances (ports 200 apart) for running two checkouts' tests on one machine:
# configure the build with -DRESILIENCE_TEST_INSTANCE=test1.

RESILIENCE_ROOT="${RESILIENCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
RESILIENCE_INSTANCE="${RESILIENCE_INSTANCE:-dev}"
RESILIENCE_BUILD_DIR="${RESILIENCE_BUILD_DIR:-$RESILIENCE_ROOT/build}"

case "$RESILIENCE_INSTANCE" in
  dev)  _kafka=29092; _controller=29093; _redis=26379; _grpc_base=50051 ;;
  test) _kafka=39092; _controller=39093; _redis=36379; _grpc_base=51051 ;;
  test[1-9])
    _n="${RESILIENCE_INSTANCE#test}"
    _kafka=$((39092 + _n * 200)); _controller=$((39093 + _n * 200)); _redis=$((36379 + _n * 200))
    _grpc_base=$((51051 + _n * 200)) ;;
  *) echo "settings.sh: unknown RESILIENCE_INSTANCE '$RESILIENCE_INSTANCE' (dev, test or test1..test9)" >&2; return 1 ;;
esac

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-$_kafka}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$_controller}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
# Broker jars fetched from Maven Central by deploy/kafka/pom.xml; shared by both instances.
KAFKA_CACHE="${KAFKA_CACHE:-$RESILIENCE_ROOT/.cache/kafka-$KAFKA_VERSION}"

REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-$_redis}"

# Services on consecutive ports; metrics 100 above.
WORKFORCE_GRPC_PORT="${WORKFORCE_GRPC_PORT:-$((_grpc_base + 0))}"
ESCALATION_GRPC_PORT="${ESCALATION_GRPC_PORT:-$((_grpc_base + 1))}"
CAPACITY_GRPC_PORT="${CAPACITY_GRPC_PORT:-$((_grpc_base + 2))}"
BEDS_GRPC_PORT="${BEDS_GRPC_PORT:-$((_grpc_base + 3))}"
CONSOLE_HTTP_PORT="${CONSOLE_HTTP_PORT:-$((_grpc_base + 4))}"
WORKFORCE_METRICS_PORT="${WORKFORCE_METRICS_PORT:-$((_grpc_base + 100))}"
ESCALATION_METRICS_PORT="${ESCALATION_METRICS_PORT:-$((_grpc_base + 101))}"
CAPACITY_METRICS_PORT="${CAPACITY_METRICS_PORT:-$((_grpc_base + 102))}"
BEDS_METRICS_PORT="${BEDS_METRICS_PORT:-$((_grpc_base + 103))}"
CONSOLE_METRICS_PORT="${CONSOLE_METRICS_PORT:-$((_grpc_base + 104))}"

RESILIENCE_CONFIG_DIR="${RESILIENCE_CONFIG_DIR:-$RESILIENCE_ROOT/deploy/config/kent-medway}"
RESILIENCE_VAR_DIR="${RESILIENCE_VAR_DIR:-$RESILIENCE_ROOT/var/$RESILIENCE_INSTANCE}"

# Shared helpers -------------------------------------------------------------------------------

# pid_alive FILE PATTERN: true when FILE names a live process whose command line contains
# PATTERN (guards against a stale PID reused by someone else's process).
pid_alive() {
  local file="$1" pattern="$2" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# stop_pid FILE PATTERN NAME: SIGTERM the process, wait up to 30 s, then SIGKILL. Safe when not
# running.
stop_pid() {
  local file="$1" pattern="$2" name="$3" pid i
  if ! pid_alive "$file" "$pattern"; then
    rm -f "$file"
    echo "$name: not running"
    return 0
  fi
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: did not stop within 30 s, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
  echo "$name: stopped"
}

# wait_until SECONDS DESCRIPTION LOGFILE COMMAND...: polls COMMAND every 0.2 s until it succeeds;
# on timeout prints the last lines of LOGFILE and fails.
wait_until() {
  local seconds="$1" what="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$what: not ready after ${seconds}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
}
