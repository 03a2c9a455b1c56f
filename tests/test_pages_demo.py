"""Each page object against our own fixtures: the demo web's pages, rendered without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govarchive.demo import render
from govarchive.demo.content import EXPECTED
from govarchive.pages import PageInput, extract, page_class_for

BASE = "http://127.0.0.1:8765"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def page(path: str) -> PageInput:
    status, headers, body = render(path)
    return PageInput(BASE + path, status, tuple(headers), body, "urn:uuid:fixture", FETCHED)


def by_biz(biz):
    return next(a for a in EXPECTED["wechat_accounts"] if a["biz"] == biz)


def article_path(key):
    return next(a["path"] for a in EXPECTED["wechat_articles"] if tuple(a["key"]) == tuple(key))


def test_directory_pages_list_accounts_and_paginate():
    accounts, listing_links = [], []
    for path in EXPECTED["directory_pages"]:
        result = extract(page(path))
        assert page_class_for(page(path)).__name__ == "DirectoryPage"
        accounts += result.accounts
        listing_links += [link.url for link in result.links if link.kind == "listing"]
    assert len(accounts) == EXPECTED["directory_rows"]
    assert len({a.id for a in accounts}) == EXPECTED["directory_accounts"]
    related = {BASE + EXPECTED["qr_grid"]["path"], BASE + EXPECTED["district_directory"]["path"]}
    assert [u for u in listing_links if u not in related] == [BASE + p for p in EXPECTED["directory_pages"][1:]]
    assert related <= set(listing_links)  # other directories linked from the content, not the site's menu
    assert all(a.region == "云岚市" and a.agency and a.listing_url for a in accounts)
    first = by_biz(EXPECTED["wechat_accounts"][0]["biz"])
    assert any(a.id == f"wechat:{first['biz']}" and a.name == first["name"] for a in accounts)


def test_lying_charset_page_is_decoded_from_its_body():
    result = extract(page(EXPECTED["lying_charset_page"]))
    assert result.accounts and all("\ufffd" not in (a.name or "") for a in result.accounts)
    assert any("charset" in note for note in result.notes)


def test_history_page_lists_posts_and_links():
    account = EXPECTED["wechat_accounts"][0]
    result = extract(page(account["history_path"]))
    assert result.page_state == "ok"
    assert result.accounts[0].id == f"wechat:{account['biz']}" and result.accounts[0].name == account["name"]
    assert result.accounts[0].alias == account["alias"]
    posts = {p.id for p in result.posts}
    mid_key = EXPECTED["multi_push"]
    assert {f"wechat:{mid_key[0]}:{mid_key[1]}:{i}" for i in mid_key[2]} <= posts
    assert all(p.state == "listed" and p.published_at.endswith("+08:00") for p in result.posts)
    assert {link.post_id for link in result.links if link.kind == "post"} == posts


def test_zombie_history_page_is_empty():
    zombie = by_biz(EXPECTED["zombie_account"])
    result = extract(page(zombie["history_path"]))
    assert result.page_state == "empty" and not result.posts and result.accounts[0].name == zombie["name"]


@pytest.mark.parametrize("article", EXPECTED["wechat_articles"], ids=lambda a: "-".join(a["key"]))
def test_every_article(article):
    result = extract(page(article["path"]))
    biz, mid, idx = article["key"]
    assert result.page_state == article["state"]
    post = result.posts[0]
    assert post.id == f"wechat:{biz}:{mid}:{idx}" and post.state == article["state"]
    if article["state"] == "ok":
        assert post.title == article["title"] and post.published_at == article["published_at"]
        assert post.text and result.accounts[0].original_id == by_biz(biz)["gh_id"]
        assert any(link.kind == "asset" for link in result.links)


def test_2019_video_post_takes_its_ids_from_msg_link_and_its_data_from_d_variables():
    video = EXPECTED["style_2019_video_article"]
    biz, mid, idx = video["key"]
    result = extract(page(video["path"]))
    post, account = result.posts[0], result.accounts[0]
    assert post.id == f"wechat:{biz}:{mid}:{idx}" and post.kind == "video"
    assert account.name == by_biz(biz)["name"] and post.author == by_biz(biz)["name"]
    assert [m.url for m in post.media if m.kind == "video"] == [f"wxv:wxv_{mid}{idx}"]


def test_deleted_article_keeps_its_identity():
    result = extract(page(article_path(EXPECTED["deleted_article"])))
    assert result.page_state == "deleted" and result.posts[0].state == "deleted"
    assert result.accounts[0].name is None  # an error page says nothing about the account's name


@pytest.mark.parametrize("account", EXPECTED["weibo_accounts"], ids=lambda a: a["uid"])
def test_weibo_profile_and_every_page(account):
    uid = account["uid"]
    shell = extract(page(f"/u/{uid}"))
    profile = extract(page(shell.links[0].url[len(BASE):]))
    assert profile.accounts[0].followers == account["followers"] and profile.accounts[0].name == account["name"]
    url = next(link.url for link in profile.links if link.kind == "listing")
    posts, pages = [], 0
    while url:
        result = extract(page(url[len(BASE):]))
        pages += 1
        posts += result.posts
        url = next((link.url for link in result.links if link.kind == "listing"), None)
    assert len(posts) == account["posts"] and pages == max(1, account["pages"])
    assert all(p.published_at.endswith("+08:00") and p.account_id == f"weibo:{uid}" for p in posts)


def test_weibo_empty_account_list():
    uid = EXPECTED["weibo_empty_uid"]
    result = extract(page(f"/api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}"))
    assert result.page_state == "empty" and not result.posts


def test_weibo_long_text_and_deleted_original():
    mid = EXPECTED["weibo_longtext_mid"]
    result = extract(page(f"/statuses/extend?id={mid}"))
    assert result.posts[0].id == f"weibo:{mid}" and len(result.posts[0].text) > 140


def test_notice_column_and_closure_notice():
    column = extract(page("/xxgk/tzgg/"))
    assert column.accounts[0].id == f"website:{BASE}/xxgk/tzgg/" and column.accounts[0].name
    assert {p.url for p in column.posts} == {BASE + n["path"] for n in EXPECTED["portal_notices"]}
    notice = EXPECTED["portal_closure_notice"]
    result = extract(page(notice["path"]))
    post = result.posts[0]
    assert post.title == notice["title"] and post.published_at == notice["published_at"]
    assert post.account_id == column.accounts[0].id
    assert all(closed["name"] in post.text for closed in notice["closed_accounts"])


def test_status_pages():
    assert extract(page("/xxgk/xmt/")).page_state == "redirect"
    assert extract(page(EXPECTED["not_found_paths"][0])).page_state == "not_found"
    assert extract(page(EXPECTED["shared_image_url"])).page_state == "ok"


def test_weibo_api_links_carry_the_app_headers():
    uid = EXPECTED["weibo_accounts"][0]["uid"]
    link = extract(page(f"/u/{uid}")).links[0]
    headers = dict(link.headers)
    assert headers["MWeibo-Pwa"] == "1" and headers["X-Requested-With"] == "XMLHttpRequest"
    assert headers["Referer"] == f"{BASE}/u/{uid}"
