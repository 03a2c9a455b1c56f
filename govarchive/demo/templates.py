"""Page bodies of the demo web, built from :mod:`govarchive.demo.content`.

Our own markup, shaped like the real pages (platforms.md §1.2-1.4, §2.2-2.4, §3, §4): GBK portal pages
with the national gov meta tags (directory, QR grid, district directory, notices), WeChat history,
article (2018/2020/2024 templates), error, album, Sogou search and MP back-office pages, m.weibo.cn
JSON, shells for Weibo, Douyin and Toutiao SPAs, RSS/Atom feeds, small PNG images and MP3 bytes.
Every link is relative (bodies never name the port), except one external video iframe.
Functions return ``str`` (HTML/XML, encoded by the server), ``dict`` (JSON) or ``bytes`` (PNG, MP3).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import struct
import zlib
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache

from govarchive.demo import content as c

# --------------------------------------------------------------------------------------------------
# helpers


def esc(text: str) -> str:
    return html.escape(text, quote=True)


_JS_ESCAPES = {"\\": "\\\\", '"': "\\x22", "'": "\\x27", "<": "\\x3c", ">": "\\x3e", "&": "\\x26",
               "\n": "\\x0a", "\r": "\\x0d"}


def js_str(text: str) -> str:
    """``text`` as the inside of a JS string literal, escaped the way WeChat pages do (``\\x0a``)."""
    return "".join(_JS_ESCAPES.get(ch, ch) for ch in text)


def ymd(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def spaced_date(moment: datetime) -> str:
    """The odd CMS spelling ``2026- 09- 15``."""
    return f"{moment.year}- {moment.month:02d}- {moment.day:02d}"


# --------------------------------------------------------------------------------------------------
# Portal (GBK): home, 政务新媒体 directory, 通知公告 column and articles, 404

_GOV_STYLE = """<style type="text/css">
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f4f6f9}
.w1200{width:1200px;margin:0 auto}.top{background:#b71c1c;color:#fff;padding:18px 0}
.site-logo{font-size:30px;font-weight:bold;letter-spacing:4px}.nav{background:#8e1414}
.nav li{display:inline-block;padding:0 24px;line-height:44px}.nav a{color:#fff;text-decoration:none}
.main{background:#fff;padding:20px 30px;min-height:480px}.position{color:#666;padding:10px 0}
.xmt-table{border-collapse:collapse}.xmt-table th,.xmt-table td{border:1px solid #dcdcdc;padding:6px 8px}
.xmt-table th{background:#f0f2f5}.page{text-align:center;padding:18px 0}.page a,.page span{margin:0 4px}
.page .current{color:#b71c1c;font-weight:bold}.list-ul li{list-style:none;border-bottom:1px dashed #ddd}
.list-ul .date{float:right;color:#999}.footer{text-align:center;color:#666;padding:20px 0;font-size:12px}
.xmt-matrix li{display:inline-block;width:160px;text-align:center;vertical-align:top;margin:8px}
.xmt-matrix img{width:120px;height:120px}.xmt-links{padding:8px 0}
</style>"""


def _gov_page(title: str, metas: list[tuple[str, str]], body: str, charset_tag: str = '<meta charset="gbk">',
              position: str = "", head_extra: str = "") -> str:
    meta_html = "\n".join(f'<meta name="{name}" content="{esc(value)}">' for name, value in metas)
    crumbs = f'<div class="position">当前位置：<a href="/">首页</a>{position}</div>' if position else ""
    return f"""<!DOCTYPE html>
<html>
<head>
{charset_tag}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
{meta_html}{head_extra}
{_GOV_STYLE}
</head>
<body>
<div class="top"><div class="w1200"><span class="site-logo">{esc(c.SITE_NAME)}</span><span class="today" id="today"></span>
<script type="text/javascript">
  var now = new Date(), week = "日一二三四五六";
  document.getElementById("today").innerHTML = "今天是：" + now.getFullYear() + "年" + (now.getMonth() + 1) + "月"
    + now.getDate() + "日 星期" + week.charAt(now.getDay());
</script></div></div>
<div class="nav"><ul class="w1200">
  <li><a href="/">首页</a></li>
  <li><a href="/xxgk/tzgg/">通知公告</a></li>
  <li><a href="/xxgk/xmt/">政务新媒体</a></li>
</ul></div>
<div class="main w1200">
{crumbs}
{body}
</div>
<div class="footer">
  主办单位：{esc(c.SITE_OWNER)}&nbsp;&nbsp;网站标识码：{c.SITE_ID_CODE}<br>
  本网站由云岚市大数据中心提供技术支持&nbsp;&nbsp;建议使用1366×768以上分辨率浏览
</div>
</body>
</html>
"""


def _site_metas() -> list[tuple[str, str]]:
    return [("SiteName", c.SITE_NAME), ("SiteDomain", c.SITE_DOMAIN), ("SiteIDCode", c.SITE_ID_CODE)]


def _column_metas(name: str, description: str, keywords: str) -> list[tuple[str, str]]:
    return _site_metas() + [("ColumnName", name), ("ColumnDescription", description),
                            ("ColumnKeywords", keywords), ("ColumnType", name)]


def _notice_items(prefix: str) -> str:
    items = []
    for notice in c.GOV_NOTICES:
        href = notice.path if prefix == "/" else "./" + notice.path[len(c.COLUMN_PATH):]
        items.append(f'  <li><span class="date">{ymd(notice.published)}</span>'
                     f'<a href="{href}" target="_blank" title="{esc(notice.title)}">{esc(notice.title)}</a></li>')
    return "\n".join(items)


def portal_home() -> str:
    body = f"""<div class="home-box">
<h3 class="box-title"><a href="/xxgk/tzgg/">通知公告</a><a class="more" href="/xxgk/tzgg/">更多&gt;&gt;</a></h3>
<ul class="list-ul">
{_notice_items("/")}
</ul>
</div>
<div class="home-box">
<h3 class="box-title"><a href="/xxgk/xmt/">政务新媒体</a></h3>
<p>“云岚发布”微信公众号、新浪微博等政务新媒体名录，请查看<a href="/xxgk/xmt/">政务新媒体</a>栏目。</p>
<p>扫码关注：<a href="/xxgk/xmt/matrix.html">政务新媒体矩阵</a></p>
</div>"""
    return _gov_page(c.SITE_NAME, _site_metas() + [("Keywords", "云岚市,人民政府,政务公开")], body)


def _page_file(n: int) -> str:
    return "index.html" if n == 0 else f"index_{n}.html"


def _pager(n: int, total: int) -> str:
    parts = [f"共{total}页&nbsp;", f'<a href="{_page_file(0)}">首页</a>']
    parts.append(f'<a class="prev" href="{_page_file(n - 1)}">上一页</a>' if n > 0
                 else '<span class="disabled">上一页</span>')
    for i in range(total):
        parts.append(f'<span class="current">{i + 1}</span>' if i == n
                     else f'<a href="{_page_file(i)}">{i + 1}</a>')
    parts.append(f'<a class="next" href="{_page_file(n + 1)}">下一页</a>' if n < total - 1
                 else '<span class="disabled">下一页</span>')
    parts.append(f'<a href="{_page_file(total - 1)}">尾页</a>')
    return '<div class="page" id="page_div">\n    ' + "\n    ".join(parts) + "\n</div>"


def directory_page(n: int) -> str:
    """Page ``n`` (0-based) of the 政务新媒体 directory."""
    first_number = 1 + sum(len(page) for page in c.DIRECTORY_PAGES[:n])
    rows = []
    for offset, row in enumerate(c.DIRECTORY_PAGES[n]):
        rows.append(f"""      <tr>
        <td align="center">{first_number + offset}</td>
        <td class="xmt-name">
          {esc(row.name)}
        </td>
        <td align="center">{esc(row.platform)}</td>
        <td>{esc(row.agency)}</td>
        <td align="center">{esc(row.platform_id)}</td>
        <td align="center"><a href="{esc(row.link)}" target="_blank" title="{esc(row.name)}">点击进入</a></td>
      </tr>""")
    links = ('\n<div class="xmt-links"><a href="matrix.html" target="_blank">政务新媒体矩阵</a>&nbsp;|&nbsp;'
             '<a href="qxxmt.html" target="_blank">区县政务新媒体名录</a></div>') if n == 0 else ""
    body = f"""<div class="lm-title"><span>政务新媒体</span></div>
<div class="xmt-intro">根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》要求，现将我市政务新媒体名录公布如下（按主办单位排列，动态更新）。</div>{links}
<div class="xmt-list">
  <table class="xmt-table" width="100%" border="1" cellspacing="0" cellpadding="0">
    <tbody>
      <tr class="xmt-th">
        <th width="6%">序号</th>
        <th width="16%">账号名称</th>
        <th width="10%">平台</th>
        <th width="24%">主办单位</th>
        <th width="28%">微信号/账号ID</th>
        <th width="16%">链接</th>
      </tr>
{chr(10).join(rows)}
    </tbody>
  </table>
</div>
{_pager(n, len(c.DIRECTORY_PAGES))}"""
    metas = _column_metas("政务新媒体", "云岚市政务新媒体名录", "政务新媒体,政务微信,政务微博,抖音")
    return _gov_page("政务新媒体_" + c.SITE_NAME, metas, body, position=" &gt; <span>政务新媒体</span>")


def column_page() -> str:
    body = f"""<div class="lm-title"><span>通知公告</span></div>
<ul class="list-ul">
{_notice_items(c.COLUMN_PATH)}
</ul>
<div class="page">共1页&nbsp;<span class="current">1</span></div>"""
    metas = _column_metas("通知公告", "云岚市人民政府通知公告", "通知,公告,通报")
    rss = (f'\n<link rel="alternate" type="application/rss+xml" title="通知公告_{esc(c.SITE_NAME)}" '
           f'href="{c.COLUMN_RSS_PATH}">')
    return _gov_page("通知公告_" + c.SITE_NAME, metas, body,
                     charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                     position=' &gt; <a href="/xxgk/tzgg/">通知公告</a>', head_extra=rss)


# column of a GovNotice → (description, keywords, breadcrumb HTML before " &gt; <span>正文</span>")
_COLUMNS = {
    "通知公告": ("云岚市人民政府通知公告", "通知,公告,通报", ' &gt; <a href="/xxgk/tzgg/">通知公告</a>'),
    "预警信息": ("云岚市气象台预警信息发布", "气象预警,预警信号,云岚市气象台",
             " &gt; <span>云岚市气象局</span> &gt; <span>预警信息</span>"),
}


def notice_page(notice: c.GovNotice) -> str:
    published = notice.published
    paragraphs = "\n".join(f'<p style="text-indent: 2em;">{esc(p)}</p>' for p in notice.paragraphs)
    signature = "\n".join(f'<p style="text-align: right;">{esc(s)}</p>' for s in notice.signature)
    body = f"""<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">
  <tr><td class="t1">信息索引号：</td><td>{notice.index_no}</td><td class="t1">主题分类：</td><td>{esc(notice.topic)}</td></tr>
  <tr><td class="t1">发布机构：</td><td>{esc(notice.publisher)}</td><td class="t1">体裁分类：</td><td>{esc(notice.genre)}</td></tr>
  <tr><td class="t1">成文日期：</td><td>{spaced_date(notice.written)}</td><td class="t1">公开方式：</td><td>主动公开</td></tr>
  <tr><td class="t1">发布日期：</td><td>{spaced_date(published)}</td><td class="t1">访问次数：</td><td>{notice.views}</td></tr>
  <tr><td class="t1">名&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td colspan="3">{esc(notice.title)}</td></tr>
</table>
<div class="article">
  <h1 class="article-title">{esc(notice.title)}</h1>
  <div class="article-info">发布时间：{ymd(published)} {published.hour:02d}: {published.minute:02d}&nbsp;&nbsp;来源：{esc(notice.publisher)}&nbsp;&nbsp;【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
  <div id="zoom" class="article-content">
<div class="TRS_Editor">
{paragraphs}
{signature}
</div>
  </div>
</div>"""
    description, keywords, crumbs = _COLUMNS[notice.column]
    metas = _column_metas(notice.column, description, keywords) + [
        ("ArticleTitle", notice.title), ("PubDate", published.strftime("%Y-%m-%d %H:%M:%S")),
        ("ContentSource", notice.publisher), ("Keywords", notice.genre), ("Author", notice.publisher),
        ("Description", notice.paragraphs[0][:60])]
    return _gov_page(notice.title + "_" + c.SITE_NAME, metas, body,
                     charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                     position=crumbs + " &gt; <span>正文</span>")


def matrix_page() -> str:
    """The 政务新媒体矩阵: a grid of QR codes, no table; names in captions or only in ``alt``."""
    items = []
    for item in c.QR_ITEMS:
        if item.markup == "alt":
            items.append(f'  <li><img src="{item.qr.url}" alt="{esc(item.name)} {esc(item.platform)}"></li>')
            continue
        if item.markup == "span":
            img = f'<img src="{item.qr.url}" alt="{esc(item.name)}">'
            caption = f"<span>{esc(item.name)}</span><span>{esc(item.platform)}</span>"
        else:
            img = f'<img src="{item.qr.url}" alt="{esc(item.name)}{esc(item.platform)}二维码">'
            caption = f'<p class="xmt-name">{esc(item.name)}</p><p class="xmt-type">{esc(item.platform)}</p>'
        if item.link:
            img = f'<a href="{esc(item.link)}" target="_blank">{img}</a>'
        items.append(f"  <li>{img}{caption}</li>")
    body = f"""<div class="lm-title"><span>云岚市政务新媒体矩阵</span></div>
<div class="xmt-intro">扫描二维码，关注云岚市政务新媒体。</div>
<div class="xmt-matrix">
<ul>
{chr(10).join(items)}
</ul>
</div>"""
    metas = _column_metas("政务新媒体", "云岚市政务新媒体矩阵", "政务新媒体,新媒体矩阵,二维码")
    return _gov_page("云岚市政务新媒体矩阵_" + c.SITE_NAME, metas, body,
                     position=' &gt; <a href="/xxgk/xmt/">政务新媒体</a> &gt; <span>政务新媒体矩阵</span>')


def district_directory_page() -> str:
    """区县政务新媒体名录: other header words than the main directory, header cells are ``<td>``."""
    header = "\n".join(f'        <td align="center"><strong>{h}</strong></td>' for h in c.DISTRICT_HEADERS)
    rows = []
    for number, row in enumerate(c.DISTRICT_ROWS, start=1):
        link = (f'<a href="{esc(row.link)}" target="_blank">点击访问</a>' if row.link else "暂无")
        rows.append(f"""      <tr>
        <td align="center">{number}</td>
        <td>{esc(row.name)}</td>
        <td align="center">{esc(row.kind)}</td>
        <td>{esc(row.agency)}</td>
        <td>{esc(row.account)}</td>
        <td align="center">{link}</td>
        <td align="center"><img src="{row.qr.url}" width="80" height="80" alt=""></td>
      </tr>""")
    body = f"""<div class="lm-title"><span>区县政务新媒体名录</span></div>
<div class="xmt-list">
  <table class="xmt-table qx-table" width="100%" border="1" cellspacing="0" cellpadding="0">
    <tbody>
      <tr class="qx-title">
{header}
      </tr>
{chr(10).join(rows)}
    </tbody>
  </table>
</div>"""
    metas = _column_metas("政务新媒体", "区县政务新媒体名录", "政务新媒体,区县,名录")
    return _gov_page("区县政务新媒体名录_" + c.SITE_NAME, metas, body,
                     position=' &gt; <a href="/xxgk/xmt/">政务新媒体</a> &gt; <span>区县政务新媒体名录</span>')


def gov_not_found() -> str:
    body = """<div class="err404">
  <h2>抱歉，您访问的页面不存在或已被删除！</h2>
  <p>请检查您输入的网址是否正确，或<a href="/">返回首页</a>。</p>
</div>"""
    return _gov_page("页面不存在_" + c.SITE_NAME, _site_metas(), body)


def redirect_page(location: str) -> str:
    return (f"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            f"<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>{esc(location)}</center>\r\n"
            f"</body>\r\n</html>\r\n")


def robots_txt() -> str:
    return "User-agent: *\nDisallow:\n"


# --------------------------------------------------------------------------------------------------
# WeChat (UTF-8): history page with msgList, articles (2018 and 2020 templates), error pages

_WX_HEAD = """<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0">
<meta name="apple-mobile-web-app-capable" content="yes">
<meta name="format-detection" content="telephone=no">
<script type="text/javascript">
    String.prototype.html = function(encode) {
        var pairs = ["&#39;", "'", "&quot;", '"', "&nbsp;", " ", "&gt;", ">", "&lt;", "<", "&amp;", "&"];
        if (encode) { pairs.reverse(); }
        var out = this;
        for (var i = 0; i < pairs.length; i += 2) { out = out.replace(new RegExp(pairs[i], 'g'), pairs[i + 1]); }
        return out;
    };
</script>"""


def _msg_item(article: c.WechatArticle) -> dict[str, object]:
    return {
        "title": article.title,
        "digest": article.digest,
        "content_url": article.path.replace("&", "&amp;"),
        "cover": article.cover.url,
        "author": article.author,
        "copyright_stat": 100,
        "source_url": article.source_url,
        "del_flag": 1,
        "fileid": 0,
        "item_show_type": article.show_type,
    }


def msg_list(account: c.WechatAccount, phase: c.Phase = c.PHASE_1) -> dict[str, object]:
    """The ``msgList`` object of an account's history page (newest push first). Message ids count the
    pushes deleted since phase 1 too, so a push keeps its id in every phase."""
    entries = []
    pushes = c.pushes_of(account.biz, phase, with_removed=True)
    for number, push in enumerate(pushes):
        push = [a for a in push if phase.is_listed(a)]
        if not push:
            continue
        main, others = push[0], push[1:]
        info = _msg_item(main)
        info.update({"is_multi": 1 if others else 0, "multi_app_msg_item_list": [_msg_item(a) for a in others],
                     "subtype": 9})
        entries.append({
            "comm_msg_info": {"id": 1000000100 + len(pushes) - number, "type": 49,
                              "datetime": main.ct, "fakeid": account.biz, "status": 2, "content": ""},
            "app_msg_ext_info": info,
        })
    return {"list": entries}


def wechat_history(account: c.WechatAccount, phase: c.Phase = c.PHASE_1) -> str:
    data = json.dumps(msg_list(account, phase), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")
    alias = f'\n          <p class="profile_account">微信号: {esc(account.alias)}</p>' if account.alias else ""
    tips = "仅显示最近10条群发" if c.articles_of(account.biz, phase) else "该公众号暂未发布群发消息"
    return f"""<!DOCTYPE html>
<html>
<head>
{_WX_HEAD}
<title>{esc(account.name)}</title>
<style>.profile_nickname{{font-size:18px}}.profile_desc_label{{color:#8c8c8c}}.weui_msg_card_list{{min-height:200px}}</style>
</head>
<body id="" class="zh_CN ">
<div class="page_profile_info">
  <div class="page_profile_info_inner">
    <div class="profile_info_area">
      <div class="profile_info_group">
        <span class="radius_avatar profile_avatar"><img src="{account.avatar.url}" alt=""></span>
        <div class="profile_info">
          <strong class="profile_nickname">
            {esc(account.name)}
          </strong>{alias}
        </div>
      </div>
      <ul class="profile_desc">
        <li>
          <label class="profile_desc_label" for="">功能介绍</label>
          <div class="profile_desc_value" title="{esc(account.description)}">{esc(account.description)}</div>
        </li>
        <li>
          <label class="profile_desc_label" for="">帐号主体</label>
          <div class="profile_desc_value"><i class="icon_verify success"></i>{esc(account.agency)}</div>
        </li>
      </ul>
    </div>
    <div class="weui_category_title">最近10条群发</div>
    <div class="weui_msg_card_list" id="history"></div>
    <div class="msg_card_tips">{tips}</div>
    <div class="loadmore with_line" style="display:none;" id="js_nomore"><span class="tips">已无更多</span></div>
  </div>
</div>
<script type="text/javascript">
    var biz = "{account.biz_b64}";
    var nickname = "{js_str(account.name)}";
    var username = "" || "{account.gh_id}";
    var can_msg_continue = '0';
    var msgList = {data};
    if (typeof seajs !== 'undefined') {{ seajs.use("profile/history.js"); }}
</script>
</body>
</html>
"""


def _block_html(block: c.Block) -> str:
    if isinstance(block, str):
        return f'<p style="line-height: 1.75em;"><span style="font-size: 15px;">{esc(block)}</span></p>'
    if isinstance(block, c.Sub):
        return (f'<p style="line-height: 1.75em;"><strong><span style="color: rgb(183, 28, 28);font-size: 16px;">'
                f'{esc(block.text)}</span></strong></p>')
    if isinstance(block, c.Pic):
        placeholder = (' src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"'
                       if block.placeholder else "")
        return (f'<p style="text-align: center;"><img class="rich_pages" data-ratio="{block.ratio}" '
                f'data-s="300,640"{placeholder} data-src="{esc(block.image.url)}" data-type="png" data-w="640" '
                f'style="width: 100% !important;height: auto !important;"></p>')
    if isinstance(block, c.Voice):
        return (f'<p><mpvoice class="js_editor_audio audio_iframe" voice_encode_fileid="{block.fileid}" '
                f'name="{esc(block.name)}" play_length="{block.play_length}" high_size="{block.high_size}" '
                f'low_size="{block.low_size}" src="{esc(block.template_path)}" frameborder="0"></mpvoice></p>')
    if isinstance(block, c.Video):
        return (f'<p style="text-align: center;"><iframe class="video_iframe rich_pages" data-src="{esc(block.src)}" '
                f'data-vidtype="2" data-ratio="1.7777777777777777" data-w="864" allowfullscreen="" '
                f'frameborder="0" scrolling="no"></iframe></p>')
    target = c.LINKABLE_BY_KEY[block.target]
    return (f'<p style="line-height: 1.75em;"><a target="_blank" href="{esc(target.path)}" '
            f'textvalue="{esc(block.text)}" data-itemshowtype="0" tab="innerlink" data-linktype="2">'
            f'<span style="font-size: 14px;">{esc(block.text)}</span></a></p>')


def _article_body(article: c.WechatArticle) -> str:
    if article.repost_of:  # a 转载: one short line, the original is in #js_share_source
        original = c.ARTICLES_BY_KEY[article.repost_of]
        return (f'<p style="line-height: 1.75em;"><span style="font-size: 15px;">'
                f'转自“{esc(c.WECHAT_BY_BIZ[original.biz].name)}”</span></p>')
    parts = [('<section style="text-align: center;"><p style="text-align: center;">'
              '<span style="color: rgb(61, 121, 204);font-size: 13px;">点击蓝字</span>'
              '<span style="font-size: 13px;">关注我们</span></p></section>')]
    parts += [_block_html(block) for block in article.blocks]
    tail = [f"来源：{article.source}" if article.source else "", f"编辑：{article.editor}" if article.editor else "",
            f"审核：{article.reviewer}" if article.reviewer else ""]
    parts += [f'<p style="text-align: left;"><span style="color: rgb(136, 136, 136);font-size: 12px;">{esc(t)}</span></p>'
              for t in tail if t]
    return "\n                    ".join(parts)


def _profile_meta(account: c.WechatAccount) -> str:
    rows = []
    if account.alias:
        rows.append(f"""                            <p class="profile_meta">
                                <label class="profile_meta_label">微信号</label>
                                <span class="profile_meta_value">{esc(account.alias)}</span>
                            </p>""")
    rows.append(f"""                            <p class="profile_meta">
                                <label class="profile_meta_label">功能介绍</label>
                                <span class="profile_meta_value">{esc(account.description)}</span>
                            </p>""")
    return "\n".join(rows)


def wechat_article(article: c.WechatArticle) -> str:
    """A normal article page: the 2018 template, or the 2020 one when ``article.style == "2020"``."""
    if article.style == "2024":
        return wechat_article_2024(article)
    if article.style == "2019":
        return wechat_article_2019(article)
    account = c.WECHAT_BY_BIZ[article.biz]
    modern = article.style == "2020"
    date = ymd(article.published)
    if modern:
        og = (f'\n<meta property="og:title" content="{esc(article.title)}">'
              f'\n<meta property="og:url" content="{esc(article.path)}">'
              f'\n<meta property="og:image" content="{esc(article.cover.url)}">'
              f'\n<meta property="og:description" content="{esc(article.digest)}">'
              f'\n<meta name="description" content="{esc(article.digest)}">'
              f'\n<meta name="author" content="{esc(account.name)}">')
        date_em = '<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>'
        content_style = ' style="visibility: hidden;"'
        title_js = f"""    var msg_title = '{js_str(html.escape(article.title))}'.html(false);
    var msg_desc = '{js_str(html.escape(article.digest))}'.html(false);
    var item_show_type = "0";"""
        time_js = f'    var ct = "{article.ct}";'
    else:
        og, content_style = "", ""
        date_em = f'<em id="post-date" class="rich_media_meta rich_media_meta_text">{date}</em>'
        title_js = f"""    var msg_title = "{js_str(article.title)}";
    var msg_desc = "{js_str(article.digest)}";"""
        time_js = f'    var ct = "{article.ct}";\n    var publish_time = "{date}" || "";'
    return f"""<!DOCTYPE html>
<html>
<head>
{_WX_HEAD}
<script type="text/javascript">
        var biz = "" || "{article.biz_b64}";
        var sn = "" || "" || "{article.sn}";
        var mid = "" || "" || "{article.mid}";
        var idx = "" || "" || "{article.idx}";
</script>
<title>{esc(article.title)}</title>{og}
<style>.rich_media_title{{font-size:22px;line-height:1.4}}.rich_media_meta{{color:#8c8c8c;margin-right:8px}}
.rich_media_content{{font-size:17px;overflow:hidden}}.rich_media_content img{{max-width:100%}}</style>
</head>
<body id="activity-detail" class="zh_CN mm_appmsg">
<div id="js_article" class="rich_media">
    <div class="rich_media_inner">
        <div id="page-content" class="rich_media_area_primary">
            <div id="img-content">
                <h2 class="rich_media_title" id="activity-name">
                    {esc(article.title)} </h2>
                <div id="meta_content" class="rich_media_meta_list">
                    {date_em}
                    <a class="rich_media_meta rich_media_meta_link rich_media_meta_nickname" href="##" id="post-user">{esc(account.name)}</a>
                    <span class="rich_media_meta rich_media_meta_text rich_media_meta_nickname">{esc(account.name)}</span>
                    <div id="js_profile_qrcode" class="profile_container" style="display:none;">
                        <div class="profile_inner">
                            <strong class="profile_nickname">{esc(account.name)}</strong>
                            <img class="profile_avatar" id="js_profile_qrcode_img" src="" alt="">
{_profile_meta(account)}
                        </div>
                    </div>
                </div>
{_album_tags(article)}                <div class="rich_media_content " id="js_content"{content_style}>
                    {_article_body(article)}
                </div>{_share_source(article)}{_view_source(article)}
            </div>
        </div>
    </div>
</div>
<script type="text/javascript">
    var nickname = "{js_str(account.name)}";
    var appmsg_type = "9";
{time_js}
    var user_name = "{account.gh_id}";
    var round_head_img = "{account.avatar.url}";
{title_js}
    var msg_cdn_url = "{article.cover.url}";
    var msg_link = "{js_str(article.path)}";
    var msg_source_url = '{js_str(article.source_url)}';
    var copyright_stat = "0" * 1;
    var _copyright_stat = "0";
</script>
</body>
</html>
"""


def wechat_article_2019(article: c.WechatArticle) -> str:
    """The 2019 video-post template: the data sits on ``d = _g.cgiData`` inside ``(function(_g){…})(window)``
    (``d.title``, ``d.nick_name``, ``d.ct``…); ``d.mid`` and ``d.idx`` are empty and the article's ids are
    only in ``d.msg_link`` (``\\x26amp;``-escaped); ``_g.item_show_type`` is 5; ``<title>`` is empty."""
    account = c.WECHAT_BY_BIZ[article.biz]
    text = "".join(f'\n            <p class="video_desc">{esc(b)}</p>' for b in article.blocks if isinstance(b, str))
    return f"""<!DOCTYPE html>
<html>
<head>
{_WX_HEAD}
<meta name="description" content="{esc(article.digest)}">
<meta property="og:image" content="{esc(article.cover.url)}">
<title></title>
<style>.video_desc{{font-size:15px;color:#555}}</style>
</head>
<body id="" class="zh_CN detail video pages_skin_primary pages_share_page video_share_page appmsg_skin_default">
<script type="text/javascript">
(function(_g){{
  _g.cgiData = _g.cgiData || {{}};
  var d = _g.cgiData;
  d.scene = ""*1||0;
  d.page_type = "2"*1;
  d.create_time = "{article.ct}"*1;
  d.ct = "{article.ct}";
  d.title = "{js_str(article.title)}";
  d.nick_name = "{js_str(account.name)}";
  d.round_head_img = "{account.avatar.url}";
  d.biz = ""||"{article.biz_b64}";
  d.sn = "" || ""|| "";
  d.mid = "" || ""|| "";
  d.idx = "" || "" || "";
  d.is_temp_url = "" ? 1 : 0;
  d.msg_link = "{js_str(article.path.replace("&", "&amp;"))}";
  d.user_name = "{account.gh_id}";
  d.author_id = "";
}})(window);
</script>
<script type="text/javascript">
(function(_g){{
  var cgiData = _g.cgiData;
  _g.appmsgid = cgiData.mid;
  _g.mid = cgiData.mid;
  _g.biz = cgiData.biz;
  _g.idx = cgiData.idx;
  _g.msg_title = cgiData.title;
  _g.item_show_type = "{article.show_type}";
  _g.ct = "{article.ct}";
}})(window);
</script>
<div id="js_article" class="page_content page_pages">
    <div id="js_mpvedio" class="mpvideo_wrp" data-mpvid="wxv_{article.mid}{article.idx}"></div>
    <div id="js_content">
        <div class="video_info">
            <span id="video_title">{esc(article.title)}</span>
            <div class="media_tool_meta tips_global_primary meta_primary" id="publish_time">{ymd(article.published)}</div>
        </div>{text}
    </div>
</div>
</body>
</html>
"""


def _album_tags(article: c.WechatArticle) -> str:
    album = c.ALBUM_OF.get(article.key)
    if album is None:
        return ""
    return (f'                <div id="js_tags" class="article-tag__list">'
            f'<a class="article-tag__item" href="{esc(album.path)}">#{esc(album.title)}</a></div>\n')


def _share_source(article: c.WechatArticle) -> str:
    if not article.repost_of:
        return ""
    original = c.ARTICLES_BY_KEY[article.repost_of]
    return (f'\n                <div id="js_share_source" class="share_notice" data-url="{esc(original.path)}">'
            f'<span class="share_notice_title">阅读全文</span></div>')


def _view_source(article: c.WechatArticle) -> str:
    if not article.source_url:
        return ""
    return ('\n                <div class="rich_media_tool" id="js_toobar3">'
            '<a class="media_tool_meta meta_primary" id="js_view_source" href="##">阅读原文</a></div>')


# --- the 2024+ template (window.* variables and window.cgiDataNew); image shares have no #js_content


def _js_q(text: str) -> str:
    return "'" + js_str(text) + "'"


def _cgi_data_new(article: c.WechatArticle, account: c.WechatAccount) -> str:
    """The ``window.cgiDataNew = {…}`` object literal (single-quoted values, ``'N' * 1`` numbers)."""
    text = "\n".join(b for b in article.blocks if isinstance(b, str)) if article.show_type == 8 else ""
    lines = [
        "base_resp: {", "    ret: '0' * 1,", "    errmsg: 'ok',", "    cookie_count: '0' * 1,", "},",
        f"user_name: {_js_q(account.gh_id)},",
        f"nick_name: {_js_q(account.name)},",
        f"round_head_img: {_js_q(account.avatar.url)},",
        f"title: {_js_q(article.title)},",
        f"desc: {_js_q(article.digest)},",
        f"content_noencode: {_js_q(text)},",
        f"create_time: '{article.published:%Y-%m-%d %H:%M}',",
        f"cdn_url: {_js_q(article.cover.url)},",
        f"link: {_js_q(article.path.replace('&', '&amp;'))},",
        f"source_url: {_js_q(article.source_url)},",
        "can_share: '1' * 1,",
        f"alias: {_js_q(account.alias)},",
        f"type: '{10002 if article.show_type == 8 else 9}' * 1,",
        f"author: {_js_q(article.author)},",
        f"ori_create_time: '{article.ct}' * 1,",
        "copyright_info: {", "    copyright_stat: '0' * 1,", "    is_cartoon_copyright: '0' * 1,", "},",
        f"signature: {_js_q(account.description)},",
        f"bizuin: '{account.biz_b64}',",
        f"mid: '{article.mid}' * 1,",
        f"idx: '{article.idx}' * 1,",
        f"sn: '{article.sn}',",
        f"item_show_type: '{article.show_type}' * 1,",
        "voice_in_appmsg: [", "],",
    ]
    if article.pictures:
        lines.append("picture_page_info_list: [")
        for picture in article.pictures:
            lines += ["    {",
                      f"        cdn_url: {_js_q(picture.url + '&amp;from=appmsg')},",
                      f"        width: '{picture.width}' * 1,",
                      f"        height: '{picture.height}' * 1,",
                      "        theme_color: 'rgb(254,254,254)',",
                      "        is_qr_code: '0' * 1,",
                      "    },"]
        lines.append("],")
    lines.append("biz_type: '1' * 1,")
    body = "\n".join("                " + line for line in lines)
    return f"""<script type="text/javascript" h5only reportloaderror>
    (function() {{
        try {{
            window.cgiDataNew = {{
{body}

            }};
        }} catch (e) {{
            window.cgiError = e;
        }}
    }})();
</script>"""


def _window_vars(article: c.WechatArticle, account: c.WechatAccount) -> str:
    show = article.show_type
    return f"""<script type="text/javascript" reportloaderror>
    window.new_appmsg = 1;
    window.is_login = '0' * 1;
    window.idx = '' || '' || '{article.idx}';
    window.biz = '' || '{article.biz_b64}';
    window.item_show_type = '{show}' || '';
    window.real_item_show_type = '{show}' || '';
    window.mid = '' || '' || '{article.mid}';
    window.sn = '' || '' || '{article.sn}';
    window.ct = '{article.ct}' || '';
    window.msg_title = window.title = '{js_str(article.title)}' || '';
    window.appmsg_type = '{10002 if show == 8 else 9}' || '';
    window.appmsgid = '' || '' || '{article.mid}';
    window.user_uin = ('0' || '') * 1;
    window.alias = "{js_str(account.alias)}" || "";
    window.name = "{js_str(account.name)}";
</script>"""


def _follow_bar(account: c.WechatAccount) -> str:
    return f"""<div id="js_article_bottom_bar" class="bottom_bar_wrp js_temp_bottom_bar">
    <div class="wx_follow_media weui-flex weui-flex_align-center">
        <div class="wx_follow_hd"><span class="wx_follow_avatar"><img src="{account.avatar.url}" alt="" class="wx_follow_avatar_pic"></span></div>
        <div class="wx_follow_bd weui-flex__item">
            <div class="wx_follow_info">
                <div role="link" tabindex="0" class="wx_follow_nickname"><span class="nickNameSpan">{esc(account.name)}</span></div>
            </div>
        </div>
    </div>
</div>"""


def wechat_article_2024(article: c.WechatArticle) -> str:
    """The 2024+ template: a normal article (``#js_content``, ``h1#activity-name``) or an image share
    (``item_show_type`` 8: ``#js_article.share_content_page``, no ``#js_content``, pictures in cgiDataNew)."""
    account = c.WECHAT_BY_BIZ[article.biz]
    digest = esc(article.digest)
    head = f"""<meta name="description" content="{digest}">
<meta name="author" content="{esc(article.author)}">
<meta property="og:title" content="{esc(article.title)}" />
<meta property="og:url" content="{esc(article.path)}" />
<meta property="og:image" content="{esc(article.cover.url)}" />
<meta property="og:description" content="{digest}" />
<meta property="og:site_name" content="微信公众平台" />
<meta property="og:type" content="article" />
<meta property="og:article:author" content="{esc(article.author)}" />
<meta property="twitter:card" content="summary" />
<meta property="twitter:image" content="{esc(article.cover.url)}" />
<meta property="twitter:title" content="{esc(article.title)}" />
<meta property="twitter:creator" content="" />
<meta property="twitter:site" content="微信公众平台" />
<meta property="twitter:description" content="{digest}" />"""
    if article.show_type == 8:
        title_tag = "<title>\n</title>"  # filled by script, like the real page
        main = """<div id="js_article" class="share_content_page  ">
    <div class="share_content_page_hd" id="js_share_content_page_hd">
        <div class="img_swiper_area">
            <div id="img_swiper_placeholder" class="share_media_swiper_placeholder" aria-hidden="true" style="visibility: hidden">
                <div id="img_list" class="share_media"></div>
            </div>
        </div>
    </div>
    <div class="share_content_page_bd" id="js_base_container"></div>
</div>"""
    else:
        title_tag = f"<title>{esc(article.title)}</title>"
        main = f"""<div id="js_article" class="rich_media">
    <div class="rich_media_inner">
        <div id="page-content" class="rich_media_area_primary">
            <div class="rich_media_area_primary_inner">
                <div id="img-content" class="rich_media_wrp">
                    <h1 class="rich_media_title " id="activity-name">
                        {esc(article.title)}
                    </h1>
                    <div id="meta_content" class="rich_media_meta_list">
                        <span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" class="wx_tap_link js_wx_tap_highlight weui-wa-hotarea" id="js_name">{esc(account.name)}</a></span>
                        <em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>
                    </div>
{_album_tags(article)}                    <div class="rich_media_content js_underline_content autoTypeSetting24psection" id="js_content" style="visibility: hidden;">
                        {_article_body(article)}
                    </div>
                </div>
            </div>
        </div>
    </div>
</div>"""
    return f"""<!DOCTYPE html>
<html class="">
<head>
{_WX_HEAD}
{head}
{title_tag}
{_cgi_data_new(article, account)}
</head>
<body id="activity-detail" class="zh_CN wx_wap_page mm_appmsg">
{main}
{_follow_bar(account)}
{_window_vars(article, account)}
</body>
</html>
"""


def wechat_error(title: str, desc: str = "", extra: str = "", script: str = "") -> str:
    """The ``.weui-msg`` error template (HTTP 200, empty ``<title>``); ``extra`` goes below the text
    (buttons), ``script`` into an inline script."""
    desc_html = f'\n        <p class="weui-msg__desc">{esc(desc)}</p>' if desc else ""
    extra_html = f'\n    <div class="weui-msg__opr-area">\n        {extra}\n    </div>' if extra else ""
    script_html = f'\n<script type="text/javascript">\n    {script}\n</script>' if script else ""
    return f"""<!DOCTYPE html>
<html>
<head>
{_WX_HEAD}
<title></title>
<style>.weui-msg{{padding-top:36px;text-align:center}}.weui-msg__title{{font-size:20px;font-weight:400}}
.weui-msg__desc{{font-size:14px;color:#999}}</style>
</head>
<body id="activity-detail" class="zh_CN ">
<div class="weui-msg">
    <div class="weui-msg__icon-area"><i class="weui-icon-info weui-icon_msg"></i></div>
    <div class="weui-msg__text-area">
        <h2 class="weui-msg__title">
        {esc(title)}
        </h2>{desc_html}
    </div>{extra_html}
</div>{script_html}
</body>
</html>
"""


def wechat_deleted() -> str:
    return wechat_error(c.DELETED_TEXT, "如有疑问，请联系该公众号的运营者。")


def wechat_cancelled() -> str:
    """An article of a self-cancelled account (帐号自主注销)."""
    return wechat_error(c.CANCELLED_TEXT)


def wechat_cancelled_history() -> str:
    """The history (profile) page of a self-cancelled account: the profile wording, then the article one."""
    return wechat_error(c.CANCELLED_PROFILE_TEXT, c.CANCELLED_TEXT + "。")


MIGRATED_TITLE = "该公众号已迁移"
MIGRATED_DESC = "该公众号已迁移至新帐号，原帐号已回收。若需访问原文章链接，请点击下方按钮。"


def wechat_migrated(target: c.WechatArticle | None) -> str:
    """An old article of a migrated account; ``var transferTargetLink`` when the article moved too."""
    if target is None:
        return wechat_error(MIGRATED_TITLE, MIGRATED_DESC)
    return wechat_error(
        MIGRATED_TITLE, MIGRATED_DESC,
        extra='<a class="weui-btn weui-btn_primary" id="js_transfer_btn" href="javascript:;">访问文章</a>',
        script=(f"var transferTargetLink = '{target.path}';\n"
                "    document.getElementById('js_transfer_btn').onclick = function () "
                "{ location.href = transferTargetLink; };"))


def wechat_migrated_history() -> str:
    return wechat_error(MIGRATED_TITLE, "该公众号已迁移至新帐号，原帐号已回收。")


def wechat_captcha() -> str:
    """WeChat's anti-crawler page: retry later, NOT a deletion."""
    return wechat_error("环境异常", "当前环境异常，完成验证后即可继续访问。",
                        extra='<a id="js_verify" class="weui-btn weui-btn_primary">去验证</a>')


def wechat_expired() -> str:
    return wechat_error("链接已过期")


def audio_template(name: str, play_length: str) -> str:
    """``/cgi-bin/readtemplate?t=tmpl/audio_tmpl``: the player frame an ``<mpvoice>`` points at."""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title></title>
</head>
<body class="audio_tmpl">
<div class="audio_card" id="js_audio_card">
    <strong class="audio_card_title">{esc(name)}</strong>
    <span class="audio_card_length">{esc(play_length)}</span>
</div>
</body>
</html>
"""


def voice_mp3(fileid: str) -> bytes:
    """A few silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes each), fixed per id."""
    frame = b"\xff\xfb\x90\x64" + bytes(413)
    tag = hashlib.sha256(fileid.encode("ascii")).digest()
    return frame * 3 + frame[:-32] + tag


# --------------------------------------------------------------------------------------------------
# Weibo (m.weibo.cn JSON API and its SPA shell), Douyin shell

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weibo_time(moment: datetime) -> str:
    """``Thu Nov 19 09:30:00 +0800 2026`` (English names whatever the locale)."""
    return (f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
            f"{moment:%H:%M:%S} +0800 {moment.year}")


def _text_length(text_html: str) -> int:
    plain = re.sub(r"<[^>]+>", "", text_html)
    return sum(2 if ord(ch) > 127 else 1 for ch in plain)


def weibo_shell(account: c.WeiboAccount) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<meta name="format-detection" content="telephone=no">
<title>{esc(account.name)}的微博</title>
<script>
    var config = {{"env": "prod", "login": false, "st": "", "uid": ""}};
</script>
</head>
<body>
<div id="app"></div>
<script>
    /* the app loads this profile through /api/container/getIndex */
</script>
</body>
</html>
"""


def douyin_shell(account: c.DouyinAccount) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(account.name)}的抖音 - 抖音</title>
<meta name="description" content="{esc(account.name)}的抖音主页。">
</head>
<body>
<div id="root"></div>
<script id="RENDER_DATA" type="application/json"></script>
</body>
</html>
"""


def _weibo_user(account: c.WeiboAccount) -> dict[str, object]:
    return {
        "id": int(account.uid),
        "screen_name": account.name,
        "profile_image_url": account.avatar.url,
        "profile_url": f"/u/{account.uid}?uid={account.uid}&luicode=10000011&lfid=107603{account.uid}",
        "statuses_count": sum(1 for p in c.WEIBO_POSTS if p.uid == account.uid),
        "verified": True,
        "verified_type": 1,
        "verified_type_ext": 0,
        "verified_reason": account.verified_reason,
        "close_blue_v": False,
        "description": account.description,
        "gender": "m",
        "mbtype": 0,
        "urank": 36,
        "mbrank": 0,
        "follow_me": False,
        "following": False,
        "followers_count": account.followers,
        "follow_count": account.follow_count,
        "avatar_hd": account.avatar_hd.url,
        "like": False,
        "like_me": False,
    }


def weibo_profile(account: c.WeiboAccount) -> dict[str, object]:
    uid = account.uid
    return {"ok": 1, "data": {
        "avatar_guide": [],
        "userInfo": _weibo_user(account),
        "fans_scheme": f"/p/index?containerid=231051_-_fans_intimacy_-_{uid}&luicode=10000011&lfid=100505{uid}",
        "follow_scheme": f"/p/index?containerid=231051_-_followersrecomm_-_{uid}&luicode=10000011&lfid=100505{uid}",
        "tabsInfo": {"selectedTab": 1, "tabs": [
            {"id": 1, "tabKey": "profile", "must_show": 1, "hidden": 0, "title": "主页", "tab_type": "profile",
             "containerid": f"230283{uid}"},
            {"id": 2, "tabKey": "weibo", "must_show": 1, "hidden": 0, "title": "微博", "tab_type": "weibo",
             "containerid": f"107603{uid}", "apipath": "/profile/statuses", "url": "/index/my"},
        ]},
        "scheme": f"sinaweibo://userinfo?uid={uid}&type=uid&value={uid}&luicode=10000011&lfid=100505{uid}&v_p=42",
        "showAppTips": 0,
    }}


def _mblog(post: c.WeiboPost) -> dict[str, object]:
    account = c.WEIBO_BY_UID[post.uid]
    reposts, comments, attitudes = post.counts
    mblog: dict[str, object] = {
        "created_at": weibo_time(post.created),
        "id": post.mid,
        "idstr": post.mid,
        "mid": post.mid,
        "can_edit": False,
        "show_additional_indication": 0,
        "text": post.text,
        "textLength": _text_length(post.text),
        "source": post.source,
        "favorited": False,
        "pic_ids": [p.pid for p in post.pics],
    }
    if post.pics:
        first = post.pics[0]
        mblog.update({"thumbnail_pic": first.thumb.url, "bmiddle_pic": first.large.url,
                      "original_pic": first.large.url})
    mblog.update({
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": _weibo_user(account),
        "reposts_count": reposts,
        "comments_count": comments,
        "attitudes_count": attitudes,
        "pending_approval_count": 0,
        "isLongText": bool(post.long_text),
        "reward_exhibition_type": 0,
        "hide_flag": 0,
        "visible": {"type": 0, "list_id": 0},
        "mblogtype": 2 if post.pinned else 0,
        "more_info_type": 0,
        "extern_safe": 0,
        "content_auth": 0,
        "edit_config": {"edited": False},
        "bid": post.bid,
    })
    if post.pinned:
        mblog.update({"isTop": 1, "title": {"text": "置顶", "base_color": 1}})
    if post.pics:
        mblog["pics"] = [{
            "pid": p.pid, "url": p.thumb.url, "size": "orj360",
            "geo": {"width": p.thumb.width, "height": p.thumb.height, "croped": False},
            "large": {"size": "large", "url": p.large.url,
                      "geo": {"width": str(p.large.width), "height": str(p.large.height), "croped": False}},
        } for p in post.pics]
    if post.retweet_deleted:
        mblog["retweeted_status"] = {
            "created_at": weibo_time(post.created - timedelta(minutes=47)),
            "id": c.DELETED_ORIGINAL_MID, "idstr": c.DELETED_ORIGINAL_MID, "mid": c.DELETED_ORIGINAL_MID,
            "can_edit": False,
            "text": '抱歉，此微博已被作者删除。查看帮助：<a  href="/c/help/deleted"><span class="surl-text">网页链接</span></a>',
            "textLength": 46, "source": "", "favorited": False, "pic_ids": [], "is_paid": False,
            "user": None, "reposts_count": 0, "comments_count": 0, "attitudes_count": 0, "isLongText": False,
            "visible": {"type": 0, "list_id": 0}, "mblogtype": 0, "bid": c.mid_to_bid(c.DELETED_ORIGINAL_MID),
            "pic_num": 0,
        }
    mblog.update({"region_name": "发布于 云岚", "pic_num": len(post.pics)})
    return mblog


def _post_card(post: c.WeiboPost) -> dict[str, object]:
    return {
        "card_type": 9,
        "profile_type_id": f"{'proweibotop' if post.pinned else 'proweibo'}_{post.mid}",
        "itemid": f"107603{post.uid}_-_{post.mid}",
        "scheme": f"/status/{post.bid}?mblogid={post.bid}",
        "mblog": _mblog(post),
        "show_type": 0,
    }


def _group_card() -> dict[str, object]:
    return {"card_type": 11, "itemid": "", "show_type": 1, "card_group": [
        {"card_type": 4, "desc": "云岚热门话题", "scheme": "/p/index?containerid=100103type%3D1%26q%3D%E4%BA%91%E5%B2%9A"},
        {"card_type": 8, "title_sub": "#云岚冬季供暖#", "desc1": "1.2万讨论 36万阅读",
         "scheme": "/search?containerid=231522type%3D1%26q%3D%23%E4%BA%91%E5%B2%9A%E5%86%AC%E5%AD%A3%E4%BE%9B%E6%9A%96%23"},
    ]}


WEIBO_EMPTY = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}


def weibo_posts(account: c.WeiboAccount, since_id: str | None) -> dict[str, object]:
    """A post list page: page 1 without ``since_id``, page 2 with the ``since_id`` page 1 gave."""
    uid = account.uid
    first, second = c.weibo_posts_of(uid, 1), c.weibo_posts_of(uid, 2)
    if since_id is None:
        posts, next_id = first, (int(second[0].mid) if second else None)
    elif second and since_id == second[0].mid:
        posts, next_id = second, None
    else:
        posts, next_id = [], None
    if not posts:
        return WEIBO_EMPTY
    cards = []
    for post in posts:
        cards.append(_post_card(post))
        if post.mid == c.WEIBO_GROUP_CARD_AFTER:
            cards.append(_group_card())
    info: dict[str, object] = {"containerid": f"107603{uid}", "v_p": 42, "show_style": 1,
                               "total": len(first) + len(second)}
    if next_id is not None:
        info["since_id"] = next_id
    return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards,
                              "scheme": f"sinaweibo://cardlist?containerid=107603{uid}&type=uid&value={uid}&v_p=42",
                              "showAppTips": 0}}


def weibo_long_text(post: c.WeiboPost) -> dict[str, object]:
    reposts, comments, attitudes = post.counts
    return {"ok": 1, "data": {"ok": 1, "longTextContent": post.long_text, "reposts_count": reposts,
                              "comments_count": comments, "attitudes_count": attitudes}}


def to_json(data: object) -> bytes:
    """m.weibo.cn style: compact, non-ASCII as ``\\uXXXX``."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


# --------------------------------------------------------------------------------------------------
# Images: small palette PNGs drawn from a seed (same seed and size → same bytes)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@lru_cache(maxsize=256)
def png(seed: str, width: int, height: int) -> bytes:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    palette = digest[:12]  # four colours
    band_top, band_bottom = height // 3, height - height // 3
    square = 4 + digest[12] % max(1, width // 3), 2 + digest[13] % max(1, height // 4)
    step = 6 + digest[14] % 10
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(width):
            colour = 0
            if band_top <= y < band_bottom:
                colour = 2 if (x + y) // step % 2 else 1
            if square[0] <= x < square[0] + width // 5 and square[1] <= y < square[1] + height // 5:
                colour = 3
            row.append(colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", palette)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))


def image_png(image: c.Image) -> bytes:
    return png(image.seed, image.width, image.height)


# --------------------------------------------------------------------------------------------------
# WeChat album (合集) page and JSON, Sogou account search, MP back-office JSON


def wechat_json(data: object) -> bytes:
    """mp.weixin.qq.com style JSON: compact, UTF-8 (non-ASCII as is)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def album_page(album: c.Album) -> str:
    """The album HTML page: the first articles, ``var continue_flag = '1';`` when more exist (the demo's
    assumption of how the HTML page says so; the JSON pages carry ``continue_flag`` for sure)."""
    account = c.WECHAT_BY_BIZ[album.biz]
    articles = album.articles
    shown = articles[:c.ALBUM_HTML_COUNT]
    items = []
    for number, article in enumerate(shown, start=1):
        items.append(f"""        <li class="album__list-item js_album_item js_wx_tap_highlight wx_tap_cell" data-msgid="{article.mid}" data-itemidx="{article.idx}" data-link="{esc(article.path)}" data-title="{esc(article.title)}" data-pos_num="{number}">
            <div class="album__item-content">
                <div class="album__item-title-wrp"><span class="album__item-title">{esc(article.title)}</span></div>
                <div class="album__item-info"><span class="js_article_create_time album__item-info-item">{article.ct}</span></div>
            </div>
            <div class="album__item-img-wrp"><img class="album__item-img" src="{article.cover.url}" alt=""></div>
        </li>""")
    more = "1" if len(articles) > len(shown) else "0"
    return f"""<!DOCTYPE html>
<html>
<head>
{_WX_HEAD}
<title>{esc(album.title)}</title>
<style>.album__list{{list-style:none;padding:0}}.album__list-item{{display:flex;padding:12px 0}}</style>
</head>
<body id="js_album" class="zh_CN album_page">
<div class="album">
    <div class="album__head">
        <div class="album__label"><span class="album__label-title">{esc(album.title)}</span></div>
        <div class="album__author">
            <img class="album__author-avatar" src="{account.avatar.url}" alt="">
            <span class="album__author-name">{esc(account.name)}</span>
        </div>
        <div class="album__num js_album_num">{len(articles)}篇内容</div>
    </div>
    <ul class="album__list js_album_list">
{chr(10).join(items)}
    </ul>
    <div class="album__loading js_loading" style="display:none;">正在加载</div>
</div>
<script type="text/javascript">
    var biz = '{account.biz_b64}';
    var album_id = '{album.album_id}';
    var title = '{js_str(album.title)}';
    var continue_flag = '{more}';
    var reverse_continue_flag = '0';
</script>
</body>
</html>
"""


def album_json(album: c.Album, begin_msgid: str | None, begin_itemidx: str | None) -> dict[str, object]:
    """One JSON page: the articles after (begin_msgid, begin_itemidx), at most ALBUM_JSON_COUNT;
    a page holding one article gives it as a single object, not a list (a real quirk)."""
    articles = album.articles
    if begin_msgid is None:
        start = 0
    else:
        start = next((n + 1 for n, a in enumerate(articles)
                      if a.mid == begin_msgid and str(a.idx) == (begin_itemidx or "1")), len(articles))
    page = articles[start:start + c.ALBUM_JSON_COUNT]
    items = [{"title": a.title, "url": a.path, "msgid": a.mid, "itemidx": str(a.idx), "create_time": str(a.ct),
              "cover_img_1_1": a.cover.url, "item_show_type": str(a.show_type),
              "pos_num": str(articles.index(a) + 1)} for a in page]
    article_list: object = items[0] if len(items) == 1 else items
    return {"base_resp": {"ret": 0, "err_msg": "ok"}, "getalbum_resp": {
        "base_info": {"title": album.title, "nickname": c.WECHAT_BY_BIZ[album.biz].name,
                      "article_count": str(len(articles)), "is_first_screen": "1" if start == 0 else "0"},
        "article_list": article_list,
        "continue_flag": "1" if start + len(page) < len(articles) else "0",
        "reverse_continue_flag": "0",
    }}


def _red(text: str, query: str) -> str:
    """Sogou's highlight: the query inside ``<em><!--red_beg-->…<!--red_end--></em>``."""
    return esc(text).replace(esc(query), f"<em><!--red_beg-->{esc(query)}<!--red_end--></em>")


def sogou_search(query: str) -> str:
    """weixin.sogou.com ``type=1`` (account search) result page."""
    results = c.SOGOU_RESULTS if query == c.SOGOU_QUERY else ()
    items = []
    for n, r in enumerate(results):
        profile = esc(r.profile_path)
        items.append(f"""		<!-- a -->
		<li id="sogou_vr_11002301_box_{n}" d="{r.openid}">
<div class="gzh-box2">
<div class="img-box">
<a target="_blank" uigs="account_image_{n}" href="{profile}"><span></span><img src="{r.avatar.url}" onload="resizeImage(this,58,58)" onerror="errorHeadImage(this)"></a>
</div>
<div class="txt-box">
<p class="tit">
<a target="_blank" uigs="account_name_{n}" href="{profile}">{_red(r.name, query)}</a><i></i>
</p>
<p class="info">微信号：<label name="em_weixinhao">{esc(r.alias)}</label>
</p>
</div>
</div>
<dl>
<dt>功能介绍：</dt>
<dd>{_red(r.description, query)}</dd>
</dl>
<dl>
<dt>
<script>document.write(authname('2'))</script>认证：</dt>
<dd>{esc(r.agency)}</dd>
</dl>
<dl>
<dt>最近文章：</dt>
<dd>
<a target="_blank" uigs="account_article_{n}" href="{esc(r.article_path)}">{esc(r.article_title)}</a><span><script>document.write(timeConvert('{r.article_ct}'))</script></span>
</dd>
</dl>
</li>
		<!-- z -->""")
    empty = "" if results else f'\n<div class="no-sosuo">暂无与“{esc(query)}”相关的官方认证订阅号。</div>'
    return f"""<!doctype html>
<html>
<head>
    <meta http-equiv="X-UA-Compatible" content="IE=Edge">
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
    <meta content="width=device-width,initial-scale=1.0" id="vp" name="viewport">
    <title>{esc(query)}的相关微信公众号 – 搜狗微信搜索</title>
    <script>
        var oldQuery = "{js_str(query)}";
        var keywords_string = "{js_str(query)}";
        var now = {c.SOGOU_TIMESTAMP}000;
        function authname(type) {{ return type === '2' ? '微信' : ''; }}
        function timeConvert(ts) {{ var d = new Date(ts * 1000); return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate(); }}
    </script>
</head>
<body>
<div class="wrapper" id="wrapper">
<div class="news-box">
<ul class="news-list2">
{chr(10).join(items)}
</ul>{empty}
</div>
</div>
</body>
</html>
"""


MP_INVALID_SESSION = {"base_resp": {"ret": 200003, "err_msg": "invalid session"}}
MP_INVALID_ARGS = {"base_resp": {"ret": 200002, "err_msg": "invalid args"}}


def mp_searchbiz(query: str, begin: int, count: int, phase: c.Phase = c.PHASE_1) -> dict[str, object]:
    found = [a for a in c.WECHAT_ACCOUNTS if query and query in a.name and not phase.is_cancelled(a.biz)]
    return {"base_resp": {"ret": 0, "err_msg": "ok"},
            "list": [{"fakeid": a.biz_b64, "nickname": a.name, "alias": a.alias, "round_head_img": a.avatar.url,
                      "service_type": 1, "signature": a.description} for a in found[begin:begin + count]],
            "total": len(found)}


def mp_publish(account: c.WechatAccount, begin: int, count: int,
               phase: c.Phase = c.PHASE_1) -> dict[str, object]:
    """``appmsgpublish`` list: ``publish_page`` is a JSON string whose ``publish_info`` are JSON strings.
    Deleted articles stay listed (``is_deleted``), those deleted since phase 1 too."""
    pushes = c.pushes_of(account.biz, phase, with_removed=True)
    publish_list = []
    for number, push in enumerate(pushes):
        if not begin <= number < begin + count:
            continue
        info = {"type": 9, "msgid": 1000000100 + len(pushes) - number, "new_publish": 1,
                "sent_info": {"time": push[0].ct, "is_published": 1},
                "appmsgex": [{
                    "aid": f"{a.mid}_{a.idx}", "appmsgid": int(a.mid), "itemidx": a.idx, "title": a.title,
                    "digest": a.digest, "link": a.path, "cover": a.cover.url, "author_name": a.author,
                    "create_time": a.ct, "update_time": a.ct, "item_show_type": a.show_type, "copyright_stat": 0,
                    "is_deleted": phase.is_deleted(a),
                    "album_id": c.ALBUM_OF[a.key].album_id if a.key in c.ALBUM_OF else "0"} for a in push]}
        publish_list.append({"publish_type": 101,
                             "publish_info": json.dumps(info, ensure_ascii=False, separators=(",", ":"))})
    page = {"total_count": len(pushes), "publish_count": len(pushes), "masssend_count": 0,
            "publish_list": publish_list}
    return {"base_resp": {"ret": 0, "err_msg": "ok"},
            "publish_page": json.dumps(page, ensure_ascii=False, separators=(",", ":"))}


# --------------------------------------------------------------------------------------------------
# Feeds (RSS 2.0 and Atom 1.0; links are relative paths, see content.Feed)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rss(channel: list[str], items: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
            "<channel>\n" + "\n".join(channel) + "\n" + "\n".join(items) + "\n</channel>\n</rss>\n")


def wechat2rss_feed(feed: c.Feed, phase: c.Phase = c.PHASE_1) -> str:
    """A wechat2rss-style bridge feed of one WeChat account."""
    account = c.WECHAT_BY_BIZ[c.FABU]
    articles = c.wechat2rss_items(phase)
    channel = [f"<title>{esc(account.name)}</title>",
               f"<link>{esc(account.history_path)}</link>",
               f"<description>{esc(account.description)}</description>",
               f'<atom:link href="{feed.path}" rel="self" type="application/rss+xml"/>',
               (f"<image><url>{account.avatar.url}</url><title>{esc(account.name)}</title>"
                f"<link>{esc(account.history_path)}</link></image>"),
               "<generator>wechat2rss</generator>", "<language>zh-cn</language>",
               f"<lastBuildDate>{format_datetime(phase.today)}</lastBuildDate>", "<ttl>60</ttl>"]
    items = []
    for a in articles:
        link = esc(c.feed_item_path(a))
        digest = "".join(f"<p>{esc(line)}</p>" for line in a.digest.split("\n"))
        items.append(f"""<item>
<title>{esc(a.title)}</title>
<link>{link}</link>
<guid isPermaLink="false">{link}</guid>
<pubDate>{format_datetime(a.published)}</pubDate>
<author>{esc(account.name)}</author>
<description>{_cdata(digest + f'<img src="{a.cover.url}" />')}</description>
</item>""")
    return _rss(channel, items)


def column_rss(feed: c.Feed) -> str:
    """The portal's own RSS of its 通知公告 column."""
    channel = [f"<title>{esc(feed.title)}</title>", f"<link>{c.COLUMN_PATH}</link>",
               "<description>云岚市人民政府通知公告</description>", "<language>zh-cn</language>",
               f'<atom:link href="{feed.path}" rel="self" type="application/rss+xml"/>',
               f"<lastBuildDate>{format_datetime(c.GOV_NOTICES[0].published)}</lastBuildDate>"]
    items = []
    for n in c.notice_feed_items(feed):
        items.append(f"""<item>
<title>{esc(n.title)}</title>
<link>{n.path}</link>
<guid>{n.path}</guid>
<pubDate>{format_datetime(n.published)}</pubDate>
<category>{esc(n.genre)}</category>
<description>{esc(n.paragraphs[0])}</description>
</item>""")
    return _rss(channel, items)


def qx_atom(feed: c.Feed) -> str:
    notices = c.notice_feed_items(feed)
    entries = []
    for n in notices:
        entries.append(f"""  <entry>
    <title>{esc(n.title)}</title>
    <link rel="alternate" type="text/html" href="{n.path}"/>
    <id>tag:{c.SITE_DOMAIN},{ymd(n.published)}:{n.path}</id>
    <published>{n.published.isoformat()}</published>
    <updated>{n.published.isoformat()}</updated>
    <author><name>{esc(n.publisher)}</name></author>
    <summary type="text">{esc(n.paragraphs[0])}</summary>
  </entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <title>{esc(feed.title)}</title>
  <subtitle>云岚市气象台发布的气象灾害预警信号</subtitle>
  <link rel="self" type="application/atom+xml" href="{feed.path}"/>
  <id>tag:{c.SITE_DOMAIN},2026:/qxj/yjxx/</id>
  <updated>{notices[0].published.isoformat()}</updated>
  <author><name>云岚市气象台</name></author>
{chr(10).join(entries)}
</feed>
"""


# --------------------------------------------------------------------------------------------------
# Toutiao shell (JS-rendered, like Douyin)

def toutiao_shell(account: c.ToutiaoAccount) -> str:
    scripts = "\n".join(f'<script src="{path}" crossorigin="anonymous"></script>' for path in c.TOUTIAO_BUNDLES)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(account.name)}的个人主页 - 今日头条(www.toutiao.com)</title>
<meta name="keywords" content="{esc(account.name)},今日头条">
<meta name="description" content="{esc(account.name)}的个人主页">
</head>
<body>
<div id="root"></div>
{scripts}
</body>
</html>
"""


def toutiao_bundle(path: str) -> str:
    return f"/* {path.rsplit('/', 1)[-1]}: the demo's stand-in for a Toutiao JS bundle (renders #root) */\n"
