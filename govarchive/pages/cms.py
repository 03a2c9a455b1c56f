"""Which content system built a government page, from what it leaves in its URLs and markup.

Most Chinese government sites run on a few systems; each keeps its column lists and its paging in its
own way (docs/platforms.md, "Content systems"):

- ``hanweb``: Hanweb (大汉) JCMS with jpage lists: ``/col/col<id>/index.html``, ``/art/…/art_<col>_<id>.html``,
  a ``<datastore>`` in a ``<script type="text/xml">``, ``/module/web/jpage/dataproxy.jsp`` (hanweb.py);
- ``trs``: TRS WCM: ``./YYYYMM/tYYYYMMDD_<id>.html``, ``createPageHTML(…)``, ``TRS_Editor`` bodies,
  TRS's newer ``trsapi`` list scripts (trs.py);
- ``gd``: Guangdong's intensive platform (广东省政府网站集约化平台): ``/content/post_<id>.html``,
  ``/content/mpost_<id>.html``, paged ``index_2.html``…;
- ``jx``: Jiangxi's intensive platform: ``/YYYYMM/<32 hex>.shtml`` articles and a
  ``<meta name="template,templategroup,version">``.

Anything else is ``None``: its pages are read by the shapes every system shares (meta tags, list
links, page numbers, "下一页").
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govarchive.pages.base import PageInput

_SIGNS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    # (family, URL pattern, markup pattern); either is enough
    ("hanweb", re.compile(r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|/module/web/jpage/|/jcms/"),
     re.compile(r"<datastore>|/module/(?:web|jslib/jquery)/jpage/|\.jpage\s*\(|hanweb", re.I)),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?$"),
     re.compile(r"createPageHTML\s*\(|class=[\"']?TRS_Editor|\btrsapi\b|<!--\s*TRS", re.I)),
    ("gd", re.compile(r"/content/m?post_\d+\.html$"), re.compile(r"/content/m?post_\d+\.html")),
    ("jx", re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml$"), re.compile(r"<meta name=\"template,templategroup,version\"")),
)


def family(page: PageInput) -> str | None:
    """The content system of a page (``hanweb``, ``trs``, ``gd``, ``jx``) or None."""
    path = urlsplit(page.url).path
    for name, url_sign, _ in _SIGNS:
        if url_sign.search(path):
            return name
    text = page.text[:400_000]
    for name, _, markup_sign in _SIGNS:
        if markup_sign.search(text):
            return name
    return None
