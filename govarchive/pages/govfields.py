"""What a government article page says about itself, read as a person reads it.

- the 信息公开 header (索引号, 发布机构, 成文日期, 生成日期…) in all its layouts: ``label：value`` on one
  line, labels spaced out (``索 引 号：``), the value in the next table cell (with or without a colon),
  or in the next block (``<label><font>发布机构：</font></label><div>…</div>``);
- the publication date the page shows (``发布日期：``, ``时间：``…), which wins over a meta ``PubDate``
  that disagrees with it (a CMS migration rewrites the meta);
- the ``来源`` the page shows, for pages whose ``ContentSource`` meta is empty;
- the title without the site's name that ``<title>`` appends (``…｜某某区人民政府``).
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml.html import HtmlElement
from parsel import Selector

from govarchive.pages.base import SHANGHAI

# Spaces that pad labels and values: ASCII, NBSP, en/em spaces, the ideographic space.
_PAD = "[ \t\u00a0\u2002\u2003\u2009\u3000]"
_DATE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?"
                   r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?")

# 信息公开 header labels (platforms.md §4.1 and the layouts of real portals), as the page writes them.
INFO_LABELS = ("信息索引号", "索引号", "主题分类", "体裁分类", "组配分类", "服务对象", "发布机构", "发文机关", "发文机构",
               "成文日期", "发文日期", "生成日期", "公开方式", "公开范围", "公开时限", "公开类别", "发布日期", "访问次数",
               "信息来源", "发文字号", "文号", "有效性", "生效日期", "废止日期", "实施日期", "责任部门", "发布单位",
               "主题词", "关键词", "信息分类", "内容分类", "公文种类", "文件编号", "统一编号", "登记编号", "分类")
# Words that end a value written on the same line as other fields (besides the labels above).
_OTHER_LABELS = ("来源", "作者", "编辑", "责任编辑", "浏览次数", "浏览量", "点击数", "点击量", "阅读", "字号", "时间",
                 "日期", "访问量", "发布时间")


def _spaced(label: str) -> str:
    """A label's pattern with the padding some templates put between its characters (``索 引 号``)."""
    return f"{_PAD}*".join(re.escape(ch) for ch in label)


def _alternation(labels: tuple[str, ...]) -> str:
    return "|".join(_spaced(label) for label in sorted(labels, key=len, reverse=True))


_INFO = re.compile(f"({_alternation(INFO_LABELS)}){_PAD}*[:：]")
_STOP = re.compile(f"(?:{_alternation(INFO_LABELS + _OTHER_LABELS)}){_PAD}*[:：]|【|\\[|｜|\\|")
_VALUE_END = re.compile(f"(?:{_alternation(INFO_LABELS + _OTHER_LABELS)}){_PAD}*[:：]|【|｜")
_UNPADDED = re.compile(_PAD)


def canonical_label(label: str) -> str:
    return _UNPADDED.sub("", label)


def _clean(value: str) -> str:
    return re.sub(f"{_PAD}+", " ", value).strip()


def info_fields(text: str) -> dict[str, str]:
    """The 信息公开 header fields of a page's text (``信息索引号: …  主题分类: …``); empty ones left out.

    A value runs to the next label or the end of its line; a label alone on its line takes the next
    line, unless that line is itself a label (a label element and a value element, one under the other).
    """
    fields: dict[str, str] = {}
    lines = (text or "").split("\n")
    for number, line in enumerate(lines):
        matches = list(_INFO.finditer(line))
        for match, following in zip(matches, [*matches[1:], None]):
            value = line[match.end():following.start() if following else len(line)]
            end = _VALUE_END.search(value)  # a value also ends at a word like 浏览次数： or 【字号】
            value = _clean(value[:end.start()] if end else value)
            alone = not line[:match.start()].strip() and following is None and not value
            if alone and number + 1 < len(lines) and not _INFO.match(lines[number + 1].strip()):
                value = _clean(lines[number + 1])
            key = canonical_label(match.group(1))
            if value and key not in fields:
                fields[key] = value
    return fields


_BARE_LABEL = re.compile(f"^({_alternation(INFO_LABELS)}){_PAD}*([:：]?){_PAD}*$")
_CELLS = ("td", "th", "dt")
# Elements short enough to be a label alone (the full text of a label element is a few characters).
_LABEL_CANDIDATES = ("//body//*[not(*[3])][not(self::script or self::style or self::option or self::a)]"
                     "[string-length(normalize-space(.)) <= 14][string-length(normalize-space(.)) >= 2]")


def _element_text(element: HtmlElement) -> str:
    return _clean(re.sub(r"\s+", " ", element.text_content()))


def element_fields(selector: Selector) -> tuple[dict[str, str], set[str]]:
    """信息公开 fields whose label is an element of its own and whose value is the next element:
    ``<td>索引号</td><td>…</td>`` (a cell's colon is optional), ``<label><font>发布机构：</font></label>
    <div>…</div>``, ``<dt>成文日期：</dt><dd>…</dd>``. Returns (fields, every label met, also the empty
    ones: an empty value element means no value, never the text that follows it)."""
    fields: dict[str, str] = {}
    met: set[str] = set()
    for node in selector.root.xpath(_LABEL_CANDIDATES):  # lxml elements: this runs on every article
        text = _element_text(node)
        label = _BARE_LABEL.match(text)
        if not label:
            continue
        outer = node
        while True:  # the outermost element that holds only this label (<label><font>…</font></label>)
            parent = outer.getparent()
            if parent is None or len(parent) != 1 or _element_text(parent) != text:
                break
            outer = parent
        if not label.group(2) and outer.tag not in _CELLS:
            continue  # without a colon only a table cell or a term is a label
        following = outer.getnext()
        while following is not None and not isinstance(following.tag, str):  # comments between them
            following = following.getnext()
        if following is None:
            continue
        key = canonical_label(label.group(1))
        met.add(key)
        value = _clean(" ".join(t.strip() for t in following.xpath(
            ".//text()[not(ancestor::script) and not(ancestor::style)]") if t.strip()))
        if value and not _BARE_LABEL.match(value) and key not in fields:
            fields[key] = value
    return fields, met


def page_info_fields(selector: Selector, text: str) -> dict[str, str]:
    """All 信息公开 fields a page shows: those laid out as elements first, then those in its text."""
    fields, met = element_fields(selector)
    return {**{k: v for k, v in info_fields(text).items() if k not in met}, **fields}


# --- dates --------------------------------------------------------------------------------------------

def parse_date(value: str | None) -> tuple[str, bool] | None:
    """(ISO 8601 in +08:00, whether a time of day was given) of the first date in ``value``."""
    match = _DATE.search(value or "")
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None
    return moment.isoformat(), match.group(4) is not None


def parse_gov_date(value: str | None) -> str | None:
    """``2026-09-15 10:30:00``, ``2020- 09- 30``, ``2024年1月5日 10: 54`` → ISO 8601 in +08:00."""
    parsed = parse_date(value)
    return parsed[0] if parsed else None


# Labels of the date a page was published. A bare 时间/日期 must start its phrase: 成文日期, 生成日期,
# 更新时间… are other dates.
_PUBLISHED = re.compile(r"(?:(?:发布|发表|发稿|公开|刊发|上网|发表于)(?:日期|时间)|(?<![\u4e00-\u9fff])(?:时间|日期))"
                        f"{_PAD}*[:：]{_PAD}*")
_SOURCE = re.compile(f"(?<![\\u4e00-\\u9fff])(?:信息|文章|稿件|新闻)?来{_PAD}*源{_PAD}*[:：]")


def _after_title(lines: list[str], title: str | None) -> list[str]:
    """The page's lines from its title on (the header, menus and sidebars before it left out), or all."""
    if title:
        for number, line in enumerate(lines):
            if line.strip() == title:
                return lines[number:]
    return lines


def visible_published(text: str, title: str | None = None) -> tuple[str, bool] | None:
    """The publication date the page shows under its title (``发布日期：2017-10-13``, ``时间：2025-03-21 17:12``)."""
    lines = text.split("\n")
    for chunk in (_after_title(lines, title), lines):
        for line in chunk:
            for match in _PUBLISHED.finditer(line):
                parsed = parse_date(line[match.end():match.end() + 40])
                if parsed and _DATE.match(line[match.end():match.end() + 40]):
                    return parsed
    return None


def visible_source(text: str, title: str | None = None) -> str | None:
    """The 来源 the page shows (``来源：南沙区发改局发布日期：…`` → 南沙区发改局)."""
    lines = text.split("\n")
    for chunk in (_after_title(lines, title), lines):
        for line in chunk:
            for match in _SOURCE.finditer(line):
                rest = line[match.end():]
                stop = _STOP.search(rest)
                value = _clean(rest[:stop.start()] if stop else rest).strip(" ,，;；|")
                if value and len(value) <= 60 and not _DATE.match(value):
                    return value
    return None


def choose_published(meta_value: str | None, visible: tuple[str, bool] | None) -> tuple[str | None, bool]:
    """(the publication date, whether the meta one disagrees and is kept aside).

    The visible date wins when it names another day, or another time of day, than the meta; when they
    agree the more precise one is kept (a visible date without its time takes the meta's time)."""
    meta = parse_date(meta_value)
    if visible is None:
        return (meta[0] if meta else None), False
    if meta is None:
        return visible[0], False
    if meta[0][:10] != visible[0][:10]:
        return visible[0], True
    if visible[1] and meta[1] and meta[0][11:16] != visible[0][11:16]:
        return visible[0], True
    return (meta[0] if meta[1] or not visible[1] else visible[0]), False


# --- titles -------------------------------------------------------------------------------------------

_SITE_NAME = re.compile(r"(?:人民政府|政府|政府网|网站|门户|官网|官方网站)$")
_TITLE_SEPARATOR = re.compile(r"\s*[｜|_]\s*|\s+[-—–]{1,2}\s+")


def title_without_site(title: str, lines: set[str], site_names: tuple[str, ...] = ()) -> str:
    """``<title>`` without the site's (and column's) name the template appends or prepends.

    The longest run of its parts that the page shows as a line of its own (its heading) is the title;
    failing that, parts equal to the site's name are dropped."""
    title = _clean(title)
    parts = [p for p in _TITLE_SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    separators = _TITLE_SEPARATOR.findall(title)

    def run(start: int, end: int) -> str:  # parts[start:end] as the title writes them
        text = parts[start]
        for i in range(start + 1, end):
            text += separators[i - 1] + parts[i]
        return text

    runs = [run(start, end) for start in range(len(parts)) for end in range(start + 1, len(parts) + 1)]
    shown = [r for r in runs if r in lines]
    if shown:
        return max(shown, key=len)
    names = {canonical_label(n) for n in site_names if n}

    def site(part: str) -> bool:  # the site's own name, or one written like a site's (…人民政府, …网站)
        return canonical_label(part) in names or bool(_SITE_NAME.search(part))

    start, end = 0, len(parts)
    while end - 1 > start and site(parts[end - 1]):
        end -= 1
    while start < end - 1 and site(parts[start]):
        start += 1
    return run(start, end)
