"""Which address an archive's demo web was served on: one archive holds one demo web.

The demo web's URLs carry the port it listens on (``http://127.0.0.1:8765/…``). A second ``govarchive
demo`` on another port would archive the same accounts and posts under other URLs, so the index would
hold each twice. :func:`archived_origin` finds the origin the archive already has, so the demo serves
on that port again, or refuses in one line when it cannot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from govarchive.demo.server import DemoWeb

LOOPBACK = f"http://{DemoWeb.host}:"


def archived_origin(index_db: Path) -> str | None:
    """``http://127.0.0.1:PORT`` of the newest capture from the demo web's address, or None (no index, or
    nothing from it). Reads only (a range of the ``captures.url`` index)."""
    if not Path(index_db).is_file():
        return None
    try:
        with sqlite3.connect(Path(index_db).resolve().as_uri() + "?mode=ro", uri=True) as conn:
            row = conn.execute("select url from captures where url >= ? and url < ? order by fetched_at desc limit 1",
                               [LOOPBACK, LOOPBACK[:-1] + chr(ord(":") + 1)]).fetchone()
    except sqlite3.Error:  # not an index we can read: the crawl says so in its own words
        return None
    if row is None:
        return None
    parts = urlsplit(row[0])
    return f"{parts.scheme}://{parts.netloc}" if parts.port else None


def archived_port(index_db: Path) -> int | None:
    origin = archived_origin(index_db)
    return urlsplit(origin).port if origin else None
