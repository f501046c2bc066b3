#!/usr/bin/env bash
# Installs what building and testing nachet-sync needs on Debian/Ubuntu:
# build-setup.sh's part (pkg-config and the SQLite, OpenSSL and libpq
# headers), then the tools the tests drive: the PostgreSQL server (started
# by the tests themselves), rsync, rclone (the benchmark's peer, checked by
# its --quick test), gdb (a hung test run prints its threads' stacks before
# it stops), Chromium (the fleet page's test loads it in a headless
# browser, docs/serve.md), and a Python virtual environment (.venv-tests) with
# jsonschema and Microsoft's azure-storage-blob and azure-storage-extensions.
# Safe to run again: installs only what is missing. Needs root (or sudo)
# when something is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

bash "$here/build-setup.sh"
bash "$here/install-missing-packages.sh" postgresql rsync rclone python3 python3-pip gdb chromium

# The tests' Python parts (the JSON Schema check, Microsoft's Azure SDK that
# judges the Azure emulator) run in a virtual environment of their own.
venv="$(cd "$here/.." && pwd)/.venv-tests"
if ! "$venv/bin/python" -c 'import jsonschema, azure.storage.blob, azure.storage.extensions.checksums' 2>/dev/null; then
    echo "dev-setup: installing jsonschema, azure-storage-blob and azure-storage-extensions into $venv"
    python3 -m venv "$venv" 2>/dev/null || {
        bash "$here/install-missing-packages.sh" python3-venv
        python3 -m venv "$venv"
    }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check jsonschema azure-storage-blob azure-storage-extensions
fi
