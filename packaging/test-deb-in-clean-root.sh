#!/usr/bin/env bash
# Checks the .deb with lintian, installs it into a clean Debian root made by
# debootstrap (minbase: no Swift, no compiler, nothing of this machine's) and
# uses it there as an admin would: apt install, --version, the README demo
# (user add, then sync of examples/drop, which ends with exit code 2 on
# purpose because of examples/drop/bromus-typo) run as the nachet-sync user
# with the packaged configuration, a short watch stopped by SIGTERM, a
# reinstall over an edited configuration, the service under systemd
# (test-service-under-systemd.sh), remove, and purge.
#   bash packaging/test-deb-in-clean-root.sh [PACKAGE.deb]
# Without a package it builds one (packaging/build-deb.sh). When this machine
# cannot do it (not root, no chroot, no debootstrap, no Debian mirror) it
# prints "skipped: why" and exits 0. Everything happens in a temporary folder,
# removed at exit; nothing is cached.
set -euo pipefail
repository="$(cd "$(dirname "$0")/.." && pwd)"
started=$SECONDS

skip() {
    echo "test-deb-in-clean-root: skipped: $*"
    exit 0
}
fail() {
    echo "test-deb-in-clean-root: FAILED: $*" >&2
    exit 1
}
step() { echo "test-deb-in-clean-root: $*"; }

[[ $(id -u) -eq 0 ]] || skip "needs root (debootstrap, chroot)"
chroot / true 2>/dev/null || skip "chroot is not permitted here"
# shellcheck source=/dev/null
[[ -r /etc/os-release ]] && . /etc/os-release
suite="${VERSION_CODENAME:-}"
[[ ${ID:-} == debian && -n $suite ]] || skip "the host is not Debian (${PRETTY_NAME:-unknown}); the clean root is made from the host's Debian release"
command -v debootstrap >/dev/null || bash "$repository/packaging/install-missing-packages.sh" debootstrap ||
    skip "debootstrap is not installed and cannot be installed"

# The mirror apt uses here (the first source serving the host's release), so
# the clean root comes from where this machine's packages come from.
mirror_of_host() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -r $file ]] || continue
        # deb822 stanzas: the URIs of one whose Suites include the release.
        awk -v suite="$suite" '
            function take() {
                if (!found && types ~ /deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "") { print uri; found = 1 }
                types = suites = uri = ""
            }
            /^[[:space:]]*$/ { take(); next }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "uris:" { uri = $2 }
            END { take() }
        ' "$file"
    done
    # One-line sources: deb [options] URI suite components…
    { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
        sed -e 's/\[[^]]*\]//' | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }'
}
mirror="${DEBIAN_MIRROR:-$(mirror_of_host | head -n 1)}"
mirror="${mirror:-http://deb.debian.org/debian}"

# apt's retrieval settings here (a proxy; date checks a snapshot mirror
# needs relaxed) go to debootstrap and to the root's apt alike.
proxy="$(apt-config dump | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -n 1)"
[[ -n $proxy ]] && export http_proxy="$proxy"
release_file="$(mktemp)"
reachable=yes
/usr/lib/apt/apt-helper download-file "$mirror/dists/$suite/Release" "$release_file" >/dev/null 2>&1 || reachable=no
rm -f "$release_file"
[[ $reachable == yes ]] || skip "the Debian mirror $mirror is not reachable"

package="${1:-}"
if [[ -z $package ]]; then
    build_output="$(mktemp -d)"
    bash "$repository/packaging/build-deb.sh" --output "$build_output"
    package="$(echo "$build_output"/nachet-sync_*.deb)"
fi
[[ -f $package ]] || fail "no package at $package"
version="$(dpkg-deb -f "$package" Version)"

# Debian's own checks; the package ships overrides for what it does on purpose.
step "lintian $(basename "$package")"
bash "$repository/packaging/install-missing-packages.sh" lintian
lintian --fail-on error,warning "$package" || fail "lintian found problems (above)"

work="$(mktemp -d /var/tmp/nachet-sync-clean-root.XXXXXX)"
root="$work/root"
# The mounts under the root, deepest first (/proc/mounts escapes a space as \040).
mounts_under_root() {
    awk -v root="$root" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r
}
cleanup() {
    # Unmount whatever was mounted inside (proc; debootstrap may bind the
    # host's /dev) before removing anything: rm must never reach the host
    # through a mount.
    if [[ -d $root ]]; then
        mounts_under_root | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
        if [[ -n $(mounts_under_root) ]]; then
            echo "test-deb-in-clean-root: $root still has mounts; left in place" >&2
            return
        fi
    fi
    rm -rf --one-file-system "$work" "${build_output:-}"
}
trap cleanup EXIT

step "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' >"$root/etc/apt/apt.conf.d/99host-retrieval" || true

# Commands in the root: a clean environment (nothing of this shell's
# NACHET_* or PATH), as root or, with --user, as the service's user.
in_root() {
    local userspec=()
    if [[ $1 == --user ]]; then
        userspec=(--userspec=nachet-sync:nachet-sync)
        shift
    fi
    chroot "${userspec[@]}" "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/nachet-sync \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

in_root sh -c 'command -v swift' >/dev/null && fail "the clean root has swift"
[[ -z $(find "$root" -xdev -name 'libswiftCore*' -print -quit) ]] || fail "the clean root has the Swift runtime"
mount -t proc proc "$root/proc"

step "apt install ./$(basename "$package") ($version)"
cp "$package" "$root/tmp/"
in_root apt-get update -qq
in_root apt-get install -y -qq "/tmp/$(basename "$package")" >"$work/apt.log" 2>&1 ||
    { tail -n 20 "$work/apt.log" >&2; fail "apt install failed (log above)"; }

step "what the package installed"
[[ $(in_root nachet-sync --version) == "$version" ]] || fail "nachet-sync --version is not the package's $version"
in_root ldd /usr/bin/nachet-sync >"$work/ldd.txt"
grep -q 'not found' "$work/ldd.txt" && fail "libraries missing: $(cat "$work/ldd.txt")"
in_root getent passwd nachet-sync >/dev/null || fail "no nachet-sync user"
# (stat in the root: names come from the root's /etc/passwd and /etc/group.)
env_mode="$(in_root stat -c '%a %U:%G' /etc/nachet-sync/nachet-sync.env)"
[[ $env_mode == "640 root:nachet-sync" ]] || fail "/etc/nachet-sync/nachet-sync.env is $env_mode, not 640 root:nachet-sync"
[[ $(in_root stat -c '%a %U' /var/lib/nachet-sync) == "700 nachet-sync" ]] || fail "/var/lib/nachet-sync is not 0700 nachet-sync"
grep -qx /etc/nachet-sync/nachet-sync.env "$root/var/lib/dpkg/info/nachet-sync.conffiles" || fail "the configuration is not a conffile"
for file in /lib/systemd/system/nachet-sync.service /usr/share/man/man1/nachet-sync.1.gz \
    /usr/share/bash-completion/completions/nachet-sync /usr/share/zsh/vendor-completions/_nachet-sync \
    /usr/share/fish/vendor_completions.d/nachet-sync.fish /usr/share/doc/nachet-sync/copyright; do
    [[ -s $root$file ]] || fail "$file is missing or empty"
done
# grep without -q: under pipefail, grep -q leaving at its first match can
# kill the writer with SIGPIPE and fail the pipeline (a 44 KB man page did).
zcat "$root/usr/share/man/man1/nachet-sync.1.gz" | grep '^\.S[Hh] ' >/dev/null || fail "the man page has no sections"

step "the README demo, as the nachet-sync user with the packaged configuration"
cp -r "$repository/examples/drop" "$root/srv/seed-drop"
config=(--config /etc/nachet-sync/nachet-sync.env)
in_root --user nachet-sync user add "${config[@]}" tech@lab.example | grep "registered tech@lab.example" >/dev/null ||
    fail "user add did not register the user"
status=0
in_root --user nachet-sync sync "${config[@]}" /srv/seed-drop >"$work/sync.txt" 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "sync exited $status, not 2 (bromus-typo): $(cat "$work/sync.txt")"
grep -q "2 sets, 5 pictures uploaded, 1 skipped as already there" "$work/sync.txt" || fail "unexpected summary: $(cat "$work/sync.txt")"
in_root --user nachet-sync sync "${config[@]}" /srv/seed-drop >"$work/again.txt" 2>&1 || true
grep -q "6 skipped as already there (6 without reading)" "$work/again.txt" || fail "the second sync read files: $(cat "$work/again.txt")"
[[ -s $root/var/lib/nachet-sync/state.sqlite ]] || fail "the state is not in /var/lib/nachet-sync"

step "watch (the service's command), stopped by SIGTERM"
status=0
timeout --preserve-status -s TERM 5 chroot --userspec=nachet-sync:nachet-sync "$root" /usr/bin/env -i \
    PATH=/usr/bin:/bin HOME=/var/lib/nachet-sync /usr/bin/nachet-sync watch "${config[@]}" --log-format json \
    >"$work/watch.txt" 2>&1 || status=$?
[[ $status -eq 0 ]] || fail "watch exited $status after SIGTERM: $(cat "$work/watch.txt")"
grep -q '"level":"notice"' "$work/watch.txt" || fail "watch logged no JSON lines: $(cat "$work/watch.txt")"

step "reinstall over an edited configuration (as an upgrade does)"
echo "NACHET_SYNC_PARALLEL_UPLOADS=2" >>"$root/etc/nachet-sync/nachet-sync.env"
in_root dpkg -i "/tmp/$(basename "$package")" >"$work/reinstall.log" 2>&1 || fail "reinstall failed: $(cat "$work/reinstall.log")"
grep -qx "NACHET_SYNC_PARALLEL_UPLOADS=2" "$root/etc/nachet-sync/nachet-sync.env" || fail "the reinstall lost the admin's edit"
[[ $(in_root stat -c '%a %U:%G' /etc/nachet-sync/nachet-sync.env) == "640 root:nachet-sync" ]] ||
    fail "the reinstall changed the configuration's mode"

# The service under a real systemd, booted in this root (nspawn mounts its
# own /proc); skipped where systemd cannot boot.
umount "$root/proc"
bash "$repository/packaging/test-service-under-systemd.sh" "$root"
mount -t proc proc "$root/proc"

step "remove keeps the configuration, the state and the user; purge removes them"
in_root apt-get remove -y -qq nachet-sync >"$work/remove.log" 2>&1 || fail "remove failed: $(cat "$work/remove.log")"
[[ ! -e $root/usr/bin/nachet-sync && -f $root/etc/nachet-sync/nachet-sync.env && -d $root/var/lib/nachet-sync ]] ||
    fail "remove did not keep the configuration and the state"
in_root getent passwd nachet-sync >/dev/null || fail "remove deleted the user"
in_root apt-get purge -y -qq nachet-sync >"$work/purge.log" 2>&1 || fail "purge failed: $(cat "$work/purge.log")"
[[ ! -e $root/etc/nachet-sync && ! -e $root/var/lib/nachet-sync ]] || fail "purge left /etc/nachet-sync or /var/lib/nachet-sync"
in_root getent passwd nachet-sync >/dev/null && fail "purge left the nachet-sync user"
in_root getent group nachet-sync >/dev/null && fail "purge left the nachet-sync group"

step "passed in $((SECONDS - started)) s; the binary in the root:"
sed 's/^/    /' "$work/ldd.txt"
