#!/usr/bin/env bash
# The run command (README): installs what is missing, builds, starts Kafka, Redis and every
# service with the Kent and Medway defaults on a compressed clock, replays the winter-day scenario
# (deploy/scenarios/kent-medway-winter-day.textproto) with a narrative of what the providers and
# staff do and what the platform answers, then leaves everything running at real speed from where
# the day ended and prints where the web console is and who to sign in as. Stop it with
# `bash tools/stop.sh`.
#
# Safe to run twice: each run replays the day afresh. It stops the run instance's services and
# clears its Kafka and Redis data (var/<instance>/kafka, var/<instance>/redis: the instance's own
# demo data, nothing else) before starting again.
#
# Environment: RESILIENCE_SCENARIO (another scenario file), RESILIENCE_CLOCK_SPEED (scenario
# seconds per real second; default the file's), RESILIENCE_INSTANCE (see deploy/settings.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
bash tools/build.sh
source deploy/settings.sh

scenario="${RESILIENCE_SCENARIO:-$root/deploy/scenarios/kent-medway-winter-day.textproto}"
replayer="$RESILIENCE_BUILD_DIR/tools/scenario/scenario"
reference="$RESILIENCE_CONFIG_DIR/reference.textproto"
"$replayer" --scenario="$scenario" --reference="$reference" --check
read -r clock_start file_speed < <("$replayer" --scenario="$scenario" --print_clock)
speed="${RESILIENCE_CLOCK_SPEED:-$file_speed}"

echo
echo "== Fresh start of instance '$RESILIENCE_INSTANCE' (its Kafka and Redis data are cleared)"
bash deploy/services.sh stop
bash deploy/infra.sh stop
rm -rf "$RESILIENCE_VAR_DIR/kafka" "$RESILIENCE_VAR_DIR/redis" "$RESILIENCE_VAR_DIR/console"
bash deploy/infra.sh start

# The scenario clock reads $clock_start $margin real seconds from now, when the services are up;
# each service starts on the same mapping (deploy/services.sh, clock_args).
margin=15
export RESILIENCE_CLOCK_START="$clock_start" RESILIENCE_CLOCK_SPEED="$speed"
RESILIENCE_CLOCK_EPOCH="$(awk -v n="$(date +%s.%N)" -v m="$margin" 'BEGIN { printf "%.3f", n + m }')"
export RESILIENCE_CLOCK_EPOCH
bash deploy/services.sh start

console="http://127.0.0.1:$CONSOLE_HTTP_PORT/"
console_note() {
  cat <<TXT
The web console: $console
  sign in as helen-marsh (Short-term Pathway Service Manager, county-wide), password "winter";
  or priya-nair (team manager, West Kent), david-okoro (assistant director, West and North Kent),
  kemi-adebayo (team manager, North Kent): every development user's password is "winter".
TXT
}
echo
console_note
echo
echo "== Replaying the scenario at ${speed}x (an hour of the day every $(awk -v s="$speed" 'BEGIN { printf "%.0f", 3600 / s }') seconds); the narrative is also in $RESILIENCE_VAR_DIR/log/scenario.log"
echo
status=0
"$replayer" --scenario="$scenario" --reference="$reference" --clock_epoch="$RESILIENCE_CLOCK_EPOCH" \
  --clock_speed="$speed" \
  --workforce="127.0.0.1:$WORKFORCE_GRPC_PORT" --escalation="127.0.0.1:$ESCALATION_GRPC_PORT" \
  --capacity="127.0.0.1:$CAPACITY_GRPC_PORT" --beds="127.0.0.1:$BEDS_GRPC_PORT" \
  2>&1 | tee "$RESILIENCE_VAR_DIR/log/scenario.log" || status=$?

# From here the platform runs at real speed, continuing from the scenario time reached (at the
# replay's speed every figure would miss its next reporting deadline within minutes). The console
# keeps real time and its sessions, so it is not restarted.
now_scenario="$(awk -v s="$(date -u -d "$clock_start" +%s)" -v e="$RESILIENCE_CLOCK_EPOCH" \
  -v n="$(date +%s.%N)" -v k="$speed" 'BEGIN { printf "%.3f", s + (n - e) * k }')"
export RESILIENCE_CLOCK_START
RESILIENCE_CLOCK_START="$(date -u -d "@$now_scenario" +%Y-%m-%dT%H:%M:%S.%3NZ)"
export RESILIENCE_CLOCK_SPEED=1
unset RESILIENCE_CLOCK_EPOCH
echo
echo "== The platform continues at real speed from $RESILIENCE_CLOCK_START"
bash deploy/services.sh stop escalation workforce capacity beds
bash deploy/services.sh start escalation workforce capacity beds

opsctl="$RESILIENCE_BUILD_DIR/tools/opsctl"
escalation="127.0.0.1:$ESCALATION_GRPC_PORT"
cat <<TXT

The platform is running (instance '$RESILIENCE_INSTANCE'):
  Kafka      $KAFKA_BOOTSTRAP        kcat -b $KAFKA_BOOTSTRAP -C -t alerts -e
  Redis      127.0.0.1:$REDIS_PORT         redis-cli -p $REDIS_PORT --scan --pattern 'rp:*'
  workforce  127.0.0.1:$WORKFORCE_GRPC_PORT   capacity 127.0.0.1:$CAPACITY_GRPC_PORT   beds 127.0.0.1:$BEDS_GRPC_PORT
  escalation $escalation   $opsctl board --address=$escalation --user=helen-marsh
  logs       $RESILIENCE_VAR_DIR/log/
TXT
console_note
echo "Stop everything with: bash tools/stop.sh"
if [ "$status" -ne 0 ]; then
  echo "run: the scenario did not go as written (see above and $RESILIENCE_VAR_DIR/log/); the platform is left running to look at" >&2
  exit "$status"
fi
