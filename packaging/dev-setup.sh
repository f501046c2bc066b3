#!/usr/bin/env bash
# Installs what building and testing nachet-sync needs on Debian/Ubuntu:
# the C libraries (SQLite, OpenSSL libcrypto, libpq) and the tools the tests
# drive (the PostgreSQL server, started by the tests themselves; a Python
# virtual environment with jsonschema and Microsoft's azure-storage-blob). Safe to run again:
# installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

# rclone: the peer of the benchmark harness (and of its --quick check in the tests).
packages=(pkg-config libsqlite3-dev libssl-dev libpq-dev postgresql rsync rclone python3 python3-pip)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

sudo_cmd=""
[[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
if ((${#missing[@]} > 0)); then
    echo "dev-setup: installing ${missing[*]}"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tests' Python parts (the JSON Schema check, Microsoft's Azure SDK that
# judges the Azure emulator) run in a virtual environment of their own.
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-tests"
if ! "$venv/bin/python" -c 'import jsonschema, azure.storage.blob, azure.storage.extensions.checksums' 2>/dev/null; then
    echo "dev-setup: installing jsonschema, azure-storage-blob and azure-storage-extensions into $venv"
    python3 -m venv "$venv" 2>/dev/null || {
        $sudo_cmd apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        python3 -m venv "$venv"
    }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check jsonschema azure-storage-blob azure-storage-extensions
fi

command -v swift >/dev/null || {
    echo "dev-setup: Swift 6 is not on PATH; install the toolchain from swift.org (see README)" >&2
    exit 1
}
