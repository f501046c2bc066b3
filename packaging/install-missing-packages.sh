#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet,
# with apt-get (as root, or through sudo). Installs nothing, and needs no
# root, when all are there already; so every setup script can call it each
# time it runs.
#   bash packaging/install-missing-packages.sh pkg-config libpq-dev
set -euo pipefail

missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} > 0)) || exit 0

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
echo "install-missing-packages: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
