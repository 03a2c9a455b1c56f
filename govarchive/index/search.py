"""Chinese full-text search that works in plain SQLite and Datasette: a CJK bigram shadow index.

SQLite's tokenizers do not segment Chinese (unicode61 makes one token of a run of Han characters;
trigram drops 2-character terms), and this Python cannot load tokenizer extensions. So the index
stores text rewritten as overlapping bigrams (``关停运营`` → ``关停 停运 运营``) in ordinary FTS5
tables (``posts_fts``, ``accounts_fts``, unicode61), and a query is rewritten the same way into a
phrase (``政务新媒体`` → ``"政务 务新 新媒 媒体"``), which matches the exact substring at any length.
Text is normalised first (:func:`govarchive.core.textclean.normalise`: OpenCC Traditional/Taiwan →
Simplified, 帐号 → 账号), so a Traditional re-post is found by its Simplified form, 登出 by 注销. The original text stays untouched in ``posts``.
(``../shared/research/ecosystem.md`` §1; the Datasette side is :mod:`govarchive.browse`.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from govarchive.core.textclean import normalise
from govarchive.index.transactions import write_transaction

CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
# table -> the columns of the base table that are searchable (same names in the FTS table)
SEARCHABLE = {"posts": ("title", "summary", "text"), "accounts": ("name", "alias", "description")}


def cjk_bigrams(text: str | None) -> str:
    """``'关停运营 WeChat'`` → ``' 关停 停运 运营  WeChat'``: each CJK run as overlapping bigrams."""

    def grams(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join([run[i:i + 2] for i in range(len(run) - 1)]) + " "  # a list: join's fast path

    return CJK_RUN.sub(grams, text or "")


def shadow_text(text: str | None) -> str:
    """What the FTS table stores for ``text``."""
    return cjk_bigrams(normalise(text or ""))


def cjk_escape_fts(query: str | None) -> str:
    """``'政务新媒体 關停'`` → ``'"政务 务新 新媒 媒体" "关停"'``: the query as bigram phrases."""
    from datasette.utils import escape_fts  # Datasette's own escaping, then our bigrams inside each phrase

    return re.sub(r'"([^"]*)"', lambda m: '"' + " ".join(shadow_text(m.group(1)).split()) + '"',
                  escape_fts(query or ""))


# tables whose FTS rowid is a column of theirs (kept by the code below), not their own rowid
def contains_all(text: str | None, query: str | None) -> bool:
    """Every word of ``query`` is in ``text``, both normalised (Traditional read as Simplified): the search of
    small tables with no shadow (notices), as SQL ``govarchive_contains(text, query)`` in Datasette."""
    words = normalise(query or "").split()
    haystack = normalise(text or "")
    return bool(words) and all(word in haystack for word in words)


KEY_COLUMN = {"posts": "search_key"}
KEY_EPOCH = datetime(1900, 1, 1)
KEY_TIES = 1_000_000  # search keys per second of publication


def post_search_key(published_at: str | None, rowid: int) -> int:
    """A post's ``posts_fts`` rowid (``posts.search_key``): it grows with ``published_at``, so FTS5's own
    ``order by rowid desc`` is "newest first" and stops after the first hits, however common the word.

    The seconds since 1900 of the value's first 19 characters read as a local time (the order of the
    strings Datasette sorts; no timezone arithmetic), times :data:`KEY_TIES`, plus the row's rowid
    modulo :data:`KEY_TIES` to break ties. No or unreadable date: second 0, after every dated post.
    """
    seconds = 0
    if published_at:
        try:
            seconds = max(0, int((datetime.fromisoformat(published_at[:19]) - KEY_EPOCH).total_seconds()))
        except ValueError:
            pass
    return seconds * KEY_TIES + rowid % KEY_TIES


def _shadows(db: Any, table: str, where: str, params: Sequence[Any]) -> list[tuple[int, list[str], int | None, int]]:
    """(rowid, shadow texts, FTS rowid now, FTS rowid wanted) of the ``table`` rows matching ``where``."""
    columns = ", ".join(SEARCHABLE[table])
    if table not in KEY_COLUMN:
        return [(row[0], [shadow_text(v) for v in row[1:]], row[0], row[0])
                for row in db.execute(f"select rowid, {columns} from {table} where {where}", list(params))]
    return [(rowid, [shadow_text(v) for v in values], stored, post_search_key(published, rowid))
            for rowid, *values, published, stored in db.execute(
                f"select rowid, {columns}, published_at, {KEY_COLUMN[table]} from {table} where {where}",
                list(params))]


def _write_shadow(db: Any, table: str, rowid: int, shadow: list[str] | None, stale: set[int | None],
                  wanted: int) -> None:
    """Delete the FTS rows at ``stale`` keys; write ``shadow`` (None: the row is gone) at ``wanted``, or
    the nearest free key below it (a tie of second and rowid modulo), and keep the key in the row."""
    fts = f"{table}_fts"
    for key in stale - {None}:
        db.execute(f"delete from {fts} where rowid = ?", [key])
    if shadow is None:
        return
    key = wanted
    if table in KEY_COLUMN:
        column = KEY_COLUMN[table]
        while db.execute(f"select 1 from {fts} where rowid = ? union all select 1 from {table} "
                         f"where {column} = ? and rowid != ?", [key, key, rowid]).fetchone():
            key -= 1
        db.execute(f"update {table} set {column} = ? where rowid = ? and {column} is not ?", [key, rowid, key])
    columns = SEARCHABLE[table]
    db.execute(f"insert into {fts} (rowid, {', '.join(columns)}) values ({', '.join('?' * (len(columns) + 1))})",
               [key, *shadow])


QUEUE_BATCH = 25  # queue entries read and computed at a time (each then written in its own transaction)


def drain_search_queue(db: Any, limit: int | None = None) -> int:
    """Write the search shadows the queue asks for (``search_queue``, filled by triggers in the same
    transaction as each row's change): every entry, or at most ``limit``; returns how many were handled.

    Shadows are computed outside any write transaction (the costly part), then each is written in a
    transaction of its own, only where the queue entry is still the one read: a row changed meanwhile
    has a newer entry and is read again. A deleted post's entry carries its old key (``fts_row``).
    Inside a caller's transaction (a synchronous :class:`~govarchive.index.store.Index`), it is all one.
    """
    done = 0
    while limit is None or done < limit:
        batch = QUEUE_BATCH if limit is None else min(QUEUE_BATCH, limit - done)
        entries = db.execute("select tbl, row, seq, fts_row from search_queue order by seq limit ?",
                             [batch]).fetchall()
        if not entries:
            break
        computed = []
        for table, rowid, seq, fts_row in entries:
            found = _shadows(db, table, "rowid = ?", [rowid])
            shadow, stored, wanted = found[0][1:] if found else (None, None, rowid)
            stale = {fts_row, stored} if table in KEY_COLUMN else {rowid}
            computed.append((table, rowid, seq, shadow, stale, wanted))
        for table, rowid, seq, shadow, stale, wanted in computed:
            # one short transaction per row: the crawl, the other writer, never waits long for the lock
            with write_transaction(db):
                if db.execute("select 1 from search_queue where tbl = ? and row = ? and seq = ?",
                              [table, rowid, seq]).fetchone() is None:
                    continue  # changed since it was read: its newer entry comes round again
                _write_shadow(db, table, rowid, shadow, stale, wanted)
                db.execute("delete from search_queue where tbl = ? and row = ? and seq = ?", [table, rowid, seq])
        done += len(entries)
    return done


def refresh_shadow(db: Any, table: str, where: str = "1", params: Sequence[Any] = ()) -> None:
    """Rewrite the ``<table>_fts`` rows of the ``table`` rows matching ``where`` (a sqlite-utils Database)."""
    for rowid, shadow, stored, wanted in _shadows(db, table, where, params):
        _write_shadow(db, table, rowid, shadow, {stored}, wanted)
