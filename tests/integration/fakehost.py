"""Fake sysfs/procfs trees for `rpslab tune` on a fake root: a machine's CPUs, NUMA nodes,
one NIC with queues and MSI-X IRQs, the sysctls and /proc files the tool reads. Built from
the kernel's file formats, not from rpslab's code, so the tests check rpslab against them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _range(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def zero_mask(cpus: int) -> str:
    """The all-zero mask the kernel prints for `cpus` CPUs: 32-bit groups, the top one short."""
    groups = []
    bits = cpus
    while bits > 0:
        width = 8 if bits >= 32 else (bits + 3) // 4
        groups.insert(0, "0" * width)
        bits -= 32
    return ",".join(groups)


class FakeHost:
    def __init__(self, root: Path, cpus: int = 8, nodes: int = 1, queues: int = 4, nic_node: int = 0,
                 first_irq: int = 100, irqbalance: bool = False, iface: str = "eth0"):
        self.root = root
        self.cpus, self.queues, self.first_irq, self.iface = cpus, queues, first_irq, iface
        self._cpus(cpus, nodes)
        self._nic(iface, cpus, queues, nic_node, first_irq)
        self._proc(cpus, queues, first_irq, iface, irqbalance)

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def tree(self) -> dict[str, str]:
        """Every path under the root: a file's sha256, "dir" or the symlink's target."""
        out = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                rel = p.relative_to(self.root).as_posix()
                if p.is_symlink():
                    out[rel] = "-> " + os.readlink(p)
                elif p.is_dir():
                    out[rel] = "dir"
                else:
                    out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out

    def _cpus(self, cpus: int, nodes: int) -> None:
        base = "sys/devices/system/cpu/"
        self.write(base + "online", _range(0, cpus - 1) + "\n")
        self.write(base + "possible", _range(0, cpus - 1) + "\n")
        for c in range(cpus):
            self.write(f"{base}cpu{c}/topology/thread_siblings_list", f"{c}\n")
            self.write(f"{base}cpu{c}/cpufreq/scaling_governor", "schedutil\n")
        per = cpus // nodes
        for n in range(nodes):
            self.write(f"sys/devices/system/node/node{n}/cpulist", _range(n * per, (n + 1) * per - 1) + "\n")

    def _nic(self, iface: str, cpus: int, queues: int, nic_node: int, first_irq: int) -> None:
        base = f"sys/class/net/{iface}/"
        self.write(base + "speed", "100000\n")
        self.write(base + "device/numa_node", f"{nic_node}\n")
        for q in range(queues):
            self.write(f"{base}device/msi_irqs/{first_irq + q}", "msix\n")
            self.write(f"{base}queues/rx-{q}/rps_cpus", zero_mask(cpus) + "\n")
            self.write(f"{base}queues/rx-{q}/rps_flow_cnt", "0\n")
            self.write(f"{base}queues/tx-{q}/xps_cpus", zero_mask(cpus) + "\n")
            self.write(f"proc/irq/{first_irq + q}/smp_affinity_list", _range(0, cpus - 1) + "\n")
        self.write("sys/class/net/lo/queues/rx-0/rps_cpus", zero_mask(cpus) + "\n")
        self.write("sys/class/net/lo/queues/rx-0/rps_flow_cnt", "0\n")

    def _proc(self, cpus: int, queues: int, first_irq: int, iface: str, irqbalance: bool) -> None:
        header = "    " + "".join(f"{'CPU' + str(c):>11}" for c in range(cpus)) + "\n"
        rows = "".join(f"{first_irq + q:>4}:" + "".join(f"{(7 if c == q % cpus else 0):>11}" for c in range(cpus)) +
                       f"  PCI-MSIX-0000:5e:00.0 {q}-edge      {iface}-TxRx-{q}\n" for q in range(queues))
        self.write("proc/interrupts", header + rows)
        sysctls = {
            "net/core/somaxconn": "4096", "net/ipv4/tcp_max_syn_backlog": "1024",
            "net/core/netdev_max_backlog": "1000", "net/ipv4/ip_local_port_range": "32768\t60999",
            "net/ipv4/tcp_tw_reuse": "2", "net/core/rmem_max": "212992", "net/core/wmem_max": "212992",
            "fs/file-max": "9223372036854775807", "net/core/busy_poll": "0", "net/core/busy_read": "0",
            "net/core/rps_sock_flow_entries": "0",
        }
        for key, value in sysctls.items():
            self.write(f"proc/sys/{key}", value + "\n")
        self.write("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units\n"
                                       "Max open files            1024                 1048576              files\n")
        self.write("proc/1/comm", "systemd\n")
        if irqbalance:
            self.write("proc/777/comm", "irqbalance\n")
        cpu_lines = "".join(f"cpu{c} 100 0 50 1000 0 0 {c} 0 0 0\n" for c in range(cpus))
        self.write("proc/stat", "cpu  1 0 1 1 0 0 0 0 0 0\n" + cpu_lines)
        self.write("proc/net/softnet_stat", "".join(
            " ".join(["00000010", "00000000", "00000000"] + ["00000000"] * 9 + [f"{c:08x}"]) + "\n"
            for c in range(cpus)))
        self.write("proc/net/dev", "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n"
                                   f"  {iface}: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n"
                                   "    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n")
