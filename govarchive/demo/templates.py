"""Page bodies of the demo web, built from :mod:`govarchive.demo.content`.

Our own markup, shaped like the real pages (platforms.md §1.2-1.4, §2.2-2.4, §4): GBK portal pages
with the national gov meta tags, WeChat history/article/error pages, m.weibo.cn JSON, shells for
Weibo and Douyin SPAs, and small PNG images. Every link is relative: bodies never name the port.
Functions return ``str`` (HTML, encoded by the server), ``dict`` (JSON) or ``bytes`` (PNG).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import struct
import zlib
from datetime import datetime, timedelta
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
</style>"""


def _gov_page(title: str, metas: list[tuple[str, str]], body: str, charset_tag: str = '<meta charset="gbk">',
              position: str = "") -> str:
    meta_html = "\n".join(f'<meta name="{name}" content="{esc(value)}">' for name, value in metas)
    crumbs = f'<div class="position">当前位置：<a href="/">首页</a>{position}</div>' if position else ""
    return f"""<!DOCTYPE html>
<html>
<head>
{charset_tag}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
{meta_html}
{_GOV_STYLE}
</head>
<body>
<div class="top"><div class="w1200"><span class="site-logo">{esc(c.SITE_NAME)}</span></div></div>
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
    body = f"""<div class="lm-title"><span>政务新媒体</span></div>
<div class="xmt-intro">根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》要求，现将我市政务新媒体名录公布如下（按主办单位排列，动态更新）。</div>
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
    return _gov_page("通知公告_" + c.SITE_NAME, metas, body,
                     charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                     position=' &gt; <a href="/xxgk/tzgg/">通知公告</a>')


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
    metas = _column_metas("通知公告", "云岚市人民政府通知公告", "通知,公告,通报") + [
        ("ArticleTitle", notice.title), ("PubDate", published.strftime("%Y-%m-%d %H:%M:%S")),
        ("ContentSource", notice.publisher), ("Keywords", notice.genre), ("Author", notice.publisher),
        ("Description", notice.paragraphs[0][:60])]
    return _gov_page(notice.title + "_" + c.SITE_NAME, metas, body,
                     charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                     position=' &gt; <a href="/xxgk/tzgg/">通知公告</a> &gt; <span>正文</span>')


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
        "source_url": "",
        "del_flag": 1,
        "fileid": 0,
        "item_show_type": 0,
    }


def msg_list(account: c.WechatAccount) -> dict[str, object]:
    """The ``msgList`` object of an account's history page (newest push first)."""
    entries = []
    pushes = c.pushes_of(account.biz)
    for number, push in enumerate(pushes):
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


def wechat_history(account: c.WechatAccount) -> str:
    data = json.dumps(msg_list(account), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    alias = f'\n          <p class="profile_account">微信号: {esc(account.alias)}</p>' if account.alias else ""
    tips = "仅显示最近10条群发" if c.articles_of(account.biz) else "该公众号暂未发布群发消息"
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
    target = c.ARTICLES_BY_KEY[block.target]
    return (f'<p style="line-height: 1.75em;"><a target="_blank" href="{esc(target.path)}" '
            f'textvalue="{esc(block.text)}" data-itemshowtype="0" tab="innerlink" data-linktype="2">'
            f'<span style="font-size: 14px;">{esc(block.text)}</span></a></p>')


def _article_body(article: c.WechatArticle) -> str:
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
                <div class="rich_media_content " id="js_content"{content_style}>
                    {_article_body(article)}
                </div>
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
    var msg_source_url = '';
    var copyright_stat = "0" * 1;
    var _copyright_stat = "0";
</script>
</body>
</html>
"""


def wechat_error(title: str, desc: str = "") -> str:
    """The ``.weui-msg`` error template (HTTP 200, empty ``<title>``)."""
    desc_html = f'\n        <p class="weui-msg__desc">{esc(desc)}</p>' if desc else ""
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
    </div>
</div>
</body>
</html>
"""


def wechat_deleted() -> str:
    return wechat_error("该内容已被发布者删除", "如有疑问，请联系该公众号的运营者。")


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
