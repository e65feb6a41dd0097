#!/usr/bin/env bash
# Configures and builds everything into $RESILIENCE_BUILD_DIR (default build/) with Ninja and
# ccache. Incremental, so safe and quick to run twice.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/settings.sh"
cd "$RESILIENCE_ROOT"
if [ ! -f "$RESILIENCE_BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$RESILIENCE_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$RESILIENCE_BUILD_DIR" --parallel "$(nproc)"
