#!/usr/bin/env bash
# Stops the services (the console included), Redis and the Kafka broker of the run command's
# instance, each by the PID file its start script wrote. Their data stays under var/<instance>/
# (the next tools/run.sh clears it and replays the day afresh). Safe to run twice.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/deploy/services.sh" stop
bash "$root/deploy/infra.sh" stop
