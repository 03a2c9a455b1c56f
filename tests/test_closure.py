"""The closure detector: notices, reports, named accounts, effective dates and successors."""

from __future__ import annotations

from pathlib import Path

import pytest

from govarchive.closure import detect
from govarchive.demo import content as demo
from govarchive.evaluation import DEFAULT_SET, evaluate, load_cases

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def targets(finding):
    return {(t.name, t.platform) for t in finding.targets}


def by_name(detection):
    return {f.account_name: f for f in detection.findings}


def test_own_notice_with_several_targets_and_an_office():
    text = ("尊敬的用户：本公众号将于2025年3月1日起停止更新并启动注销程序。相关服务迁移至“青禾发布”微信公众号"
            "和「青禾县人民政府」网站，线下业务可到青禾县政务服务中心（青禾县人民路1号）办理。感谢大家一直以来的关注！")
    found = detect(text, "关于“青禾人社”微信公众号停止更新的公告", "青禾人社", "wechat", "2025-02-20")
    assert found.label == "notice" and len(found.findings) == 1
    finding = found.findings[0]
    assert finding.account_name is None and finding.kind == "closure" and finding.effective_at == "2025-03-01"
    assert targets(finding) == {("青禾发布", "wechat"), ("青禾县人民政府", "website"), ("青禾县政务服务中心", "office")}
    assert finding.targets[0].scope == "相关服务"


@pytest.mark.parametrize("sentence, expected", [
    ("关注资讯可登录「富平县人民政府网站」。", ("富平县人民政府网站", "website")),
    ("今后可登录「富平自然资源」。", ("富平自然资源", "wechat")),  # no platform word: the closing account's
    ("相关交通安全问题请移步‘淄博交警’相关账号。", ("淄博交警", "wechat")),
    ("全部业务、功能将迁移至“南京食药监”微信公众号。", ("南京食药监", "wechat")),
    ("今后请关注@石渠发布 获取最新资讯。", ("石渠发布", "weibo")),
    ("相关信息资讯、公示、公告等内容并入属地政府网站。", ("属地政府网站", "website")),
    ("招聘信息今后将在其他平台推送。", ("", "unspecified")),
])
def test_successor_phrases(sentence, expected):
    found = detect(f"本公众号自即日起停止更新。{sentence}", "停更公告", "某账号", "wechat", "2024-05-01")
    assert found.label == "notice"
    assert expected in targets(found.findings[0])


def test_legal_basis_documents_are_not_successors():
    text = ("根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）要求，"
            "本账号将于2024年6月1日起关停。")
    found = detect(text, "关停公告", "青禾教育", "douyin", "2024-05-20")
    assert found.label == "notice" and found.findings[0].targets == []
    assert found.findings[0].effective_at == "2024-06-01"


def test_traditional_repost_with_taiwan_vocabulary_is_read():
    text = "本帳號將於2024年4月15日起停止釋出資訊，並啟動登出程式。今後可登入「富平縣人民政府網站」。"
    found = detect(text, "關於登出帳號的公告", "富平发布", "wechat", "2024-04-10")
    assert found.label == "notice" and found.findings[0].kind == "closure"
    assert ("富平县人民政府网站", "website") in targets(found.findings[0])


@pytest.mark.parametrize("title, text", [
    ("关于办理户口迁移的温馨提示", "因工作调整，户口迁移业务自2024年5月1日起迁移至区政务服务中心办理，原派出所窗口停止办理。"),
    ("营业执照注销指南", "企业简易注销登记可通过“一网通办”平台办理，注销后公众号等账号需另行处理。"),
    ("关于停水的通知", "因管网改造，2024年3月2日起临江片区停水，请市民关注“临江水务”微信公众号获取最新信息。"),
    ("2024年第一季度政务新媒体检查情况通报", "“青禾环保”微信公众号超过2周未更新，请相关单位对功能相近的账号予以关停整合。"),
])
def test_other_senses_and_bulletins_are_not_notices(title, text):
    assert detect(text, title, "青禾发布", "wechat", "2024-03-01").label == "other"


def test_the_demo_portal_batch_notice_names_every_account_with_its_own_fate():
    notice = demo.NOTICES_BY_PATH[demo.CLOSURE_NOTICE_PATH]
    found = detect("\n".join(notice.paragraphs), notice.title, demo.SITE_OWNER, "website",
                   notice.published.date().isoformat())
    assert found.label == "notice"
    findings = by_name(found)
    assert set(findings) == {c.name for c in demo.CLOSED_ACCOUNTS}
    kinds = {"class": True, "website": True, "office": True, "account": True, "none": True}
    for closed in demo.CLOSED_ACCOUNTS:
        finding = findings[closed.name]
        assert finding.platform == closed.platform and finding.kind == "closure"
        assert kinds[closed.successor_kind]
        named = {t.name for t in finding.targets}
        if closed.successor_kind == "none":
            assert {t.platform for t in finding.targets} == {"unspecified"}
        elif closed.successor_kind == "office":
            assert closed.successor.split("（")[0] in named
        else:
            assert closed.successor in named
    assert findings["云岚青山街道"].effective_at == "2026-10-01"
    assert findings["桐溪镇发布"].effective_at == "2026-09-15"  # 自即日起: the announcement's date


def test_the_demo_supervision_bulletin_is_not_a_notice():
    bulletin = next(n for n in demo.GOV_NOTICES if "通报" in n.title)
    assert detect("\n".join(bulletin.paragraphs), bulletin.title, demo.SITE_OWNER, "website").label == "other"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_news_report_of_traffic_police_closures():
    text = (SAMPLES / "closure_notice_text_shandong_jiaojing_douyin_2024.txt").read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    found = detect(body, title, "上游新闻", "website", "2024-03-12")
    assert found.label == "report"  # about others' closures: never a notice of the page's own account
    findings = by_name(found)
    assert findings["临淄交警"].platform == "douyin" and findings["临淄交警"].kind == "closure"
    assert targets(findings["临淄交警"]) == {("淄博交警", "douyin")}
    assert "莒南交警" in findings


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_news_report_of_school_accounts_keeps_the_quoted_notice_and_its_targets():
    text = (SAMPLES / "closure_notice_text_zhangjiagang_school_wechat_2024.txt").read_text(encoding="utf-8")
    found = detect(text, None, "苏州日报", "website", "2024-04-28")
    assert found.label == "report"
    finding = by_name(found)["张家港市机关幼儿园"]
    assert finding.platform == "wechat" and finding.kind == "closure" and finding.effective_at == "2024-04-15"
    assert targets(finding) == {("张家港教育信息化公共服务平台", "website"), ("张家港教育", "wechat"),
                                ("张家港教育", "video_channel"), ("张家港市机关幼儿园", "website")}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_account_migration_service_advert_is_not_a_notice():
    text = (SAMPLES / "ruby_annotation_converter_artifacts_wechat_migration_text.txt").read_text(encoding="utf-8")
    assert detect(text, None, "某建站公司", "website").label == "other"


def test_labelled_set_meets_the_targets():
    report = evaluate(load_cases(DEFAULT_SET))
    assert report.labels.get("notice", 0) >= 40 and report.labels.get("report", 0) + report.labels.get("other", 0) >= 20
    assert report.meets_targets(), "\n".join(report.lines())
