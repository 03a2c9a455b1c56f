"""Datasette plugin: Chinese search over the archive in plain ``datasette archive/index.db``.

Loaded through the ``datasette`` entry point in pyproject.toml. It replaces Datasette's
``escape_fts`` SQL function by :func:`govarchive.search.cjk_escape_fts` (a query becomes bigram
phrases, Traditional normalised to Simplified) and tells Datasette which FTS table serves
``posts`` and ``accounts`` (``?_search=关停``). The bigram tables are standalone, so the page's own
search box, ``?_search_title=`` and the FTS tables' own pages all work; snippets of the FTS tables
show bigram text, so show excerpts from the base tables.

The replacement is global to the Datasette instance: serve the archive on its own.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from govarchive.search import SEARCHABLE, cjk_escape_fts


@hookimpl(trylast=True)  # after Datasette's own prepare_connection, which registers escape_fts
def prepare_connection(conn: Any) -> None:
    conn.create_function("escape_fts", 1, cjk_escape_fts, deterministic=True)


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict[str, Any]:
    tables = {name: {"fts_table": f"{name}_fts", "fts_pk": "rowid"} for name in SEARCHABLE}
    return {"databases": {name: {"tables": tables} for name in datasette.databases if name != "_internal"}}
