#!/usr/bin/env python3
"""The process tree of a server and the CPU time it has used, from /proc.

    proctree.py pids ROOT         every pid in ROOT's tree (ROOT first), one per line
    proctree.py cpu-us ROOT       user+system CPU µs used so far by the whole tree
    proctree.py snapshot ROOT C1 C2   one line, all in µs: the tree's CPU, then TASK IRQ
                                  STEAL of CPU C1 and of CPU C2 (/proc/stat: user+nice+
                                  system, irq+softirq, steal), then a monotonic clock
    proctree.py listeners PORT    pids holding a listening TCP socket on PORT ("?" for
                                  a socket whose owner we cannot see); exit 1 when none

Why not `ps` or /proc/PID/task/TID/children: the children file needs
CONFIG_PROC_CHILDREN, which some kernels (this one) lack, so the tree is built from the
ppid field of every /proc/PID/stat.

Listeners come from /proc/net/tcp{,6} and the socket inodes in /proc/PID/fd, so the
scripts need no `ss` (iproute2 is not always installed).

Which counters: /proc/PID/stat's utime and stime are already the sum over every thread
of the process, including threads that have exited (a per-thread sum over
/proc/PID/task/*/stat would lose those). cutime and cstime add children the process has
reaped, so a worker that exits and is replaced between two readings keeps its time in
the total. Before/after differences of this sum are the server's CPU time.
"""
import os
import sys
import time


def read_stat(pid):
    """Returns (ppid, utime, stime, cutime, cstime) in clock ticks, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # Field 2, the command name, is parenthesised and may itself contain spaces and ')'.
    fields = data[data.rindex(b")") + 2:].split()
    # After the name: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, utime, stime, cutime, cstime


def tree(root):
    """ROOT and all its descendants alive now (ROOT first)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = read_stat(int(name))
        if st is not None:
            children.setdefault(st[0], []).append(int(name))
    if read_stat(root) is None:
        return []
    order, todo = [], [root]
    while todo:
        pid = todo.pop()
        order.append(pid)
        todo.extend(children.get(pid, []))
    return order


def cpu_us(root):
    hz = os.sysconf("SC_CLK_TCK")
    ticks = 0
    for pid in tree(root):
        st = read_stat(pid)
        if st is not None:
            ticks += sum(st[1:])
    return ticks * 1_000_000 // hz


def cpu_times(cpu):
    """(task, irq, steal) µs of one CPU: what tells whether anything but the pinned
    process ran on it. irq+softirq is apart because with IRQ time accounting the kernel
    books packet processing there rather than in any process's stime."""
    hz = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        for line in f:
            fields = line.split()
            if fields[0] == f"cpu{cpu}":
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
                return tuple(v * 1_000_000 // hz for v in (user + nice + system, irq + softirq, steal))
    raise SystemExit(f"proctree: no cpu{cpu} in /proc/stat")


def listeners(port):
    """(socket inodes listening on PORT, pids holding them) in this network namespace."""
    inodes = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(inode)
    pids = set()
    if inodes:
        targets = {f"socket:[{i}]" for i in inodes}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                fds = os.listdir(f"/proc/{name}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{name}/fd/{fd}") in targets:
                        pids.add(int(name))
                        break
                except OSError:
                    pass
    return inodes, pids


def main(argv):
    nargs = {"pids": 1, "cpu-us": 1, "snapshot": 3, "listeners": 1}
    if len(argv) < 2 or len(argv) != 2 + nargs.get(argv[1], -9) or not all(a.isdigit() for a in argv[2:]):
        print("\n".join(__doc__.strip().splitlines()[2:10]), file=sys.stderr)
        return 1
    if argv[1] == "snapshot":
        root, cpu_a, cpu_b = (int(a) for a in argv[2:])
        if read_stat(root) is None:
            print(f"proctree: no process {root}", file=sys.stderr)
            return 2
        print(cpu_us(root), *cpu_times(cpu_a), *cpu_times(cpu_b), time.monotonic_ns() // 1000)
        return 0
    if argv[1] == "listeners":
        inodes, pids = listeners(int(argv[2]))
        for pid in sorted(pids):
            print(pid)
        if len(pids) < len(inodes):
            print("?")
        return 0 if inodes else 1
    root = int(argv[2])
    if argv[1] == "pids":
        for pid in tree(root):
            print(pid)
        return 0
    if read_stat(root) is None:
        print(f"proctree: no process {root}", file=sys.stderr)
        return 2
    print(cpu_us(root))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
