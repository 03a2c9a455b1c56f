"""Sources files (TOML): what to crawl, per region and agency, validated before any request.

    base_url = "https://www.example.gov.cn"      # optional: relative URLs are resolved against it

    [[source]]
    id = "example-xmt"                  # unique; letters, digits, '-', '_' and '.'
    kind = "listing"                    # listing (a directory or column), account, feed, search, backoffice,
                                        # page (one page: a news report, a notice re-posted elsewhere)
    platform = "website"                # wechat, weibo, douyin, toutiao, website, feed
    url = "/xxgk/xmt/"                  # or, for a Weibo account, uid = "1234567890"
                                        # or, for search/backoffice (WeChat), query = "账号名称"
    region = "某市"
    agency = "某市人民政府办公室"
    label = "政务新媒体名录"
    render = true                       # optional: load it in the browser (a list built by script);
                                        # Douyin and Toutiao accounts are by default (GOVARCHIVE_BROWSER_PLATFORMS)

:func:`load_sources` is the only reader. A bad entry raises :class:`SourceError` naming it.

The entries a run used are written into its WARC files, so that ``reindex`` rebuilds the ``sources`` rows
and their links from the files alone: after each file's ``warcinfo`` record, a ``metadata`` record
(:data:`SOURCES_CONTENT_TYPE`, :func:`sources_record`) holds them as JSON, and every capture record a
request of an entry led to names it in the extension field :data:`SOURCE_HEADER` (its ``id``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from govarchive.core.items import PLATFORMS

KINDS = ("listing", "account", "feed", "search", "backoffice", "page")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FIELDS = {"id", "kind", "platform", "url", "uid", "query", "fakeid", "region", "agency", "label", "notes",
           "render"}
# Discovery of WeChat accounts by name: Sogou's account search (public), and the MP back-office
# (your own logged-in 公众号 session: GOVARCHIVE_MP_TOKEN / GOVARCHIVE_MP_COOKIE).
SOGOU = "https://weixin.sogou.com"
MP = "https://mp.weixin.qq.com"
BACKOFFICE_LIST = "/cgi-bin/appmsgpublish?sub=list&sub_action=list_ex&begin=0&count=5&fakeid={fakeid}" \
                  "&type=101_1&free_publish_type=1&lang=zh_CN&f=json&ajax=1"
BACKOFFICE_SEARCH = "/cgi-bin/searchbiz?action=search_biz&query={query}&begin=0&count=5&lang=zh_CN&f=json&ajax=1"
# The WARC side (govarchive/warc/writer.py writes them, govarchive/warc/importer.py reads them back).
SOURCE_HEADER = "WARC-Govarchive-Source"  # on response, revisit and resource records: the entry's id
SOURCES_CONTENT_TYPE = "application/vnd.govarchive.sources+json"  # the metadata record of a run's entries
SOURCES_URI = "urn:govarchive:sources:{}"  # its WARC-Target-URI (the run id)


class SourceError(ValueError):
    """A sources file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    platform: str
    url: str
    region: str | None = None
    agency: str | None = None
    label: str | None = None
    render: bool = False  # load it in the browser (govarchive/crawl/browser.py)


def sources_record(run_id: str, sources: Iterable[Source]) -> dict[str, Any]:
    """The JSON of a run's entries, as its WARC ``metadata`` record holds them (validated: URLs resolved)."""
    return {"run_id": run_id, "sources": [asdict(source) for source in sources]}


def sources_from_record(data: Any) -> list[Source]:
    """The entries a sources ``metadata`` record holds (:func:`sources_record`), checked again: a record
    written by another version or edited by hand raises :class:`SourceError` naming what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourceError("a sources record must be a JSON object with a list 'sources'")
    found = []
    for number, entry in enumerate(data["sources"], 1):
        where = f"sources record entry {number}"
        if not isinstance(entry, dict):
            raise SourceError(f"{where}: not an object")
        ident, kind, platform, url = (entry.get(k) for k in ("id", "kind", "platform", "url"))
        if not isinstance(ident, str) or not _ID.match(ident):
            raise SourceError(f"{where}: bad id {ident!r}")
        if kind not in KINDS or platform not in PLATFORMS or not isinstance(url, str) or not url:
            raise SourceError(f"{where} (id {ident!r}): bad kind, platform or url")
        region, agency, label = (entry.get(k) for k in ("region", "agency", "label"))
        if any(t is not None and not isinstance(t, str) for t in (region, agency, label)):
            raise SourceError(f"{where} (id {ident!r}): region, agency and label must be text")
        found.append(Source(ident, kind, platform, url, region, agency, label, entry.get("render") is True))
    return found


def sogou_search_url(query: str, base: str = SOGOU) -> str:
    return urljoin(base, f"/weixin?type=1&query={quote(query)}&ie=utf8")


def backoffice_url(query: str | None, fakeid: str | None, base: str = MP) -> str:
    """The back-office post list of ``fakeid`` (base64 biz), or the account search for ``query``."""
    if fakeid:
        return urljoin(base, BACKOFFICE_LIST.format(fakeid=quote(fakeid)))
    return urljoin(base, BACKOFFICE_SEARCH.format(query=quote(query or "")))


def weibo_api_url(uid: str, api: str = "https://m.weibo.cn") -> str:
    return f"{api.rstrip('/')}/api/container/getIndex?type=uid&value={uid}"


def load_sources(path: Path | str, base_url: str | None = None) -> dict[str, Source]:
    """Read and validate a sources file; ``base_url`` overrides the file's own."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such sources file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from None
    base = base_url or data.get("base_url")
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourceError(f"{path}: no [[source]] entries")
    sources: dict[str, Source] = {}
    for number, entry in enumerate(entries, 1):
        source = _parse(entry, base, f"{path}: entry {number}")
        if source.id in sources:
            raise SourceError(f"{path}: entry {number}: duplicate id {source.id!r}")
        sources[source.id] = source
    return sources


def _parse(entry: Any, base: str | None, where: str) -> Source:
    if not isinstance(entry, dict):
        raise SourceError(f"{where}: not a table")
    ident = str(entry.get("id") or "")
    where = f"{where} (id {ident!r})" if ident else where
    if not _ID.match(ident):
        raise SourceError(f"{where}: id must be letters, digits, '.', '-' or '_'")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise SourceError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind, platform = entry.get("kind", "listing"), entry.get("platform")
    if kind not in KINDS:
        raise SourceError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if platform not in PLATFORMS:
        raise SourceError(f"{where}: unknown platform {platform!r} (expected one of {', '.join(PLATFORMS)})")
    url = entry.get("url")
    query, fakeid = entry.get("query"), entry.get("fakeid")
    if kind in ("search", "backoffice") and platform != "wechat":
        raise SourceError(f"{where}: kind {kind!r} is for platform 'wechat'")
    if not url and platform == "weibo" and str(entry.get("uid", "")).isdigit():
        url = weibo_api_url(str(entry["uid"]))
    elif not url and kind == "search" and query:
        url = sogou_search_url(str(query), base or SOGOU)
    elif not url and kind == "backoffice" and (query or fakeid):
        url = backoffice_url(query and str(query), fakeid and str(fakeid), base or MP)
    if not url:
        needs = {"search": "a query", "backoffice": "a query (account name) or a fakeid"}.get(kind, "a url")
        raise SourceError(f"{where}: needs {needs}" + (" or a numeric uid" if platform == "weibo" else ""))
    url = urljoin(base, url) if base else url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{where}: bad URL {url!r} (an absolute http(s) URL, or a path with base_url)")
    render = entry.get("render", False)
    if not isinstance(render, bool):
        raise SourceError(f"{where}: render must be true or false, not {render!r}")
    return Source(ident, kind, platform, url, entry.get("region"), entry.get("agency"), entry.get("label"), render)


def select(sources: dict[str, Source], ids: list[str]) -> list[Source]:
    """The sources named by ``ids`` (all of them when empty); an unknown id is an error."""
    if not ids:
        return list(sources.values())
    missing = [i for i in ids if i not in sources]
    if missing:
        raise SourceError(f"unknown source id(s): {', '.join(missing)} (known: {', '.join(sources)})")
    return [sources[i] for i in ids]
