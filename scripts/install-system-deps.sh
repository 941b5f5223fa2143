#!/bin/sh
# System packages the test suite needs: Debian's Chromium (driven by Playwright) and the
# pinned npm packages (axe-core, lforms) from package-lock.json.  Idempotent.
set -eu
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # Debian replaces Chromium versions on security updates, so the package is not
    # pinned to a version that may vanish from the mirror; scripts/check-chromium
    # refuses one older than the suite was written for.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
major=$(/usr/bin/chromium --version 2>/dev/null | sed -n 's/^Chromium \([0-9]*\).*/\1/p')
if [ -z "$major" ] || [ "$major" -lt 120 ]; then
    echo "Chromium 120 or newer is needed at /usr/bin/chromium (found: ${major:-none})" >&2
    exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
