"""The machine a benchmark ran on: CPU, cores, memory, load, the versions that matter, and the code
(the commit, and the files of govarchive that differ from it: figures belong to the code measured)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def wget_version() -> str:
    try:
        out = subprocess.run(["wget", "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "not installed"
    return out.splitlines()[0] if out else "unknown"


def code_version() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False).stdout.rstrip()
        except OSError:
            return ""

    changed = git("status", "--porcelain", "--", "govarchive", "pipelines", "spiders").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or "unknown",
            "uncommitted": sorted(line[3:] for line in changed)}


def describe() -> dict[str, Any]:
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "scrapy": version("scrapy"),
        "warcio": version("warcio"),
        "sqlite": sqlite3.sqlite_version,
        "wget": wget_version(),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
        "code": code_version(),
    }
