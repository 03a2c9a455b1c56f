"""The parts of indexing one article page, timed apart: what ``Index.save_post`` spends its time on.

Article pages of the bench web (:mod:`bench.site`, rendered in-process, no crawl) go through the
page objects; their posts are then timed, one function at a time, with govarchive's own code:
``clean`` (via ``post_values``), ``normalise`` and ``cjk_bigrams`` (the bigram shadow,
``shadow_text``), the FTS5 delete and insert of the shadow row, and ``Index.save_post`` itself (the
list page's entry first, then the article page's post), into a fresh index.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.site import HTML, Article, Layout, Site
from govarchive.core.textclean import normalise
from govarchive.index.search import SEARCHABLE, cjk_bigrams, shadow_text
from govarchive.index.store import open_index, post_values
from govarchive.pages import PageInput, extract


def _ms_each(function: Callable[[Any], Any], items: list[Any]) -> float:
    started = time.perf_counter()
    for item in items:
        function(item)
    return round((time.perf_counter() - started) / len(items) * 1000, 3)


def article_pages(count: int) -> list[PageInput]:
    """The first ``count`` articles of the default bench web, one column after the other, as page inputs."""
    layout = Layout()
    site, now = Site(layout), datetime.now(UTC)
    articles: Iterable[Article] = (Article(layout, n % layout.columns, n // layout.columns) for n in range(count))
    return [PageInput(url=f"http://127.0.0.1{a.path}", status=200, headers=(("Content-Type", HTML),),
                      body=site.render(a.path)[2], capture_id=f"capture-{i}", fetched_at=now)
            for i, a in enumerate(articles)]


def time_parts(count: int = 300) -> dict[str, Any]:
    """Milliseconds per article page for each part, over ``count`` articles of the bench web."""
    pages = article_pages(count)
    extractions = [extract(page) for page in pages]
    posts = [e.posts[0] for e in extractions]
    columns = SEARCHABLE["posts"]
    shadows = [[shadow_text(getattr(post, column)) for column in columns] for post in posts]
    result: dict[str, Any] = {
        "articles": count, "text_chars": round(sum(len(p.text or "") for p in posts) / count),
        "extract": _ms_each(extract, pages),
        "post_values (clean)": _ms_each(post_values, posts),
        "normalise (OpenCC check)": _ms_each(lambda p: normalise(p.text), posts),
        "cjk_bigrams": _ms_each(lambda p: cjk_bigrams(p.text), posts),
        "shadow_text (all columns)": _ms_each(lambda p: [shadow_text(getattr(p, c)) for c in columns], posts),
    }
    with tempfile.TemporaryDirectory() as scratch:
        index = open_index(Path(scratch) / "index.db")
        for extraction in extractions:
            for account in extraction.accounts:
                index.save_account(account)
        listed = [dataclasses.replace(p, state="listed", text=None, summary=None, attributes={},
                                      content_digest=None, kind=None, authoritative=False) for p in posts]
        result["save_post (list entry, new row)"] = _ms_each(index.save_post, listed)
        result["save_post (article page, update)"] = _ms_each(index.save_post, posts)
        keys = [row[0] for row in index.db.execute("select search_key from posts order by rowid")]
        placeholders = ", ".join("?" * (len(columns) + 1))

        def rewrite_shadow(i: int) -> None:  # contentless (m014): deleted by giving the same bigrams again
            with index.db.conn:
                index.db.execute(f"insert into posts_fts(posts_fts, rowid, {', '.join(columns)}) "
                                 f"values ('delete', {placeholders})", [keys[i], *shadows[i]])
                index.db.execute(f"insert into posts_fts(rowid, {', '.join(columns)}) values ({placeholders})",
                                 [keys[i], *shadows[i]])

        result["FTS5 delete + insert of the shadow row"] = _ms_each(rewrite_shadow, list(range(len(keys))))
        index.close()
    return result


if __name__ == "__main__":
    for name, value in time_parts().items():
        print(f"{name:40s} {value}")
