#!/usr/bin/env bash
# Stops the services, Redis and the Kafka broker of the run command's instance. Safe to run twice.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/deploy/services.sh" stop
bash "$root/deploy/infra.sh" stop
