"""Three more sites of the demo web, each served the way its real kind is (docs/platforms.md):

- 云岚市生态环境局 on Hanweb (大汉) JCMS, under ``/sthjj/``: its column 通知公告
  (``/sthjj/col/col3104/index.html``) holds the first group of its list in a ``<datastore>`` inside a
  ``<script type="text/xml">``; the rest only comes from ``/sthjj/module/web/jpage/dataproxy.jsp``,
  POSTed the parameters of the page's own ``var param_4682 = {…}`` (``startrecord``/``endrecord``/
  ``perpage`` in the query). Articles ``/sthjj/art/YYYY/M/D/art_3104_<id>.html``, their 信息公开
  header in table cells without colons, one whose meta ``PubDate`` is a CMS migration date.
- the portal's 政策文件 column on TRS WCM (``/xxgk/zcwj/``, GBK like the rest of the portal):
  ``index.html``, ``index_1.html``, ``index_2.html``, announced only by ``createPageHTML(3, n, "index",
  "html")``; the last page renders its list from a JavaScript array. Articles
  ``./YYYYMM/tYYYYMMDD_<id>.html`` with ``TRS_Editor`` bodies, labels spaced out (``索 引 号：``), one
  article with no ``ArticleTitle`` meta (its ``<title>`` carries the site's name) and its 来源 only on the page.
- 云岚日报, a news site (``/ylrb/`` stands for its own host, as ``/douyin/`` does for Douyin's): a report
  on the closure of 云岚市 accounts (a page no platform parser claims: any page as a post), written the way
  news is (several accounts in one sentence, a quoted list sharing its platform word, an owner named with its
  platform word and no account name, each successor told in a later sentence for the one account it names),
  its front page (a list, which stays a page) and one other report.

:data:`EXPECTED` sums up what a crawl should find here; ``render(path, query, form)`` answers.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote

Response = tuple[int, list[tuple[str, str]], bytes]
CST = timezone(timedelta(hours=8), "Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def _portal():  # the portal's names (content.py lists this module's paths among the demo's: imported late)
    from govarchive.demo import content

    return content


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _ymd(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _html(body: str, charset: str = "utf-8") -> Response:
    return 200, [("Content-Type", f"text/html; charset={charset.upper()}")], body.encode(charset)


# --------------------------------------------------------------------------------------------------
# 云岚市生态环境局 (Hanweb JCMS)

HANWEB_PREFIX = "/sthjj"
HANWEB_SITE = "云岚市生态环境局"
HANWEB_COLUMN_ID = 3104
HANWEB_UNIT = "4682"
HANWEB_COLUMN_PATH = f"{HANWEB_PREFIX}/col/col{HANWEB_COLUMN_ID}/index.html"
HANWEB_PROXY_PATH = f"{HANWEB_PREFIX}/module/web/jpage/dataproxy.jsp"
HANWEB_PER_PAGE, HANWEB_GROUP_SIZE = 4, 2  # the page holds the first 8 records; each POST answers 8 more
HANWEB_PARAMS = {"col": "1", "appid": "1", "webid": "3", "path": f"{HANWEB_PREFIX}/", "columnid": str(HANWEB_COLUMN_ID),
                 "sourceContentType": "1", "unitid": HANWEB_UNIT, "webname": HANWEB_SITE, "permissiontype": "0"}


@dataclass(frozen=True)
class CmsArticle:
    path: str
    title: str
    published: datetime
    publisher: str
    index_no: str
    paragraphs: tuple[str, ...]
    meta_pubdate: datetime | None = None  # when the CMS's meta PubDate differs from the date shown
    doc_no: str = ""  # 发文字号

    @property
    def article_id(self) -> str:
        return self.path.rsplit("_", 1)[1].split(".")[0]


def _hanweb_article(number: int, title: str, published: datetime, paragraphs: tuple[str, ...],
                    meta_pubdate: datetime | None = None) -> CmsArticle:
    article_id = 88200 + number
    path = (f"{HANWEB_PREFIX}/art/{published.year}/{published.month}/{published.day}/"
            f"art_{HANWEB_COLUMN_ID}_{article_id}.html")
    return CmsArticle(path, title, published, HANWEB_SITE, f"11539900MB0Y7381XH/{published.year}-{article_id:05d}",
                      paragraphs, meta_pubdate)


_AIR = ("本月全市环境空气质量总体良好，优良天数比例为{rate}，细颗粒物（PM2.5）平均浓度为每立方米{pm}微克。",
        "各区县空气质量排名及主要污染物浓度详见附表。")


def _air(month: int, rate: str, pm: int) -> tuple[str, ...]:
    return (_AIR[0].format(rate=rate, pm=pm), _AIR[1])


HANWEB_ARTICLES: tuple[CmsArticle, ...] = (
    _hanweb_article(20, "云岚市2026年10月环境空气质量状况", at(2026, 11, 12, 9, 30), _air(10, "93.5%", 24)),
    _hanweb_article(19, "关于开展2026年度排污许可证执行报告抽查工作的通知", at(2026, 11, 6, 15, 0), (
        "各区县生态环境分局，各有关排污单位：",
        "为落实排污许可制度，市生态环境局决定于2026年11月至12月对全市排污单位执行报告提交情况开展抽查。"
        "请各排污单位于11月30日前登录全国排污许可证管理信息平台完成年度执行报告填报。")),
    _hanweb_article(18, "关于征求《云岚市饮用水水源保护区划定方案（征求意见稿）》意见的公告", at(2026, 10, 28, 10, 0), (
        "为保障饮用水安全，我局组织编制了《云岚市饮用水水源保护区划定方案（征求意见稿）》，现向社会公开征求意见。",
        "意见反馈截止时间为2026年11月27日，可通过电子邮件或信函方式提出。")),
    _hanweb_article(17, "云岚市2026年9月环境空气质量状况", at(2026, 10, 14, 9, 30), _air(9, "96.7%", 19)),
    _hanweb_article(16, "2026年第三季度重点排污单位监督性监测结果", at(2026, 10, 9, 16, 20), (
        "2026年第三季度，我局对全市41家重点排污单位开展了监督性监测，其中40家达标排放。",
        "对超标排放的1家单位，已依法立案查处并责令限期整改。")),
    _hanweb_article(15, "关于做好秋冬季大气污染防治工作的通知", at(2026, 9, 25, 11, 0), (
        "各区县人民政府，市直有关部门：",
        "秋冬季是大气污染防治的关键时期。各地要加强扬尘管控，严格落实建筑工地“六个百分之百”要求，"
        "加大秸秆禁烧巡查力度，确保全市空气质量持续改善。")),
    _hanweb_article(14, "云岚市2026年8月环境空气质量状况", at(2026, 9, 11, 9, 30), _air(8, "100%", 15)),
    _hanweb_article(13, "云岚市生态环境局2026年“双随机、一公开”抽查计划调整的公告", at(2026, 8, 30, 10, 10), (
        "根据工作需要，我局对2026年“双随机、一公开”抽查计划作如下调整：第四季度增加对医疗废物处置单位的专项抽查。",)),
    _hanweb_article(12, "云岚市2026年7月环境空气质量状况", at(2026, 8, 12, 9, 30), _air(7, "98.4%", 14)),
    _hanweb_article(11, "关于公布2026年云岚市环境监管重点单位名录的通知", at(2026, 7, 30, 14, 0), (
        "依据《环境监管重点单位名录管理办法》，经筛选确定，现将2026年云岚市环境监管重点单位名录予以公布。",
        "列入名录的单位应依法履行自行监测、信息公开等义务。")),
    _hanweb_article(10, "云岚市2026年6月环境空气质量状况", at(2026, 7, 13, 9, 30), _air(6, "95.0%", 17)),
    _hanweb_article(9, "关于开展“六五环境日”系列宣传活动的通知", at(2026, 5, 28, 10, 30), (
        "今年六五环境日的主题为“美丽中国我先行”。各区县要结合实际，组织开展环保设施向公众开放、"
        "生态环境知识进社区等宣传活动。",)),
    _hanweb_article(8, "云岚市2026年5月环境空气质量状况", at(2026, 6, 11, 9, 30), _air(5, "91.9%", 22)),
    _hanweb_article(7, "云岚市2025年生态环境状况公报", at(2026, 6, 4, 9, 0), (
        "2025年，全市生态环境质量持续改善，地表水国控断面优良比例达到100%，城市空气质量优良天数比例为92.1%。",
        "全市森林覆盖率达到61.3%，生物多样性保护取得积极进展。")),
    _hanweb_article(6, "云岚市2026年4月环境空气质量状况", at(2026, 5, 12, 9, 30), _air(4, "90.0%", 26)),
    _hanweb_article(5, "关于2026年第一季度建设项目环境影响评价文件审批情况的公示", at(2026, 4, 20, 15, 30), (
        "2026年第一季度，我局共审批建设项目环境影响报告书（表）27项，现将审批情况予以公示。",)),
    _hanweb_article(4, "云岚市2026年3月环境空气质量状况", at(2026, 4, 13, 9, 30), _air(3, "87.1%", 31)),
    _hanweb_article(3, "关于印发《云岚市2026年生态环境保护工作要点》的通知", at(2026, 3, 16, 10, 0), (
        "各区县生态环境分局，局机关各处室、各直属单位：",
        "现将《云岚市2026年生态环境保护工作要点》印发给你们，请结合实际认真贯彻落实。")),
    _hanweb_article(2, "云岚市2026年2月环境空气质量状况", at(2026, 3, 11, 9, 30), _air(2, "85.7%", 38)),
    # moved to this site when the bureau's old site closed: the CMS wrote the migration date into PubDate
    _hanweb_article(1, "云岚市2025年12月环境空气质量状况", at(2026, 1, 12, 9, 30), _air(12, "80.6%", 45),
                    meta_pubdate=at(2026, 3, 2, 17, 45)),
)
HANWEB_BY_PATH = {a.path: a for a in HANWEB_ARTICLES}


def _hanweb_record(article: CmsArticle) -> str:
    return (f'<record><![CDATA[\n<li><a href="{article.path}" title="{_esc(article.title)}" target="_blank">'
            f'{_esc(article.title)}</a><span class="bt-data-time">{_ymd(article.published)}</span></li>]]></record>')


def _hanweb_page(title: str, metas: list[tuple[str, str]], body: str) -> str:
    meta_html = "\n".join(f'<meta name="{n}" content="{_esc(v)}">' for n, v in metas)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{_esc(title)}</title>
{meta_html}
</head>
<body>
<div class="header"><div class="logo">{HANWEB_SITE}</div>
<ul class="nav"><li><a href="/">云岚市人民政府</a></li><li><a href="{HANWEB_COLUMN_PATH}">通知公告</a></li></ul></div>
<div class="container">
{body}
</div>
<div class="footer">主办：{HANWEB_SITE}&nbsp;&nbsp;网站标识码：5399000034&nbsp;&nbsp;技术支持：大汉网络</div>
</body>
</html>
"""


def _hanweb_site_metas() -> list[tuple[str, str]]:
    return [("SiteName", HANWEB_SITE), ("SiteDomain", "sthjj.yunlan.gov.cn"), ("SiteIDCode", "5399000034")]


def hanweb_column() -> str:
    first = HANWEB_ARTICLES[:HANWEB_PER_PAGE * HANWEB_GROUP_SIZE]
    records = "\n".join(_hanweb_record(a) for a in first)
    params = ",".join(f"{k}:{v}" if v.isdigit() and k != "unitid" else f"{k}:'{v}'" for k, v in HANWEB_PARAMS.items())
    body = f"""<div class="position">当前位置：<span>首页</span> &gt; <span>通知公告</span></div>
<div class="list-title">通知公告</div>
<div class="list-content">
<div id="{HANWEB_UNIT}"><script type="text/xml"><datastore>
<recordset>
{records}
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_{HANWEB_UNIT} = {{{params}}};
$(document).ready(function () {{
  $('#{HANWEB_UNIT}').jpage({{
    dataStore: null,
    totalRecord: {len(HANWEB_ARTICLES)},
    perPage: {HANWEB_PER_PAGE},
    groupSize: {HANWEB_GROUP_SIZE},
    proxyUrl: '{HANWEB_PROXY_PATH}',
    ajaxParam: param_{HANWEB_UNIT},
    barPosition: 'bottom',
    themeName: 'default',
    showMode: 'full'
  }});
}});
</script>
</div>"""
    metas = _hanweb_site_metas() + [("ColumnName", "通知公告"), ("ColumnDescription", "云岚市生态环境局通知公告"),
                                    ("ColumnKeywords", "通知,公告"), ("ColumnType", "通知公告")]
    return _hanweb_page("通知公告 - " + HANWEB_SITE, metas, body)


def dataproxy(params: dict[str, str]) -> str:
    """The proxy's answer: the records ``startrecord``..``endrecord`` of the column the parameters name
    (an empty datastore without them: the browser POSTs them, a bare GET has none)."""
    if params.get("columnid") != str(HANWEB_COLUMN_ID) or params.get("unitid") != HANWEB_UNIT:
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>"
    try:
        start = max(1, int(params.get("startrecord", "1")))
        end = int(params.get("endrecord", str(start + HANWEB_PER_PAGE * HANWEB_GROUP_SIZE - 1)))
    except ValueError:
        start, end = 1, 0
    chosen = HANWEB_ARTICLES[start - 1:max(start - 1, end)]
    records = "\n".join(_hanweb_record(a) for a in chosen)
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<datastore>\n<totalrecord>{len(HANWEB_ARTICLES)}</totalrecord>\n"
            f"<recordset>\n{records}\n</recordset>\n</datastore>")


def hanweb_article(article: CmsArticle) -> str:
    shown = article.published
    pubdate = article.meta_pubdate or shown
    paragraphs = "\n".join(f"<p>　　{_esc(p)}</p>" for p in article.paragraphs)
    body = f"""<div class="position">当前位置：<span>首页</span> &gt; <a href="{HANWEB_COLUMN_PATH}">通知公告</a></div>
<table class="xxgk-info" cellspacing="0" cellpadding="0">
<tr><td class="tit">索 引 号</td><td>{article.index_no}</td><td class="tit">发布机构</td><td>{_esc(article.publisher)}</td></tr>
<tr><td class="tit">生成日期</td><td>{_ymd(shown)}</td><td class="tit">公开方式</td><td>主动公开</td></tr>
</table>
<div class="article">
<h1 class="title">{_esc(article.title)}</h1>
<div class="info"><span>发布日期：{shown:%Y-%m-%d %H:%M}</span><span>信息来源：{_esc(article.publisher)}</span><span>浏览次数：{int(article.article_id) % 97 + 40}</span></div>
<div class="zoom" id="zoom">
{paragraphs}
<p style="text-align: right;">{_esc(article.publisher)}</p>
<p style="text-align: right;">{shown.year}年{shown.month}月{shown.day}日</p>
</div>
</div>"""
    metas = _hanweb_site_metas() + [("ColumnName", "通知公告"), ("ArticleTitle", article.title),
                                    ("PubDate", pubdate.strftime("%Y-%m-%d %H:%M")), ("ContentSource", article.publisher)]
    return _hanweb_page(article.title, metas, body)


# --------------------------------------------------------------------------------------------------
# The portal's 政策文件 column (TRS WCM, GBK)

TRS_COLUMN = "/xxgk/zcwj/"
TRS_PAGES = ("index.html", "index_1.html", "index_2.html")
TRS_PER_PAGE = 4


def _trs_article(number: int, title: str, published: datetime, publisher: str, doc_no: str,
                 paragraphs: tuple[str, ...]) -> CmsArticle:
    article_id = 2040 + number
    path = f"{TRS_COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{article_id}.html"
    return CmsArticle(path, title, published, publisher, f"1153990000MB1234YL/{published.year}-{article_id:05d}",
                      paragraphs, doc_no=doc_no)


TRS_ARTICLES: tuple[CmsArticle, ...] = (
    _trs_article(12, "云岚市人民政府办公室关于印发云岚市政务新媒体管理办法的通知", at(2026, 11, 16, 10, 0),
                 "云岚市人民政府办公室", "云政办发〔2026〕41号", (
                     "各区县人民政府，市政府各部门：",
                     "《云岚市政务新媒体管理办法》已经市政府同意，现印发给你们，请认真贯彻执行。",
                     "政务新媒体关停整合的，主办单位应提前发布公告，说明关停时间和后续服务渠道，并做好原有内容的归档保存。")),
    _trs_article(11, "云岚市人民政府关于调整城乡居民基本医疗保险筹资标准的通知", at(2026, 10, 30, 16, 30),
                 "云岚市人民政府", "云政发〔2026〕18号", (
                     "各区县人民政府，市政府各部门：",
                     "2027年度城乡居民基本医疗保险个人缴费标准调整为每人每年400元，各级财政补助标准同步提高。")),
    _trs_article(10, "云岚市人民政府办公室关于进一步做好稳就业工作的通知", at(2026, 10, 12, 9, 0),
                 "云岚市人民政府办公室", "云政办发〔2026〕37号", (
                     "各区县人民政府，市政府各部门：",
                     "为进一步稳定和扩大就业，现就有关事项通知如下：加大高校毕业生就业支持力度，落实一次性扩岗补助政策。")),
    _trs_article(9, "云岚市人民政府关于公布市级行政许可事项清单的决定", at(2026, 9, 21, 15, 0),
                 "云岚市人民政府", "云政发〔2026〕15号", (
                     "为深化“放管服”改革，市政府对市级行政许可事项进行了全面梳理，现将清单予以公布。",)),
    _trs_article(8, "云岚市人民政府办公室关于印发云岚市防汛应急预案的通知", at(2026, 5, 18, 11, 0),
                 "云岚市人民政府办公室", "云政办发〔2026〕19号", (
                     "各区县人民政府，市政府各部门：",
                     "《云岚市防汛应急预案》已经市政府同意，现印发给你们，请认真组织实施。")),
    _trs_article(7, "云岚市人民政府关于2026年度市级重点建设项目安排的通知", at(2026, 3, 2, 10, 30),
                 "云岚市人民政府", "云政发〔2026〕6号", (
                     "2026年安排市级重点建设项目120个，总投资865亿元，年度计划投资213亿元。",)),
    _trs_article(6, "云岚市人民政府办公室关于做好2026年春节期间有关工作的通知", at(2026, 1, 30, 9, 30),
                 "云岚市人民政府办公室", "云政办发〔2026〕3号", (
                     "春节将至，为确保全市人民度过欢乐祥和的节日，现就有关工作通知如下：做好节日市场供应和安全生产工作。",)),
    _trs_article(5, "云岚市人民政府关于印发云岚市优化营商环境三年行动方案的通知", at(2025, 12, 22, 14, 0),
                 "云岚市人民政府", "云政发〔2025〕29号", (
                     "各区县人民政府，市政府各部门：",
                     "现将《云岚市优化营商环境三年行动方案（2026—2028年）》印发给你们，请认真贯彻落实。")),
    _trs_article(4, "云岚市人民政府办公室关于加强城市供水安全保障工作的通知", at(2025, 11, 3, 10, 0),
                 "云岚市人民政府办公室", "云政办发〔2025〕52号", (
                     "各区县人民政府，市政府各部门：",
                     "为保障城市供水安全，各供水企业要加强水源保护和水质检测，确保出厂水水质全面达标。")),
    _trs_article(3, "云岚市人民政府关于公布云岚市第五批非物质文化遗产代表性项目名录的通知", at(2025, 9, 8, 16, 0),
                 "云岚市人民政府", "云政发〔2025〕21号", (
                     "市政府批准确定了云岚市第五批非物质文化遗产代表性项目名录（共18项），现予公布。",)),
)
# shown without an ArticleTitle meta: <title> carries the site's name, 来源 only on the page
TRS_NO_META = TRS_ARTICLES[3].path
TRS_BY_PATH = {a.path: a for a in TRS_ARTICLES}


def _trs_pages() -> list[tuple[CmsArticle, ...]]:
    return [TRS_ARTICLES[i:i + TRS_PER_PAGE] for i in range(0, len(TRS_ARTICLES), TRS_PER_PAGE)]


def _trs_frame(title: str, metas: list[tuple[str, str]], crumbs: str, body: str) -> str:
    meta_html = "\n".join(f'<meta name="{n}" content="{_esc(v)}">' for n, v in metas)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{_esc(title)}</title>
{meta_html}
</head>
<body>
<div class="top"><span class="site-logo">{_esc(_portal().SITE_NAME)}</span></div>
<div class="nav"><a href="/">首页</a> <a href="/xxgk/tzgg/">通知公告</a> <a href="{TRS_COLUMN}">政策文件</a></div>
<div class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{TRS_COLUMN}">政策文件</a>{crumbs}</div>
{body}
</div>
<div class="footer">主办单位：{_esc(_portal().SITE_OWNER)}&nbsp;&nbsp;网站标识码：{_portal().SITE_ID_CODE}</div>
</body>
</html>
"""


def _site_metas() -> list[tuple[str, str]]:
    portal = _portal()
    return [("SiteName", portal.SITE_NAME), ("SiteDomain", portal.SITE_DOMAIN), ("SiteIDCode", portal.SITE_ID_CODE)]


def trs_column_page(number: int) -> str:
    """Page ``number`` (0-based) of 政策文件: markup on the first pages, a JavaScript array on the last."""
    pages = _trs_pages()
    articles = pages[number]
    if number < len(pages) - 1:
        items = "\n".join(f'<li><a href="./{a.path[len(TRS_COLUMN):]}" target="_blank" title="{_esc(a.title)}">'
                          f'{_esc(a.title)}</a><span>{_ymd(a.published)}</span></li>' for a in articles)
        listing = f'<ul class="list">\n{items}\n</ul>'
    else:
        rows = ",\n".join("  {" + f'title:"{a.title}",url:"./{a.path[len(TRS_COLUMN):]}",time:"{_ymd(a.published)}"'
                          + "}" for a in articles)
        listing = f"""<ul class="list" id="doclist"></ul>
<script type="text/javascript">
var docs = [
{rows}
];
for (var i = 0; i < docs.length; i++) {{
  document.write('<li><a href="' + docs[i].url + '" target="_blank">' + docs[i].title + '</a><span>' + docs[i].time + '</span></li>');
}}
</script>"""
    body = f"""{listing}
<div class="page" id="page_div"></div>
<script type="text/javascript">
var currentPage = {number};//所在页从0开始
var countPage = {len(pages)}//共多少页
createPageHTML(countPage, currentPage, "index", "html");
</script>"""
    metas = _site_metas() + [("ColumnName", "政策文件"), ("ColumnDescription", "云岚市人民政府政策文件"),
                             ("ColumnKeywords", "政策,文件"), ("ColumnType", "政策文件")]
    return _trs_frame("政策文件_" + _portal().SITE_NAME, metas, "", body)


def trs_article(article: CmsArticle) -> str:
    text = "\n".join(f'<p style="text-indent: 2em;">{_esc(p)}</p>' for p in article.paragraphs)
    body = f"""<div class="xxgk-head">
<ul>
<li><label><font>索&ensp;引&ensp;号：</font></label><div class="value">{article.index_no}</div></li>
<li><label><font>发布机构：</font></label><div class="value">{_esc(article.publisher)}</div></li>
<li><label><font>发文字号：</font></label><div class="value">{_esc(article.doc_no)}</div></li>
<li><label><font>成文日期：</font></label><div class="value">{_ymd(article.published)}</div></li>
</ul>
</div>
<div class="article">
<div class="article-title">{_esc(article.title)}</div>
<div class="article-info"><span class="source">来源：{_esc(article.publisher)}</span><span class="time">发布时间：{article.published:%Y-%m-%d %H:%M}</span></div>
<div class="TRS_Editor">
{text}
<p style="text-align: right;">{_esc(article.publisher)}</p>
<p style="text-align: right;">{article.published.year}年{article.published.month}月{article.published.day}日</p>
</div>
</div>"""
    metas = _site_metas() + [("ColumnName", "政策文件")]
    if article.path != TRS_NO_META:
        metas += [("ArticleTitle", article.title), ("PubDate", article.published.strftime("%Y-%m-%d %H:%M:%S")),
                  ("ContentSource", article.publisher)]
    return _trs_frame(f"{article.title}｜{_portal().SITE_NAME}", metas, " &gt; <span>正文</span>", body)


# --------------------------------------------------------------------------------------------------
# 云岚日报 (a news site)

NEWS_PREFIX = "/ylrb"
NEWS_NAME = "云岚日报"
NEWS_HOME = f"{NEWS_PREFIX}/"


@dataclass(frozen=True)
class NewsReport:
    path: str
    title: str
    published: datetime
    reporter: str
    paragraphs: tuple[str, ...]


CLOSURE_REPORT = NewsReport(
    f"{NEWS_PREFIX}/html/2026-11/19/content_39064.htm",
    "关停两个月后回访：我市5个政务新媒体账号的服务去哪了",
    at(2026, 11, 19, 7, 30), "本报记者 林晓岚", (
        "本报讯（记者 林晓岚）9月15日，市政府办公室发布《关于关停注销部分政务新媒体账号的公告》，"
        "决定对5个功能相近、用户关注度和利用率低的政务新媒体账号予以关停注销。两个月过去，这些账号的服务去了哪里？记者进行了回访。",
        "按照公告，“桐溪镇发布”“云岚科普”微信公众号和‘临江城管’抖音账号自9月15日起停止更新，并启动注销程序；"
        "青山区青山街道办事处微信公众号和市就业服务中心的“云岚就业”新浪微博则从10月1日起停更。",
        "回访中，记者发现各账号的去向并不相同。“云岚科普”的科普视频、活动报名等全部业务、功能，已迁移至“云岚发布”微信公众号，"
        "老粉丝在那里也能查到原有文章。“桐溪镇发布”停更后，桐溪镇的群众可以登录「桐溪县人民政府网站」查阅政务信息。"
        "‘临江城管’停更后，市容环境、占道经营等问题，市民可到临江区政务服务中心现场咨询。"
        "青山街道的信息资讯、公示、公告等内容，则已并入属地政府网站。“云岚就业”注销后，招聘信息今后将在其他平台推送，"
        "具体渠道尚未公布。",
        "“有的账号开通几年只发了十几条信息，有的长期转发同样的内容，粉丝寥寥无几。”市政府办公室相关负责人介绍，"
        "今年第三季度全市抽查政务新媒体48个，发现部分账号长期不更新、互动回应不及时，基层运维负担较重。"
        "关停整合后，相关服务集中到“云岚发布”等主账号和各级政府网站，群众办事查询渠道并没有减少。",
        "该负责人表示，关停注销期间，上述账号不再发布新的信息，原有内容按规定做好归档保存。下一步，"
        "我市将建立政务新媒体常态化监管机制，对“僵尸号”“睡眠号”发现一个、整治一个。",
    ))
OTHER_REPORT = NewsReport(
    f"{NEWS_PREFIX}/html/2026-11/17/content_39027.htm",
    "今冬供暖季如期启动 全市集中供热面积达4200万平方米",
    at(2026, 11, 17, 7, 30), "本报记者 周沐阳", (
        "本报讯（记者 周沐阳）11月15日零时，我市2026—2027年度供暖季正式启动。记者从市住房和城乡建设局获悉，"
        "今年全市集中供热面积达4200万平方米，比上年新增180万平方米。",
        "为确保供热平稳，各供热企业提前完成了设备检修和管网注水试压，并公开了24小时服务电话。"
        "市住建局提醒，居民如遇室温不达标等问题，可拨打供热企业服务电话或12345政务服务便民热线反映。",
        "据介绍，今年我市还对12个老旧小区的供热管网进行了改造，惠及居民5600余户。",
    ))
NEWS_REPORTS = (CLOSURE_REPORT, OTHER_REPORT)
NEWS_BY_PATH = {r.path: r for r in NEWS_REPORTS}


def _news_frame(title: str, head_extra: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{_esc(title)}</title>
<meta property="og:site_name" content="{NEWS_NAME}">
{head_extra}
</head>
<body>
<div class="masthead"><a href="{NEWS_HOME}">{NEWS_NAME}</a><span>云岚市委机关报</span></div>
<div class="channels"><a href="{NEWS_HOME}">首页</a><span>本地</span><span>要闻</span><span>评论</span></div>
{body}
<div class="copyright">{NEWS_NAME}社版权所有　未经书面授权不得转载</div>
</body>
</html>
"""


def news_report(report: NewsReport) -> str:
    paragraphs = "\n".join(f"<p>{_esc(p)}</p>" for p in report.paragraphs)
    structured = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": report.title,
                             "datePublished": report.published.isoformat(), "author": {"@type": "Person",
                             "name": report.reporter}, "publisher": {"@type": "Organization", "name": NEWS_NAME}},
                            ensure_ascii=False)
    head = (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{_esc(report.title)}">\n'
            f'<meta property="article:published_time" content="{report.published.isoformat()}">\n'
            f'<script type="application/ld+json">{structured}</script>')
    body = f"""<div class="article">
<h1>{_esc(report.title)}</h1>
<div class="byline">{NEWS_NAME}　{report.published:%Y年%m月%d日}　{_esc(report.reporter)}</div>
<div class="content">
{paragraphs}
</div>
<div class="editor">责任编辑：何青</div>
</div>
<div class="more">返回<a href="{NEWS_HOME}">{NEWS_NAME}首页</a></div>"""
    return _news_frame(f"{report.title} - {NEWS_NAME}", head, body)


def news_home() -> str:
    items = "\n".join(f'<li><a href="{r.path}">{_esc(r.title)}</a><span>{r.published:%m-%d}</span></li>'
                      for r in sorted(NEWS_REPORTS, key=lambda r: r.published, reverse=True))
    body = f'<div class="headlines"><h2>本地新闻</h2>\n<ul>\n{items}\n</ul></div>'
    return _news_frame(f"{NEWS_NAME} - 云岚市委机关报", "", body)


# --------------------------------------------------------------------------------------------------
# Serving


def render(path: str, query: str, form: bytes) -> Response | None:
    """The response of these sites to ``path`` (GET query, POST form body), or None for other paths."""
    if path == HANWEB_COLUMN_PATH:
        return _html(hanweb_column())
    if path == HANWEB_PROXY_PATH:  # JSP reads query and form parameters alike
        params = {k: v[0] for k, v in parse_qs(query).items()}
        params.update({k: v[0] for k, v in parse_qs(form.decode("utf-8", "replace")).items()})
        return 200, [("Content-Type", "text/xml;charset=UTF-8")], dataproxy(params).encode("utf-8")
    if path in HANWEB_BY_PATH:
        return _html(hanweb_article(HANWEB_BY_PATH[path]))
    if path == TRS_COLUMN or (path.startswith(TRS_COLUMN) and path[len(TRS_COLUMN):] in TRS_PAGES):
        name = path[len(TRS_COLUMN):] or "index.html"
        return _html(trs_column_page(TRS_PAGES.index(name)), "gbk")
    if path in TRS_BY_PATH:
        return _html(trs_article(TRS_BY_PATH[path]), "gbk")
    if path == NEWS_HOME:
        return _html(news_home())
    if path in NEWS_BY_PATH:
        return _html(news_report(NEWS_BY_PATH[path]))
    return None


def paths() -> list[str]:
    """Every GET path these sites serve or link (the dataproxy answers only to POSTed parameters)."""
    return [HANWEB_COLUMN_PATH, *HANWEB_BY_PATH, TRS_COLUMN, *(TRS_COLUMN + p for p in TRS_PAGES), *TRS_BY_PATH,
            NEWS_HOME, *NEWS_BY_PATH]


def dataproxy_form() -> str:
    """The form body a browser POSTs for the column's next groups (``var param_4682``)."""
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in HANWEB_PARAMS.items())


EXPECTED: dict[str, object] = {
    "hanweb": {
        "site": HANWEB_SITE, "column_path": HANWEB_COLUMN_PATH, "column_id": HANWEB_COLUMN_ID,
        "proxy_path": HANWEB_PROXY_PATH, "unit": HANWEB_UNIT, "params": dict(HANWEB_PARAMS),
        "per_page": HANWEB_PER_PAGE, "group_size": HANWEB_GROUP_SIZE, "total": len(HANWEB_ARTICLES),
        "in_page": HANWEB_PER_PAGE * HANWEB_GROUP_SIZE,
        "articles": [{"path": a.path, "title": a.title, "published_at": a.published.isoformat(),
                      "meta_pubdate": a.meta_pubdate.isoformat() if a.meta_pubdate else None}
                     for a in HANWEB_ARTICLES]},
    "trs": {
        "column_path": TRS_COLUMN, "pages": [TRS_COLUMN + p for p in TRS_PAGES], "js_array_page": TRS_COLUMN + TRS_PAGES[-1],
        "articles": [{"path": a.path, "title": a.title, "published_at": a.published.isoformat(),
                      "publisher": a.publisher, "index_no": a.index_no} for a in TRS_ARTICLES],
        "without_meta": TRS_NO_META},
    "news": {
        "site": NEWS_NAME, "home": NEWS_HOME,
        "closure_report": {"path": CLOSURE_REPORT.path, "title": CLOSURE_REPORT.title,
                           "published_at": CLOSURE_REPORT.published.isoformat(), "reporter": CLOSURE_REPORT.reporter,
                           "named_accounts": ["桐溪镇发布", "云岚科普", "临江城管", "云岚就业"],
                           "named_owner": {"name": "青山区青山街道办事处", "platform": "wechat", "account": "云岚青山街道"},
                           "successors": {"云岚科普": [("云岚发布", "wechat")],
                                          "桐溪镇发布": [("桐溪县人民政府网站", "website")],
                                          "临江城管": [("临江区政务服务中心", "office")],
                                          "云岚就业": [], "云岚青山街道": []}},
        "other_report": {"path": OTHER_REPORT.path, "title": OTHER_REPORT.title}},
}
"""What a crawl of these sites should find. ``hanweb``: ``{site, column_path, column_id, proxy_path, unit,
params (what the page's script POSTs), per_page, group_size, total (records), in_page (records in the
page's datastore), articles: [{path, title, published_at (shown), meta_pubdate|None (the meta's, when it
differs)}]}`` (newest first, the list's order). ``trs``: ``{column_path, pages (index, index_1, index_2),
js_array_page, articles: [{path, title, published_at, publisher, index_no}], without_meta (the article
with no ArticleTitle/PubDate/ContentSource meta)}``. ``news``: ``{site, home (a list page, never a post),
closure_report: {path, title, published_at, reporter, named_accounts (quoted in the report), named_owner: {name,
platform, account} (an owner named with its platform word and no account name: the account it owns), successors:
{account: [(name, platform)]} (what the report says, per account: a successor told in a later sentence belongs
to the one account it names)}, other_report: {path, title}}``."""
