"""Clean Chinese text, kept beside the original (``posts.text`` stays what the page showed).

:func:`clean` takes a post's text (and title) and returns the readable text an archivist wants to
read and the detectors want to see, with what it removed, and why:

- SEO spam injected into hijacked pages: gambling and porn keyword lines (often prepended before
  the real title) and short phrases stuffed many times into sentences (``…检查指标亚博的官网地址是多少、
  监管工作…``) that are not in the title;
- Discuz!-style anti-copy "jammer" runs (``! B8 J, F8 U( u' s( L) e& y6 G9 H;``); the hidden elements
  that carry them are already dropped by :func:`govarchive.pages.base.html_text`;
- pinyin ruby residue left by converters (``號(hào)``, ``數(shù)據(jù)``);
- boilerplate lines (点击蓝字关注我们, QR-code prompts, 责任编辑/审核 lines, 阅读原文): separated, not lost.

:func:`normalise` is the text the detectors and the search index compare: Traditional and
Taiwan-converted text to Simplified with OpenCC (``tw2sp``, so 登出 → 注销, 登入 → 登录, 資訊 → 信息),
帐号 → 账号, full-width digits and letters to ASCII. Simplified text is left as it is (``tw2sp``
would turn a mainland 程序 into 进程). platforms.md §6.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

# Variants OpenCC leaves apart (帳號 → 帐号, not 账号), and the Taiwan vocabulary tw2sp applies where a mainland
# institution's name means something else (檔案館 is an archive, not a 文件馆).
VARIANTS = {"帐号": "账号", "帐户": "账户", "帐务": "账务", "文件馆": "档案馆", "文件局": "档案局"}

_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
# A CJK character followed by its reading in (half- or full-width) brackets: 號(hào), 數（shù）.
RUBY = re.compile(rf"(?<=[\u3400-\u9fff])[(（][{_PINYIN}]{{1,7}}[1-5]?[)）]")
# A run of 5+ one-or-two-character ASCII tokens with punctuation among them (Discuz! jammer).
_JAM_TOKEN = r"[!-~]{1,2}"
JAMMER = re.compile(rf"(?<![!-~])(?:{_JAM_TOKEN}[ \u00a0]){{4,}}{_JAM_TOKEN}(?![!-~])")

GAMBLING_BRANDS = ("亚博", "开云", "九游", "华体会", "乐鱼", "半岛", "爱游戏", "必威", "威尼斯人", "澳门新葡京",
                   "葡京", "金沙", "银河娱乐", "皇冠", "bet365", "BOB", "bob")
# A brand only counts as spam next to these words (半岛 is also a peninsula, 金沙 a river).
GAMBLING_CONTEXT = ("官网", "官方", "平台", "娱乐", "体育", "app", "APP", "下载", "注册", "网址", "入口", "登录",
                    "首页", "地址", "网页版", "手机版", "彩票", "博彩", "投注", "真人", "棋牌", "电竞")
PORN_WORDS = ("无码", "A∨", "AV在线", "av在线", "A片", "爰片", "一区二区", "三区", "日日做", "久久精品", "国产精品",
              "亚洲精品", "欧美精品", "人妻", "成人视频", "色综合", "在线观看免费", "精品视频")
SPAM_LINE_PORN_HITS = 2
SPAM_WORD = re.compile("|".join(re.escape(word) for word in (*PORN_WORDS, *GAMBLING_BRANDS)))

BOILERPLATE = re.compile(
    r"^(?:[<>\-—=·•\s]*)(?:"
    r"点击(?:上方)?(?:蓝字|关注|“[^”]{1,20}”)|关注我们|长按(?:二维码|识别|下方)|扫(?:描)?(?:码|二维码)关注|识别二维码"
    r"|微信扫一扫|分享到朋友圈|推荐阅读|往期(?:推荐|回顾|精彩)|阅读原文|点击阅读原文|点亮“?在看|点个“?在看|分享、点赞、在看"
    r"|(?:责任)?编辑[:：]|(?:初审|审核|终审|复审|校对|审校|监制|统筹|美编|排版|来源|作者|文字|图片|摄影|供稿)[:：]"
    r"|-+\s*(?:完|END|end)\s*-+|END$|end$"
    r")")

_HAS_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)} | {cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)} \
    | {cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)}


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def has_traditional(text: str) -> bool:
    return _opencc("t2s").convert(text) != text


def normalise(text: str | None) -> str:
    """What detectors and search compare: Simplified, mainland vocabulary, 账号, ASCII digits."""
    if not text:
        return ""
    if has_traditional(text):
        text = _opencc("tw2sp").convert(text)
    for variant, canonical in VARIANTS.items():
        if variant in text:  # a scan, and a copy only where the variant is
            text = text.replace(variant, canonical)
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text  # translate is slow on long text


@dataclass
class CleanText:
    text: str  # readable: spam, jammer and ruby gone, boilerplate lines out
    boilerplate: list[str] = field(default_factory=list)  # the boilerplate lines, in order
    removed: list[tuple[str, str]] = field(default_factory=list)  # (reason, fragment) of what was dropped

    @property
    def changed(self) -> bool:
        return bool(self.boilerplate or self.removed)


def strip_ruby(text: str) -> str:
    return RUBY.sub("", text)


def is_spam_line(line: str) -> bool:
    """A line of gambling or porn keywords (a prepended spam title, a footer of links)."""
    if not SPAM_WORD.search(line):  # most lines: none of the words at all
        return False
    porn = sum(line.count(word) for word in PORN_WORDS)
    return porn >= SPAM_LINE_PORN_HITS or (_gambling_hits(line) >= 2 and len(line) < 200)


def _gambling_hits(text: str) -> int:
    hits = 0
    for brand in GAMBLING_BRANDS:
        start = text.find(brand)
        while start >= 0:
            window = text[start:start + len(brand) + 8]
            if any(word in window for word in GAMBLING_CONTEXT):
                hits += 1
            start = text.find(brand, start + 1)
    return hits


def stuffed_phrases(text: str, title: str = "", min_repeats: int = 3) -> list[str]:
    """Short phrases repeated at least ``min_repeats`` times, carrying a gambling/porn keyword, not in the title."""
    found: list[str] = []
    for brand in (*GAMBLING_BRANDS, *PORN_WORDS):
        if text.count(brand) < min_repeats or brand in title:
            continue
        # Grow the phrase around the keyword while every occurrence still agrees.
        starts = [m.start() for m in re.finditer(re.escape(brand), text)]
        left, right = 0, len(brand)
        while left < 12 and all(s - left - 1 >= 0 and text[s - left - 1] == text[starts[0] - left - 1]
                                and _phrase_char(text[s - left - 1]) for s in starts):
            left += 1
        while right < 24 and all(s + right < len(text) and text[s + right] == text[starts[0] + right]
                                 and _phrase_char(text[s + right]) for s in starts):
            right += 1
        phrase = text[starts[0] - left:starts[0] + right]
        if phrase not in found and phrase not in title:
            found.append(phrase)
    return found


def _phrase_char(char: str) -> bool:
    return not unicodedata.category(char).startswith(("P", "Z", "C"))


def _is_jammer(run: str) -> bool:
    """Jammer runs mix letters, digits and punctuation; a row of numbers or words does not."""
    tokens = run.split()
    punctuated = sum(1 for t in tokens if any(not c.isalnum() for c in t))
    lettered = sum(1 for t in tokens if any(c.isalpha() for c in t))
    return punctuated >= 2 and lettered >= 2


# Cleanings computed ahead, elsewhere (a reindex's page workers: govarchive/warc/pagereading.py), for the
# process that saves the posts: taken once each by :func:`clean`; the oldest forgotten past the limit.
_AHEAD: OrderedDict[tuple[str, str], CleanText] = OrderedDict()
AHEAD_LIMIT = 4096


def clean_ahead(text: str, title: str | None, cleaned: CleanText) -> None:
    """Hand :func:`clean` its result for ``text`` and ``title``, computed ahead by another process."""
    _AHEAD[(text, title or "")] = cleaned
    if len(_AHEAD) > AHEAD_LIMIT:
        _AHEAD.popitem(last=False)


def clean(text: str | None, title: str | None = None) -> CleanText:
    """The readable text of ``text``: see the module docstring."""
    result = CleanText("")
    if not text:
        return result
    if _AHEAD:
        ahead = _AHEAD.pop((text, title or ""), None)
        if ahead is not None:
            return ahead
    title = title or ""
    for phrase in stuffed_phrases(text, title):
        text = text.replace(phrase, "")
        result.removed.append(("spam_phrase", phrase))
    lines: list[str] = []
    for line in text.split("\n"):
        for match in [m for m in JAMMER.finditer(line) if _is_jammer(m.group(0))]:
            result.removed.append(("jammer", match.group(0)))
            line = line.replace(match.group(0), "")
        stripped = line.strip()
        if not stripped:
            continue
        if is_spam_line(stripped):
            result.removed.append(("spam_line", stripped))
            continue
        if BOILERPLATE.match(stripped) and len(stripped) < 60:
            result.boilerplate.append(stripped)
            continue
        result.removed.extend(("ruby", m.group(0)) for m in RUBY.finditer(stripped))
        lines.append(strip_ruby(stripped))
    result.text = "\n".join(lines)
    return result
