#!/usr/bin/env bash
# Install Debian's chromium + chromedriver when missing: the report tests open report.html in a
# real headless browser. Set OPTIMIZER_SKIP_BROWSER=1 to skip (the browser tests then skip too).
set -euo pipefail
[ "${OPTIMIZER_SKIP_BROWSER:-0}" = "1" ] && exit 0
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
echo "Installing chromium and chromium-driver (Debian packages) for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
