#!/usr/bin/env bash
# Builds nachet-sync's Debian package, nachet-sync_<version>_<arch>.deb, in
# the current folder (or --output DIR), for `apt install ./nachet-sync_*.deb`
# on a lab PC with no Swift on it:
#   - /usr/bin/nachet-sync, built with the Swift runtime and Foundation linked
#     in statically; only Debian's own libraries (glibc, libstdc++, libpq,
#     libcrypto, libsqlite3) stay dynamic, and Depends: names their packages
#     as dpkg-shlibdeps works them out;
#   - the hardened systemd unit(s), the configuration file (a conffile,
#     0640 root:nachet-sync once postinst has made the nachet-sync user),
#     the man page (swift-argument-parser's generate-manual plugin), bash,
#     zsh and fish completions, the README and a drop-in example.
# The version is packaging/version.sh's, the one `nachet-sync --version` prints.
# Idempotent: the Swift build is incremental, and everything else is made
# afresh in a temporary folder that is removed at exit.
set -euo pipefail
umask 022

usage() {
    echo "usage: bash packaging/build-deb.sh [--output DIR]"
}

repository="$(cd "$(dirname "$0")/.." && pwd)"
output="$PWD"
while (($# > 0)); do
    case "$1" in
    --output)
        output="${2:?--output needs a folder}"
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 64
        ;;
    esac
done
mkdir -p "$output"
output="$(cd "$output" && pwd)"

# The systemd units the package ships, one per long-running command (`watch`
# and `serve`), taken from packaging/; the maintainer scripts take the list
# from here, and check-unit.sh holds each to its hardening.
units=(nachet-sync.service nachet-sync-serve.service)
# Their configuration files (root's, read by the service's group): each
# unit's EnvironmentFile=, from its example.
configs=(nachet-sync.env nachet-sync-serve.env)

# What building needs (Swift, pkg-config, the three -dev libraries), then
# what packaging needs: dpkg-shlibdeps (dpkg-dev) and strip (binutils).
bash "$repository/packaging/build-setup.sh"
bash "$repository/packaging/install-missing-packages.sh" dpkg-dev binutils

version="$(bash "$repository/packaging/version.sh")"
arch="$(dpkg --print-architecture)"
package="$output/nachet-sync_${version}_${arch}.deb"
# Dates (man page, changelog, file times) are the commit's, so two builds of
# one commit give the same files.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repository" log -1 --format=%ct 2>/dev/null || date +%s)}"
build_date="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)"
maintainer="${DEB_MAINTAINER:-$(git -C "$repository" log -1 --format='%an <%ae>' 2>/dev/null || echo "nachet-sync builder <root@localhost>")}"

cd "$repository"

# One release build serves the man page and the binary. The generate-manual
# plugin builds every product itself, with the options given to `swift
# package`, so both commands get the same ones: -static-stdlib (what `swift
# build --static-swift-stdlib` passes to every swiftc command; `swift
# package` has no such flag) links the Swift runtime and Foundation in; a
# build folder of its own keeps `swift build -c release` (the benchmark's)
# from rebuilding everything after each package; and the build manifest is
# made afresh each time, as SwiftPM's cached one may not follow changed flags.
build_options=(--scratch-path "$repository/.build-deb" --disable-build-manifest-caching -c release -Xswiftc -static-stdlib)

echo "build-deb: man page (swift package generate-manual), building everything in release mode"
swift package "${build_options[@]}" generate-manual --configuration release --date "$build_date" --section 1 >/dev/null
manual="$(find .build-deb/plugins -path '*GenerateManual*' -name nachet-sync.1 -newer Package.swift -print -quit)"
[[ -n $manual ]] || {
    echo "build-deb: the generate-manual plugin made no nachet-sync.1" >&2
    exit 1
}

echo "build-deb: nachet-sync $version, release, Swift runtime and Foundation linked in"
swift build "${build_options[@]}" --product nachet-sync
binary="$(swift build "${build_options[@]}" --show-bin-path)/nachet-sync"

# The point of the package: nothing may come from the Swift toolchain at run
# time. Every library the binary loads must belong to a Debian package.
# (dpkg knows a file by the path its package ships it at: on a merged-/usr
# system that may be /lib/… or /usr/lib/…, whichever ldd shows.)
debian_package_of() {
    local path="$1" real
    real="$(realpath "$path")"
    for candidate in "$path" "/usr$path" "${path#/usr}" "$real" "${real#/usr}" \
        "$(dirname "$real")/$(basename "$path")" "$(dirname "${real#/usr}")/$(basename "$path")"; do
        dpkg -S "$candidate" 2>/dev/null | sed -n '1s/:.*//p' | grep . && return 0
    done
    return 1
}
toolchain="$(dirname "$(dirname "$(command -v swift)")")"
while read -r library; do
    path="$(ldd "$binary" | awk -v name="$library" '$1 == name { print $3 }')"
    [[ $library == ld-linux* ]] && continue # the loader itself, libc6's
    if [[ -z $path || $path == "$toolchain"* ]] || ! debian_package_of "$path" >/dev/null; then
        echo "build-deb: $binary needs $library (${path:-not found}), which no Debian package provides" >&2
        exit 1
    fi
done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
built_version="$("$binary" --version)"
[[ $built_version == "$version" ]] || {
    echo "build-deb: the binary says version $built_version, packaging/version.sh $version" >&2
    exit 1
}

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -d -m 0755 "$root"

# The binary, stripped as dh_strip does (symbols only: the Swift runtime
# needs none of them).
install -D -m 0755 "$binary" "$root/usr/bin/nachet-sync"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/nachet-sync"

# Blank lines (between paragraphs of the help text) become .Pp: groff warns
# about empty input lines in mdoc, and renders both the same.
install -d "$root/usr/share/man/man1"
sed 's/^$/.Pp/' "$manual" | gzip -9n >"$root/usr/share/man/man1/nachet-sync.1.gz"

# Completions, where Debian's shells look for them.
install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
# bash sources its completions, so their #! line is noise (lintian says so).
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/nachet-sync"
"$binary" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_nachet-sync"
"$binary" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/nachet-sync.fish"

for unit in "${units[@]}"; do
    install -D -m 0644 "packaging/$unit" "$root/lib/systemd/system/$unit"
done

# Mode 0640 now; postinst gives them to the nachet-sync group, which does
# not exist while dpkg unpacks.
for config in "${configs[@]}"; do
    install -D -m 0640 "packaging/$config.example" "$root/etc/nachet-sync/$config"
done

docs="$root/usr/share/doc/nachet-sync"
install -D -m 0644 README.md "$docs/README.md"
for page in docs/*.md; do install -D -m 0644 "$page" "$docs/$page"; done
for image in docs/images/*.png; do install -D -m 0644 "$image" "$docs/$image"; done   # the pages show them
install -D -m 0644 packaging/drop-folder.conf.example "$docs/examples/drop-folder.conf"
install -D -m 0644 examples/metadata.schema.json "$docs/examples/metadata.schema.json"
commit="$(git log -1 --format=%h 2>/dev/null || echo unknown)"
{
    echo "nachet-sync ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version, built from commit $commit."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$docs/changelog.gz"
# What the binary holds: the static Swift runtime and the Swift packages it
# is built from, with their versions as resolved for this build.
dependencies="$(swift package --scratch-path "$repository/.build-deb" show-dependencies --format flatlist 2>/dev/null | sed 's/^/   /' || true)"
cat >"$docs/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: nachet-sync
Comment: Built from commit $commit. /usr/bin/nachet-sync links in, statically,
 the Swift runtime, Foundation (with ICU's data) and Dispatch from the Swift
 toolchain, and these Swift packages:
$dependencies

Files: *
Copyright: 2026 the nachet-sync authors
License: none-stated
 The nachet-sync repository states no license yet.

Files: usr/bin/nachet-sync
Copyright: Apple Inc. and the Swift project authors; the Swift Server Work
 Group; the authors of the packages listed above
License: Apache-2.0 WITH Swift-exception
 Licensed under the Apache License, Version 2.0 with the Runtime Library
 Exception; /usr/share/common-licenses/Apache-2.0 holds the license. The ICU
 data in Foundation is under the Unicode License v3, BoringSSL (in
 swift-nio-ssl) under the ISC and OpenSSL licenses, and the copy of zlib in
 swift-nio-extras (symbols prefixed cnioextras_) under the zlib license.
EOF
# What lintian flags on purpose, and why.
install -d "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/nachet-sync" <<EOF
# swift-nio-extras (through AsyncHTTPClient) carries its own zlib, with
# prefixed symbols, linked in as every Swift package is; Debian's zlib cannot
# stand in for it.
nachet-sync: embedded-library zlib [usr/bin/nachet-sync]
# The configuration may hold a password or an account key: root and the
# service's group only (postinst gives the group).
nachet-sync: non-standard-file-perm 0640 != 0644 [etc/nachet-sync/nachet-sync.env]
nachet-sync: non-standard-file-perm 0640 != 0644 [etc/nachet-sync/nachet-sync-serve.env]
EOF

# Maintainer scripts, with the unit list filled in.
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
    sed -e "s/@UNITS@/${units[*]}/" -e "s/@CONFIGS@/${configs[*]}/" "packaging/deb/$script" >"$root/DEBIAN/$script"
    chmod 0755 "$root/DEBIAN/$script"
done
printf '/etc/nachet-sync/%s\n' "${configs[@]}" >"$root/DEBIAN/conffiles"

# Depends: adduser (postinst), procps (/bin/kill, the unit's ExecReload; a
# minimal Debian lacks it), and the packages of the shared libraries the
# binary loads, with the versions their symbols need (dpkg-shlibdeps reads a
# debian/control). Recommends: ca-certificates, the trust store HTTPS to
# Azure (and libpq's sslmode=verify-full) needs; the embedded default does not.
mkdir -p "$stage/shlibdeps/debian"
printf 'Source: nachet-sync\n\nPackage: nachet-sync\nArchitecture: any\n' >"$stage/shlibdeps/debian/control"
library_depends="$(cd "$stage/shlibdeps" && dpkg-shlibdeps -O -e"$root/usr/bin/nachet-sync" | sed -n 's/^shlibs:Depends=//p')"
[[ -n $library_depends ]] || {
    echo "build-deb: dpkg-shlibdeps found no library dependencies" >&2
    exit 1
}

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
cat >"$root/DEBIAN/control" <<EOF
Package: nachet-sync
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: adduser, procps, $library_depends
Recommends: ca-certificates
Section: science
Priority: optional
Description: upload seed images from lab drop folders into Nachet
 nachet-sync watches drop folders, one subfolder per picture set with a
 metadata.json, and uploads every image into the Nachet datastore exactly
 once: rows in its PostgreSQL database (or an embedded SQLite catalogue),
 bytes in Azure Blob Storage (or a local folder). It runs as a hardened
 systemd service (nachet-sync.service) under a user of its own.
EOF

dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "build-deb: $package ($(du -h "$package" | cut -f1); binary $(du -h "$root/usr/bin/nachet-sync" | cut -f1))"
echo "build-deb: Depends: adduser, procps, $library_depends"
