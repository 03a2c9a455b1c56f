"""Reindex throughput: ``govarchive reindex`` against ``warcio index`` on the same WARC files.

``govarchive reindex`` reads every record, decodes and parses every page through the page objects
and rebuilds ``index.db`` (captures, accounts, posts, their search shadows, the closure analysis);
``warcio index`` reads every record and prints its offset, length, type and URI. Both are timed as
subprocesses, start-up included, on the archive crawler (b) wrote.

Beside them, :func:`captures_only`: what a first phase of a reindex that does only what ``warcio
index`` does would cost (the ``captures`` rows, from record headers, in one transaction), the fix
docs/benchmarks.md proposes; it is a measurement of that design, not govarchive's code.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from bench.measure import Measured, run_measured
from govarchive.index.store import capture_row, open_index
from govarchive.warc.importer import capture_from_record


def count_records(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            total += sum(1 for _ in ArchiveIterator(fh))
    return total


def throughput(run: Measured, records: int, size: int) -> dict[str, Any]:
    return {**run.to_dict(), "records_per_s": round(records / run.wall_s, 1),
            "mb_per_s": round(size / 1e6 / run.wall_s, 2)}


def captures_only(paths: list[Path], index_db: Path) -> int:
    """Rebuild only the ``captures`` rows of ``paths`` into a fresh ``index_db`` (govarchive's schema and
    :func:`govarchive.warc.importer.capture_from_record`, :func:`govarchive.index.store.capture_row`), in one transaction;
    returns the rows written."""
    rows = []
    for path in paths:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                    continue
                capture = capture_from_record(record, "reindex", path.name)
                records.read_to_end(record)
                capture.warc_offset, capture.warc_length = records.get_record_offset(), records.get_record_length()
                rows.append(capture_row(capture))
    index = open_index(index_db)
    with index.db.conn:
        index.db["captures"].insert_all(rows, pk="id")
    index.close()
    return len(rows)


def run_reindex(archive_dir: Path, log_dir: Path) -> dict[str, Any]:
    """Time both tools on ``archive_dir/warc/*.warc.gz``; ``ratio`` is govarchive's throughput over warcio's."""
    warcs = sorted((archive_dir / "warc").glob("*.warc.gz"))
    records = count_records(warcs)
    size = sum(p.stat().st_size for p in warcs)
    bin_dir = Path(sys.executable).parent
    reindex = run_measured([str(bin_dir / "govarchive"), "reindex", "--archive-dir", str(archive_dir)],
                           log_dir, "reindex")
    if reindex.returncode != 0:
        raise RuntimeError(f"govarchive reindex failed ({reindex.returncode}); see {reindex.stderr}")
    warcio = run_measured([str(bin_dir / "warcio"), "index", *map(str, warcs)], log_dir, "warcio-index")
    if warcio.returncode != 0:
        raise RuntimeError(f"warcio index failed ({warcio.returncode}); see {warcio.stderr}")
    with tempfile.TemporaryDirectory(dir=log_dir) as scratch:
        started = time.perf_counter()
        written = captures_only(warcs, Path(scratch) / "index.db")
        elapsed = time.perf_counter() - started
    return {"warc_files": len(warcs), "records": records, "warc_mb": round(size / 1e6, 1),
            "govarchive": throughput(reindex, records, size), "warcio": throughput(warcio, records, size),
            "ratio": round(warcio.wall_s / reindex.wall_s, 3),
            "captures_only": {"wall_s": round(elapsed, 3), "captures": written,
                              "records_per_s": round(records / elapsed, 1),
                              "ratio": round(warcio.wall_s / elapsed, 3)}}
