#!/usr/bin/env python3
"""What nachet-sync did that the unit's sandbox would refuse, from a trace.

Reads an `strace -f` log, keeps the processes that exec'd nachet-sync (and
their threads), and compares what they did with packaging/nachet-sync.service:
SystemCallFilter=@system-service less @privileged and @resources (expanded
by this machine's `systemd-analyze syscall-filter`),
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6, and MemoryDenyWriteExecute
(no writable and executable mapping, no mprotect to executable).

    strace -f -qq -o trace.txt .build-deb/release/nachet-sync-benchmark --quick
    python3 packaging/check-syscalls.py trace.txt

The benchmark runs the agent (sync and watch) against SQLite, PostgreSQL and
the Azure emulator. Trace the agent as a non-root user where it matters:
as root, SQLite fchown()s its journal, which the service's user never does.
Exits 1 when something falls outside the sandbox.
"""
import collections
import re
import subprocess
import sys

ALLOWED_FAMILIES = {"AF_UNIX", "AF_INET", "AF_INET6"}
# libdispatch renices its worker threads and logs a line when refused; the
# sandbox refuses it on purpose (see the unit).
EXPECTED_REFUSALS = {"setpriority"}


def syscall_groups():
    """The groups `systemd-analyze syscall-filter` lists, by name."""
    text = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
    table, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = line.split()[0]
            table[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            table[current].append(line.strip())
    return table


def expand(name, table, seen=None):
    """The system calls of a group, its nested groups included."""
    seen = seen if seen is not None else set()
    calls = set()
    for entry in table.get(name, []):
        if entry.startswith("@"):
            if entry not in seen:
                seen.add(entry)
                calls |= expand(entry, table, seen)
        else:
            calls.add(entry)
    return calls


def main(path):
    table = syscall_groups()
    allowed = expand("@system-service", table) - expand("@privileged", table) - expand("@resources", table)

    line_pattern = re.compile(r"^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$")
    agent = set()  # thread ids of the agent's processes
    pending = {}  # thread id -> (call, first half) of an unfinished call
    calls = collections.Counter()
    families = collections.Counter()
    write_execute = []
    for line in open(path, errors="replace"):
        match = line_pattern.match(line)
        if not match:
            continue
        tid, resumed, name, rest = int(match.group(1)), match.group(2), match.group(3), match.group(4)
        if name and rest.endswith("<unfinished ...>"):
            pending[tid] = (name, rest)
            continue
        if resumed:
            name, start = pending.pop(tid, (resumed, ""))
            rest = start + rest
        if name == "execve" and rest.strip().endswith("= 0"):
            if rest.split(",")[0].endswith('/nachet-sync"'):
                agent.add(tid)
            else:
                agent.discard(tid)
        if tid not in agent:
            continue
        calls[name] += 1
        if name in ("clone", "clone3"):
            child = re.search(r"= (\d+)$", rest.strip())
            if child:
                agent.add(int(child.group(1)))  # threads, and children under the same sandbox
        elif name == "socket":
            families[rest.split(",")[0]] += 1
        elif name in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in rest:
            write_execute.append(line.strip())
        elif name == "mmap" and "PROT_EXEC" in rest and "PROT_WRITE" in rest:
            write_execute.append(line.strip())

    outside = sorted(set(calls) - allowed)
    unexpected = [call for call in outside if call not in EXPECTED_REFUSALS]
    bad_families = sorted(set(families) - ALLOWED_FAMILIES)
    print(f"agent threads traced: {len(agent)}; {len(calls)} distinct system calls, {sum(calls.values())} in all")
    print("outside the filter:", ", ".join(f"{call} ({calls[call]}x)" for call in outside) or "none",
          f"(expected: {', '.join(sorted(EXPECTED_REFUSALS))})")
    print("socket families:", ", ".join(f"{family} ({count}x)" for family, count in sorted(families.items())) or "none")
    print("writable+executable mappings, mprotect to executable:", len(write_execute))
    for entry in write_execute[:10]:
        print("   ", entry)
    if not agent:
        print("no nachet-sync process in the trace")
        return 1
    return 1 if unexpected or bad_families or write_execute else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
