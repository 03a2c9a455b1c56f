"""Douyin and Toutiao account pages.

Both platforms render accounts in the browser from signed API calls (Douyin's render data,
Toutiao's ``a_bogus`` feed signature), so a plain fetch gets a shell: we record the account's
platform id (``sec_uid`` / ``token``, both ``MS4wLjABAAAA…``) and the name from the title, and the
page is archived as it was served. Posts need a browser (see docs/platforms.md).
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from govarchive.pages.base import Extraction, Page, first

# ``/user/<sec_uid>`` (Douyin) and ``/c/user/token/<token>/`` (Toutiao).
DOUYIN_USER = re.compile(r"/user/(MS4wLjABAAAA[\w-]+)/?$")
TOUTIAO_USER = re.compile(r"/c/user/token/([\w-]+)/?$")


class ShellUserPage(Page):
    """An account page whose content is rendered by scripts: id and name only."""

    path_pattern: ClassVar[re.Pattern[str]]
    title_suffix: ClassVar[re.Pattern[str]]

    @classmethod
    def matches(cls, path: str) -> bool:
        return bool(cls.path_pattern.search(path))

    def extract(self) -> Extraction:
        match = self.path_pattern.search(urlsplit(self.page.url).path)
        if not match:
            return Extraction(page_state="unparsed")
        title = (self.selector.css("title::text").get() or "").strip()
        name = first([self.title_suffix.sub("", title)])
        description = first([self.selector.css('meta[name="description"]::attr(content)').get()])
        account = self.account(f"{self.platform}:{match.group(1)}", match.group(1), name=name, url=self.page.url,
                               description=description, authoritative=True)
        return Extraction(page_state="ok", accounts=[account], notes=[f"{self.platform}: posts need a browser"])


class DouyinUserPage(ShellUserPage):
    platform = "douyin"
    path_pattern = DOUYIN_USER
    title_suffix = re.compile(r"的抖音.*$")


class ToutiaoUserPage(ShellUserPage):
    platform = "toutiao"
    path_pattern = TOUTIAO_USER
    title_suffix = re.compile(r"(的个人主页)?\s*-\s*今日头条.*$")
