#!/usr/bin/env bash
# Runs the packaged service under a real systemd: boots systemd in a Debian
# root where the .deb is installed (test-deb-in-clean-root.sh's), with
# systemd-nspawn, and there does what an admin does: edit the configuration,
# grant the drop folder (a group, and a drop-in for status files),
# `systemctl enable --now nachet-sync`. Then it checks what only a running systemd can show:
#   - the agent runs as nachet-sync (reading the drop folder through a group
#     it joined), without capabilities, with no_new_privs and the seccomp
#     filter on, and says READY (Type=notify);
#   - under every restriction of the unit it uploads a copied-in drop folder,
#     writes status files where the drop-in grants it, reloads on
#     `systemctl reload`, stops cleanly (exit 0), and no call is refused;
#   - journald files its lines by priority: `journalctl -p err` shows the
#     error of examples/drop/bromus-typo and no info line;
#   - with a PostgreSQL server on this machine (Debian's postgresql package),
#     the same through libpq over TCP to 127.0.0.1, named "localhost".
#   bash packaging/test-service-under-systemd.sh ROOT
# ROOT must have the package installed and examples/drop in /srv/seed-drop.
# When systemd cannot boot here (no systemd-nspawn, no cgroups) it prints
# "skipped: why" and exits 0. It leaves ROOT as it found it, but for systemd
# installed in it and the service's state.
set -euo pipefail
repository="$(cd "$(dirname "$0")/.." && pwd)"

skip() {
    echo "test-service-under-systemd: skipped: $*"
    exit 0
}
fail() {
    echo "test-service-under-systemd: FAILED: $*" >&2
    exit 1
}
step() { echo "test-service-under-systemd: $*"; }

root="$(cd "${1:?usage: test-service-under-systemd.sh ROOT}" && pwd)"
[[ -x $root/usr/bin/nachet-sync ]] || fail "nachet-sync is not installed in $root"
[[ $(id -u) -eq 0 ]] || skip "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null || bash "$repository/packaging/install-missing-packages.sh" systemd-container ||
    skip "systemd-nspawn is not installed and cannot be installed"

step "systemd into the root"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1 || fail "cannot install systemd into the root"

out="$(mktemp -d)"
postgres_dir=""
cleanup() {
    if [[ -n $postgres_dir ]]; then
        runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$postgres_dir/db" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$postgres_dir"
    fi
    rm -rf "$out" "$root/etc/systemd/system/service-test.service" \
        "$root/etc/systemd/system/multi-user.target.wants/service-test.service" "$root/usr/local/sbin/service-test"
}
trap cleanup EXIT

# A PostgreSQL server for the agent to reach over TCP, when this machine has
# one (the tests' own need brings it). The container shares the network.
postgres_bin="$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
postgres_url=""
if [[ -x $postgres_bin/initdb ]]; then
    postgres_dir="$(mktemp -d /var/tmp/nachet-sync-service-pg.XXXXXX)"
    chown postgres: "$postgres_dir"
    port=$((20000 + RANDOM % 20000))
    runuser -u postgres -- "$postgres_bin/initdb" -D "$postgres_dir/db" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$postgres_dir/db" -l "$postgres_dir/log" -w \
        -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1" start >/dev/null
    runuser -u postgres -- "$postgres_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres nachet
    postgres_url="postgresql://postgres@localhost:$port/nachet"
    step "PostgreSQL on 127.0.0.1:$port for the service"
else
    step "no PostgreSQL server here (Debian's postgresql package): only the embedded catalogue is tried"
fi

# The test, run inside the booted container by a unit of its own once the
# system is up; it writes its log and verdict to /out and powers off.
mkdir -p "$root/usr/local/sbin"
cat >"$root/usr/local/sbin/service-test" <<'EOF'
#!/bin/sh
set -u
exec >/out/log 2>&1
echo booted >/out/booted
config=/etc/nachet-sync/nachet-sync.env
as_agent() { runuser -u nachet-sync -- "$@"; }
finish() {
    echo "$1" >/out/result
    # (systemctl poweroff would ask logind, over a D-Bus this root lacks.)
    systemctl --no-block start poweroff.target
    exit 0
}
fail() {
    echo "FAILED: $*"
    systemctl status --no-pager nachet-sync
    journalctl -u nachet-sync --no-pager -o short-precise | tail -n 40
    finish failed
}
# Waits up to 60 s for a shell condition.
wait_for() {
    i=0
    while ! sh -c "$1"; do
        i=$((i + 1))
        [ $i -lt 120 ] || return 1
        sleep 0.5
    done
}
set_setting() { # KEY VALUE: replace or add a line of the configuration
    grep -v "^$1=" $config >$config.new || true
    echo "$1=$2" >>$config.new
    cat $config.new >$config && rm $config.new
}

echo "== the drop folder: a group's, which the agent's user joins; status files on, granted by a drop-in"
groupadd --system lab-scans
install -d -o root -g lab-scans -m 2770 /srv/lab-drop
adduser --quiet nachet-sync lab-scans
set_setting NACHET_SYNC_DROP_DIR /srv/lab-drop
set_setting NACHET_SYNC_STATUS_FILE true
set_setting NACHET_SYNC_STABILITY_WINDOW 0.5
mkdir -p /etc/systemd/system/nachet-sync.service.d
printf '[Service]\nReadWritePaths=-/srv/lab-drop\n' >/etc/systemd/system/nachet-sync.service.d/drop-folder.conf
systemctl daemon-reload
systemctl stop nachet-sync 2>/dev/null
rm -rf /var/lib/nachet-sync/*
as_agent nachet-sync user add --config $config tech@lab.example || fail "user add"

echo "== systemctl enable --now nachet-sync"
systemctl enable --now nachet-sync || fail "the service did not start"
systemctl is-active nachet-sync || fail "the service is not active"
pid=$(systemctl show -p MainPID --value nachet-sync)
grep -E '^(Uid|Gid|Groups|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/$pid/status
uid=$(id -u nachet-sync)
grep -qE "^Uid:[[:space:]]+$uid[[:space:]]" /proc/$pid/status || fail "the agent does not run as nachet-sync"
grep -qE '^CapEff:[[:space:]]+0+$' /proc/$pid/status || fail "the agent has capabilities"
grep -qE '^NoNewPrivs:[[:space:]]+1$' /proc/$pid/status || fail "no_new_privs is off"
grep -qE '^Seccomp:[[:space:]]+2$' /proc/$pid/status || fail "no seccomp filter"

echo "== a technician copies three set folders in"
cp -r /srv/seed-drop/canola-2026-11-03 /srv/seed-drop/thistle-batch-7 /srv/seed-drop/bromus-typo /srv/lab-drop/
chmod -R g+w /srv/lab-drop # the lab's files are the group's, so status files can be written
wait_for 'grep -q "images: 3 done" /srv/lab-drop/canola-2026-11-03/nachet-sync-status.txt 2>/dev/null' ||
    fail "canola-2026-11-03 was not uploaded, or its status file not written"
wait_for 'grep -q "images: 3 done" /srv/lab-drop/thistle-batch-7/nachet-sync-status.txt 2>/dev/null' ||
    fail "thistle-batch-7 was not uploaded"
cat /srv/lab-drop/canola-2026-11-03/nachet-sync-status.txt
# bromus-typo's metadata.json has a mistake: status lists it, with exit code 2.
code=0
as_agent nachet-sync status --config $config || code=$?
[ $code -eq 2 ] || fail "nachet-sync status exited $code, not 2, with bromus-typo invalid"
systemctl status --no-pager nachet-sync | grep -i 'status:'

echo "== journald filed the lines by priority"
wait_for 'journalctl -u nachet-sync -p err -o cat | grep "unknown seed" >/dev/null' || fail "the bromus-typo error is not at priority err"
journalctl -u nachet-sync -p err -o cat | grep '"level":"info"' && fail "journalctl -p err shows info lines"
journalctl -u nachet-sync -p 6..6 -o cat | grep '"level":"info"' >/dev/null || fail "info lines are not at priority 6"
journalctl -u nachet-sync -p err -o cat

echo "== systemctl reload nachet-sync"
systemctl reload nachet-sync || fail "reload failed"
wait_for 'journalctl -u nachet-sync -p notice -o cat | grep "configuration reloaded" >/dev/null' || fail "no reload"
systemctl is-active nachet-sync || fail "not active after the reload"

if [ -s /out/postgres-url ]; then
    echo "== the catalogue in PostgreSQL, over TCP"
    # debootstrap writes no /etc/hosts; every installed system has one.
    grep -qw localhost /etc/hosts 2>/dev/null || echo "127.0.0.1 localhost" >>/etc/hosts
    url=$(cat /out/postgres-url)
    NACHET_DB_URL=$url as_agent nachet-sync db init --config $config || fail "db init over TCP"
    NACHET_DB_URL=$url as_agent nachet-sync user add --config $config tech@lab.example || fail "user add in PostgreSQL"
    printf '[Service]\nEnvironment=NACHET_DB_URL=%s\n' "$url" >/etc/systemd/system/nachet-sync.service.d/postgres.conf
    systemctl daemon-reload
    systemctl restart nachet-sync || fail "the service did not start with PostgreSQL"
    cp -r /srv/seed-drop/canola-2026-11-03 /srv/lab-drop/canola-postgres
    chmod -R g+w /srv/lab-drop/canola-postgres
    wait_for 'grep -q "images: 3 done" /srv/lab-drop/canola-postgres/nachet-sync-status.txt 2>/dev/null' ||
        fail "no upload with the PostgreSQL catalogue"
    cat /srv/lab-drop/canola-postgres/nachet-sync-status.txt
fi

echo "== systemctl stop nachet-sync"
systemctl stop nachet-sync
[ "$(systemctl show -p Result --value nachet-sync)" = success ] || fail "the stop was not clean"
[ "$(systemctl show -p ExecMainStatus --value nachet-sync)" = 0 ] || fail "the agent did not exit 0"
# Everything the agent wrote is its own JSON lines: no library complaining
# about a refused call, no crash. But for libdispatch's one known line: it
# tries to renice its worker threads, which the sandbox refuses.
journalctl -u nachet-sync -o cat _COMM=nachet-sync | grep -v -e '^{' -e '^Failed to set thread priority for worker thread' &&
    fail "the agent wrote lines that are not its log"
journalctl -u nachet-sync -o cat | grep -iE 'operation not permitted|bad system call|address family not supported' &&
    fail "a call was refused"
journalctl -u nachet-sync --no-pager -o short-precise | tail -n 15
finish passed
EOF
chmod 0755 "$root/usr/local/sbin/service-test"
cat >"$root/etc/systemd/system/service-test.service" <<'EOF'
[Unit]
Description=nachet-sync service test
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/service-test
EOF
ln -sf /etc/systemd/system/service-test.service "$root/etc/systemd/system/multi-user.target.wants/service-test.service"
[[ -n $postgres_url ]] && echo "$postgres_url" >"$out/postgres-url"

step "booting systemd in the root (systemd-nspawn)"
status=0
timeout 240 systemd-nspawn --quiet --boot --register=no --keep-unit --directory="$root" --bind="$out:/out" \
    >"$out/console.log" 2>&1 || status=$?
if [[ ! -f $out/booted ]]; then
    tail -n 20 "$out/console.log"
    skip "systemd did not boot in systemd-nspawn here (exit $status)"
fi
sed 's/^/    /' "$out/log"
[[ $(cat "$out/result" 2>/dev/null) == passed ]] || fail "the service test failed (log above)"
step "passed"
