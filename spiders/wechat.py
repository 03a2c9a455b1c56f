"""wechat: WeChat official accounts from their history pages or article URLs.

    scrapy crawl wechat -a url='https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=…'
"""

from govarchive.crawl.spider import ArchiveSpider


class WechatSpider(ArchiveSpider):
    name = "wechat"
