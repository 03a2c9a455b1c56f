"""Reindex throughput: ``govarchive reindex`` against ``warcio index`` on the same WARC files.

``govarchive reindex`` works in phases (govarchive/warc/reindexing.py): the captures phase reads every record
as ``warcio index`` does and writes the ``captures`` rows (from then on the archive is usable); the pages
phase reads every page again through the page objects in worker processes and saves accounts, posts and
the closure analysis; the search phase writes the search rows. ``warcio index`` reads every record and
prints its offset, length, type and URI. Both are timed as subprocesses, start-up included, on copies of
the archive crawler (b) wrote; the phases' own times are the ones ``govarchive reindex`` prints. The
reindex runs twice, with ``--processes 1`` (no worker process) and ``--processes 2``: the pages phase's
speed-up is the issue's measure of the workers.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from bench.measure import Measured, run_measured

PHASE_LINE = re.compile(r"^\s*(\w+) phase: ([\d,]+) steps in ([\d.]+) s", re.MULTILINE)


def count_records(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            total += sum(1 for _ in ArchiveIterator(fh))
    return total


def throughput(run: Measured, records: int, size: int) -> dict[str, Any]:
    return {**run.to_dict(), "records_per_s": round(records / run.wall_s, 1),
            "mb_per_s": round(size / 1e6 / run.wall_s, 2)}


def phases(run: Measured) -> dict[str, float]:
    """The seconds of each phase, as ``govarchive reindex`` printed them."""
    text = Path(run.stdout).read_text(encoding="utf-8") if run.stdout else ""
    return {name: float(seconds) for name, _, seconds in PHASE_LINE.findall(text)}


def run_reindex(archive_dir: Path, log_dir: Path) -> dict[str, Any]:
    """Time both tools on ``archive_dir/warc/*.warc.gz`` (govarchive on copies of the archive, with 1 and 2
    processes reading pages); ``ratio``: the captures phase's throughput over warcio's, ``pages_speedup``:
    the pages phase on 2 processes over 1."""
    warcs = sorted((archive_dir / "warc").glob("*.warc.gz"))
    records = count_records(warcs)
    size = sum(p.stat().st_size for p in warcs)
    bin_dir = Path(sys.executable).parent
    runs: dict[int, Measured] = {}
    for processes in (1, 2):
        copy = log_dir / f"archive-{processes}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(archive_dir, copy)
        runs[processes] = run_measured([str(bin_dir / "govarchive"), "reindex", "--archive-dir", str(copy),
                                        "--processes", str(processes)], log_dir, f"reindex-{processes}")
        shutil.rmtree(copy, ignore_errors=True)
        if runs[processes].returncode != 0:
            raise RuntimeError(f"govarchive reindex failed ({runs[processes].returncode}); see {runs[processes].stderr}")
    warcio = run_measured([str(bin_dir / "warcio"), "index", *map(str, warcs)], log_dir, "warcio-index")
    if warcio.returncode != 0:
        raise RuntimeError(f"warcio index failed ({warcio.returncode}); see {warcio.stderr}")
    timed = {n: phases(run) for n, run in runs.items()}
    captures = min(t.get("captures", 0.0) for t in timed.values()) or None
    pages = {n: t.get("pages") for n, t in timed.items()}
    return {"warc_files": len(warcs), "records": records, "warc_mb": round(size / 1e6, 1),
            "govarchive": throughput(runs[2], records, size), "govarchive_1": throughput(runs[1], records, size),
            "warcio": throughput(warcio, records, size), "phases": {str(n): t for n, t in timed.items()},
            "whole_ratio": round(warcio.wall_s / runs[2].wall_s, 3),
            "ratio": round(warcio.wall_s / captures, 3) if captures else None,
            "pages_speedup": round(pages[1] / pages[2], 3) if pages[1] and pages[2] else None}
