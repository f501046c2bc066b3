#!/usr/bin/env bash
# Installs what building and testing nachet-sync needs on Debian/Ubuntu:
# the C libraries (SQLite, OpenSSL libcrypto, libpq) and the tools the tests
# drive (the PostgreSQL server, started by the tests themselves; Python's
# jsonschema). Safe to run again:
# installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(pkg-config libsqlite3-dev libssl-dev libpq-dev postgresql python3 python3-pip)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "dev-setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "dev-setup: installing the Python jsonschema package"
    python3 -m pip install --quiet jsonschema || python3 -m pip install --quiet --break-system-packages jsonschema
fi

command -v swift >/dev/null || {
    echo "dev-setup: Swift 6 is not on PATH; install the toolchain from swift.org (see README)" >&2
    exit 1
}
