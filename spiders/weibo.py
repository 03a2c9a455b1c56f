"""weibo: Weibo accounts by uid, through the m.weibo.cn API (profile, then every post page).

    scrapy crawl weibo -a uid=1234567890,2345678901 [-a api=https://m.weibo.cn]
"""

from typing import Any

from govarchive.crawl.spider import ArchiveSpider, split_urls


class WeiboSpider(ArchiveSpider):
    name = "weibo"

    def __init__(self, uid: str | None = None, api: str = "https://m.weibo.cn", *args: Any, **kwargs: Any) -> None:
        urls = [f"{api.rstrip('/')}/api/container/getIndex?type=uid&value={u}" for u in split_urls(uid)]
        if urls and not kwargs.get("url"):
            kwargs["url"] = ",".join(urls)
        super().__init__(*args, **kwargs)
