"""What a running server holds, from /proc: its processes (the supervisor and, in processes
mode, its workers), open descriptors and resident memory, including the peak since a reset."""

from __future__ import annotations

import os
import time
from pathlib import Path


def server_pids(pid: int) -> list[int]:
    """`pid` and its children (prefork workers); threads share their process's entry."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass  # the thread ended meanwhile
    return sorted(set(pids))


def fd_count(pid: int) -> int:
    """Open descriptors of the server and its workers."""
    return sum(len(os.listdir(f"/proc/{p}/fd")) for p in server_pids(pid))


def status_value(pid: int, key: str) -> int:
    """The number of one /proc/PID/status line ("VmHWM" in kB, "Threads", ...)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {key} for {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the server and its workers so far."""
    ticks = 0
    for p in server_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass  # a worker that exited meanwhile
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of the server and its workers (the sum over processes)."""
    return sum(status_value(p, "VmRSS") for p in server_pids(pid))


def reset_peak(pid: int) -> None:
    """Resets VmHWM of every process to its current RSS (proc(5), clear_refs value 5)."""
    for p in server_pids(pid):
        with open(f"/proc/{p}/clear_refs", "w") as f:
            f.write("5")


def peak_kb(pid: int) -> int:
    """VmHWM since the last reset_peak, summed over the processes (in processes mode an upper
    bound: pages shared with the supervisor count in each worker)."""
    return sum(status_value(p, "VmHWM") for p in server_pids(pid))


def wait_fd_count(pid: int, want: int, timeout: float) -> int:
    """Waits until the server holds at most `want` descriptors; returns the last count."""
    deadline = time.monotonic() + timeout
    while True:
        n = fd_count(pid)
        if n <= want or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"
