"""Chinese full-text search that works in plain SQLite and Datasette: a CJK bigram shadow index.

SQLite's tokenizers do not segment Chinese (unicode61 makes one token of a run of Han characters;
trigram drops 2-character terms), and this Python cannot load tokenizer extensions. So the index
stores text rewritten as overlapping bigrams (``关停运营`` → ``关停 停运 运营``) in ordinary FTS5
tables (``posts_fts``, ``accounts_fts``, unicode61), and a query is rewritten the same way into a
phrase (``政务新媒体`` → ``"政务 务新 新媒 媒体"``), which matches the exact substring at any length.
Text is normalised first (:func:`govarchive.textclean.normalise`: OpenCC Traditional/Taiwan →
Simplified, 帐号 → 账号), so a Traditional re-post is found by its Simplified form, 登出 by 注销. The original text stays untouched in ``posts``.
(``../shared/research/ecosystem.md`` §1; the Datasette side is :mod:`govarchive.browse`.)
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from govarchive.textclean import normalise
from govarchive.transactions import write_transaction

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


QUEUE_BATCH = 25  # queue entries read and computed at a time (each then written in its own transaction)


def drain_search_queue(db: Any, limit: int | None = None) -> int:
    """Write the search shadows the queue asks for (``search_queue``, filled by triggers in the same
    transaction as each row's change): every entry, or at most ``limit``; returns how many were handled.

    Shadows are computed outside any write transaction (the costly part), then each is written in a
    transaction of its own, only where the queue entry is still the one read: a row changed meanwhile
    has a newer entry and is read again.
    Inside a caller's transaction (a synchronous :class:`~govarchive.index.Index`), it is all one.
    """
    done = 0
    while limit is None or done < limit:
        batch = QUEUE_BATCH if limit is None else min(QUEUE_BATCH, limit - done)
        entries = db.execute("select tbl, row, seq from search_queue order by seq limit ?", [batch]).fetchall()
        if not entries:
            break
        computed = []
        for table, rowid, seq in entries:
            columns = SEARCHABLE[table]
            found = db.execute(f"select {', '.join(columns)} from {table} where rowid = ?", [rowid]).fetchone()
            computed.append((table, rowid, seq, None if found is None else [shadow_text(v) for v in found]))
        for table, rowid, seq, shadow in computed:
            # one short transaction per row: the crawl, the other writer, never waits long for the lock
            with write_transaction(db):
                if db.execute("select 1 from search_queue where tbl = ? and row = ? and seq = ?",
                              [table, rowid, seq]).fetchone() is None:
                    continue  # changed since it was read: its newer entry comes round again
                db.execute(f"delete from {table}_fts where rowid = ?", [rowid])
                if shadow is not None:
                    columns = SEARCHABLE[table]
                    db.execute(f"insert into {table}_fts (rowid, {', '.join(columns)}) values "
                               f"({', '.join('?' * (len(columns) + 1))})", [rowid, *shadow])
                db.execute("delete from search_queue where tbl = ? and row = ? and seq = ?", [table, rowid, seq])
        done += len(entries)
    return done


def refresh_shadow(db: Any, table: str, where: str = "1", params: Sequence[Any] = ()) -> None:
    """Rewrite the ``<table>_fts`` rows of the ``table`` rows matching ``where`` (a sqlite-utils Database)."""
    columns = SEARCHABLE[table]
    placeholders = ", ".join("?" * (len(columns) + 1))
    for row in db.execute(f"select rowid, {', '.join(columns)} from {table} where {where}", list(params)).fetchall():
        db.execute(f"delete from {table}_fts where rowid = ?", [row[0]])
        db.execute(f"insert into {table}_fts(rowid, {', '.join(columns)}) values ({placeholders})",
                   [row[0], *(shadow_text(v) for v in row[1:])])
