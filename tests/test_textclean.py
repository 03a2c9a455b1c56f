"""Clean Chinese text: spam, jammer, ruby residue and boilerplate apart; normalisation for detection."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from govarchive.core.textclean import RUBY, clean, normalise
from govarchive.pages.base import element_text, html_text

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def test_ruby_residue_is_stripped_and_reported():
    result = clean("本账號(hào)將於數(shù)據(jù)遷移後停止更新。")
    assert result.text == "本账號將於數據遷移後停止更新。"
    assert ("ruby", "(hào)") in result.removed and ("ruby", "(shù)") in result.removed


def test_prepended_spam_title_line_is_dropped():
    text = "亚洲A∨无码一区二区三区,日日做A爰片\n关于“石渠发布”停止更新的公告\n本号将于2025年3月1日起停止更新。"
    result = clean(text, "关于“石渠发布”停止更新的公告")
    assert result.text.splitlines()[0] == "关于“石渠发布”停止更新的公告"
    assert result.removed[0][0] == "spam_line"


def test_stuffed_gambling_phrase_is_removed_everywhere_but_a_peninsula_is_not_spam():
    text = ("为落实检查指标亚博的官网地址是多少、监管工作要求亚博的官网地址是多少，各单位要对照检查亚博的官网地址是多少。"
            "山东半岛城市群协同发展。")
    result = clean(text, "关于做好检查工作的通知")
    assert "亚博" not in result.text
    assert "山东半岛城市群协同发展" in result.text
    assert ("spam_phrase", "亚博的官网地址是多少") in result.removed


def test_discuz_jammer_runs_go_but_number_rows_stay():
    text = "本站将停止更新! B8 J, F8 U( u' s( L) e& y6 G9 H; S! V8 p\n第1 2 3 4 5 6页"
    result = clean(text)
    assert result.text.splitlines() == ["本站将停止更新", "第1 2 3 4 5 6页"]
    assert result.removed[0][0] == "jammer"


def test_boilerplate_is_separated_not_lost():
    text = "点击蓝字关注我们\n正文第一段。\n长按二维码识别关注\n责任编辑：王五\n审核：赵六"
    result = clean(text)
    assert result.text == "正文第一段。"
    assert result.boilerplate == ["点击蓝字关注我们", "长按二维码识别关注", "责任编辑：王五", "审核：赵六"]


def test_normalise_reads_taiwan_conversions_as_mainland_words_and_leaves_simplified_alone():
    assert normalise("本帳號將於２０２４年停止釋出資訊並啟動登出程式，今後可登入網站") == \
        "本账号将于2024年停止发布信息并启动注销程序，今后可登录网站"
    assert normalise("启动注销程序") == "启动注销程序"  # tw2sp would make 程序 a 进程: only Traditional text is converted


def test_hidden_elements_are_not_page_text():
    fragment = ('<div id="js_content" style="visibility: hidden;"><p>正文<font class="jammer">x7 J, q</font>内容</p>'
                '<span style="display:none">隐藏</span><p hidden>也隐藏</p></div>')
    assert html_text(fragment) == "正文内容"  # WeChat's own visibility:hidden body is read


def test_an_element_of_a_parsed_page_reads_as_its_html_would():
    """element_text walks the page's own tree: the same text as writing the element out and reading that."""
    page = Selector(text=(
        "<html><head><title>t</title><style>p{}</style></head><body> 头部<!-- 注释 -->"
        "<div class='main'><h1>标题</h1>文字<b>加粗</b>尾巴<script>var x=1;</script><p>第一段<br>换行"
        "<span style='display:none'>隐藏</span>后文</p><table><tr><td>单元格</td><td>二</td></tr></table>"
        "<p hidden>也隐藏</p><ul><li>一</li><li>二　三</li></ul></div>结尾 </body></html>"))
    for node in (*page.css("body"), *page.css("div.main"), *page.css("p"), *page.css("li")):
        assert element_text(node.root) == html_text(node.get())
    assert element_text(page.css("body")[0].root) == "头部\n标题\n文字加粗尾巴\n第一段\n换行后文\n单元格二\n一\n二 三\n结尾"
    assert element_text(page.css("p")[1].root) == ""  # hidden itself


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_ruby_sample_reads_clean():
    text = (SAMPLES / "ruby_annotation_converter_artifacts_wechat_migration_text.txt").read_text(encoding="utf-8")
    result = clean(text)
    assert "(hào)" not in result.text and not RUBY.search(result.text)
    assert "微信號(可選)" in result.text  # a real parenthesis stays
    assert "公众号账号代迁移服务" in normalise(result.text)
