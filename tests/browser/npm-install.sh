#!/usr/bin/env bash
# Installs the browser tests' npm packages (playwright-core, pinned in package-lock.json) into
# tests/browser/node_modules, only when missing or when the lock file changed. Safe to run twice.
# Playwright never downloads a browser here: the tests use Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "npm-install: node_modules up to date"
  exit 0
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
