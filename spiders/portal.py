"""portal: a government portal's 政务新媒体 directory and columns, then every account it lists.

    scrapy crawl portal -a url=https://www.example.gov.cn/xxgk/xmt/,https://www.example.gov.cn/xxgk/tzgg/
"""

from govarchive.crawl.spider import ArchiveSpider


class PortalSpider(ArchiveSpider):
    name = "portal"
