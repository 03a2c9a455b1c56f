"""One measured subprocess: wall time, CPU time and peak memory of that command alone.

The command runs under GNU ``time`` (``/usr/bin/time``, Debian's ``time`` package), which reaps it
with ``wait4`` and reports its rusage: CPU time (children it waited for included) and the peak RSS
of its largest process. Not ``os.wait4`` from here: a child forked from this Python process starts
with this process's resident pages mapped, and Linux keeps that high-water mark in the child's
``ru_maxrss`` across ``exec`` (``true`` forked from a 300 MB Python reports 300 MB). ``time`` is a
1 MB process, so what it reports is the command's own.

A crawl may run helper processes (govarchive's search worker): ``ru_maxrss`` keeps the largest of
them, not their sum. So the process tree's resident memory is also sampled from ``/proc`` every
0.2 s, and its peak reported as ``peak_tree_rss_mb``. Memory figures are MiB (2^20 bytes).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"
SAMPLE_EVERY = 0.2  # seconds between samples of the process tree's memory


@dataclass(frozen=True)
class Measured:
    """How one command ran. ``stdout``/``stderr`` are the files its output went to."""

    command: list[str]
    returncode: int
    wall_s: float
    user_s: float
    system_s: float
    peak_rss_mb: float  # the largest process (GNU time)
    peak_tree_rss_mb: float  # all its processes together (sampled)
    stdout: Path
    stderr: Path

    def to_dict(self) -> dict[str, object]:
        return {"command": " ".join(self.command), "returncode": self.returncode, "wall_s": round(self.wall_s, 3),
                "cpu_s": round(self.user_s + self.system_s, 3), "peak_rss_mb": round(self.peak_rss_mb, 1),
                "peak_tree_rss_mb": round(self.peak_tree_rss_mb, 1)}


def tree_rss_kib(root: int) -> int:
    """Resident memory of process ``root`` and all its descendants, in KiB (0 once it is gone)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended between two reads
    return total


def run_measured(command: list[str], log_dir: Path, name: str, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` to its end, output in ``log_dir/name.out`` and ``.err``, and measure it."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr, usage = log_dir / f"{name}.out", log_dir / f"{name}.err", log_dir / f"{name}.rusage"
    peak_tree = 0
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen([GNU_TIME, "-f", "%M %U %S", "-o", str(usage), *command], cwd=cwd, env=env,
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        while True:
            peak_tree = max(peak_tree, tree_rss_kib(process.pid))
            try:
                returncode = process.wait(timeout=SAMPLE_EVERY)
                break
            except subprocess.TimeoutExpired:
                continue
        wall = time.perf_counter() - started
    # the last line: "maxrss_kib user_s system_s" (a line before it says when the command failed)
    max_kib, user, system = usage.read_text().split("\n")[-2].split()
    return Measured(command, returncode, wall, float(user), float(system), int(max_kib) / 1024, peak_tree / 1024,
                    stdout, stderr)
