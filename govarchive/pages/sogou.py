"""Sogou WeChat account search (``weixin.sogou.com/weixin?type=1&query=<name>``): discovery by name.

Results carry no biz, only temporary links (``/profile?src=3&timestamp=…&signature=…``) that
expire. The page object follows the results whose name (highlight removed) or 微信号 equals the
query exactly: the profile (history page, which gives the biz) and the recent article. Other
results are reported in the notes, never recorded as accounts: Sogou matches loosely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from govarchive.core.items import Link
from govarchive.pages.base import Extraction, Page, epoch_to_iso, first

# Sogou's anti-spider page (also reached by a redirect to /antispider/…): platforms.md §1.4 d.
ANTISPIDER = ("您的访问过于频繁", "请输入验证码")


@dataclass(frozen=True)
class SogouResult:
    name: str
    alias: str | None
    description: str | None
    verified_by: str | None  # 认证 (the owning body, when verified)
    profile_url: str | None
    recent_url: str | None
    recent_title: str | None
    recent_at: str | None


def squeeze(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


class SogouAccountSearchPage(Page):
    platform = "wechat"

    def extract(self) -> Extraction:
        if "/antispider" in self.page.url or any(m in self.page.text for m in ANTISPIDER):
            return Extraction(page_state="blocked", notes=["sogou anti-spider page"])
        query = squeeze((parse_qs(urlsplit(self.page.url).query).get("query") or [""])[0])
        results = self.results()
        result = Extraction(page_state="ok" if results else "empty")
        for item in results:
            exact = bool(query) and (squeeze(item.name) == query or (item.alias or "") == query)
            result.notes.append(f"sogou result{' (exact)' if exact else ''}: {item.name} "
                                f"微信号={item.alias or '-'} 认证={item.verified_by or '-'}")
            if not exact:
                continue
            if item.profile_url:
                result.links.append(Link(item.profile_url, "account"))
            if item.recent_url:
                result.links.append(Link(item.recent_url, "post"))
        return result

    def results(self) -> list[SogouResult]:
        return [self._result(li) for li in self.selector.css("ul.news-list2 > li")]

    def _result(self, li: Selector) -> SogouResult:
        def dd(label: str) -> str | None:
            for dl in li.css("dl"):
                if label in "".join(dl.css("dt ::text").getall()):
                    return first([dl.xpath("normalize-space(./dd)").get()])
            return None

        recent = li.xpath(".//dl[contains(normalize-space(dt), '最近文章')]/dd")
        epoch = re.search(r"timeConvert\('(\d+)'\)", recent.get() or "") if recent else None
        profile = first(li.css("p.tit a::attr(href), .img-box a::attr(href)").getall())
        recent_href = first(recent.css("a::attr(href)").getall()) if recent else None
        return SogouResult(
            name=li.xpath("normalize-space(.//p[contains(@class,'tit')]/a)").get() or "",
            alias=first(li.css("label[name=em_weixinhao]::text").getall()),
            description=dd("功能介绍"), verified_by=dd("认证"),
            profile_url=self.absolute(profile) if profile else None,
            recent_url=self.absolute(recent_href) if recent_href else None,
            recent_title=first([recent.xpath("normalize-space(./a)").get()]) if recent else None,
            recent_at=epoch_to_iso(epoch.group(1)) if epoch else None,
        )
