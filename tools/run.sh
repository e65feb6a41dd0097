#!/usr/bin/env bash
# The run command (README): installs what is missing, builds, starts Kafka, Redis and the
# services with the Kent and Medway defaults, then shows the foundation's path working: a
# subscriber is listening, a staffing report for Short-term Pathway West Kent arrives, and the
# alert the subscriber receives is printed. Everything is left running; stop it with
# `bash tools/stop.sh`. Safe to run twice.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
bash tools/build.sh
source deploy/settings.sh
bash deploy/infra.sh start
bash deploy/services.sh start

opsctl="$RESILIENCE_BUILD_DIR/tools/opsctl"
workforce="127.0.0.1:$WORKFORCE_GRPC_PORT"
escalation="127.0.0.1:$ESCALATION_GRPC_PORT"
run_id="$(date +%s)"

echo
echo "== 1. Short-term Pathway West Kent reports 18 of 20 WTE available (90%: Green)"
"$opsctl" report-staffing --address="$workforce" --provider=rostering-kcc \
  --team=stp-west-kent --available_wte=18 --update_id="demo-$run_id-green" --note="demo: normal day"
green_on_board() {
  "$opsctl" board --address="$escalation" | grep -Eq '^stp-west-kent +stp_staffing_pct +GREEN'
}
wait_until 60 "escalation (Green figure on the board)" "$RESILIENCE_VAR_DIR/log/escalation.log" green_on_board

echo
echo "== 2. A subscriber listens for alerts (opsctl watch), then 9 of 20 WTE are reported (45%)"
watch_out="$RESILIENCE_VAR_DIR/demo-watch.txt"
watch_err="$RESILIENCE_VAR_DIR/demo-watch.err"
"$opsctl" watch --address="$escalation" --count=1 --timeout_seconds=60 > "$watch_out" 2> "$watch_err" &
watcher=$!
subscribed() { grep -q "subscribed at" "$watch_err"; }
wait_until 30 "opsctl watch" "$watch_err" subscribed
"$opsctl" report-staffing --address="$workforce" --provider=rostering-kcc \
  --team=stp-west-kent --available_wte=9 --update_id="demo-$run_id-red" --note="demo: outbreak"
if wait "$watcher"; then
  echo
  echo "== 3. The alert the subscriber received:"
  cat "$watch_out"
else
  echo "run: no alert reached the subscriber within 60 s; see $RESILIENCE_VAR_DIR/log/" >&2
  exit 1
fi

echo
echo "== 4. Status board"
"$opsctl" board --address="$escalation"
cat <<TXT

The platform is running (instance '$RESILIENCE_INSTANCE'):
  Kafka     $KAFKA_BOOTSTRAP        kcat -b $KAFKA_BOOTSTRAP -C -t workforce -e
  Redis     127.0.0.1:$REDIS_PORT         redis-cli -p $REDIS_PORT --scan --pattern 'rp:*'
  workforce $workforce      $opsctl health --address=$workforce
  escalation $escalation     $opsctl watch --address=$escalation
Stop everything with: bash tools/stop.sh
TXT
