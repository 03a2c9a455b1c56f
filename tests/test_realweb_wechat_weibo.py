"""WeChat and Weibo page objects against the real-page corpus in ../shared/realweb, read through its
manifest (skipped when the corpus is absent). Each entry's labelled values (what a person reads on the
page) must come out of the page object itself; ``score.py`` checks the same values end to end in
index.db. Nothing here names a file or a value of the corpus: the manifest does."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from govarchive.pages import PageInput, extract
from govarchive.pages.weibo import mid_time, parse_created_at

REALWEB = Path(__file__).resolve().parents[1].parent / "shared" / "realweb"
SAMPLES = REALWEB.parent / "samples"
BASE_DATE = datetime(2026, 12, 1, tzinfo=UTC)  # the scorer's WARC-Date: this + 10 s per entry
CST = timezone(timedelta(hours=8))


def _manifest() -> list[dict]:
    path = REALWEB / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def _entries(*platforms: str) -> list:
    entries = [(i, e) for i, e in enumerate(_manifest()) if e.get("platform") in platforms]
    if not entries:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="../shared/realweb is not present"))]
    return [pytest.param(i, e, id=e["id"]) for i, e in entries]


def _run(index: int, entry: dict):
    body = (REALWEB / entry["file"]).read_bytes()
    fetched = (datetime.fromisoformat(entry["fetched_at"].replace("Z", "+00:00")) if entry.get("fetched_at")
               else BASE_DATE + timedelta(seconds=10 * index))
    page = PageInput(entry["url"], int(entry.get("http_status", 200)), (("Content-Type", entry["content_type"]),),
                     body, "urn:uuid:realweb", fetched)
    return extract(page)


def _norm(text) -> str:
    return re.sub(r"[\s\u3000\u00a0\u200b]+", " ", str(text or "")).strip()


def _date_holds(expected: str, got: str | None) -> bool:
    if not got:
        return False
    shown = datetime.fromisoformat(got).astimezone(CST).strftime("%Y-%m-%dT%H:%M:%S")
    return shown.startswith(expected[:16] if len(expected) >= 16 else expected[:10])


def _check_post(result, spec: dict) -> None:
    posts = {p.id: p for p in result.posts}
    if spec.get("id"):
        post = posts.get(spec["id"])
    else:
        post = next((p for p in result.posts if (spec.get("url") and p.url == spec["url"])
                     or (spec.get("title_match") and _norm(p.title) == _norm(spec["title_match"]))), None)
    assert post is not None, f"no post {spec} among {list(posts)}"
    if "title" in spec:
        assert _norm(post.title) == _norm(spec["title"])
    if "published_at" in spec:
        assert _date_holds(spec["published_at"], post.published_at), (spec["published_at"], post.published_at)
    for field in ("account_id", "kind", "state"):
        if field in spec:
            assert getattr(post, field) == spec[field], (field, getattr(post, field))
    if "account_name" in spec:
        names = {a.id: a.name for a in result.accounts}
        assert _norm(names.get(post.account_id)) == _norm(spec["account_name"])
    for snippet in spec.get("text_contains", []):
        assert _norm(snippet) in _norm(post.text)


def _check(index: int, entry: dict) -> None:
    expect = entry.get("expect", {})
    result = _run(index, entry)
    if "page_state" in expect:
        assert result.page_state == expect["page_state"]
    if "page_state_in" in expect:
        assert result.page_state in expect["page_state_in"]
    if "account" in expect:
        spec = expect["account"]
        accounts = {a.id: a for a in result.accounts if a.authoritative or a.name}
        assert spec["id"] in accounts, f"no account {spec['id']} among {list(accounts)}"
        account = accounts[spec["id"]]
        for field in ("name", "alias", "original_id"):
            if field in spec:
                assert _norm(getattr(account, field)) == _norm(spec[field]), (field, getattr(account, field))
        if "followers" in spec:
            assert account.followers == spec["followers"]
    if "post" in expect:
        _check_post(result, expect["post"])
    for spec in expect.get("posts", []):
        _check_post(result, spec)
    if "listing" in expect:
        spec = expect["listing"]
        listed = [p for p in result.posts if not spec.get("account_id") or p.account_id == spec["account_id"]]
        if "count" in spec:
            assert len(listed) == spec["count"]
        if "count_min" in spec:
            assert len(listed) >= spec["count_min"]
        for item in spec.get("items", []):
            _check_post(result, item)
    if expect.get("no_posts"):
        assert not result.posts


@pytest.mark.parametrize("index, entry", _entries("wechat"))
def test_wechat_page_gives_what_the_page_shows(index, entry):
    _check(index, entry)


@pytest.mark.parametrize("index, entry", _entries("weibo"))
def test_weibo_answer_gives_what_it_shows(index, entry):
    _check(index, entry)


def _weibo_posts_with_absolute_time() -> list[tuple[str, str]]:
    """(mid, created_at) of every post of every Weibo JSON in the corpus and the samples that has an
    absolute created_at, reposted originals included."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            mid, created = str(node.get("mid") or node.get("idstr") or ""), node.get("created_at")
            if mid.isdigit() and isinstance(created, str) and re.search(r"\+0800 \d{4}$", created):
                found.append((mid, created))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for folder in (REALWEB / "weibo", SAMPLES):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                walk(json.loads(path.read_text(encoding="utf-8")))
            except ValueError:
                continue
    return found


def test_the_time_in_a_weibo_id_matches_every_absolute_time_of_the_corpus():
    """The rule of ``mid_time`` checked on real posts whose absolute time is known."""
    pairs = _weibo_posts_with_absolute_time()
    if not pairs:
        pytest.skip("no Weibo answers with absolute times in ../shared")
    reference = datetime(2030, 1, 1, tzinfo=UTC)
    for mid, created in pairs:
        shown = datetime.fromisoformat(parse_created_at(created, reference))
        assert abs((mid_time(mid) - shown).total_seconds()) <= 1, (mid, created)
