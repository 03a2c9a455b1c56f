"""Government sites by content system (Hanweb jpage, TRS WCM), lists from scripts, pagers, article
headers in all their layouts, and any page as a post: against fixtures of our own (tests/fixtures/cms,
tests/fixtures/generic), written in the shapes real pages have (docs/platforms.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from govarchive.core.items import Link
from govarchive.crawl.spider import ArchiveSpider
from govarchive.pages import PageInput, cms, extract, page_class_for
from govarchive.pages.govfields import choose_published, info_fields, title_without_site
from govarchive.pages.listitems import script_items
from govarchive.pages.pagers import numbered_links
from govarchive.pages.trs import create_page_links

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
HTML = "text/html; charset=utf-8"


def page(url: str, fixture: str | bytes, ctype: str = HTML) -> PageInput:
    body = fixture if isinstance(fixture, bytes) else (FIXTURES / fixture).read_bytes()
    return PageInput(url, 200, (("Content-Type", ctype),), body, "urn:uuid:fixture", FETCHED)


def run(url: str, fixture: str | bytes, ctype: str = HTML):
    return extract(page(url, fixture, ctype))


def listing(result) -> list[Link]:
    return [link for link in result.links if link.kind == "listing"]


# --- Hanweb jpage ----------------------------------------------------------------------------------------

HANWEB = "http://www.tongxi.gov.cn/col/col1201/index.html"  # one record links the https site


def test_hanweb_column_reads_its_datastore_records():
    result = run(HANWEB, "cms/hanweb-column.html")
    account = result.accounts[0]
    assert account.id == "website:" + HANWEB and account.name == "政务动态" and account.authoritative
    posts = {p.url.rsplit("_", 1)[1]: p for p in result.posts}
    # the column's own records; the PDF download and the side list of another column (1209) are left out
    assert set(posts) == {"40061.html", "40055.html", "40048.html", "40039.html", "40030.html"}
    assert all(p.account_id == account.id and p.state == "listed" for p in posts.values())
    assert posts["40055.html"].title == "关于2027年元旦期间道路交通安全提示的通告（第1号）"  # the full title attribute
    assert posts["40048.html"].title == "县领导调研桐溪镇人居环境整治工作"  # no title attribute: the text
    assert posts["40048.html"].published_at == "2026-11-03T00:00:00+08:00"  # "[2026-11-03]"
    assert account.last_post_at == "2026-11-18T00:00:00+08:00"


def test_hanweb_column_asks_the_proxy_for_the_other_groups_as_its_script_would():
    links = listing(run(HANWEB, "cms/hanweb-column.html"))
    # totalRecord 15, perPage 3 × groupSize 2: records 1-6 are in the page, 7-12 and 13-18 are POSTed for
    assert [link.url for link in links] == [
        "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=3",
        "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=18&perpage=3"]
    for link in links:
        assert link.method == "POST" and ("X-Requested-With", "XMLHttpRequest") in link.headers
        form = {k: v[0] for k, v in parse_qs(link.body.decode("ascii")).items()}
        assert form == {"col": "1", "appid": "1", "webid": "7", "path": "/", "columnid": "1201",
                        "sourceContentType": "1", "unitid": "5120", "webname": "桐溪县人民政府", "permissiontype": "0"}


def test_hanweb_options_written_inline_and_the_nextgroup_link_without_them():
    body = (FIXTURES / "cms/hanweb-column.html").read_text("utf-8")
    inline = body.replace("ajaxParam: param_5120,", "ajaxParam: {col:1,webid:'7',columnid:'1201',unitid:'5120'},")
    inline = inline.replace("var param_5120", "var unused_5120")
    link = listing(run(HANWEB, inline.encode()))[0]
    assert parse_qs(link.body.decode()) == {"col": ["1"], "webid": ["7"], "columnid": ["1201"], "unitid": ["5120"]}
    # a page whose script gives no parameters: the datastore's own <nextgroup> link (a GET)
    bare = body.split('<script type="text/javascript">\nvar param_5120')[0] + "</div></body></html>"
    links = listing(run(HANWEB, bare.encode()))
    assert [(link.method, link.url) for link in links] == [(
        "GET", "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7&path=/&columnid=1201"
               "&unitid=5120&webname=%E6%A1%90%E6%BA%AA&permissiontype=0")]


def test_a_dataproxy_answer_is_a_listing_of_the_column_its_records_name():
    url = "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=3"
    found = page(url, "cms/hanweb-dataproxy.xml", "text/xml;charset=UTF-8")
    assert page_class_for(found).__name__ == "HanwebDataProxyPage"
    result = extract(found)
    assert result.page_state == "ok" and result.accounts[0].id == "website:" + HANWEB
    assert [p.title for p in result.posts] == ["桐溪县举行2026年国庆升旗仪式", "桐溪县召开安全生产专项整治推进会",
                                               "桐溪县第三届农民丰收节开幕"]
    assert {p.account_id for p in result.posts} == {"website:" + HANWEB}
    assert [link.kind for link in result.links] == ["post"] * 3  # the POST form does not chain: all were asked


def test_the_get_form_chains_to_the_next_page_while_the_answer_says_there_are_more():
    base = "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?page={}&appid=1&webid=7&path=/&columnid=1201"
    result = run(base.format(2), "cms/hanweb-dataproxy-page.xml", "text/html")
    assert result.accounts[0].id == "website:" + HANWEB and len(result.posts) == 2
    assert [link.url for link in listing(result)] == [
        "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?page=3&appid=1&webid=7&path=/&columnid=1201"
        "&unitid=5120&permissiontype=0"]
    assert not listing(run(base.format(3), "cms/hanweb-dataproxy-page.xml"))  # page 3 of 3: the end


def test_an_empty_or_broken_dataproxy_answer_is_recorded_not_raised():
    url = "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=3"
    assert run(url, b"<datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>").page_state == "empty"
    assert run(url, b"<html><body>System busy</body></html>").page_state == "unparsed"
    assert run(url, b"<datastore><recordset><record><![CDATA[<li><a href=").page_state in ("empty", "unparsed")


def test_hanweb_columns_and_articles_under_a_site_path_meet_on_one_account():
    article = run("http://www.yunlan.gov.cn/sthjj/art/2026/11/3/art_3104_88217.html", b"""<html><head>
        <meta name="ArticleTitle" content="x"></head><body><div id="zoom">x</div></body></html>""")
    assert article.posts[0].account_id == "website:http://www.yunlan.gov.cn/sthjj/col/col3104/index.html"


# --- TRS WCM -----------------------------------------------------------------------------------------------


def test_trs_pages_come_from_create_page_html_and_only_the_columns_articles_are_listed():
    url = "http://www.linjiang.gov.cn/zwgk/qzfwj/index_1.shtml"
    result = run(url, "cms/trs-column.shtml")
    assert [link.url for link in listing(result)] == [
        "http://www.linjiang.gov.cn/zwgk/qzfwj/index.shtml", "http://www.linjiang.gov.cn/zwgk/qzfwj/index_2.shtml",
        "http://www.linjiang.gov.cn/zwgk/qzfwj/index_3.shtml"]
    assert [p.url for p in result.posts] == [  # another column's document and a PDF are left out
        "http://www.linjiang.gov.cn/zwgk/qzfwj/202608/t20260817_66120.shtml",
        "http://www.linjiang.gov.cn/zwgk/qzfwj/202607/t20260721_65873.shtml"]
    assert result.accounts[0].id == "website:http://www.linjiang.gov.cn/zwgk/qzfwj/"


@pytest.mark.parametrize("script, here, pages", [
    ('createPageHTML(4, 0, "index", "html");', "index.html", ["index_1.html", "index_2.html", "index_3.html"]),
    ("var countPage = 3//共多少页\nvar currentPage = 1;\ncreatePageHTML(countPage, currentPage, 'index', 'htm');",
     "index_1.htm", ["index.htm", "index_2.htm"]),
    ("createPageHTML('page_div', 3, 2, 'list', 'shtml', 41);", "list_2.shtml", ["list.shtml", "list_1.shtml"]),
    ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {}", "index.html", []),  # its definition
    ('createPageHTML(1, 0, "index", "html");', "index.html", []),  # one page
])
def test_create_page_html_variants(script, here, pages):
    links = create_page_links(f"<script>{script}</script>", "http://www.example.gov.cn/xxgk/tzgg/" + here)
    assert [link.url.rsplit("/", 1)[1] for link in links] == pages


def test_a_folder_url_is_the_first_page_of_its_column():
    links = create_page_links('<script>createPageHTML(3, 0, "index", "html");</script>',
                              "http://www.example.gov.cn/xxgk/tzgg/")
    assert [link.url.rsplit("/", 1)[1] for link in links] == ["index_1.html", "index_2.html"]


# --- lists from scripts and pagers without 下一页 ---------------------------------------------------------

COLUMN = "http://www.example.gov.cn/xxgk/gsgg/"


def test_list_items_from_a_javascript_array_of_objects_and_of_arrays():
    script = """var listData = [
      {"title": "关于2026年度部门决算公开的公告", "url": "./202609/t20260930_5521.html", "time": "2026-09-30"},
      {title: '云岚市2026年\\u7b2c三季度政务公开工作情况', url: './202609/t20260921_5502.html', time: '2026-09-21'},
      {title: "另一栏目的文件", url: "../tzgg/202609/t20260911_5480.html", time: "2026-09-11"}
    ];
    var old = [["./202608/t20260828_5431.html", "关于征集2027年民生实事项目建议的公告", "2026-08-28"]];"""
    belongs = lambda url: url.startswith(COLUMN) and "/t2026" in url  # noqa: E731
    items = script_items([script], COLUMN, belongs)
    assert [(i.url.rsplit("_", 1)[1], i.title, i.published_at[:10]) for i in items] == [
        ("5521.html", "关于2026年度部门决算公开的公告", "2026-09-30"),
        ("5502.html", "云岚市2026年第三季度政务公开工作情况", "2026-09-21"),
        ("5431.html", "关于征集2027年民生实事项目建议的公告", "2026-08-28")]


def test_a_column_rendered_from_a_script_is_read_by_the_column_page():
    body = """<html><head><meta name="ColumnName" content="公示公告"></head><body><ul id="list"></ul><script>
      var docs = [{title:"云岚市2026年第二批市级文明单位拟表彰名单公示",url:"./202611/t20261105_6001.html",time:"2026-11-05"}];
      for (var i = 0; i < docs.length; i++) { document.write('<li>' + docs[i].title + '</li>'); }
    </script></body></html>"""
    result = run(COLUMN, body.encode())
    assert [(p.title, p.published_at[:10]) for p in result.posts] == [("云岚市2026年第二批市级文明单位拟表彰名单公示", "2026-11-05")]


def test_page_number_links_without_a_next_link():
    body = """<html><body><div class="pagination"><span>1</span><a href="index_1.html">2</a><a href="index_2.html">3</a>
      <a href="index_7.html">尾页</a><a href="/xxgk/">1</a><a href="../other/index_1.html">2</a>
      <a href="javascript:void(0)">4</a></div>
      <div class="p"><a href="list.jsp?cat_id=12&amp;cur_page=2">2</a></div></body></html>"""
    from parsel import Selector
    links = numbered_links(Selector(text=body), COLUMN + "index.html")
    assert [link.url for link in links] == [COLUMN + "index_1.html", COLUMN + "index_2.html", COLUMN + "index_7.html"]
    jsp = numbered_links(Selector(text=body), COLUMN + "list.jsp?cat_id=12&cur_page=1")
    assert [link.url for link in jsp] == [COLUMN + "list.jsp?cat_id=12&cur_page=2"]


# --- article headers, dates, sources, titles --------------------------------------------------------------


def test_label_elements_spaced_labels_and_the_visible_date_over_a_migrated_meta():
    result = run("http://www.yunlan.gov.cn/yltjj/tjgb/202603/5b1e0c9d2f3a4b6c8d7e9f0a1b2c3d4e.shtml",
                 "cms/article-label-layout.html")
    post = result.posts[0]
    assert post.attributes == {"索引号": "1153990000MB1234YL/2026-0001208", "发布机构": "云岚市统计局",
                               "生成日期": "2026-03-28", "公开方式": "主动公开", "发布日期": "2026-03-30 09:15:00",
                               "PubDate": "2025-11-03 16:20:31"}  # the meta's date, kept beside the shown one
    assert post.published_at == "2026-03-30T09:15:00+08:00"
    assert post.author == "云岚市统计局"  # 来源 shown empty and ContentSource empty: the 发布机构
    assert post.title == "云岚市2025年国民经济和社会发展统计公报"


def test_values_in_the_next_cell_without_colons():
    post = run("http://www.tongxi.gov.cn/zwgk/zcwj/202612/t20261220_8812.html", "cms/article-cells.html").posts[0]
    assert post.attributes == {"索引号": "1153992200MB5566TX/2026-00077", "发文机关": "桐溪县人民政府",
                               "成文日期": "2026年12月18日", "发文字号": "桐政通〔2026〕4号", "有效性": "有效",
                               "发布日期": "2026-12-20", "公开方式": "主动公开"}
    assert post.published_at == "2026-12-20T10:30:00+08:00" and post.author == "桐溪县人民政府办公室"


def test_labels_and_values_inline_in_list_items():
    post = run("http://www.yunlan.gov.cn/zwgk/bmwj/202608/t20260806_9120.html", "cms/article-li-layout.html").posts[0]
    assert post.attributes["索引号"] == "YL00108-3000-2026-00078" and post.attributes["有效性"] == "有效"
    assert post.attributes["发文机关"] == "云岚市财政局" and "标题" not in post.attributes
    assert post.published_at == "2026-08-06T08:41:00+08:00" and post.author == "云岚市财政局"  # 来源 shown only


def test_a_page_without_meta_tags_title_without_the_site_and_its_shown_source():
    post = run("http://www.linjiang.gov.cn/tzlj/tzzc/bdzc/202606/t20260612_77310.html",
               "cms/article-no-meta.html").posts[0]
    assert post.title == "临江区关于开展老旧小区加装电梯试点工作的实施意见"
    assert post.author == "临江区住建局" and post.published_at == "2026-06-12T00:00:00+08:00"
    assert "试点范围为2000年以前建成" in post.text and "版权所有" not in post.text  # the main text, not the frame


@pytest.mark.parametrize("meta, shown, expected, kept", [
    ("2023-05-16 12:34:10", ("2023-05-16T00:00:00+08:00", False), "2023-05-16T12:34:10+08:00", False),  # more precise
    ("2022-04-24 10:00:43", ("2017-05-15T10:49:00+08:00", True), "2017-05-15T10:49:00+08:00", True),  # migrated meta
    ("2024-04-09 09:04", ("2024-04-09T09:04:00+08:00", True), "2024-04-09T09:04:00+08:00", False),
    (None, ("2017-10-13T00:00:00+08:00", False), "2017-10-13T00:00:00+08:00", False),
    ("2025-03-21 17:12", None, "2025-03-21T17:12:00+08:00", False),
])
def test_choose_published(meta, shown, expected, kept):
    assert choose_published(meta, shown) == (expected, kept)


def test_title_without_site_keeps_what_the_page_shows():
    assert title_without_site("关于X的通知｜某某区人民政府", {"关于X的通知"}) == "关于X的通知"
    assert title_without_site("某某县人民政府 | 关于X的通知", set(), ("某某县人民政府",)) == "关于X的通知"
    assert title_without_site("2020-2021年度工作总结", set()) == "2020-2021年度工作总结"  # a hyphen is not a separator
    assert title_without_site("第五次经济普查公报（第一号）——综述_某市统计局", {"第五次经济普查公报（第一号）——综述"}) == \
        "第五次经济普查公报（第一号）——综述"


def test_spaced_labels_and_values_that_end_at_other_words():
    assert info_fields("索 引 号：YL-2026-01\n信息来源：云岚市统计局浏览次数：87\n发布日期：2017-10-13【浏览字号：大中小】") == {
        "索引号": "YL-2026-01", "信息来源": "云岚市统计局", "发布日期": "2017-10-13"}


# --- CMS recognition ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, body, family", [
    ("http://a.gov.cn/col/col12/index.html", b"<html></html>", "hanweb"),
    ("http://a.gov.cn/index.html", b"<script type='text/xml'><datastore></datastore></script>", "hanweb"),
    ("http://a.gov.cn/xxgk/202601/t20260105_9.html", b"<html></html>", "trs"),
    ("http://a.gov.cn/xxgk/", b"<script>createPageHTML(3, 0, 'index', 'html');</script>", "trs"),
    ("http://a.gov.cn/gkmlpt/content/post_1234.html", b"<html></html>", "gd"),
    ("http://a.gov.cn/x/202304/3f093ec317ba4609b241d0c79175c7cd.shtml", b"<html></html>", "jx"),
    ("http://a.gov.cn/about.html", b"<html><body>hello</body></html>", None),
])
def test_content_system_recognition(url, body, family):
    assert cms.family(page(url, body)) == family


# --- any page as a post --------------------------------------------------------------------------------------


def test_a_news_report_becomes_a_post_of_its_site_section():
    url = "https://www.ljwb.example.cn/city/2026-10/21/c_112301.html"
    found = page(url, "generic/news-article.html")
    assert page_class_for(found).__name__ == "GenericArticlePage"
    result = extract(found)
    account, post = result.accounts[0], result.posts[0]
    assert account.id == "website:https://www.ljwb.example.cn/city/" and account.name == "岚江晚报"
    assert post.id == "website:" + url and post.account_id == account.id and post.state == "ok" and post.kind == "page"
    assert post.title == "青山区整合3个街道政务公众号 服务入口统一到“青山发布”"
    assert post.published_at == "2026-10-21T06:40:00+08:00" and post.author == "岚江晚报记者 宋雨"
    assert "将于11月1日起停止更新" in post.text and "相关新闻" not in post.text and "版权所有" not in post.text
    assert post.summary == "青山区将3个街道政务微信公众号整合为一个服务入口。"


def test_list_pages_and_platform_pages_stay_pages():
    index = run("https://www.ljwb.example.cn/city/", "generic/news-index.html")
    assert index.page_state == "ok" and not index.posts and not index.accounts
    toutiao = page("https://www.toutiao.com/article/7301234567890123456/", "generic/news-article.html")
    assert page_class_for(toutiao).__name__ == "OtherPage" and not extract(toutiao).posts
    short = run("https://www.ljwb.example.cn/about.html", "<html><body><p>关于我们</p></body></html>".encode())
    assert not short.posts


def test_date_from_meta_without_json_ld_and_from_the_page():
    body = (FIXTURES / "generic/news-article.html").read_text("utf-8")
    without_ld = body.split('<script type="application/ld+json">')[0] + body.split("</script>", 1)[1]
    post = run("https://www.ljwb.example.cn/city/2026-10/21/c_112301.html", without_ld.encode()).posts[0]
    assert post.published_at == "2026-10-21T00:00:00+08:00"  # <meta name="publishdate">
    assert post.title == "青山区整合3个街道政务公众号 服务入口统一到“青山发布”"  # <title> without the paper's name
    assert post.author == "岚江晚报"  # the 来源 shown


# --- the crawl's requests ----------------------------------------------------------------------------------


def test_a_post_link_becomes_a_post_request_with_its_form():
    spider = ArchiveSpider(url="http://www.tongxi.gov.cn/col/col1201/index.html")
    link = Link("http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=3",
                "listing", headers=(("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),),
                method="POST", body=b"col=1&columnid=1201")
    request = spider.request_for(link)
    assert request.method == "POST" and request.body == b"col=1&columnid=1201"
    assert request.headers[b"Content-Type"].startswith(b"application/x-www-form-urlencoded")
    assert spider.request_for(Link("http://www.tongxi.gov.cn/art/2026/1/1/art_1201_1.html", "post")).method == "GET"


def test_a_list_of_cms_articles_without_the_meta_tags_is_a_column():
    body = """<html><head><title>工作动态</title></head><body><div class="nav"><a href="/">首页</a></div><ul>
      <li><a href="./202611/t20261118_7701.html">青山区召开冬季安全生产工作会议</a><span>2026-11-18</span></li>
      <li><a href="./202611/t20261110_7688.html">青山区开展消防安全进社区活动</a><span>2026-11-10</span></li>
      <li><a href="./202610/t20261029_7650.html">青山区完成秋季植树造林任务</a><span>2026-10-29</span></li>
      <li><a href="../tzgg/202610/t20261020_7630.html">另一栏目的通知</a><span>2026-10-20</span></li></ul>
      <div class="page"><a href="index_1.html">2</a></div></body></html>""".encode()
    result = run("http://www.qingshan.gov.cn/zwdt/gzdt/", body)
    assert result.accounts[0].id == "website:http://www.qingshan.gov.cn/zwdt/gzdt/" and len(result.posts) == 3
    assert [link.url for link in listing(result)] == ["http://www.qingshan.gov.cn/zwdt/gzdt/index_1.html"]
    one = body.replace(b'<li><a href="./202611/t20261110', b'<li><a href="../x/202611/t20261110')
    assert page_class_for(page("http://www.qingshan.gov.cn/zwdt/gzdt/", one.replace(
        b'<li><a href="./202610', b'<li><a href="../y/202610'))).__name__ != "GovColumnPage"


def test_a_page_that_claims_endless_records_or_pages_is_read_to_a_bound():
    from govarchive.pages.hanweb import MAX_GROUPS
    from govarchive.pages.trs import MAX_PAGES

    body = (FIXTURES / "cms/hanweb-column.html").read_text("utf-8").replace("totalRecord: 15,", "totalRecord: 999999999,")
    assert len(listing(run(HANWEB, body.encode()))) == MAX_GROUPS
    links = create_page_links('<script>createPageHTML(999999999, 0, "index", "html");</script>',
                              "http://www.example.gov.cn/xxgk/tzgg/")
    assert len(links) == MAX_PAGES - 1  # the page itself is not linked


def test_a_title_whose_heading_is_not_shown_loses_a_part_written_like_a_site_name():
    assert title_without_site("关于印发X办法的通知｜某某市某某区人民政府", set()) == "关于印发X办法的通知"
    assert title_without_site("某某县门户网站_关于Y的公告", set()) == "关于Y的公告"
