"""RSS 2.0 and Atom feeds as account listings: generic feeds and WeChat bridges (RSSHub,
wechat2rss, WeRSS), whose items link to mp.weixin.qq.com articles."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from lxml import etree

from govarchive.core.ids import website_account_id, website_post_id, wechat_article_key, wechat_post_id
from govarchive.core.items import Account, Link, Post
from govarchive.pages.base import SHANGHAI, Extraction, Page, first, html_text, newest
from govarchive.pages.gov import column_url, parse_gov_date
from govarchive.pages.wechat import canonical_article_url

ATOM = "{http://www.w3.org/2005/Atom}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def is_feed(body: bytes, content_type: str) -> bool:
    if any(t in content_type for t in ("rss", "atom")):
        return True
    head = body[:1024].lstrip()
    return (head.startswith(b"<?xml") or "xml" in content_type) and (b"<rss" in head or b"<feed" in head)


def feed_date(value: str | None) -> str | None:
    """RFC 822 (RSS), ISO 8601 (Atom) or a Chinese date → ISO 8601 in +08:00."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI).isoformat()
    except (TypeError, ValueError):
        pass
    try:
        from datetime import datetime

        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI).isoformat()
    except ValueError:
        return parse_gov_date(value)


class FeedPage(Page):
    """A feed: the feed is an account (``feed:<feed url>``); its items are posts, or WeChat posts."""

    platform = "feed"

    def extract(self) -> Extraction:
        try:
            root = etree.fromstring(self.page.body, _PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            return Extraction(page_state="unparsed", notes=["feed is not XML"])
        atom = root.tag == f"{ATOM}feed"
        channel = root if atom else root.find("channel")
        if channel is None:
            return Extraction(page_state="unparsed", notes=["neither RSS nor Atom"])
        title = self._text(channel, f"{ATOM}title" if atom else "title")
        account = self.account(f"feed:{self.page.url}", self.page.url, name=title, url=self.page.url,
                               description=self._text(channel, f"{ATOM}subtitle" if atom else "description"),
                               authoritative=True)
        result = Extraction(page_state="ok", accounts=[account])
        for item in channel.findall(f"{ATOM}entry" if atom else "item"):
            self._item(result, item, atom, account.id)
        if not result.posts:
            result.page_state = "empty"
        account.last_post_at = newest(result.posts)
        return result

    @staticmethod
    def _text(node: etree._Element, tag: str) -> str | None:
        child = node.find(tag)
        return (child.text or "").strip() or None if child is not None else None

    def _item(self, result: Extraction, item: etree._Element, atom: bool, feed_id: str) -> None:
        if atom:
            link_node = next((node for node in item.findall(f"{ATOM}link") if node.get("rel", "alternate") == "alternate"),
                             None)
            link = link_node.get("href") if link_node is not None else None
            title = self._text(item, f"{ATOM}title")
            published = feed_date(first([self._text(item, f"{ATOM}published"), self._text(item, f"{ATOM}updated")]))
            author_node = item.find(f"{ATOM}author")
            author = self._text(author_node if author_node is not None else item, f"{ATOM}name")
        else:
            link, title = self._text(item, "link"), self._text(item, "title")
            published = feed_date(self._text(item, "pubDate"))
            author = first([self._text(item, "author"), self._text(item, "{http://purl.org/dc/elements/1.1/}creator")])
        if not link:
            return
        url = self.absolute(link)
        key = wechat_article_key(url)
        if key:  # a bridge feed: the item is a WeChat article of some account
            post_id, account_id, platform = wechat_post_id(*key), f"wechat:{key[0]}", "wechat"
            url = canonical_article_url(url)
            if all(a.id != account_id for a in result.accounts):
                result.accounts.append(Account(id=account_id, platform="wechat", platform_id=key[0],
                                               capture_id=self.page.capture_id, seen_at=self.page.fetched_at,
                                               listing_url=self.page.url))
        else:  # a web page: the same post, in the same column account, as a crawl of the site makes
            column = column_url(url)
            post_id, account_id, platform = website_post_id(url), website_account_id(column), "website"
            if all(a.id != account_id for a in result.accounts):
                result.accounts.append(Account(id=account_id, platform="website", platform_id=column, url=column,
                                               capture_id=self.page.capture_id, seen_at=self.page.fetched_at,
                                               listing_url=self.page.url))
        summary = html_text(self._text(item, f"{ATOM}summary" if atom else "description")) or None
        result.posts.append(Post(id=post_id, account_id=account_id, platform=platform,
                                 capture_id=self.page.capture_id, seen_at=self.page.fetched_at, url=url,
                                 title=title, author=author, published_at=published, state="listed",
                                 summary=summary))
        result.links.append(Link(url, "post", post_id=post_id))
