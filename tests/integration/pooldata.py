"""The files of `rpslab pool dump`: the exact bytes the server must send."""

from __future__ import annotations

import subprocess
from pathlib import Path

from serverproc import require, rpslab_bin

POOL_SIZE = 500


class Pool:
    def __init__(self, root: Path):
        self.root = root
        self.simple = (root / "simple.json").read_bytes()
        self.read = [(root / "read" / f"{i}.json").read_bytes() for i in range(POOL_SIZE)]
        self.read_gz = [(root / "read" / f"{i}.json.gz").read_bytes() for i in range(POOL_SIZE)]
        self.list = (root / "list.json").read_bytes()
        self.list_gz = (root / "list.json.gz").read_bytes()
        self.orders_csv = (root / "orders.csv").read_bytes()
        self.compute = (root / "compute.json").read_bytes()
        self.read_index = {b: i for i, b in enumerate(self.read)}
        self.read_gz_index = {b: i for i, b in enumerate(self.read_gz)}


def dump_pool(dest: Path, seed: str | None = None, binary: str | None = None,
              extra: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [require(binary or rpslab_bin()), "pool", "dump", str(dest)]
    if seed is not None:
        cmd += ["--seed", seed]
    cmd += extra or []
    return subprocess.run(cmd, capture_output=True, timeout=120)
