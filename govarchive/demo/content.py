"""The demo web's facts: the fictional city 云岚市, its agencies, accounts, posts and notices.

Plain data only (templates live in :mod:`govarchive.demo.templates`). Every id, date and text is
invented and fixed: the demo's "today" is 2026-11-20 (Asia/Shanghai). :data:`EXPECTED` sums up
the facts so that tests of other modules can check a crawl without hard-coding them.

The web has two phases (:data:`PHASES`): phase 1 is the web on ``TODAY``; phase 2 is the same web on
``LATER_TODAY`` (2026-12-15), after two WeChat accounts cancelled themselves, one article was deleted
and one was published (``EXPECTED["later"]`` sums up the difference).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
TODAY = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
LATER_TODAY = datetime(2026, 12, 15, 9, 0, tzinfo=CST)  # "today" of phase 2

SITE_NAME = "云岚市人民政府"
SITE_DOMAIN = "www.yunlan.gov.cn"
SITE_ID_CODE = "5399000021"
SITE_OWNER = "云岚市人民政府办公室"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()


def _alnum(seed: str, length: int) -> str:
    """A fixed pseudo-random run of letters and digits (the look of WeChat/Weibo media ids)."""
    raw = base64.b64encode(_digest(seed) + _digest(seed, 2) + _digest(seed, 3)).decode("ascii")
    return "".join(c for c in raw if c.isalnum())[:length]


# --------------------------------------------------------------------------------------------------
# Images: every image URL the demo serves, with the seed its PNG bytes are drawn from.
# Two URLs with the same seed and size serve identical bytes.


@dataclass(frozen=True)
class Image:
    path: str  # URL path (the query, e.g. ``?wx_fmt=png``, is added by the page that uses it)
    seed: str
    width: int
    height: int

    @property
    def url(self) -> str:
        return self.path + ("?wx_fmt=png" if self.path.startswith("/mmbiz_png/") else "")


IMAGES: dict[str, Image] = {}


def _image(path: str, seed: str, width: int = 120, height: int = 90,
           registry: dict[str, Image] | None = None) -> Image:
    """A served image, recorded in ``registry`` (default :data:`IMAGES`, the images of every phase)."""
    image = Image(path, seed, width, height)
    (IMAGES if registry is None else registry)[path] = image
    return image


def mmbiz(name: str, width: int = 120, height: int = 90, seed: str | None = None,
          registry: dict[str, Image] | None = None) -> Image:
    """A WeChat body/cover image ``/mmbiz_png/<id>/0`` (ids look like mmbiz.qpic.cn ones)."""
    return _image(f"/mmbiz_png/{_alnum('mmbiz:' + name, 64)}/0", seed or name, width, height, registry)


# --------------------------------------------------------------------------------------------------
# WeChat


@dataclass(frozen=True)
class WechatAccount:
    biz: str  # numeric account id (bizuin), the string of 10 digits
    gh_id: str
    alias: str  # 微信号; "" when the account has none
    name: str
    description: str  # 功能介绍
    agency: str  # 主办单位 / 帐号主体
    status: str  # what a crawl on TODAY should conclude: active, closing, dormant, zombie (a notice wins)

    @property
    def biz_b64(self) -> str:
        return base64.b64encode(self.biz.encode("ascii")).decode("ascii")

    @property
    def history_path(self) -> str:
        return f"/mp/profile_ext?action=home&__biz={self.biz_b64}&scene=124"

    @property
    def avatar(self) -> Image:
        return IMAGES[f"/mmhead/{_alnum('head:' + self.biz, 48)}/0"]


@dataclass(frozen=True)
class Sub:
    """A bold sub-heading paragraph."""

    text: str


@dataclass(frozen=True)
class Pic:
    image: Image
    ratio: str = "0.75"
    placeholder: bool = False  # a ``data:`` placeholder ``src`` besides ``data-src``


@dataclass(frozen=True)
class ArticleLink:
    """A paragraph linking another article (``a[data-linktype="2"]``)."""

    text: str
    target: str  # key of the linked article


@dataclass(frozen=True)
class Voice:
    """An ``<mpvoice>`` audio element; the demo serves the file at :attr:`path`."""

    fileid: str  # voice_encode_fileid: base64 of "<biz>_<media number>"
    name: str
    play_length: int  # milliseconds
    high_size: str
    low_size: str

    @property
    def path(self) -> str:
        return f"/voice/getvoice?mediaid={self.fileid}"

    @property
    def template_path(self) -> str:
        """The ``src`` of the ``<mpvoice>`` (raw ``&``), an audio player template page."""
        minutes, seconds = divmod(self.play_length // 1000, 60)
        return (f"/cgi-bin/readtemplate?t=tmpl/audio_tmpl&name={quote(self.name, safe='')}"
                f"&play_length={minutes:02d}:{seconds:02d}")


@dataclass(frozen=True)
class Video:
    """A Tencent Video iframe (``iframe.video_iframe[data-src*=v.qq.com]``): an external reference,
    never served by the demo."""

    vid: str  # 11 chars [a-z0-9]

    @property
    def src(self) -> str:
        return (f"https://v.qq.com/txp/iframe/player.html?origin=https%3A%2F%2Fmp.weixin.qq.com&vid={self.vid}"
                f"&autoplay=false&full=true&show1to3=0")


def _vid(seed: str) -> str:
    return "w" + hashlib.sha1(("vid:" + seed).encode()).hexdigest()[:10]


Block = str | Sub | Pic | ArticleLink | Voice | Video


@dataclass(frozen=True)
class WechatArticle:
    key: str
    biz: str
    mid: str
    idx: int
    published: datetime
    title: str
    digest: str
    blocks: tuple[Block, ...]
    cover: Image
    source: str = ""  # 来源
    editor: str = ""  # 编辑
    reviewer: str = ""  # 审核
    author: str = ""
    style: str = "2018"  # "2018" (var x = "" || "X"), "2020" ('X'.html(false), no publish_time),
    # "2019" (a video post: d.x = "X" on d = _g.cgiData, d.mid/d.idx empty, the ids only in d.msg_link) or
    # "2024" (window.x = '' || 'X' and window.cgiDataNew = {…})
    deleted: bool = False  # the article URL answers with the "该内容已被发布者删除" page
    show_type: int = 0  # item_show_type: 0 article, 5 video (2019 style), 8 image share (2024 style: no #js_content)
    pictures: tuple[Image, ...] = ()  # the images of an image share (picture_page_info_list)
    source_url: str = ""  # 阅读原文 (var msg_source_url), a relative portal path here
    repost_of: str = ""  # key of the original when this article is a 转载 (#js_content: one short line)

    @property
    def sn(self) -> str:
        return hashlib.md5(f"sn:{self.biz}:{self.mid}:{self.idx}".encode()).hexdigest()

    @property
    def chksm(self) -> str:
        return hashlib.sha256(f"chksm:{self.biz}:{self.mid}:{self.idx}".encode()).hexdigest()[:72]

    @property
    def ct(self) -> int:
        return int(self.published.timestamp())

    @property
    def biz_b64(self) -> str:
        return base64.b64encode(self.biz.encode("ascii")).decode("ascii")

    @property
    def path(self) -> str:
        """The article URL as listed (raw ``&``; pages write it ``&amp;``-escaped)."""
        return (f"/s?__biz={self.biz_b64}&mid={self.mid}&idx={self.idx}&sn={self.sn}"
                f"&chksm={self.chksm}&scene=27#wechat_redirect")

    @property
    def key_tuple(self) -> tuple[str, str, str]:
        return (self.biz, self.mid, str(self.idx))


def _gh(seed: str) -> str:
    return "gh_" + hashlib.sha1(seed.encode()).hexdigest()[:12]


WECHAT_ACCOUNTS: tuple[WechatAccount, ...] = (
    WechatAccount("3291847560", _gh("云岚发布"), "yunlanfabu", "云岚发布",
                  "云岚市人民政府新闻办公室官方微信公众号，发布权威政务信息，提供便民服务指南。",
                  "云岚市人民政府新闻办公室", "active"),
    WechatAccount("3017462958", _gh("云岚市场监管"), "ylscjg", "云岚市场监管",
                  "云岚市市场监督管理局政务发布平台：食品安全、质量监管、消费维权。",
                  "云岚市市场监督管理局", "active"),
    WechatAccount("3554018273", _gh("云岚教育"), "", "云岚教育",
                  "云岚市教育局官方公众号，发布教育政策、招生考试和校园安全信息。",
                  "云岚市教育局", "active"),
    WechatAccount("3402716985", _gh("云岚人社服务"), "ylrsfw", "云岚人社服务",
                  "社保查询、就业服务、职业培训，人社服务掌上办。",
                  "云岚市人力资源和社会保障局", "closing"),
    WechatAccount("3180593724", _gh("云岚青山街道"), "ylqsjd", "云岚青山街道",
                  "青山街道办事处政务信息发布、社区服务。",
                  "青山区青山街道办事处", "closing"),  # silent since 2024-09 (dormant), but named in the portal notice
    WechatAccount("3870215649", _gh("桐溪镇发布"), "txzfb", "桐溪镇发布",
                  "桐溪镇人民政府政务信息发布平台。",
                  "桐溪县桐溪镇人民政府", "closing"),  # never posted (zombie), but named in the portal notice
    # Not in the portal directory: found through the QR grid, Sogou search and the MP back-office.
    WechatAccount("3305728146", _gh("云岚交通"), "ylsjtys", "云岚交通",
                  "云岚市交通运输局官方公众号：公交地铁、道路出行、交通政策和路况信息。",
                  "云岚市交通运输局", "active"),
)
WECHAT_BY_BIZ = {a.biz: a for a in WECHAT_ACCOUNTS}
WECHAT_BY_NAME = {a.name: a for a in WECHAT_ACCOUNTS}
for _account in WECHAT_ACCOUNTS:
    _image(f"/mmhead/{_alnum('head:' + _account.biz, 48)}/0", "head:" + _account.name, 64, 64)

FABU, SCJG, JIAOYU, RENSHE, QINGSHAN, TONGXI, JIAOTONG = (a.biz for a in WECHAT_ACCOUNTS)

# 云岚科普 moved to 云岚发布 (帐号迁移, named in the portal closure notice): its history page and old
# article URLs answer "该公众号已迁移"; it is not in WECHAT_ACCOUNTS (no history to list).
KEPU_ACCOUNT = WechatAccount("3128460735", _gh("云岚科普"), "ylkepu", "云岚科普",
                             "云岚市科学技术协会官方公众号，传播科学知识，弘扬科学精神。",
                             "云岚市科学技术协会", "migrated")
KEPU = KEPU_ACCOUNT.biz

# Shared images: the 云岚发布 footer banner appears (same URL) in all its articles; the cold-wave
# warning graphic is served at a WeChat URL and at a Weibo URL with identical bytes.
IMG_FOOTER = mmbiz("云岚发布-底部关注图", 240, 80)
IMG_HANCHAO = mmbiz("寒潮蓝色预警", 160, 120, seed="寒潮蓝色预警信号图")


def _cover(key: str) -> Image:
    return mmbiz("cover:" + key, 188, 80)


FOOTER_FABU = (Pic(IMG_FOOTER, ratio="0.3333333333333333"),)

HEATING_NOTICE_PATH = "/xxgk/tzgg/202611/t20261110_1012.html"  # 阅读原文 of the 供暖季 article

WECHAT_ARTICLES: tuple[WechatArticle, ...] = (
    # ---- 云岚发布 (active) ------------------------------------------------------------------------
    WechatArticle(
        "fabu-hanchao", FABU, "2650012041", 1, at(2026, 11, 19, 18, 30),
        "云岚市气象台发布寒潮蓝色预警 请注意防寒保暖",
        "受强冷空气影响，11月20日至22日我市将出现大风降温天气。\n请市民朋友及时添衣保暖，注意出行安全。",
        (
            ("云岚市气象台2026年11月19日17时发布寒潮蓝色预警信号：受强冷空气影响，预计11月20日至22日，"
             "我市大部地区日平均气温将下降8至10℃，最低气温可降至零下3℃，并伴有5至6级偏北风，阵风7级。"),
            Pic(IMG_HANCHAO),
            Sub("防御指南"),
            ("一、政府及有关部门按照职责做好防寒潮准备工作；二、注意添衣保暖，老人、儿童及患有心脑血管疾病的"
             "人群尽量减少外出；三、做好牲畜、家禽和设施大棚的防寒防风工作；四、户外施工单位应当加固临时搭建物，"
             "防范大风危害。"),
            "寒潮期间，全市供水、供气、供暖热线24小时值守。如遇紧急情况，请拨打12345政务服务便民热线。",
            "市民可通过“云岚发布”微信公众号、“云岚气象”新浪微博及时查询最新天气预报和预警信息。",
            # 云岚科普's old articles (the account has migrated): one moved to 云岚发布, one not
            ArticleLink("往期科普：寒潮来临，如何科学防寒保暖？", "kepu-hanchao"),
            ArticleLink("往期科普：全国科普日，走进云岚市科技馆", "kepu-kejiguan"),
            *FOOTER_FABU,
        ),
        _cover("fabu-hanchao"), source="云岚市气象台", editor="林晓", reviewer="周然"),
    WechatArticle(
        "fabu-gongnuan", FABU, "2650012041", 2, at(2026, 11, 19, 18, 30),
        "2026—2027年度供暖季服务指南来了",
        "供暖时间、收费标准、报修渠道，一文读懂。",
        (
            ("根据《云岚市城市供热管理办法》，我市2026—2027年度供暖季自2026年11月15日起至2027年3月15日止，"
             "共计120天。受寒潮影响，市住房和城乡建设局已组织各供热企业提前试运行，确保居民室内温度不低于18℃。"),
            Sub("收费标准"),
            ("居民住宅供热价格维持不变：按建筑面积计收的，每平方米每供暖季24元；按热计量收费的，执行两部制热价。"
             "享受最低生活保障的家庭，可向所在社区申请供暖费补贴。"),
            Sub("报修渠道"),
            ("室内温度不达标或管道跑冒滴漏的，可拨打所属供热企业服务电话，或拨打12345政务服务便民热线反映。"
             "供热企业接到报修后，应在2小时内上门处置。"),
            Pic(mmbiz("供暖服务指南长图", 120, 200), ratio="1.6666666666666667"),
            *FOOTER_FABU,
        ),
        _cover("fabu-gongnuan"), source="云岚市住房和城乡建设局", editor="林晓", reviewer="周然",
        source_url=HEATING_NOTICE_PATH),
    WechatArticle(
        "fabu-yimiao", FABU, "2650012036", 1, at(2026, 11, 12, 9, 0),
        "流感疫苗开始接种！这份接种指南请收好",
        "重点人群建议优先接种，60岁及以上户籍老年人免费接种一剂次。",
        (
            ("秋冬季是流感高发季节，接种流感疫苗是预防流感最经济、有效的手段。目前，我市各区县预防接种门诊"
             "已全面开展2026—2027年度流感疫苗接种工作。"),
            Sub("哪些人群建议优先接种？"),
            ("60岁及以上老年人、6月龄至5岁儿童、慢性病患者、孕妇以及医务人员、养老机构工作人员等重点人群"
             "建议优先接种。全市60岁及以上户籍老年人可免费接种一剂次。"),
            Sub("如何预约？"),
            "市民可通过“健康云岚”小程序查询附近接种门诊并预约，接种时请携带本人身份证件。接种后需在现场留观30分钟。",
            Pic(mmbiz("流感疫苗接种流程图"), placeholder=True),
            ArticleLink("往期回顾：一图读懂云岚市老旧小区改造三年行动方案", "fabu-laojiu"),
            *FOOTER_FABU,
        ),
        _cover("fabu-yimiao"), source="云岚市卫生健康委员会", editor="郑一帆", reviewer="周然"),
    WechatArticle(
        "fabu-yibao", FABU, "2650012029", 1, at(2026, 10, 28, 10, 0),
        "2027年度城乡居民医保集中缴费开始",
        "缴费期为2026年10月28日至12月31日，个人缴费标准每人每年400元。",
        (
            "2027年度城乡居民基本医疗保险集中参保缴费工作于2026年10月28日开始，至2026年12月31日结束。",
            ("个人缴费标准为每人每年400元，财政补助标准不低于每人每年700元。特困人员、低保对象等困难群众的"
             "个人缴费部分，由医疗救助基金按规定给予资助。"),
            Pic(mmbiz("医保缴费渠道示意图")),
            ("缴费渠道：一是通过“云岚医保”微信小程序或各合作银行手机银行线上缴费；二是到户籍所在地村（社区）"
             "便民服务站现场缴费。"),
            "集中缴费期内未参保的，除新生儿等特殊人群外，将设置待遇等待期。请广大居民及时参保缴费，避免影响待遇享受。",
            ArticleLink("延伸阅读：2027年度城乡居民医保待遇政策问答", "fabu-wenda"),  # answers the captcha page
            *FOOTER_FABU,
        ),
        _cover("fabu-yibao"), source="云岚市医疗保障局", editor="郑一帆", reviewer="周然"),
    WechatArticle(
        "fabu-laojiu", FABU, "2650012017", 1, at(2026, 10, 9, 17, 20),
        "一图读懂｜云岚市老旧小区改造三年行动方案",
        "到2028年底，全市计划完成老旧小区改造286个，惠及居民3.2万户。",
        (
            "近日，《云岚市城镇老旧小区改造三年行动方案（2026—2028年）》印发实施。",
            Pic(mmbiz("老旧小区改造一图读懂", 120, 240), ratio="2"),
            "方案明确，到2028年底，全市计划完成2000年底前建成的老旧小区改造286个，惠及居民3.2万户。",
            ("改造内容分为基础类、完善类和提升类：基础类重点改造供水、排水、供电、燃气等老化管网；完善类包括"
             "加装电梯、建设停车设施；提升类包括建设养老、托育等社区服务设施。"),
            "改造项目实行“居民提出需求、社区统筹、部门审核”的工作机制，改造方案须经小区三分之二以上居民同意。",
            *FOOTER_FABU,
        ),
        _cover("fabu-laojiu"), source="云岚市住房和城乡建设局", editor="林晓", reviewer="周然"),
    # ---- 云岚市场监管 (active; one deleted article) ----------------------------------------------------
    WechatArticle(
        "scjg-choujian", SCJG, "2247484127", 1, at(2026, 11, 6, 15, 0),
        "2026年第三季度食品安全监督抽检信息公告",
        "抽检19大类食品1126批次，不合格13批次，已依法处置。",
        (
            ("近期，云岚市市场监督管理局组织抽检粮食加工品、食用油、肉制品、乳制品、蔬菜、水果等19大类食品"
             "共1126批次，其中合格1113批次，不合格13批次。"),
            ("不合格产品主要问题为农药残留超标、微生物污染和食品添加剂超范围使用。对抽检发现的不合格食品，"
             "市场监管部门已责令生产经营者立即采取下架、召回等措施，并依法立案调查。"),
            Pic(mmbiz("食品抽检结果统计图")),
            "消费者如发现食品安全问题，可拨打12315投诉举报热线反映。",
        ),
        _cover("scjg-choujian"), source="云岚市市场监督管理局", editor="陈蕾", reviewer="吴斌"),
    WechatArticle(
        "scjg-diandongche", SCJG, "2247484119", 1, at(2026, 10, 21, 16, 0),
        "关于开展电动自行车及配件质量安全专项检查的通知",
        "检查时间为2026年10月至12月，重点检查非法改装、虚标参数等问题。",
        (
            "为加强电动自行车产品质量安全监管，市市场监督管理局决定于2026年10月至12月在全市开展专项检查。",
            "检查重点为电动自行车及其蓄电池、充电器的生产、销售环节，严厉查处非法改装、虚标参数等违法行为。",
            Pic(mmbiz("电动自行车专项检查")),
        ),
        _cover("scjg-diandongche"), source="云岚市市场监督管理局", editor="陈蕾", reviewer="吴斌",
        deleted=True),
    WechatArticle(
        "scjg-guoqing", SCJG, "2247484102", 1, at(2026, 9, 30, 11, 0),
        "国庆假期消费提示：理性消费 依法维权",
        "预付消费要谨慎，保留凭证好维权。",
        (
            "国庆假期将至，各类消费需求集中释放。云岚市市场监督管理局提醒广大消费者：",
            "一、预付消费要谨慎。办理预付卡前，要了解经营者的信用状况，不轻信“高折扣”“送大礼”等宣传。",
            "二、旅游出行选正规。选择具有合法资质的旅行社，签订书面合同，明确行程、费用和违约责任。",
            Pic(mmbiz("国庆消费提示海报", 120, 160), ratio="1.3333333333333333"),
            "三、保留凭证好维权。消费时注意索要发票等购物凭证，合法权益受到侵害时，可拨打12315投诉举报热线。",
        ),
        _cover("scjg-guoqing"), source="云岚市市场监督管理局", editor="陈蕾", reviewer="吴斌"),
    # ---- 云岚教育 (active; no 微信号; one article in the 2020 template) -----------------------------------
    WechatArticle(
        "jiaoyu-zhaosheng", JIAOYU, "2653379015", 1, at(2026, 11, 3, 10, 0),
        "政策解读｜云岚市2027年义务教育阶段招生入学工作",
        "坚持免试就近入学，小学和初中同步实行网上报名。",
        (
            ("近日，云岚市教育局印发《云岚市2027年义务教育阶段学校招生入学工作方案》。方案坚持免试就近入学原则，"
             "公办、民办学校同步招生。"),
            Sub("报名时间"),
            ("小学一年级和初中一年级网上报名时间为2027年5月10日至5月20日，适龄儿童少年家长可登录"
             "“云岚市义务教育招生服务平台”填报信息。"),
            Sub("材料要求"),
            "报名需提供户口簿、不动产权证书或租赁备案证明等材料。随迁子女凭居住证报名，由教育部门统筹安排学位。",
            Pic(mmbiz("义务教育招生时间轴")),
            "咨询电话：云岚市教育局基础教育科，工作日上午9:00—12:00，下午14:30—17:30。",
        ),
        _cover("jiaoyu-zhaosheng"), source="云岚市教育局", editor="孙悦", reviewer="何明"),
    WechatArticle(
        "jiaoyu-kaixue", JIAOYU, "2653379002", 1, at(2026, 9, 1, 7, 30),
        "开学第一课：这份校园安全提示请查收",
        "交通、饮食、防溺水，开学安全记心间。",
        (
            "新学期开始了！同学们，开学第一课，让我们一起学习校园安全知识。",
            "上下学途中要遵守交通规则，走人行道、过斑马线，不在道路上追逐打闹。",
            Pic(mmbiz("校园安全漫画", 120, 160), ratio="1.3333333333333333"),
            "注意饮食卫生，不购买“三无”食品；课间活动有序进行，不推搡、不攀爬栏杆。",
            "家长朋友们要加强对孩子的安全教育和监护，共同守护孩子们的平安。",
        ),
        _cover("jiaoyu-kaixue"), source="云岚市教育局", editor="孙悦", reviewer="何明", style="2020"),
    # ---- 云岚人社服务 (its last post is its closure notice) ------------------------------------------
    WechatArticle(
        "renshe-tingzhi", RENSHE, "2247485230", 1, at(2026, 11, 16, 10, 0),
        "关于“云岚人社服务”微信公众号停止更新的公告",
        "本公众号将于2026年12月1日起停止更新并启动注销程序。\n相关服务迁移至“云岚发布”微信公众号和“云岚市人民政府”网站。",
        (
            "尊敬的用户：",
            ("为贯彻落实政务新媒体集约化建设要求，进一步整合政务服务资源，“云岚人社服务”微信公众号"
             "将于2026年12月1日起停止更新并启动注销程序。"),
            ("停止更新后，社保查询、就业登记、职业技能培训报名等相关服务迁移至“云岚发布”微信公众号“办事服务”栏目"
             "和“云岚市人民政府”网站“人社服务”专题。"),
            Pic(mmbiz("人社服务迁移示意图")),
            "线下业务可到云岚市政务服务中心人社窗口（临江区政通路1号）办理，咨询电话12333。",
            "感谢大家一直以来的关注和支持！",
            "云岚市人力资源和社会保障局",
            "2026年11月16日",
        ),
        _cover("renshe-tingzhi"), editor="王楠", reviewer="刘洋"),
    WechatArticle(
        "renshe-shebaoka", RENSHE, "2247485221", 1, at(2026, 8, 25, 9, 30),
        "社保卡补换卡“全程网办”操作指南",
        "足不出户办理社保卡补换，卡片邮寄到家。",
        (
            "社保卡丢失或损坏怎么办？现在可以通过线上渠道办理补换卡，卡片制作完成后免费邮寄到家。",
            Sub("办理步骤"),
            ("第一步，登录“云岚人社”网上服务大厅，选择“社保卡补换”；第二步，上传本人近期免冠证件照；"
             "第三步，填写邮寄地址并确认提交。"),
            Pic(mmbiz("社保卡补换卡步骤")),
            "补换卡期间，原卡的金融账户将同步挂失，医保结算可使用医保电子凭证。",
        ),
        _cover("renshe-shebaoka"), source="云岚市社会保险事业管理中心", editor="王楠", reviewer="刘洋"),
    WechatArticle(
        "renshe-jianxi", RENSHE, "2247485209", 1, at(2026, 7, 10, 15, 0),
        "2026年高校毕业生就业见习岗位征集公告",
        "面向全市用人单位征集见习岗位，见习补贴按月发放。",
        (
            "为促进高校毕业生等青年就业，现面向全市各类用人单位征集2026年度就业见习岗位。",
            "见习期限一般为3至12个月，见习单位按月发放见习人员基本生活费，并为其办理人身意外伤害保险。",
            Pic(mmbiz("就业见习岗位征集")),
            "有意向的用人单位请于2026年8月31日前，向所在区县公共就业服务机构提交申请。",
        ),
        _cover("renshe-jianxi"), source="云岚市就业服务中心", editor="王楠", reviewer="刘洋"),
    # ---- 云岚青山街道 (silent since 2024-09-12) ---------------------------------------------------------
    WechatArticle(
        "qingshan-zhongqiu", QINGSHAN, "2247483702", 1, at(2024, 9, 12, 20, 15),
        "青山街道开展“邻里中秋”社区文化活动",
        "做月饼、猜灯谜，共度团圆佳节。",
        (
            "中秋佳节来临之际，青山街道各社区开展“邻里中秋”主题文化活动，居民们欢聚一堂，共庆佳节。",
            Pic(mmbiz("邻里中秋活动照片")),
            "活动现场，志愿者和居民一起做月饼、猜灯谜、写祝福，并为辖区独居老人送去节日慰问。",
            "街道将继续开展形式多样的社区活动，营造和谐友善的邻里氛围。",
        ),
        _cover("qingshan-zhongqiu"), source="青山街道党群服务中心", editor="赵静", reviewer="钱涛"),
    WechatArticle(
        "qingshan-fangxun", QINGSHAN, "2247483691", 1, at(2024, 6, 20, 9, 40),
        "防汛安全知识，请收好",
        "汛期来临，请居民注意防范强降雨。",
        (
            "我市已进入主汛期。青山街道提醒广大居民：暴雨天气尽量减少外出，远离河道、低洼地带和地下通道。",
            Pic(mmbiz("防汛安全知识")),
            "发现险情请及时拨打街道防汛值班电话或119报警。",
        ),
        _cover("qingshan-fangxun"), source="青山街道应急管理办公室", editor="赵静", reviewer="钱涛"),
    # ---- 云岚发布: the 2024 template (image share), audio, an article moved over from 云岚科普 -------------
    WechatArticle(
        "fabu-tuji", FABU, "2650012044", 1, at(2026, 11, 20, 7, 30),
        "图集｜寒潮来袭 云岚迎来今冬初雪",
        "11月20日清晨，云岚城区迎来今冬首场降雪。一起来看雪中的云岚。",
        (
            "11月20日清晨，受寒潮影响，云岚城区迎来今冬首场降雪。",
            "临江公园银装素裹，环卫工人连夜上岗清扫积雪，公交、地铁运行正常。",
            "气象部门提醒：雪后路面湿滑，请市民出行注意安全。",
        ),
        _cover("fabu-tuji"), style="2024", show_type=8,
        pictures=(mmbiz("初雪-临江公园", 120, 160), mmbiz("初雪-环卫工人清扫积雪", 120, 160),
                  mmbiz("初雪-政通路公交站", 120, 160))),
    WechatArticle(
        "fabu-yongdian", FABU, "2650012033", 1, at(2026, 11, 5, 19, 0),
        "听·云岚｜冬季用电用气安全小贴士",
        "取暖季来临，这份用电用气安全提示请收听。",
        (
            "取暖季来临，用电用气量明显增加。今天的“听·云岚”，请市应急管理局的工作人员为大家讲讲冬季用电用气安全。",
            Voice(base64.b64encode(f"{FABU}_2650012050".encode()).decode("ascii"), "冬季用电用气安全小贴士",
                  187000, "732.42", "183.11"),
            Sub("划重点"),
            ("不私拉乱接电线，不在楼道内为电动自行车充电；使用燃气时保持通风，人走火灭；发现燃气泄漏，"
             "立即关闭阀门、开窗通风，到室外拨打燃气公司抢修电话。"),
            Pic(mmbiz("冬季用电用气安全海报", 120, 160), ratio="1.3333333333333333"),
            *FOOTER_FABU,
        ),
        _cover("fabu-yongdian"), source="云岚市应急管理局", editor="郑一帆", reviewer="周然"),
    WechatArticle(
        "fabu-kepu", FABU, "2650011988", 1, at(2026, 9, 20, 10, 0),
        "科普｜寒潮来临，如何科学防寒保暖？",
        "穿衣讲究“洋葱式”，室内取暖防中毒。",
        (
            "寒潮是冬季常见的灾害性天气。寒潮来临时，如何科学防寒保暖？",
            "一、穿衣讲究“洋葱式”，多层穿着，重点保护头部、颈部和脚部。",
            "二、室内取暖防中毒。使用燃煤、燃气取暖时要保持通风，安装一氧化碳报警器。",
            Pic(mmbiz("科学防寒保暖图解", 120, 160), ratio="1.3333333333333333"),
            "三、适量运动，合理饮食，老人和慢性病患者注意监测血压。",
            *FOOTER_FABU,
        ),
        _cover("fabu-kepu"), source="云岚市科学技术协会", editor="林晓", reviewer="周然"),
    # ---- 云岚市场监管: the 2024 template with a Tencent Video iframe ---------------------------------
    WechatArticle(
        "scjg-shipin", SCJG, "2247484135", 1, at(2026, 11, 13, 10, 0),
        "视频｜网购年货如何维权？市场监管教你三招",
        "保存证据、七日无理由退货、拨打12315。",
        (
            "年货节临近，网购迎来高峰。遇到消费纠纷怎么办？一起来看市场监管部门的提示视频。",
            Video(_vid("scjg-shipin")),
            ("一是保存好订单截图、聊天记录等证据；二是依法享受七日无理由退货权利；三是协商不成的，"
             "可拨打12315或登录全国12315平台投诉。"),
            Pic(mmbiz("网购维权三招")),
        ),
        _cover("scjg-shipin"), source="云岚市市场监督管理局", editor="陈蕾", reviewer="吴斌", style="2024"),
    # a 2019 push of two: an article, and a video post in the 2019 template (d./_g. variables; its mid
    # and idx only in its msg_link)
    WechatArticle(
        "scjg-biaoqian-2019", SCJG, "2650001187", 1, at(2019, 7, 23, 18, 35),
        "食品标签知识：配料表怎么看",
        "配料表按用量从多到少排列。",
        ("配料表中的各种配料按加入量的递减顺序排列，排在前面的用量多。",
         Pic(mmbiz("食品标签配料表示例")),
         "购买预包装食品时，请留意配料表、营养成分表和贮存条件。"),
        _cover("scjg-biaoqian-2019"), source="云岚市市场监督管理局"),
    WechatArticle(
        "scjg-guoqi-2019", SCJG, "2650001187", 2, at(2019, 7, 23, 18, 35),
        "一分钟学会看懂食品标签上的保质期",
        "市场监管执法人员演示如何查看生产日期、保质期和贮存条件。",
        ("视频中，执法人员以一盒牛奶为例，演示如何在标签上找到生产日期、保质期和贮存条件。",),
        _cover("scjg-guoqi-2019"), style="2019", show_type=5),
    # ---- 云岚教育: a 转载 of 云岚发布's article (#js_content one short line, #js_share_source) --------------
    WechatArticle(
        "jiaoyu-zhuanzai", JIAOYU, "2653379021", 1, at(2026, 11, 19, 20, 10),
        "云岚市气象台发布寒潮蓝色预警 请注意防寒保暖",
        "受强冷空气影响，11月20日至22日我市将出现大风降温天气。",
        (),
        _cover("jiaoyu-zhuanzai"), repost_of="fabu-hanchao"),
    # ---- 云岚交通 (active; not in the directory; one deleted article) --------------------------------------
    WechatArticle(
        "jiaotong-hanchao", JIAOTONG, "2247483702", 1, at(2026, 11, 18, 17, 0),
        "寒潮来袭，公交地铁延长运营时间保障出行",
        "11月20日至22日，地铁1、2号线及32条公交线路延长运营1小时。",
        (
            "为应对寒潮天气，保障市民出行，11月20日至22日，地铁1号线、2号线末班车延后1小时，32条公交线路同步延长运营时间。",
            Pic(mmbiz("寒潮期间延长运营线路表")),
            "雨雪天气路面湿滑，请乘客候车时注意安全，上下车不拥挤。",
        ),
        _cover("jiaotong-hanchao"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
    WechatArticle(
        "jiaotong-wangyueche", JIAOTONG, "2247483690", 1, at(2026, 11, 4, 9, 30),
        "云岚市网约车驾驶员从业资格考试时间调整",
        "12月起，考试由每月一次调整为每月两次。",
        (
            "为方便考生报考，自2026年12月起，网约车驾驶员从业资格全国公共科目和区域科目考试由每月一次调整为每月两次。",
            "考生可通过“云岚交通”微信公众号“办事服务”栏目预约考试。",
            Pic(mmbiz("网约车考试预约流程")),
        ),
        _cover("jiaotong-wangyueche"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
    WechatArticle(
        "jiaotong-daqiao-gengzheng", JIAOTONG, "2247483683", 1, at(2026, 10, 17, 18, 0),
        "【更正】临江大桥维修改造期间交通组织方案",
        "10月20日起临江大桥半幅封闭施工，请绕行滨江路、政通路。",
        (
            "临江大桥维修改造工程将于2026年10月20日开工，工期约90天。施工期间大桥实行半幅封闭、双向各一车道通行。",
            "建议过江车辆提前绕行滨江路隧道或政通路大桥。途经大桥的8条公交线路临时调整走向。",
            Pic(mmbiz("临江大桥绕行示意图")),
            "昨日发布的方案中部分公交线路调整信息有误，以本文为准。",
        ),
        _cover("jiaotong-daqiao-gengzheng"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
    WechatArticle(
        "jiaotong-daqiao", JIAOTONG, "2247483679", 1, at(2026, 10, 16, 18, 0),
        "临江大桥维修改造期间交通组织方案",
        "10月20日起临江大桥半幅封闭施工。",
        (
            "临江大桥维修改造工程将于2026年10月20日开工，施工期间大桥实行半幅封闭。",
            Pic(mmbiz("临江大桥施工公告")),
        ),
        _cover("jiaotong-daqiao"), source="云岚市交通运输局", editor="许诺", reviewer="高峰", deleted=True),
    WechatArticle(
        "jiaotong-guoqing", JIAOTONG, "2247483671", 1, at(2026, 9, 25, 16, 0),
        "国庆假期高速公路免费通行及出行提示",
        "10月1日0时至10月8日24时，7座以下小型客车免费通行。",
        (
            "根据国家有关规定，2026年国庆假期期间，全国收费公路对7座以下（含7座）小型客车免收车辆通行费。",
            "免费时段为10月1日0时至10月8日24时。预计10月1日上午、10月8日下午为出行高峰，请错峰出行。",
            Pic(mmbiz("国庆高速出行热力图")),
        ),
        _cover("jiaotong-guoqing"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
    WechatArticle(
        "jiaotong-dingzhi", JIAOTONG, "2247483660", 1, at(2026, 8, 28, 10, 0),
        "开学季：中小学生定制公交线路开通",
        "首批开通12条学生定制公交线路，家长可在线预约。",
        (
            "为方便中小学生上下学，市交通运输局联合市教育局首批开通12条学生定制公交线路，9月1日起运行。",
            Pic(mmbiz("学生定制公交线路图")),
            "家长可通过“云岚公交”小程序为孩子预约座位，每学期预约一次。",
        ),
        _cover("jiaotong-dingzhi"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
    WechatArticle(
        "jiaotong-shuqi", JIAOTONG, "2247483652", 1, at(2026, 8, 5, 11, 0),
        "2026年暑期公交线网优化调整公告",
        "新开线路3条，优化调整线路9条。",
        (
            "为提升公交服务水平，自2026年8月10日起，我市新开公交线路3条，优化调整线路9条。",
            Pic(mmbiz("暑期公交线网调整一览")),
            "具体线路走向可在各公交站台公告栏或“云岚公交”小程序查询。",
        ),
        _cover("jiaotong-shuqi"), source="云岚市交通运输局", editor="许诺", reviewer="高峰"),
)
ARTICLES_BY_KEY = {a.key: a for a in WECHAT_ARTICLES}
ARTICLES_BY_ID = {a.key_tuple: a for a in WECHAT_ARTICLES}

# Article URLs that are linked but never served as articles.
# 云岚科普's old articles: the "该公众号已迁移" page, the first with a transferTargetLink to its copy
# re-published in 云岚发布 (new mid), the second without (not migrated).
KEPU_ARTICLES: tuple[WechatArticle, ...] = (
    WechatArticle("kepu-hanchao", KEPU, "2247484015", 1, at(2026, 1, 8, 9, 0),
                  "科普｜寒潮来临，如何科学防寒保暖？", "穿衣讲究“洋葱式”，室内取暖防中毒。", (),
                  _cover("kepu-hanchao")),
    WechatArticle("kepu-kejiguan", KEPU, "2247483966", 1, at(2025, 9, 20, 10, 0),
                  "全国科普日｜走进云岚市科技馆，感受科技魅力", "科普日期间，市科技馆免费开放。", (),
                  _cover("kepu-kejiguan")),
)
TRANSFER_TARGETS: dict[str, str | None] = {"kepu-hanchao": "fabu-kepu", "kepu-kejiguan": None}
# A 云岚发布 article key whose URL always answers WeChat's captcha page (环境异常 / 去验证).
CAPTCHA_ARTICLE = WechatArticle("fabu-wenda", FABU, "2650012025", 1, at(2026, 10, 22, 10, 0),
                                "2027年度城乡居民医保待遇政策问答", "", (), _cover("fabu-wenda"))
UNSERVED_BY_ID = {a.key_tuple: a for a in (*KEPU_ARTICLES, CAPTCHA_ARTICLE)}
VOICES = {b.fileid: b for a in WECHAT_ARTICLES for b in a.blocks if isinstance(b, Voice)}
LINKABLE_BY_KEY = {**ARTICLES_BY_KEY, **{a.key: a for a in (*KEPU_ARTICLES, CAPTCHA_ARTICLE)}}


# --------------------------------------------------------------------------------------------------
# Phases: the web on TODAY (1) and the same web a few weeks later, on LATER_TODAY (2)

# WeChat's wording for a self-cancelled account (platforms.md §1.3): article pages, profile pages.
CANCELLED_TEXT = "此帐号已自主注销，内容无法查看"
CANCELLED_PROFILE_TEXT = "该帐号已自主注销"
DELETED_TEXT = "该内容已被发布者删除"

LATER_IMAGES: dict[str, Image] = {}  # images only phase 2 serves (its new articles')

# 云岚发布's one new article of phase 2: a plain service notice at the top of its listing.
LATER_ARTICLES: tuple[WechatArticle, ...] = (
    WechatArticle(
        "fabu-yuandan", FABU, "2650012063", 1, at(2026, 12, 10, 17, 0),
        "2027年元旦假期办事指南",
        "1月1日至3日放假，政务服务中心1月2日上午开放，12345热线24小时服务。",
        (
            "2027年元旦假期为1月1日（星期五）至1月3日（星期日），共3天。假期期间，我市政务服务安排如下：",
            Sub("窗口服务"),
            ("市政务服务中心1月2日上午9:00至12:00开放户籍、社保、医保等高频事项窗口，其余时间暂停线下服务；"
             "1月4日（星期一）起恢复正常办公。"),
            Sub("网上办理"),
            ("社保查询、公积金提取、不动产登记预约等事项可通过“云岚发布”微信公众号“办事服务”栏目"
             "和“云岚市人民政府”网站全天候办理。"),
            "假期如遇急事难事，请拨打12345政务服务便民热线，热线24小时有人值守。",
            *FOOTER_FABU,
        ),
        mmbiz("cover:fabu-yuandan", 188, 80, registry=LATER_IMAGES), source="云岚市政务服务管理局",
        editor="郑一帆", reviewer="周然"),
)


@dataclass(frozen=True)
class Phase:
    """One state of the demo web. Phase 2 differs from phase 1 only by these fields (WeChat only)."""

    number: int
    today: datetime
    cancelled: tuple[str, ...] = ()  # bizes of self-cancelled accounts: every page says so
    removed: tuple[str, ...] = ()  # keys of articles deleted since phase 1: deleted page, no longer listed
    added: tuple[WechatArticle, ...] = ()  # articles published since phase 1
    images: tuple[Image, ...] = ()  # images served in this phase only (the added articles')

    @property
    def articles(self) -> tuple[WechatArticle, ...]:
        """Every article URL served as an article in this phase (deleted ones included)."""
        return WECHAT_ARTICLES + self.added

    def article(self, key: tuple[str, str, str]) -> WechatArticle | None:
        return ARTICLES_BY_ID.get(key) or next((a for a in self.added if a.key_tuple == key), None)

    def image(self, path: str) -> Image | None:
        return IMAGES.get(path) or next((i for i in self.images if i.path == path), None)

    def is_cancelled(self, biz: str) -> bool:
        return biz in self.cancelled

    def is_deleted(self, article: WechatArticle) -> bool:
        """The article URL answers 该内容已被发布者删除."""
        return article.deleted or article.key in self.removed

    def is_listed(self, article: WechatArticle) -> bool:
        """The account's history still lists the article (deleted since phase 1: no longer)."""
        return article.key not in self.removed

    def status_of(self, account: WechatAccount) -> str:
        return "cancelled" if self.is_cancelled(account.biz) else account.status


PHASE_1 = Phase(1, TODAY)
# A few weeks later: 云岚人社服务 (closing, its notice said from 2026-12-01) and 桐溪镇发布 (zombie, in the
# portal closure notice) have cancelled their accounts; 云岚市场监管 deleted its oldest article (an
# ordinary one); 云岚发布 published one new article. The portal, Weibo, Douyin and Toutiao are unchanged
# (云岚就业, the closed Weibo account, is not in the demo).
PHASE_2 = Phase(2, LATER_TODAY, cancelled=(RENSHE, TONGXI), removed=("scjg-guoqing",), added=LATER_ARTICLES,
                images=tuple(LATER_IMAGES.values()))
PHASES: dict[int, Phase] = {1: PHASE_1, 2: PHASE_2}


def articles_of(biz: str, phase: Phase = PHASE_1, with_removed: bool = False) -> list[WechatArticle]:
    """An account's listed articles in ``phase``, newest push first, idx ascending inside a push;
    ``with_removed`` keeps those deleted since phase 1 (the MP back-office still lists them)."""
    items = [a for a in phase.articles if a.biz == biz and (with_removed or phase.is_listed(a))]
    return sorted(items, key=lambda a: (-a.ct, -int(a.mid), a.idx))


def pushes_of(biz: str, phase: Phase = PHASE_1, with_removed: bool = False) -> list[list[WechatArticle]]:
    """An account's pushes (群发), newest first: one list of articles per ``mid``."""
    pushes: dict[str, list[WechatArticle]] = {}
    for article in articles_of(biz, phase, with_removed):
        pushes.setdefault(article.mid, []).append(article)
    return list(pushes.values())


# --------------------------------------------------------------------------------------------------
# Weibo

_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def mid_to_bid(mid: str) -> str:
    """Weibo's base62 post id: 7-digit groups from the right, each as 4 base62 chars."""
    digits, out = mid, list[str]()
    while digits:
        chunk, digits = digits[-7:], digits[:-7]
        n, enc = int(chunk), ""
        while n:
            n, r = divmod(n, 62)
            enc = _BASE62[r] + enc
        out.insert(0, enc.rjust(4, "0") if digits else enc)
    return "".join(out)


@dataclass(frozen=True)
class WeiboAccount:
    uid: str
    name: str
    followers: int | str  # as the API gives it: an int or a string like "12.6万"
    followers_int: int
    follow_count: int
    verified_reason: str
    description: str
    agency: str

    @property
    def avatar(self) -> Image:
        return IMAGES[f"/avatar/{self.uid}_180.png"]

    @property
    def avatar_hd(self) -> Image:
        return IMAGES[f"/avatar/{self.uid}_hd.png"]


@dataclass(frozen=True)
class WeiboPic:
    pid: str
    large: Image
    thumb: Image


@dataclass(frozen=True)
class WeiboPost:
    uid: str
    mid: str
    created: datetime
    text: str  # HTML as the API gives it
    page: int  # 1 or 2
    pics: tuple[WeiboPic, ...] = ()
    pinned: bool = False
    long_text: str = ""  # full text (HTML) served by /statuses/extend when the list text is cut
    retweet_deleted: bool = False  # reposts an original that was deleted since
    counts: tuple[int, int, int] = (0, 0, 0)  # reposts, comments, attitudes
    source: str = "微博 weibo.com"

    @property
    def bid(self) -> str:
        return mid_to_bid(self.mid)


WEIBO_ACCOUNTS: tuple[WeiboAccount, ...] = (
    WeiboAccount("7312046598", "云岚发布", "12.6万", 126000, 215,
                 "云岚市人民政府新闻办公室官方微博\u3000", "权威发布云岚市政务信息，倾听民意，服务民生。",
                 "云岚市人民政府新闻办公室"),
    WeiboAccount("6620481357", "云岚市场监管", 8421, 8421, 96,
                 "云岚市市场监督管理局官方微博", "食品安全、质量监管、消费维权，守护您的“舌尖”与“钱袋”。",
                 "云岚市市场监督管理局"),
    WeiboAccount("5893027714", "云岚气象", 356, 356, 12,
                 "云岚市气象局官方微博", "云岚市气象局天气预报和预警信息发布。", "云岚市气象局"),
)
WEIBO_BY_UID = {a.uid: a for a in WEIBO_ACCOUNTS}
for _weibo in WEIBO_ACCOUNTS:
    _image(f"/avatar/{_weibo.uid}_180.png", "avatar:" + _weibo.uid, 48, 48)
    _image(f"/avatar/{_weibo.uid}_hd.png", "avatar-hd:" + _weibo.uid, 96, 96)
WB_FABU, WB_SCJG, WB_QIXIANG = (a.uid for a in WEIBO_ACCOUNTS)


def weibo_pic(uid: str, name: str, seed: str | None = None, width: int = 120, height: int = 90) -> WeiboPic:
    pid = f"{int(uid) & 0xFFFFFFFF:08x}gy1i" + hashlib.sha256(("pid:" + name).encode()).hexdigest()[:20]
    large = _image(f"/large/{pid}.png", seed or name, width, height)
    thumb = _image(f"/orj360/{pid}.png", "thumb:" + (seed or name), width // 2, height // 2)
    return WeiboPic(pid, large, thumb)


def topic(name: str) -> str:
    q = quote(f"231522type=1&t=10&q=#{name}#", safe="")
    return f'<a  href="/search?containerid={q}"><span class="surl-text">#{name}#</span></a>'


def mention(name: str) -> str:
    return f"<a href='/n/{name}'>@{name}</a>"


_LONG_GONGNUAN = (
    "【2026—2027年度供暖季服务指南】我市供暖季自11月15日起至2027年3月15日止，共计120天。"
    "居民住宅供热价格维持不变，按建筑面积计收的每平方米每供暖季24元。<br />"
    "室内温度不达标或管道跑冒滴漏的，可拨打所属供热企业服务电话，或拨打12345政务服务便民热线反映，"
    "供热企业接到报修后应在2小时内上门处置。<br />享受最低生活保障的家庭，可向所在社区申请供暖费补贴。"
    + topic("云岚冬季供暖")
)

WEIBO_POSTS: tuple[WeiboPost, ...] = (
    # 云岚发布, page 1: pinned (older) first, then newest first
    WeiboPost(WB_FABU, "5146728330184721", at(2026, 3, 2, 9, 0),
              "【置顶】《云岚市政务服务便民手册（2026版）》电子版发布，132项高频事项办理指南一册读懂。"
              + topic("云岚政务服务") + "<br />点击图片查看大图。", 1,
              pics=(weibo_pic(WB_FABU, "便民手册封面", width=90, height=120),),
              pinned=True, counts=(318, 76, 1204)),
    WeiboPost(WB_FABU, "5235961182840117", at(2026, 11, 19, 20, 5),
              "【寒潮蓝色预警】受强冷空气影响，11月20日至22日我市将出现大风降温天气，最低气温可降至零下3℃。"
              "请注意添衣保暖，减少不必要的外出。" + topic("云岚天气") + "<br />" + mention("云岚气象"), 1,
              pics=(weibo_pic(WB_FABU, "寒潮预警微博配图", seed=IMG_HANCHAO.seed, width=IMG_HANCHAO.width,
                              height=IMG_HANCHAO.height),),
              counts=(56, 23, 310)),
    WeiboPost(WB_FABU, "5235587240916533", at(2026, 11, 18, 16, 40),
              "【2026—2027年度供暖季服务指南】我市供暖季自11月15日起至2027年3月15日止，共计120天。"
              "居民住宅供热价格维持不变 ...<a href=\"/status/5235587240916533\">全文</a>", 1,
              long_text=_LONG_GONGNUAN, counts=(12, 40, 88)),
    WeiboPost(WB_FABU, "5234512937708126", at(2026, 11, 15, 12, 10),
              "提醒：相关信息请以官方发布为准。//" + mention("云岚交警") + ":转发微博", 1,
              retweet_deleted=True, counts=(3, 5, 17)),
    WeiboPost(WB_FABU, "5233420562017845", at(2026, 11, 12, 9, 30),
              "【流感疫苗开始接种】全市60岁及以上户籍老年人可免费接种一剂次，可通过“健康云岚”小程序预约。"
              + topic("云岚健康提示"), 1,
              pics=(weibo_pic(WB_FABU, "流感疫苗接种点-1"), weibo_pic(WB_FABU, "流感疫苗接种点-2")),
              counts=(41, 18, 265)),
    # 云岚发布, page 2
    WeiboPost(WB_FABU, "5231244068701293", at(2026, 11, 6, 18, 0),
              "【交通管制】11月8日7:00至13:00，2026云岚半程马拉松比赛期间，滨江路、政通路部分路段实行交通管制，"
              "请提前规划出行路线。" + topic("2026云岚半马"), 2, counts=(88, 32, 420)),
    WeiboPost(WB_FABU, "5228693270448610", at(2026, 10, 30, 8, 20),
              "2027年度城乡居民医保集中缴费已开始，截止时间为12月31日。详情请关注" + mention("云岚医保") + "。", 2,
              counts=(9, 4, 51)),
    WeiboPost(WB_FABU, "5227966731590254", at(2026, 10, 28, 10, 5),
              "一图读懂云岚市老旧小区改造三年行动方案：到2028年底完成改造286个，惠及居民3.2万户。"
              + topic("老旧小区改造"), 2, pics=(weibo_pic(WB_FABU, "老旧小区改造微博配图"),),
              counts=(27, 15, 133)),
    WeiboPost(WB_FABU, "5225060218337219", at(2026, 10, 20, 19, 45),
              "【云岚秋色】银杏叶黄，江畔秋浓。周末去临江公园走走吧！" + topic("云岚秋色"), 2,
              pics=(weibo_pic(WB_FABU, "临江公园秋色", width=160, height=90),), counts=(64, 29, 812),
              source="iPhone客户端"),
    # 云岚市场监管
    WeiboPost(WB_SCJG, "5232001364880911", at(2026, 11, 6, 15, 30),
              "【抽检公告】2026年第三季度全市抽检食品1126批次，不合格13批次，已依法处置。" + topic("食品安全"), 1,
              counts=(6, 2, 35)),
    WeiboPost(WB_SCJG, "5226733982215560", at(2026, 10, 15, 12, 0),
              "消费维权提示：遇到消费纠纷，请拨打12315投诉举报热线。" + topic("315消费维权"), 1,
              counts=(2, 1, 14)),
    WeiboPost(WB_SCJG, "5223088417063405", at(2026, 9, 30, 11, 30),
              "国庆假期消费提示：预付消费要谨慎，旅游出行选正规，保留凭证好维权。", 1,
              pics=(weibo_pic(WB_SCJG, "国庆消费提示微博配图"),), counts=(4, 0, 22)),
    WeiboPost(WB_SCJG, "5217319480773651", at(2026, 9, 3, 10, 0),
              "秋季开学在即，市场监管部门开展校园周边食品安全专项检查。", 2, counts=(1, 0, 9)),
    WeiboPost(WB_SCJG, "5211877326659028", at(2026, 8, 19, 16, 20),
              "电动自行车充电器请选购有3C认证标志的正规产品。" + topic("电动自行车安全"), 2, counts=(3, 1, 17)),
)


def weibo_posts_of(uid: str, page: int) -> list[WeiboPost]:
    posts = [p for p in WEIBO_POSTS if p.uid == uid and p.page == page]
    return sorted(posts, key=lambda p: (not p.pinned, -p.created.timestamp()))


# The one other card kind in a list (card_type 11 with a card_group): parsers must skip it.
WEIBO_GROUP_CARD_AFTER = "5235961182840117"  # inserted after this post on 云岚发布's first page

DELETED_ORIGINAL_MID = "5234377652019413"


# --------------------------------------------------------------------------------------------------
# Douyin

@dataclass(frozen=True)
class DouyinAccount:
    sec_uid: str
    name: str
    agency: str

    @property
    def path(self) -> str:
        return f"/douyin/user/{self.sec_uid}"


DOUYIN_ACCOUNTS: tuple[DouyinAccount, ...] = (
    DouyinAccount("MS4wLjABAAAA" + base64.urlsafe_b64encode(_digest("douyin", "云岚文旅")).decode("ascii")[:40],
                  "云岚文旅", "云岚市文化广电和旅游局"),
)
DOUYIN_BY_SEC_UID = {a.sec_uid: a for a in DOUYIN_ACCOUNTS}


# --------------------------------------------------------------------------------------------------
# Toutiao (a JS-rendered shell, like Douyin)

@dataclass(frozen=True)
class ToutiaoAccount:
    token: str
    name: str
    agency: str

    @property
    def path(self) -> str:
        return f"/toutiao/c/user/token/{self.token}/"


TOUTIAO_ACCOUNTS: tuple[ToutiaoAccount, ...] = (
    ToutiaoAccount("MS4wLjABAAAA" + base64.urlsafe_b64encode(_digest("toutiao", "云岚交警")).decode("ascii")[:40],
                   "云岚交警", "云岚市公安局交通警察支队"),
)
TOUTIAO_BY_TOKEN = {a.token: a for a in TOUTIAO_ACCOUNTS}
TOUTIAO_BUNDLES = ("/toutiao/static/js/vendors.8c1f2a.js", "/toutiao/static/js/profile.5e7b90.js")


# --------------------------------------------------------------------------------------------------
# The portal's 政务新媒体 directory (3 pages)

@dataclass(frozen=True)
class DirectoryRow:
    name: str
    platform: str  # 平台 cell: 微信公众号 | 新浪微博 | 抖音 | 网站
    agency: str
    platform_id: str  # 微信号/账号ID cell
    link: str  # raw URL path (pages escape it)


def _wechat_row(biz: str) -> DirectoryRow:
    a = WECHAT_BY_BIZ[biz]
    return DirectoryRow(a.name, "微信公众号", a.agency, a.alias or a.gh_id, a.history_path + "#wechat_redirect")


def _weibo_row(uid: str) -> DirectoryRow:
    a = WEIBO_BY_UID[uid]
    return DirectoryRow(a.name, "新浪微博", a.agency, a.uid, f"/u/{a.uid}")


DEAD_COLUMN = "/zwgk/old-column/"

DIRECTORY_PAGES: tuple[tuple[DirectoryRow, ...], ...] = (
    (_wechat_row(FABU), _weibo_row(WB_FABU), _wechat_row(SCJG), _weibo_row(WB_SCJG), _wechat_row(JIAOYU)),
    (_wechat_row(RENSHE), _weibo_row(WB_QIXIANG),
     DirectoryRow("云岚文旅", "抖音", "云岚市文化广电和旅游局", DOUYIN_ACCOUNTS[0].sec_uid, DOUYIN_ACCOUNTS[0].path),
     _wechat_row(QINGSHAN)),
    (_wechat_row(TONGXI),
     DirectoryRow("云岚市政务公开专栏", "网站", SITE_OWNER, "—", DEAD_COLUMN),
     _wechat_row(FABU)),  # listed again: the same account on page 1 and page 3
)
DIRECTORY_PATHS = ("/xxgk/xmt/index.html", "/xxgk/xmt/index_1.html", "/xxgk/xmt/index_2.html")
LYING_CHARSET_PATH = DIRECTORY_PATHS[1]  # header says utf-8, body is GBK


# --------------------------------------------------------------------------------------------------
# The portal's 通知公告 column

@dataclass(frozen=True)
class ClosedAccount:
    """One account named by the portal closure notice, and where its content went."""

    name: str
    platform: str  # wechat | weibo | douyin
    agency: str
    successor: str | None  # the named target, None when the notice names none
    successor_kind: str  # account | website | office | class | none
    in_directory: bool


@dataclass(frozen=True)
class GovNotice:
    path: str
    title: str
    published: datetime
    written: datetime  # 成文日期
    index_no: str  # 信息索引号
    publisher: str  # 发布机构 / ContentSource
    topic: str  # 主题分类
    genre: str  # 体裁分类
    paragraphs: tuple[str, ...]
    signature: tuple[str, ...] = ()
    views: int = 0
    column: str = "通知公告"  # key of templates' column table: 通知公告 (/xxgk/tzgg/) or 预警信息 (/qxj/yjxx/)


CLOSURE_NOTICE_PATH = "/xxgk/tzgg/202609/t20260915_1001.html"

CLOSED_ACCOUNTS: tuple[ClosedAccount, ...] = (
    ClosedAccount("云岚青山街道", "wechat", "青山区青山街道办事处", "属地政府网站", "class", True),
    ClosedAccount("桐溪镇发布", "wechat", "桐溪县桐溪镇人民政府", "桐溪县人民政府网站", "website", True),
    ClosedAccount("临江城管", "douyin", "临江区城市管理局", "临江区政务服务中心（临江区滨江路88号）", "office", False),
    ClosedAccount("云岚就业", "weibo", "云岚市就业服务中心", None, "none", False),
    ClosedAccount("云岚科普", "wechat", "云岚市科学技术协会", "云岚发布", "account", False),
)

GOV_NOTICES: tuple[GovNotice, ...] = (
    GovNotice(
        HEATING_NOTICE_PATH, "关于2026—2027年度供暖季启动的通知",
        at(2026, 11, 10, 16, 0), at(2026, 11, 9), "1153990000MB1234YL/2026-01012", "云岚市住房和城乡建设局",
        "城乡建设、环境保护", "通知",
        (
            "各区县住房和城乡建设主管部门、各供热企业：",
            ("根据气象部门预报，今冬我市气温较常年偏低。经市政府同意，2026—2027年度供暖季自2026年11月15日起"
             "至2027年3月15日止。各供热企业要提前完成设备检修和系统注水试压，确保按时供热、稳定达标。"),
            "供暖期间，各供热企业要公开服务电话，实行24小时值班，对用户报修在2小时内响应处置。",
        ),
        ("云岚市住房和城乡建设局", "2026年11月9日"), 1268),
    GovNotice(
         "/xxgk/tzgg/202610/t20261020_1007.html", "2026年第三季度全市政府网站和政务新媒体检查情况通报",
        at(2026, 10, 20, 9, 30), at(2026, 10, 19), "1153990000MB1234YL/2026-01007", SITE_OWNER,
         "政务公开", "通报",
        (
            "各区县人民政府，市政府各部门：",
            ("按照《政府网站与政务新媒体检查指标》要求，市政府办公室对全市政府网站和政务新媒体开展了第三季度抽查。"
            "本次共抽查政府网站12家、政务新媒体48个，总体合格率为95.8%。"),
            ("抽查发现的主要问题：一是个别账号长期不更新，“云岚青山街道”微信公众号超过2周未更新；二是存在僵尸账号，"
            "“桐溪镇发布”微信公众号自开通以来未发布信息；三是部分账号互动回应不及时。"),
            "请相关单位于2026年10月31日前完成整改，对功能相近、关注度低的账号按程序予以关停整合。",
        ),
        (SITE_OWNER, "2026年10月19日"), 842),
    GovNotice(
        CLOSURE_NOTICE_PATH, "关于关停注销部分政务新媒体账号的公告",
        at(2026, 9, 15, 10, 30), at(2026, 9, 12), "1153990000MB1234YL/2026-01001", SITE_OWNER,
         "政务公开", "公告",
        (
            ("为贯彻落实《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）精神，"
            "进一步整合优化政务新媒体资源，切实减轻基层负担，经研究，决定对以下功能相近、用户关注度和利用率低的"
            "政务新媒体账号予以关停注销。现将有关事项公告如下："),
            ("一、“云岚青山街道”微信公众号（主办单位：青山区青山街道办事处）将于2026年10月1日起停止更新，"
            "并启动注销程序，相关信息资讯、公示、公告等内容并入属地政府网站。"),
            ("二、“桐溪镇发布”微信公众号（主办单位：桐溪县桐溪镇人民政府）自即日起停止更新并启动注销程序，"
            "今后可登录「桐溪县人民政府网站」查阅相关政务信息。"),
            ("三、‘临江城管’抖音账号（主办单位：临江区城市管理局）自即日起停止更新，市容环境、占道经营等相关问题，"
            "请到临江区政务服务中心（临江区滨江路88号）咨询。"),
            ("四、“云岚就业”新浪微博（主办单位：云岚市就业服务中心）将于2026年10月1日起停止更新并注销，"
            "招聘信息今后将在其他平台推送。"),
            ("五、“云岚科普”微信公众号（主办单位：云岚市科学技术协会）自即日起停止更新，全部业务、功能迁移至"
            "“云岚发布”微信公众号。"),
            "关停注销期间，上述账号不再发布新的信息，原有内容按规定做好归档保存。由此给广大网民带来的不便，敬请谅解。",
            "特此公告。",
        ),
        (SITE_OWNER, "2026年9月15日"), 3571),
    GovNotice(
         "/xxgk/tzgg/202608/t20260828_0996.html", "关于开展2026年秋季爱国卫生运动的通知",
        at(2026, 8, 28, 15, 0), at(2026, 8, 27), "1153990000MB1234YL/2026-00996", "云岚市爱国卫生运动委员会办公室",
         "卫生、体育", "通知",
        (
            "各区县爱卫会，市爱卫会各成员单位：",
            ("为巩固国家卫生城市创建成果，决定于2026年9月在全市开展秋季爱国卫生运动，重点整治背街小巷、"
            "城乡接合部和农贸市场环境卫生，清除病媒生物孳生地。"),
            "各单位要广泛发动群众参与，于2026年10月10日前将活动开展情况报市爱卫办。",
        ),
        ("云岚市爱国卫生运动委员会办公室", "2026年8月27日"), 517),
)
NOTICES_BY_PATH = {n.path: n for n in GOV_NOTICES}
COLUMN_PATH = "/xxgk/tzgg/"
COLUMN_RSS_PATH = "/xxgk/tzgg/rss.xml"


# --------------------------------------------------------------------------------------------------
# The portal's 政务新媒体矩阵 (a QR-code grid, no table) and 区县政务新媒体名录 (other header words)

MATRIX_PATH = "/xxgk/xmt/matrix.html"
DISTRICT_DIRECTORY_PATH = "/xxgk/xmt/qxxmt.html"


def _qr(name: str) -> Image:
    return _image(f"/xxgk/xmt/images/qr_{_alnum('qr:' + name, 16)}.png", "qr:" + name, 82, 82)


@dataclass(frozen=True)
class QrItem:
    name: str
    platform: str  # the platform word shown (微信公众号, 新浪微博, 微信视频号, 今日头条)
    link: str | None  # raw path the QR image links to, or None
    markup: str  # "p": <p class="xmt-name">/<p class="xmt-type"> captions; "span": two <span>s; "alt": name in alt only
    qr: Image

    @property
    def name_in(self) -> str:
        return "alt" if self.markup == "alt" else "caption"


QR_ITEMS: tuple[QrItem, ...] = (
    QrItem("云岚交通", "微信公众号", None, "p", _qr("云岚交通")),
    QrItem("云岚税务", "微信公众号", None, "alt", _qr("云岚税务")),
    QrItem("云岚发布", "微信公众号", WECHAT_BY_BIZ[FABU].history_path + "#wechat_redirect", "span", _qr("云岚发布")),
    QrItem("云岚气象", "新浪微博", f"/u/{WB_QIXIANG}", "p", _qr("云岚气象")),
    QrItem("云岚文旅", "微信视频号", None, "p", _qr("云岚文旅-视频号")),
    QrItem("云岚交警", "今日头条", TOUTIAO_ACCOUNTS[0].path, "p", _qr("云岚交警")),
)


@dataclass(frozen=True)
class DistrictRow:
    name: str  # 名称
    kind: str  # 类型
    agency: str  # 开办主体
    account: str  # 账号
    link: str | None  # 访问地址 (raw path) or None
    qr: Image
    same_as: str | None = None  # account id ("wechat:<biz>", "toutiao:<token>", "douyin:<sec_uid>") or None


DISTRICT_HEADERS = ("序号", "名称", "类型", "开办主体", "账号", "访问地址", "二维码")
DISTRICT_ROWS: tuple[DistrictRow, ...] = (
    DistrictRow("青山区青山街道", "微信公众号", "青山区青山街道办事处", "ylqsjd",
                WECHAT_BY_BIZ[QINGSHAN].history_path + "#wechat_redirect", _qr("青山区青山街道"),
                f"wechat:{QINGSHAN}"),
    DistrictRow("云岚交警", "头条号", "云岚市公安局交通警察支队", TOUTIAO_ACCOUNTS[0].token, TOUTIAO_ACCOUNTS[0].path,
                _qr("云岚交警-头条号"), f"toutiao:{TOUTIAO_ACCOUNTS[0].token}"),
    DistrictRow("云岚交通", "微信公众号", "云岚市交通运输局", "ylsjtys", None, _qr("云岚交通-名录"),
                f"wechat:{JIAOTONG}"),
    DistrictRow("云岚文旅", "抖音号", "云岚市文化广电和旅游局", DOUYIN_ACCOUNTS[0].sec_uid, DOUYIN_ACCOUNTS[0].path,
                _qr("云岚文旅-抖音"), f"douyin:{DOUYIN_ACCOUNTS[0].sec_uid}"),
)


# --------------------------------------------------------------------------------------------------
# 云岚市气象台 预警信息: 3 portal pages (GBK) and the Atom feed that lists them

QX_NOTICES: tuple[GovNotice, ...] = (
    GovNotice(
        "/qxj/yjxx/202611/t20261119_2043.html", "云岚市气象台发布寒潮蓝色预警信号",
        at(2026, 11, 19, 17, 0), at(2026, 11, 19), "11539900MB0152QX/2026-02043", "云岚市气象台",
        "气象、水文、测绘、地震", "预警信息",
        (("云岚市气象台2026年11月19日17时发布寒潮蓝色预警信号：受强冷空气影响，预计11月20日至22日，"
          "我市大部地区日平均气温将下降8至10℃，最低气温可降至零下3℃，并伴有5至6级偏北风，阵风7级。"),
         "防御指南：注意添衣保暖；做好防风防冻准备；户外作业注意安全。"),
        ("云岚市气象台", "2026年11月19日"), 2210, column="预警信息"),
    GovNotice(
        "/qxj/yjxx/202611/t20261112_2031.html", "云岚市气象台发布大雾黄色预警信号",
        at(2026, 11, 12, 5, 40), at(2026, 11, 12), "11539900MB0152QX/2026-02031", "云岚市气象台",
        "气象、水文、测绘、地震", "预警信息",
        (("云岚市气象台2026年11月12日5时40分发布大雾黄色预警信号：预计未来12小时内，临江区、青山区将出现"
          "能见度小于500米的浓雾，局部小于200米。"),
         "防御指南：驾驶人员注意雾的变化，小心驾驶；机场、高速公路、轮渡码头做好交通安全管理。"),
        ("云岚市气象台", "2026年11月12日"), 965, column="预警信息"),
    GovNotice(
        "/qxj/yjxx/202611/t20261103_2017.html", "云岚市气象台发布大风蓝色预警信号",
        at(2026, 11, 3, 10, 15), at(2026, 11, 3), "11539900MB0152QX/2026-02017", "云岚市气象台",
        "气象、水文、测绘、地震", "预警信息",
        (("云岚市气象台2026年11月3日10时15分发布大风蓝色预警信号：预计未来24小时内，我市将出现平均风力6级以上、"
          "阵风8级以上的偏北大风。"),
         "防御指南：关好门窗，加固围板、棚架、广告牌等易被风吹动的搭建物；减少露天活动。"),
        ("云岚市气象台", "2026年11月3日"), 733, column="预警信息"),
)
QX_BY_PATH = {n.path: n for n in QX_NOTICES}


# --------------------------------------------------------------------------------------------------
# Feeds (start points from the sources file). Links are relative paths: the demo has one host; real
# feeds (wechat2rss, RSSHub, CMS RSS) write absolute URLs.

@dataclass(frozen=True)
class Feed:
    path: str
    kind: str  # rss | atom
    bridge: bool  # an RSS bridge over a WeChat account (wechat2rss style), not the site's own feed
    title: str


WECHAT2RSS_FEED = Feed(f"/feeds/wechat2rss/{FABU}.xml", "rss", True, "云岚发布")
COLUMN_FEED = Feed(COLUMN_RSS_PATH, "rss", False, "通知公告_" + SITE_NAME)
QX_FEED = Feed("/feeds/yunlan-qixiang.atom", "atom", False, "云岚市气象台 预警信息")
FEEDS = (WECHAT2RSS_FEED, COLUMN_FEED, QX_FEED)


def feed_items(feed: Feed, phase: Phase = PHASE_1) -> list[WechatArticle] | list[GovNotice]:
    """The posts a feed lists in ``phase``, newest first."""
    return wechat2rss_items(phase) if feed is WECHAT2RSS_FEED else notice_feed_items(feed)


def wechat2rss_items(phase: Phase = PHASE_1) -> list[WechatArticle]:
    """The articles of the wechat2rss bridge feed in ``phase``, newest first."""
    return [a for a in articles_of(FABU, phase) if not phase.is_deleted(a)]


def notice_feed_items(feed: Feed) -> list[GovNotice]:
    """The notices of a site's own feed (the portal's column, the weather office's warnings)."""
    return list(GOV_NOTICES) if feed is COLUMN_FEED else list(QX_NOTICES)


def feed_item_path(item: WechatArticle | GovNotice) -> str:
    return item.path.split("#")[0] if isinstance(item, WechatArticle) else item.path


# --------------------------------------------------------------------------------------------------
# 云岚发布's album (合集) "冬季服务指南": HTML page (first 2 articles) and JSON pages (2, then 1)

@dataclass(frozen=True)
class Album:
    album_id: str  # 19 digits
    biz: str
    title: str
    keys: tuple[str, ...]  # article keys in album order (newest first)

    @property
    def path(self) -> str:
        b64 = WECHAT_BY_BIZ[self.biz].biz_b64
        return f"/mp/appmsgalbum?__biz={b64}&action=getalbum&album_id={self.album_id}"

    @property
    def articles(self) -> list[WechatArticle]:
        return [ARTICLES_BY_KEY[k] for k in self.keys]

    def json_path(self, after: WechatArticle) -> str:
        """The JSON page listing the articles after ``after`` (the last one shown)."""
        return (f"{self.path}&f=json&count=10&is_reverse=0&begin_msgid={after.mid}"
                f"&begin_itemidx={after.idx}")


ALBUM = Album(str(10**18 + int.from_bytes(_digest("album", "冬季服务指南")[:8], "big") % (9 * 10**18)), FABU,
              "冬季服务指南", ("fabu-hanchao", "fabu-gongnuan", "fabu-yimiao", "fabu-yongdian", "fabu-yibao"))
ALBUM_HTML_COUNT = 2  # articles on the HTML page; the rest come from the JSON pages
ALBUM_JSON_COUNT = 2  # articles per JSON page, whatever ``count`` asks (the last page holds 1)
ALBUM_OF = {key: ALBUM for key in ALBUM.keys}


def album_json_paths() -> list[str]:
    arts, paths, shown = ALBUM.articles, [], ALBUM_HTML_COUNT
    while shown < len(arts):
        paths.append(ALBUM.json_path(arts[shown - 1]))
        shown += ALBUM_JSON_COUNT
    return paths


# --------------------------------------------------------------------------------------------------
# Sogou WeChat account search (weixin.sogou.com, 2017 era): temporary profile/article links

SOGOU_TIMESTAMP = str(int(TODAY.timestamp()))


def _signature(seed: str) -> str:
    raw = base64.b64encode(_digest("sogou", seed) + _digest("sogou", seed, 2)[:16]).decode("ascii")
    return raw.replace("+", "*").replace("/", "-")


def temp_link(kind: str, seed: str) -> str:
    """A temporary Sogou-era link (``kind`` is ``profile`` or ``s``), raw ``&``."""
    return f"/{kind}?src=3&timestamp={SOGOU_TIMESTAMP}&ver=1&signature={_signature(kind + ':' + seed)}"


@dataclass(frozen=True)
class SogouResult:
    name: str
    alias: str
    description: str
    agency: str
    article_title: str
    article_ct: int
    avatar: Image
    account: WechatAccount | None = None  # served account (profile link answers its history), else expired
    article: WechatArticle | None = None

    @property
    def profile_path(self) -> str:
        return temp_link("profile", self.name)

    @property
    def article_path(self) -> str:
        return temp_link("s", self.name + ":" + self.article_title)

    @property
    def openid(self) -> str:  # the li's ``d`` attribute
        return "oIWsFt" + _alnum("sogou-openid:" + self.name, 22)


SOGOU_QUERY = "云岚交通"
SOGOU_PATH = f"/weixin?type=1&query={quote(SOGOU_QUERY)}&ie=utf8"
_JT = WECHAT_BY_BIZ[JIAOTONG]
_JT_LAST = ARTICLES_BY_KEY["jiaotong-hanchao"]
SOGOU_RESULTS: tuple[SogouResult, ...] = (
    SogouResult(_JT.name, _JT.alias, _JT.description, _JT.agency, _JT_LAST.title, _JT_LAST.ct,
                _image(f"/sogou/head/{_alnum('sogou-head:' + _JT.name, 28)}", "sogou-head:" + _JT.name, 58, 58),
                _JT, _JT_LAST),
    SogouResult("云岚交通广播", "yljtgb", "云岚人民广播电台交通广播FM96.8，路况播报、出行资讯。",
                "云岚广播电视台", "早高峰路况：政通路大桥车流量大", int(at(2026, 11, 19, 7, 50).timestamp()),
                _image(f"/sogou/head/{_alnum('sogou-head:云岚交通广播', 28)}", "sogou-head:云岚交通广播", 58, 58)),
    SogouResult("云岚交通执法", "yljtzf", "云岚市交通运输综合行政执法支队政务公开、执法动态。",
                "云岚市交通运输综合行政执法支队", "开展冬季道路运输安全专项执法检查", int(at(2026, 11, 10, 15, 0).timestamp()),
                _image(f"/sogou/head/{_alnum('sogou-head:云岚交通执法', 28)}", "sogou-head:云岚交通执法", 58, 58)),
)
SOGOU_PROFILE_LINKS = {r.profile_path: r for r in SOGOU_RESULTS}
SOGOU_ARTICLE_LINKS = {r.article_path: r for r in SOGOU_RESULTS}


# --------------------------------------------------------------------------------------------------
# The MP back-office (公众号后台) search and publish list. Fake, demo-only credentials: requests need
# ``token=MP_DEMO_TOKEN`` in the query and a Cookie header containing MP_DEMO_COOKIE.

MP_DEMO_TOKEN = "demo-mp-token"
MP_DEMO_COOKIE = "slave_sid=demo-mp-session"
MP_PAGE_SIZE = 5


def mp_searchbiz_path(query: str, begin: int = 0) -> str:
    return (f"/cgi-bin/searchbiz?action=search_biz&query={quote(query)}&begin={begin}&count={MP_PAGE_SIZE}"
            f"&lang=zh_CN&f=json&ajax=1")


def mp_publish_path(account: WechatAccount, begin: int = 0) -> str:
    return (f"/cgi-bin/appmsgpublish?sub=list&sub_action=list_ex&begin={begin}&count={MP_PAGE_SIZE}"
            f"&fakeid={account.biz_b64}&type=101_1&free_publish_type=1&lang=zh_CN&f=json&ajax=1")


def with_token(path: str) -> str:
    return f"{path}&token={MP_DEMO_TOKEN}"


# --------------------------------------------------------------------------------------------------
# The summary other modules' tests check a crawl against


def _wechat_summary(a: WechatAccount, phase: Phase = PHASE_1) -> dict[str, object]:
    arts = articles_of(a.biz, phase)
    listed = 0 if phase.is_cancelled(a.biz) else len(arts)  # a cancelled account's history lists nothing
    return {"biz": a.biz, "biz_b64": a.biz_b64, "name": a.name, "gh_id": a.gh_id, "alias": a.alias or None,
            "agency": a.agency, "status": phase.status_of(a), "history_path": a.history_path,
            "articles": listed,
            "last_post_at": arts[0].published.isoformat() if arts else None}


def _weibo_summary(a: WeiboAccount) -> dict[str, object]:
    posts = [p for p in WEIBO_POSTS if p.uid == a.uid]
    last = max((p.created for p in posts), default=None)
    return {"uid": a.uid, "name": a.name, "followers": a.followers_int, "followers_raw": a.followers,
            "posts": len(posts), "pages": len({p.page for p in posts}),
            "last_post_at": last.isoformat() if last else None}


def _all_paths() -> list[str]:
    paths = ["/", "/robots.txt", "/xxgk/xmt/", *DIRECTORY_PATHS, COLUMN_PATH, *NOTICES_BY_PATH, DEAD_COLUMN]
    paths += [a.history_path for a in WECHAT_ACCOUNTS]
    paths += [a.path.split("#")[0] for a in WECHAT_ARTICLES]
    paths += [f"/u/{a.uid}" for a in WEIBO_ACCOUNTS]
    paths += [f"/api/container/getIndex?type=uid&value={a.uid}" for a in WEIBO_ACCOUNTS]
    for a in WEIBO_ACCOUNTS:
        paths.append(f"/api/container/getIndex?type=uid&value={a.uid}&containerid=107603{a.uid}")
        second = weibo_posts_of(a.uid, 2)
        if second:
            paths.append(f"/api/container/getIndex?type=uid&value={a.uid}&containerid=107603{a.uid}"
                         f"&since_id={second[0].mid}")
    paths += [f"/statuses/extend?id={p.mid}" for p in WEIBO_POSTS if p.long_text]
    paths += [a.path for a in DOUYIN_ACCOUNTS]
    paths += [image.url for image in IMAGES.values()]
    # the variants added for the crawler's page kinds
    paths += [a.path.split("#")[0] for a in (*KEPU_ARTICLES, CAPTCHA_ARTICLE)]
    paths.append(KEPU_ACCOUNT.history_path)
    for article in WECHAT_ARTICLES:
        paths += [p.url + "&from=appmsg" for p in article.pictures]
        for block in article.blocks:
            if isinstance(block, Voice):
                paths += [block.path, block.template_path]
    paths += [ALBUM.path, *album_json_paths()]
    paths += [feed.path for feed in FEEDS]
    paths += [n.path for n in QX_NOTICES]
    paths += [MATRIX_PATH, DISTRICT_DIRECTORY_PATH]
    paths += [a.path for a in TOUTIAO_ACCOUNTS] + list(TOUTIAO_BUNDLES)
    paths.append(SOGOU_PATH)
    for result in SOGOU_RESULTS:
        paths += [result.profile_path, result.article_path]
    jiaotong = WECHAT_BY_BIZ[JIAOTONG]
    paths += [mp_searchbiz_path(jiaotong.name), mp_publish_path(jiaotong, 0), mp_publish_path(jiaotong, 5)]
    from govarchive.demo import cms  # the Hanweb and TRS columns and the news site (it reads this module's names)

    paths += cms.paths()
    return paths


def _changed_paths(phase: Phase) -> list[str]:
    """The paths of :func:`_all_paths` whose response in ``phase`` differs from phase 1's."""
    removed = [ARTICLES_BY_KEY[k] for k in phase.removed]
    changed_bizes = {*phase.cancelled, *(a.biz for a in removed), *(a.biz for a in phase.added)}
    changed = {WECHAT_BY_BIZ[b].history_path for b in changed_bizes}
    changed |= {a.path.split("#")[0] for a in WECHAT_ARTICLES if a.biz in phase.cancelled or a in removed}
    paths = _all_paths()
    changed |= {p for b in changed_bizes for p in paths if f"&fakeid={WECHAT_BY_BIZ[b].biz_b64}&" in p}
    changed |= {r.profile_path for r in SOGOU_RESULTS if r.account and r.account.biz in changed_bizes}
    changed |= {r.article_path for r in SOGOU_RESULTS
                if r.article and (r.article in removed or r.article.biz in phase.cancelled)}
    if FABU in changed_bizes or phase.today != TODAY:  # the bridge feed of 云岚发布 (lastBuildDate: today)
        changed.add(WECHAT2RSS_FEED.path)
    return [p for p in paths if p in changed]


def _article_state(article: WechatArticle, phase: Phase) -> str:
    if phase.is_cancelled(article.biz):
        return "cancelled"
    return "deleted" if phase.is_deleted(article) else "ok"


def _later_summary(phase: Phase) -> dict[str, object]:
    new, removed = phase.added[0], ARTICLES_BY_KEY[phase.removed[0]]
    new_paths = [a.path.split("#")[0] for a in phase.added] + [i.url for i in phase.images]
    return {
        "phase": phase.number,
        "today": phase.today.isoformat(),
        "markers": {"cancelled": CANCELLED_TEXT, "cancelled_profile": CANCELLED_PROFILE_TEXT,
                    "deleted": DELETED_TEXT},
        "cancelled_accounts": [
            {"biz": b, "name": WECHAT_BY_BIZ[b].name, "account_id": f"wechat:{b}",
             "history_path": WECHAT_BY_BIZ[b].history_path, "status_before": WECHAT_BY_BIZ[b].status,
             "article_paths": [a.path.split("#")[0] for a in articles_of(b)]}
            for b in phase.cancelled],
        "deleted_article": {"key": removed.key_tuple, "path": removed.path.split("#")[0], "biz": removed.biz,
                            "account_id": f"wechat:{removed.biz}", "title": removed.title,
                            "published_at": removed.published.isoformat(),
                            "history_path": WECHAT_BY_BIZ[removed.biz].history_path},
        "new_article": {"key": new.key_tuple, "path": new.path.split("#")[0], "title": new.title,
                        "published_at": new.published.isoformat(), "biz": new.biz,
                        "account_id": f"wechat:{new.biz}", "cover_url": new.cover.url,
                        "history_path": WECHAT_BY_BIZ[new.biz].history_path, "feed_path": WECHAT2RSS_FEED.path},
        "wechat_accounts": [_wechat_summary(a, phase) for a in WECHAT_ACCOUNTS],
        "wechat_articles": [{"key": a.key_tuple, "title": a.title, "published_at": a.published.isoformat(),
                             "state": _article_state(a, phase), "path": a.path.split("#")[0]}
                            for a in phase.articles],
        "changed_paths": _changed_paths(phase),
        "new_paths": new_paths,
        "paths": _all_paths() + new_paths,
    }


def _video_of(article: WechatArticle) -> Video:
    return next(b for b in article.blocks if isinstance(b, Video))


def _voice_of(article: WechatArticle) -> Voice:
    return next(b for b in article.blocks if isinstance(b, Voice))


def _album_summary() -> dict[str, object]:
    arts = ALBUM.articles
    return {"path": ALBUM.path, "album_id": ALBUM.album_id, "biz": ALBUM.biz, "title": ALBUM.title,
            "nickname": WECHAT_BY_BIZ[ALBUM.biz].name, "article_count": len(arts),
            "articles": [a.key_tuple for a in arts], "html_count": ALBUM_HTML_COUNT,
            "json_paths": album_json_paths(),
            "tagged_articles": [a.key_tuple for a in arts]}


EXPECTED: dict[str, object] = {
    "today": TODAY.isoformat(),
    "site": {"name": SITE_NAME, "domain": SITE_DOMAIN, "id_code": SITE_ID_CODE},
    "start_paths": ["/xxgk/xmt/", COLUMN_PATH],
    "redirect": ("/xxgk/xmt/", DIRECTORY_PATHS[0]),
    "directory_pages": list(DIRECTORY_PATHS),
    "lying_charset_page": LYING_CHARSET_PATH,
    "directory_rows": sum(len(page) for page in DIRECTORY_PAGES),
    "directory_accounts": len({row.link for page in DIRECTORY_PAGES for row in page}),
    "directory_duplicate": (FABU, DIRECTORY_PATHS[0], DIRECTORY_PATHS[2]),
    "not_found_paths": [DEAD_COLUMN],
    "wechat_accounts": [_wechat_summary(a) for a in WECHAT_ACCOUNTS],
    "wechat_articles": [{"key": a.key_tuple, "title": a.title, "published_at": a.published.isoformat(),
                         "state": "deleted" if a.deleted else "ok", "path": a.path.split("#")[0]}
                        for a in WECHAT_ARTICLES],
    "multi_push": (FABU, "2650012041", (1, 2)),
    "zombie_account": TONGXI,
    "dormant_account": QINGSHAN,
    "closing_account": RENSHE,
    "closure_post": ARTICLES_BY_KEY["renshe-tingzhi"].key_tuple,
    "closure_post_successors": ("云岚发布", "云岚市人民政府"),
    "deleted_article": ARTICLES_BY_KEY["scjg-diandongche"].key_tuple,
    "style_2020_article": ARTICLES_BY_KEY["jiaoyu-kaixue"].key_tuple,
    "style_2019_video_article": {"key": ARTICLES_BY_KEY["scjg-guoqi-2019"].key_tuple, "item_show_type": 5,
                                 "path": ARTICLES_BY_KEY["scjg-guoqi-2019"].path.split("#")[0]},
    "weibo_accounts": [_weibo_summary(a) for a in WEIBO_ACCOUNTS],
    "weibo_uids": [a.uid for a in WEIBO_ACCOUNTS],
    "weibo_empty_uid": WB_QIXIANG,
    "weibo_pinned_mid": "5146728330184721",
    "weibo_longtext_mid": "5235587240916533",
    "weibo_deleted_repost_mid": "5234512937708126",
    "weibo_posts": [p.mid for p in WEIBO_POSTS],
    "douyin_accounts": [{"sec_uid": a.sec_uid, "name": a.name, "path": a.path} for a in DOUYIN_ACCOUNTS],
    "portal_notices": [{"path": n.path, "title": n.title, "published_at": n.published.isoformat()}
                       for n in GOV_NOTICES],
    "portal_closure_notice": {
         "path": CLOSURE_NOTICE_PATH, "title": NOTICES_BY_PATH[CLOSURE_NOTICE_PATH].title,
         "published_at": NOTICES_BY_PATH[CLOSURE_NOTICE_PATH].published.isoformat(),
         "closed_accounts": [vars(c) for c in CLOSED_ACCOUNTS],
    },
    "shared_image_url": IMG_FOOTER.url,
    "same_bytes_urls": (IMG_HANCHAO.url,
                        next(p.pics[0].large.url for p in WEIBO_POSTS if p.mid == "5235961182840117")),
    # ---- variants (WeChat page kinds, album, feeds, grid/district directories, Toutiao, Sogou, MP) ----
    "style_2024_articles": [a.key_tuple for a in WECHAT_ARTICLES if a.style == "2024"],
    "image_share_article": {
        "key": ARTICLES_BY_KEY["fabu-tuji"].key_tuple, "item_show_type": 8,
        "pictures": [p.url + "&from=appmsg" for p in ARTICLES_BY_KEY["fabu-tuji"].pictures]},
    "video_article": {"key": ARTICLES_BY_KEY["scjg-shipin"].key_tuple,
                      "vid": _video_of(ARTICLES_BY_KEY["scjg-shipin"]).vid,
                      "iframe_src": _video_of(ARTICLES_BY_KEY["scjg-shipin"]).src},
    "external_refs": [_video_of(ARTICLES_BY_KEY["scjg-shipin"]).src],
    "audio_article": {"key": ARTICLES_BY_KEY["fabu-yongdian"].key_tuple,
                      "voice_fileid": _voice_of(ARTICLES_BY_KEY["fabu-yongdian"]).fileid,
                      "voice_path": _voice_of(ARTICLES_BY_KEY["fabu-yongdian"]).path,
                      "name": _voice_of(ARTICLES_BY_KEY["fabu-yongdian"]).name,
                      "play_length_ms": _voice_of(ARTICLES_BY_KEY["fabu-yongdian"]).play_length},
    "repost_article": {"key": ARTICLES_BY_KEY["jiaoyu-zhuanzai"].key_tuple,
                       "original": ARTICLES_BY_KEY["fabu-hanchao"].key_tuple,
                       "original_path": ARTICLES_BY_KEY["fabu-hanchao"].path.split("#")[0]},
    "source_url_article": {"key": ARTICLES_BY_KEY["fabu-gongnuan"].key_tuple, "source_url": HEATING_NOTICE_PATH},
    "migrated_account": {
        "biz": KEPU, "biz_b64": KEPU_ACCOUNT.biz_b64, "name": KEPU_ACCOUNT.name, "gh_id": KEPU_ACCOUNT.gh_id,
        "agency": KEPU_ACCOUNT.agency, "status": "migrated", "history_path": KEPU_ACCOUNT.history_path,
        "successor_biz": FABU,
        "articles": [{"key": a.key_tuple, "title": a.title, "path": a.path.split("#")[0],
                      "linked_from": ARTICLES_BY_KEY["fabu-hanchao"].key_tuple,
                      "transfer_target": (ARTICLES_BY_KEY[t].key_tuple if (t := TRANSFER_TARGETS[a.key]) else None),
                      "transfer_target_path": ARTICLES_BY_KEY[t].path.split("#")[0] if t else None}
                     for a in KEPU_ARTICLES]},
    "captcha_article": {"key": CAPTCHA_ARTICLE.key_tuple, "path": CAPTCHA_ARTICLE.path.split("#")[0],
                        "linked_from": ARTICLES_BY_KEY["fabu-yibao"].key_tuple},
    "album": _album_summary(),
    "feeds": [{"path": f.path, "kind": f.kind, "bridge": f.bridge, "title": f.title,
               "items": len(feed_items(f)), "item_paths": [feed_item_path(i) for i in feed_items(f)]}
              for f in FEEDS],
    "qx_notices": [{"path": n.path, "title": n.title, "published_at": n.published.isoformat()}
                   for n in QX_NOTICES],
    "qr_grid": {"path": MATRIX_PATH, "linked_from": ["/", DIRECTORY_PATHS[0]],
                "items": [{"name": i.name, "platform": i.platform, "path": i.link, "name_in": i.name_in}
                          for i in QR_ITEMS]},
    "district_directory": {"path": DISTRICT_DIRECTORY_PATH, "linked_from": DIRECTORY_PATHS[0],
                           "headers": list(DISTRICT_HEADERS),
                           "rows": [{"name": r.name, "kind": r.kind, "agency": r.agency, "account": r.account,
                                     "path": r.link, "same_as": r.same_as} for r in DISTRICT_ROWS]},
    "toutiao_accounts": [{"token": a.token, "name": a.name, "path": a.path} for a in TOUTIAO_ACCOUNTS],
    "sogou": {"path": SOGOU_PATH, "query": SOGOU_QUERY, "exact_name": SOGOU_RESULTS[0].name,
              "exact_biz": JIAOTONG, "profile_path": SOGOU_RESULTS[0].profile_path,
              "article_path": SOGOU_RESULTS[0].article_path,
              "article_key": ARTICLES_BY_KEY["jiaotong-hanchao"].key_tuple, "results": len(SOGOU_RESULTS),
              "expired_paths": [p for r in SOGOU_RESULTS[1:] for p in (r.profile_path, r.article_path)]},
    "mp_backoffice": {"token": MP_DEMO_TOKEN, "cookie": MP_DEMO_COOKIE,
                      "searchbiz_path": mp_searchbiz_path(WECHAT_BY_BIZ[JIAOTONG].name),
                      "publish_path": mp_publish_path(WECHAT_BY_BIZ[JIAOTONG], 0),
                      "publish_paths": [mp_publish_path(WECHAT_BY_BIZ[JIAOTONG], b) for b in (0, MP_PAGE_SIZE)],
                      "biz": JIAOTONG, "biz_b64": WECHAT_BY_BIZ[JIAOTONG].biz_b64, "page_size": MP_PAGE_SIZE,
                      "total": len(articles_of(JIAOTONG)),
                      "deleted": ARTICLES_BY_KEY["jiaotong-daqiao"].key_tuple},
    "paths": _all_paths(),
    "later": _later_summary(PHASE_2),
}
"""What a crawl of the demo web should find. Keys:

- ``today``: the demo's "now" (ISO, +08:00); ``site``: ``{name, domain, id_code}`` of the portal.
- ``start_paths``: where ``make demo`` starts (directory, notices column); ``redirect``: (from, to) 301.
- ``directory_pages``: the 3 directory pages; ``lying_charset_page``: the one whose header says utf-8
  over a GBK body; ``directory_rows``: table rows over all pages (12); ``directory_accounts``: distinct
  linked entries (11); ``directory_duplicate``: (biz, first page, last page) of the account listed twice.
- ``not_found_paths``: linked paths that answer 404.
- ``wechat_accounts``: ``{biz, biz_b64, name, gh_id, alias|None, agency, status, history_path, articles,
  last_post_at}``, status in active/closing/dormant/zombie as of ``today`` (7 accounts: the 7th, 云岚交通,
  is in no directory: only the QR grid names it, Sogou and the MP back-office find it).
- ``wechat_articles``: ``{key: (biz, mid, idx), title, published_at, state: ok|deleted, path}``, every
  article the demo serves as an article (the migrated/captcha URLs below are not in it).
- ``multi_push``: (biz, mid, (idx…)); ``zombie_account`` / ``dormant_account`` / ``closing_account``: bizes;
  ``closure_post``: key of the closing account's last post (its own closure notice), whose successors are
  ``closure_post_successors``; ``deleted_article``: key of the article whose page says 该内容已被发布者删除;
  ``style_2020_article``: key of the one article in the 2020 template (no ``publish_time``).
- ``weibo_accounts``: ``{uid, name, followers (int), followers_raw (as served), posts, pages, last_post_at}``;
  ``weibo_uids``; ``weibo_empty_uid`` (list answers ok:0 这里还没有内容); ``weibo_pinned_mid``,
  ``weibo_longtext_mid``, ``weibo_deleted_repost_mid`` (retweeted original deleted); ``weibo_posts``: all mids.
- ``douyin_accounts``: ``{sec_uid, name, path}``.
- ``portal_notices``: ``{path, title, published_at}`` of the 通知公告 column; ``portal_closure_notice``:
  ``{path, title, published_at, closed_accounts: [{name, platform, agency, successor, successor_kind,
  in_directory}]}``, successor_kind in account/website/class/office/none.
- ``shared_image_url``: one image URL used by several articles; ``same_bytes_urls``: two different URLs
  serving identical bytes.
- ``style_2024_articles``: keys of the articles in the 2024+ template (``window.biz = '' || '…'``,
  ``window.cgiDataNew = {…}``); ``image_share_article``: ``{key, item_show_type: 8, pictures}`` (no
  ``#js_content``; ``pictures`` are the ``picture_page_info_list`` URLs, ``&``-unescaped, served as PNG);
  ``video_article``: ``{key, vid, iframe_src}`` (2024 template, ``iframe.video_iframe`` to v.qq.com);
  ``external_refs``: the only non-relative URLs in any page (that iframe; never served by the demo).
- ``audio_article``: ``{key, voice_fileid, voice_path, name, play_length_ms}``: ``<mpvoice>`` in a 2018
  article; ``voice_path`` (``/voice/getvoice?mediaid=…``) serves audio/mpeg.
- ``repost_article``: ``{key, original, original_path}``: a 转载 (``#js_content`` one short line,
  ``#js_share_source[data-url]``); ``source_url_article``: ``{key, source_url}`` (``var msg_source_url``).
- ``migrated_account``: 云岚科普 (not in ``wechat_accounts``): ``{biz, biz_b64, name, gh_id, agency,
  status: migrated, history_path, successor_biz, articles: [{key, title, path, linked_from (article key
  whose inner link reaches it), transfer_target (key)|None, transfer_target_path|None}]}``; its pages
  answer 该公众号已迁移, the first with ``var transferTargetLink``.
- ``captcha_article``: ``{key, path, linked_from}``: a linked article URL that always answers the
  环境异常 captcha page (HTTP 200; retry later, not a deletion).
- ``album``: ``{path, album_id, biz, title, nickname, article_count, articles (keys, album order, newest
  first), html_count (2 on the HTML page, which says ``var continue_flag = '1';`` — our assumption of how
  the HTML page tells more exist), json_paths (``&f=json&count=10&is_reverse=0&begin_msgid=…&begin_itemidx=…``
  from the last shown article: 2 articles, then 1 given as an object, not a list), tagged_articles}``.
- ``feeds``: ``[{path, kind: rss|atom, bridge, title, items, item_paths}]``: a wechat2rss-style bridge of
  云岚发布, the portal's 通知公告 RSS (linked from the column's ``<head>``), the 云岚市气象台 预警信息 Atom
  feed; links are relative paths (one demo host; real feeds use absolute URLs). ``qx_notices``:
  ``{path, title, published_at}`` of the 3 GBK portal pages the Atom feed lists.
- ``qr_grid``: ``{path, linked_from, items: [{name, platform, path|None, name_in: caption|alt}]}``: the
  政务新媒体矩阵 (QR-code grid, no table).
- ``district_directory``: ``{path, linked_from, headers, rows: [{name, kind, agency, account, path|None,
  same_as}]}``: 区县政务新媒体名录, header cells in ``<td>`` (the main directory uses ``<th>``), other
  header words; ``same_as`` is ``wechat:<biz>`` / ``toutiao:<token>`` / ``douyin:<sec_uid>``.
- ``toutiao_accounts``: ``{token, name, path}`` (a JS-rendered shell).
- ``sogou``: ``{path, query, exact_name, exact_biz, profile_path, article_path, article_key, results,
  expired_paths}``: the Sogou account search for 云岚交通; its temporary ``/profile?src=3…`` link serves
  云岚交通's history (``comm_msg_info.fakeid`` = numeric biz), ``/s?src=3…`` its latest article; the other
  two results' links answer 链接已过期.
- ``mp_backoffice``: ``{token, cookie, searchbiz_path, publish_path, publish_paths, biz, biz_b64, page_size,
  total, deleted}``: paths without ``token=`` (append ``&token=<token>``, send ``Cookie: <cookie>``; else
  ``base_resp.ret`` 200003); ``deleted``: key of the article listed with ``is_deleted: true``.
- ``paths``: every path (with query) the demo serves or links, images included (200, except the redirect and the 404s).
- ``later``: phase 2, the same web on ``LATER_TODAY`` (``render(…, phase=2)``, ``DemoWeb(phase=2)``); every
  key above holds for phase 1 only. ``{phase: 2, today, markers: {cancelled: 此帐号已自主注销，内容无法查看,
  cancelled_profile: 该帐号已自主注销, deleted: 该内容已被发布者删除}, cancelled_accounts: [{biz, name,
  account_id ("wechat:<biz>"), history_path, status_before, article_paths}], deleted_article: {key, path, biz,
  account_id, title, published_at, history_path}, new_article: {key, path, title, published_at, biz,
  account_id, history_path, cover_url, feed_path}, wechat_accounts, wechat_articles, changed_paths,
  new_paths, paths}``. A cancelled account's history page says both markers (HTTP 200, ``.weui-msg``, no
  ``msgList``), each of its article URLs says ``cancelled``; the deleted article (an ordinary one, listed in
  phase 1) says ``deleted`` and is gone from its account's history and MP lists (the MP list keeps it with
  ``is_deleted: true``); the new article is the first of its account's history and of the bridge feed.
  ``wechat_accounts``: as above, status ``cancelled`` for the cancelled ones (``articles`` 0: their history
  lists nothing); ``wechat_articles``: as above, state ok/deleted/cancelled, the new article included;
  ``changed_paths``: the paths of ``paths`` (phase 1) whose response differs in phase 2, every other path
  answers the same bytes (the portal gets nothing new); ``new_paths``: the new article and its cover;
  ``paths``: phase 1's plus ``new_paths``.
"""
