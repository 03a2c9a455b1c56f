"""The crawl's writer process and search worker yield the CPU to its fetching (govarchive/core/processes.py).

A short crawl of the demo web is watched from outside: the nice value of each of its processes, sampled while it
runs (Linux: /proc).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from helpers import crawl_command, descendant_pids

from govarchive.core.processes import lower_priority

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from Linux's /proc")


def niceness(pid: int) -> tuple[str, int] | None:
    """(command line, nice) of a process, None when it is gone."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        return cmdline, os.getpriority(os.PRIO_PROCESS, pid)
    except (OSError, ProcessLookupError):
        return None


def test_the_writer_and_the_search_worker_run_below_the_crawl(demo_web, tmp_path):
    command = crawl_command(demo_web.base_url, tmp_path / "archive", "DEPTH_LIMIT=1", "GOVARCHIVE_BACKGROUND_NICE=7")
    command[command.index("sources=govarchive/demo/sources.toml")] = "url=" + demo_web.base_url + "/xxgk/tzgg/"
    seen: dict[int, tuple[str, int]] = {}
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as crawl:
        deadline = time.monotonic() + 240
        while crawl.poll() is None and time.monotonic() < deadline:
            for pid in descendant_pids(crawl.pid) | {crawl.pid}:
                found = niceness(pid)
                if found:  # the last nice seen (after the process lowered it); the command line while it ran
                    seen[pid] = (found[0] or seen.get(pid, ("", 0))[0], found[1])
            time.sleep(0.02)
    assert crawl.returncode == 0
    own = os.getpriority(os.PRIO_PROCESS, 0)
    by_role = {role: [nice for cmdline, nice in seen.values() if marker in cmdline]
               for role, marker in (("crawl", "scrapy crawl"), ("writer", "multiprocessing.spawn"),
                                    ("search worker", "govarchive.index.searchworker"))}
    assert by_role["crawl"] == [own], seen
    assert by_role["writer"] == [own + 7], seen
    assert by_role["search worker"] == [own + 7], seen


def test_lowering_a_priority_is_never_an_error(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "nice", lambda increment: calls.append(increment) or 0)
    lower_priority(0)  # the crawl's own priority: nothing to do
    lower_priority(4)
    assert calls == [4]

    def refused(increment):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "nice", refused)
    lower_priority(4)  # a system that refuses: the process runs at its parent's priority
    monkeypatch.delattr(os, "nice")
    lower_priority(4)  # a system without nice
