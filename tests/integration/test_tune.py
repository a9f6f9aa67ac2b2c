"""`rpslab tune`: check on this machine, unprivileged, tells the truth about what it read and
what it could not; plan, apply and revert through the command line on fake roots (nothing
here writes to the real /proc or /sys); watch measures traffic it is shown."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from fakehost import FakeHost
from serverproc import require, rpslab_bin, sanitizer_report

NOBODY = 65534


def _as_nobody() -> list[str]:
    """The prefix that drops root for the command, as a user running the tool would be."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root without setpriv: cannot run rpslab tune unprivileged", pytrace=False)
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def tune(*args: str, unprivileged: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    cmd = (_as_nobody() if unprivileged else []) + [require(rpslab_bin()), "tune", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    report = sanitizer_report(proc.stderr)
    assert report is None, f"{cmd}: {report}"
    return proc


def ok(*args: str, **kw) -> subprocess.CompletedProcess:
    proc = tune(*args, **kw)
    assert proc.returncode == 0, f"rpslab tune {' '.join(args)} exited {proc.returncode}: {proc.stderr}"
    return proc


@pytest.fixture
def fake_root():
    """A directory the unprivileged user may read and write: the fake root lives inside."""
    top = Path(tempfile.mkdtemp(prefix="rpslab-tune-"))
    os.chmod(top, 0o755)
    yield top / "host"
    shutil.rmtree(top)


def _give_to_nobody(root: Path) -> None:
    if os.geteuid() == 0:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                os.chown(name, NOBODY, NOBODY, follow_symlinks=False)


def _cpu_list(text: str) -> set[int]:
    cpus: set[int] = set()
    for part in filter(None, text.strip().split(",")):
        first, _, last = part.partition("-")
        cpus.update(range(int(first), int(last or first) + 1))
    return cpus


def _unreadable_for_nobody(path: str) -> bool:
    probe = ("import os,sys\np=sys.argv[1]\n"
             "try:\n os.listdir(p) if os.path.isdir(p) else open(p,'rb').read()\nexcept OSError:\n sys.exit(1)\n")
    return subprocess.run(_as_nobody() + ["/usr/bin/python3", "-c", probe, path]).returncode != 0


# --- check on this machine -------------------------------------------------------------

def test_check_json_on_this_machine_matches_the_machine():
    report = json.loads(ok("check", "--json").stdout)
    assert report["root"] == "/" and report["live"] is True
    online = _cpu_list(Path("/sys/devices/system/cpu/online").read_text())
    assert _cpu_list(report["cpus"]["online"]) == online
    assert report["cpus"]["count"] == len(online)
    nics = sorted(n for n in os.listdir("/sys/class/net") if os.path.exists(f"/sys/class/net/{n}/device"))
    assert sorted(n["name"] for n in report["nics"]) == nics
    assert sorted(report["virtual_ifaces"]) == sorted(set(os.listdir("/sys/class/net")) - set(nics))
    for key, value in report["sysctls"].items():
        path = "/proc/sys/" + key.replace(".", "/")
        if value is not None:
            assert value.split() == Path(path).read_text().split(), key
    for nic in report["nics"]:
        for irq in nic["irqs"]:
            if irq["affinity"] is not None:
                want = _cpu_list(Path(f"/proc/irq/{irq['irq']}/smp_affinity_list").read_text())
                assert _cpu_list(irq["affinity"]) == want, irq
    verdicts = {f["verdict"] for f in report["findings"]}
    assert verdicts <= {"ok", "warn", "info", "unknown"}
    assert all(f["observed"] for f in report["findings"]), "every finding says what it observed"


def test_check_on_this_machine_is_honest_about_what_it_could_not_read():
    report = json.loads(ok("check", "--json").stdout)
    for entry in report["unreadable"]:
        assert entry["reason"], entry
        if "*" not in entry["path"]:
            assert _unreadable_for_nobody(entry["path"]), f"reported unreadable but readable: {entry}"
    # What only the unprivileged run could not read is what root can and nobody cannot: the
    # report blames permissions, not the host, for those (check only reads: safe as root).
    as_root = json.loads(ok("check", "--json", unprivileged=False).stdout)
    root_paths = {e["path"] for e in as_root["unreadable"]}
    for entry in report["unreadable"]:
        if entry["path"] not in root_paths and "*" not in entry["path"]:
            assert "permission denied" in entry["reason"] or "hidden" in entry["reason"], entry
    text = ok("check").stdout
    assert text.startswith("rpslab tune check (root /)\n")
    assert "\ncould not read: " in text
    for entry in report["unreadable"]:
        assert f"  {entry['path']}: {entry['reason']}\n" in text
    unknown = [f["topic"] for f in report["findings"] if f["verdict"] == "unknown"]
    assert not unknown or report["unreadable"], f"unknown findings {unknown} without a reason listed"


def test_check_names_an_interface_and_refuses_an_unknown_one():
    report = json.loads(ok("check", "--json", "--iface", "lo").stdout)
    assert [n["name"] for n in report["nics"]] == ["lo"]
    proc = tune("check", "--iface", "no-such-if0")
    assert proc.returncode == 1
    assert "no interface no-such-if0" in proc.stderr


# --- check on a fake root --------------------------------------------------------------

def test_check_reports_real_permission_denials(fake_root):
    host = FakeHost(fake_root, cpus=8, queues=2, irqbalance=True)
    _give_to_nobody(fake_root)
    os.chmod(fake_root / "proc/sys/net/core/somaxconn", 0)
    os.chmod(fake_root / "proc/777", 0)  # as with hidepid=1: listed, not readable
    try:
        report = json.loads(ok("check", "--json", "--root", str(fake_root)).stdout)
    finally:
        os.chmod(fake_root / "proc/777", 0o755)
    reasons = {e["path"]: e["reason"] for e in report["unreadable"]}
    assert reasons == {
        f"{fake_root}/proc/sys/net/core/somaxconn": "permission denied",
        f"{fake_root}/proc/*/comm": "permission denied (1 process)",
    }
    findings = {f["topic"]: f for f in report["findings"]}
    assert findings["net.core.somaxconn"]["verdict"] == "unknown"
    assert findings["irqbalance"]["verdict"] == "unknown", "a hidden irqbalance is not 'not running'"
    assert findings["net.core.netdev_max_backlog"]["verdict"] == "warn"
    assert findings["net.core.netdev_max_backlog"]["fix"] == "sysctl -w net.core.netdev_max_backlog=65536"
    assert host.read("proc/sys/net/core/netdev_max_backlog") == "1000\n", "check writes nothing"


def test_check_reports_missing_files(fake_root):
    host = FakeHost(fake_root, cpus=4, queues=1)
    os.remove(fake_root / "proc/interrupts")
    report = json.loads(ok("check", "--json", "--root", str(fake_root)).stdout)
    assert {e["path"]: e["reason"] for e in report["unreadable"]} == {f"{fake_root}/proc/interrupts": "missing"}
    assert report["nics"][0]["irqs"][0]["handled"] == {}
    assert host.tree()  # the tree is still there


def test_check_flags_irqbalance_and_numa(fake_root):
    FakeHost(fake_root, cpus=16, nodes=2, queues=4, nic_node=1, irqbalance=True)
    report = json.loads(ok("check", "--json", "--root", str(fake_root), unprivileged=False).stdout)
    findings = {f["topic"]: f for f in report["findings"]}
    assert findings["irqbalance"]["verdict"] == "warn"
    assert findings["irqbalance"]["observed"] == "running (pid 777)"
    assert findings["numa"]["verdict"] == "warn"
    assert "eth0 on node1" in findings["numa"]["observed"]


# --- plan, apply, revert on a fake root --------------------------------------------------

def test_plan_prints_the_writes_and_the_serve_line(fake_root):
    FakeHost(fake_root, cpus=128, queues=16)
    text = ok("plan", "--root", str(fake_root)).stdout
    rx0 = f"{fake_root}/sys/class/net/eth0/queues/rx-0/rps_cpus"
    assert f"\necho ffffffff,ffffffff,ffffffff,ffff0000 > {rx0}  #" in text
    assert f"\necho 00000000,00000000,00000000,00000000 > {rx0}\n" in text, "the undo"
    assert f"\necho 15 > {fake_root}/proc/irq/115/smp_affinity_list  #" in text
    assert "\nrpslab serve --workers 112 --cpus 16-127\n" in text
    plan = json.loads(ok("plan", "--json", "--root", str(fake_root), "--rps", "all").stdout)
    masks = {w["value"] for w in plan["writes"] if w["path"].endswith("/rps_cpus")}
    assert masks == {"ffffffff,ffffffff,ffffffff,ffffffff"}


def test_plan_on_72_cpus(fake_root):
    FakeHost(fake_root, cpus=72, queues=8)
    plan = json.loads(ok("plan", "--json", "--root", str(fake_root), "--rps", "all").stdout)
    assert {w["value"] for w in plan["writes"] if w["path"].endswith("/rps_cpus")} == {"ff,ffffffff,ffffffff"}


@pytest.mark.parametrize("flags, message", [
    (["--irq-cpus", "0-7"], "no CPU left for workers"),
    (["--irq-cpus", "0-9"], "names CPU 8-9, which is not online"),
    (["--irq-cpus", "0-1", "--worker-cpus", "1-7"], "CPU 1 is in both --irq-cpus and --worker-cpus"),
    (["--rps", "sometimes"], "--rps"),
])
def test_plan_refuses_unsafe_layouts(fake_root, flags, message):
    FakeHost(fake_root, cpus=8, queues=2)
    proc = tune("plan", "--root", str(fake_root), *flags)
    assert proc.returncode == 1, proc.stdout
    assert message in proc.stderr
    assert proc.stdout == ""


def test_plan_apply_revert_unprivileged_leaves_the_fake_root_byte_identical(fake_root):
    host = FakeHost(fake_root, cpus=128, queues=16)
    _give_to_nobody(fake_root)
    before = host.tree()
    flags = ["--root", str(fake_root), "--rps", "workers", "--rfs", "64k", "--irq-cpus", "0-7"]
    plan = json.loads(ok("plan", "--json", *flags).stdout)
    assert plan["worker_cpus"] == "8-127"
    applied = ok("apply", *flags)
    assert "wrote and verified" in applied.stdout
    assert "rpslab serve --workers 120 --cpus 8-127" in applied.stdout
    after = host.tree()
    state = "var/lib/rpslab/tune-saved.json"
    changed = {rel for rel, digest in after.items() if before.get(rel) != digest}
    written = {w["path"][len(str(fake_root)) + 1:] for w in plan["writes"]}
    assert changed == written | {"var", "var/lib", "var/lib/rpslab", state}, "apply writes exactly the plan"
    for w in plan["writes"]:
        assert Path(w["path"]).read_text() == w["value"] + "\n"
    assert host.read("sys/class/net/eth0/queues/rx-3/rps_flow_cnt") == "4096\n"
    assert host.read("proc/sys/net/core/rps_sock_flow_entries") == "65536\n"

    again = tune("apply", *flags)
    assert again.returncode == 1 and "run rpslab tune revert first" in again.stderr

    reverted = ok("revert", "--root", str(fake_root))
    assert f"restored {len(plan['writes'])} files" in reverted.stdout
    assert host.tree() == before, "revert restores every byte and removes its state"
    nothing = tune("revert", "--root", str(fake_root))
    assert nothing.returncode == 1 and "nothing to revert" in nothing.stderr


def test_apply_refuses_while_irqbalance_runs(fake_root):
    host = FakeHost(fake_root, cpus=8, queues=2, irqbalance=True)
    before = host.tree()
    proc = tune("apply", "--root", str(fake_root), unprivileged=False)
    assert proc.returncode == 1
    assert "irqbalance is running (pid 777)" in proc.stderr and "systemctl stop irqbalance" in proc.stderr
    assert host.tree() == before


def test_apply_and_revert_on_the_live_root_need_root():
    # Unprivileged: refused before anything is read or written (and nobody could write anyway).
    for sub in ("apply", "revert"):
        proc = tune(sub)
        assert proc.returncode == 1, proc.stdout
        assert "needs root (euid 0)" in proc.stderr


# --- watch -----------------------------------------------------------------------------

def test_watch_sees_loopback_traffic_it_is_shown():
    stop = threading.Event()

    def send() -> None:
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        while not stop.is_set():
            tx.sendto(b"x" * 100, rx.getsockname())
            time.sleep(0.001)
        rx.close()
        tx.close()

    sender = threading.Thread(target=send)
    sender.start()
    try:
        proc = ok("watch", "--iface", "lo", "--interval", "300ms", "--duration", "1200ms", "--json")
    finally:
        stop.set()
        sender.join()
    intervals = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(intervals) == 4
    for iv in intervals:
        assert [i["name"] for i in iv["ifaces"]] == ["lo"]
        assert iv["ifaces"][0]["rx_packets_per_s"] > 0, iv
        assert 0.25 < iv["interval_s"] < 1.5
        assert {c["cpu"] for c in iv["cpus"]} == _cpu_list(Path("/sys/devices/system/cpu/online").read_text())


def test_watch_text_on_a_fake_root(fake_root):
    FakeHost(fake_root, cpus=4, queues=2)
    out = ok("watch", "--root", str(fake_root), "--interval", "100ms", "--duration", "200ms").stdout
    assert out.startswith("# nic-irq/s counts IRQs 100,101;")
    assert out.count("--- at ") == 2
    assert "\neth0 " in out and "\nlo " in out
