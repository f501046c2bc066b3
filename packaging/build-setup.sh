#!/usr/bin/env bash
# Installs what building and running nachet-sync needs on Debian/Ubuntu, and
# nothing else: pkg-config and the headers of the three C libraries it links
# (libsqlite3-dev, libssl-dev for libcrypto, libpq-dev), each only when
# missing. Swift itself comes from swift.org; this checks that it is on PATH.
# Safe to run again. Needs root (or sudo) only when something is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

bash "$here/install-missing-packages.sh" pkg-config libsqlite3-dev libssl-dev libpq-dev

command -v swift >/dev/null || {
    echo "build-setup: Swift 6 is not on PATH; install the toolchain from swift.org (see README)" >&2
    exit 1
}
