"""Real pages nobody here wrote (../shared/realweb, read through its manifest): every labelled value of
the government, Toutiao and feed entries, as the page objects read them. Skipped when the corpus is
absent. (The corpus's own scorer checks the same values end to end, through ``govarchive import``.)"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govarchive.pages import PageInput, extract

REALWEB = Path(__file__).resolve().parents[1].parent / "shared" / "realweb"
PLATFORMS = ("gov", "toutiao", "feed")
FETCHED = datetime(2026, 12, 1, tzinfo=UTC)


def entries() -> list[dict]:
    manifest = REALWEB / "manifest.json"
    if not manifest.is_file():
        return []
    return [e for e in json.loads(manifest.read_text("utf-8")) if e.get("platform") in PLATFORMS]


def norm(text: object) -> str:
    return re.sub(r"[\s\u3000\u00a0\u200b]+", " ", str(text or "")).strip()


def date_holds(expected: str, got: str | None) -> bool:
    return bool(got) and got.startswith(expected[:16] if len(expected) >= 16 else expected[:10])


def check_post(post, spec: dict) -> list[str]:
    problems = []
    for field in ("title", "author", "kind", "state", "account_id"):
        if field in spec and norm(getattr(post, field)) != norm(spec[field]):
            problems.append(f"{field}: {getattr(post, field)!r} != {spec[field]!r}")
    if "published_at" in spec and not date_holds(spec["published_at"], post.published_at):
        problems.append(f"published_at: {post.published_at!r} != {spec['published_at']!r}")
    for key, value in spec.get("attributes", {}).items():
        if norm(post.attributes.get(key)) != norm(value):
            problems.append(f"attributes[{key}]: {post.attributes.get(key)!r} != {value!r}")
    for snippet in spec.get("text_contains", []):
        if norm(snippet) not in norm(post.text):
            problems.append(f"text lacks {snippet!r}")
    return problems


def find(posts, spec: dict):
    url = spec.get("url")
    return next((p for p in posts if url and (p.url == url or p.id == "website:" + url)), None)


@pytest.mark.parametrize("entry", entries() or [pytest.param(None, marks=pytest.mark.skip(
    reason="../shared/realweb is not present"))], ids=lambda e: e["id"] if e else "absent")
def test_real_page(entry):
    body = (REALWEB / entry["file"]).read_bytes()
    result = extract(PageInput(entry["url"], int(entry.get("http_status", 200)),
                               (("Content-Type", entry["content_type"]),), body, "urn:uuid:realweb", FETCHED))
    expect, problems = entry.get("expect", {}), []
    if "page_state" in expect and result.page_state != expect["page_state"]:
        problems.append(f"page_state {result.page_state!r}")
    if "page_state_in" in expect and result.page_state not in expect["page_state_in"]:
        problems.append(f"page_state {result.page_state!r}")
    if "account" in expect:
        spec = expect["account"]
        account = next((a for a in result.accounts if a.id == spec["id"]), None)
        if account is None:
            problems.append(f"no account {spec['id']}")
        else:
            problems += [f"account {f}: {getattr(account, f)!r}" for f in ("name", "platform")
                         if f in spec and norm(getattr(account, f)) != norm(spec[f])]
    if "post" in expect:
        post = find(result.posts, expect["post"])
        problems += check_post(post, expect["post"]) if post else [f"no post {expect['post'].get('url')}"]
    if "listing" in expect:
        spec = expect["listing"]
        posts = [p for p in result.posts if not spec.get("account_id") or p.account_id == spec["account_id"]]
        if "count" in spec and len(posts) != spec["count"]:
            problems.append(f"listing count {len(posts)} != {spec['count']}")
        for item in spec.get("items", []):
            post = find(posts, item)
            problems += check_post(post, item) if post else [f"no listed {item.get('url')}"]
    if expect.get("no_posts") and result.posts:
        problems.append(f"{len(result.posts)} posts from a page that has none")
    assert not problems, problems
