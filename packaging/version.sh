#!/usr/bin/env bash
# Prints nachet-sync's version, read from the one place it is written:
# Sources/NachetSync/NachetSyncVersion.swift, which `nachet-sync --version`
# prints. build-deb.sh stamps the package with it; a test holds the two equal.
# Reading the Swift file (instead of generating it) keeps a plain `swift build`
# independent of the packaging scripts.
set -euo pipefail

source_file="$(cd "$(dirname "$0")/.." && pwd)/Sources/NachetSync/NachetSyncVersion.swift"
version=$(sed -n 's/^ *\(\(public\|package\) \)\{0,1\}static let current = "\([^"]*\)".*$/\3/p' "$source_file")

# A Debian version without a revision: a digit first, then letters, digits, . + ~
if ! [[ $version =~ ^[0-9][0-9A-Za-z.+~]*$ ]]; then
    echo "version.sh: no usable version in $source_file (found '$version')" >&2
    exit 1
fi
echo "$version"
