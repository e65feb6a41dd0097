#!/usr/bin/env bash
# The test command (README): installs what is missing, builds, and runs every test with ctest.
# ctest's `infra` fixture starts the test instance of the Kafka broker and Redis
# (deploy/infra.sh, RESILIENCE_INSTANCE=test) and stops it at the end. Exits non-zero on any
# failure. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
bash tools/build.sh
# Whatever happens, leave no stray broker or Redis behind.
trap 'RESILIENCE_INSTANCE=test bash "$root/deploy/infra.sh" stop >/dev/null 2>&1 || true' EXIT
source deploy/settings.sh
cd "$RESILIENCE_BUILD_DIR"
ctest --output-on-failure --parallel 2 "$@"
