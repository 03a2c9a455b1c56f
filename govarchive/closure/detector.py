"""Closure notices and their successors, found in a post's text: a pure library, no database.

``detect(text, title=…, account=…)`` reads a post or page the way an archivist would:

- Is it a **notice**, an account owner (or its supervising portal) announcing that its own
  account(s) close, stop updating, merge, migrate or pause? A **report** (news, a work report, a
  roundup, a re-post, commentary about closures elsewhere, which quotes their notices), read apart by
  :func:`_report_findings` (its findings become claims: ``Finding.source`` ``report`` or
  ``quoted_notice``)? Or neither (注销户口, 数据迁移, a supervision bulletin demanding that accounts be
  关停整合, a how-to guide, a 停水 notice, a paused live stream)?
- Which accounts does it name (a portal's batch notice names several, each with its own fate)?
  For each: the kind (closure | stop_updating | merger | migration | suspension), the effective
  date ("将于2024年4月15日起", "自…起", "即日起" = the announcement date) and the successors.
- Successors: quoted names in any style (“” 「」 ‘’ 《》 "" '') or unquoted names, with the platform
  word after them (微信公众号, 视频号, 网站, 抖音号, 微博, 头条号, 客户端, APP, 小程序) or a verb before them
  (迁移至, 并入, 移步, 关注, 登录); class targets (属地政府网站, 上级部门账号); offline offices; "其他平台"
  with none named (``unspecified``: still a finding). Legal-basis documents (《…意见》) are not targets.

Everything is matched on :func:`govarchive.core.textclean.normalise` d text, so Traditional and
Taiwan-converted re-posts (登出 = 注销) read the same as the original. platforms.md §4.3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from govarchive.core.textclean import clean, normalise

KINDS = ("closure", "stop_updating", "merger", "migration", "suspension")
TARGET_PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "video_channel", "website", "app", "office", "unspecified")

# ---- platform words (longest first) ------------------------------------------------------------------
PLATFORM_WORDS: tuple[tuple[str, str], ...] = tuple(sorted((
    ("微信公众号", "wechat"), ("微信公众平台", "wechat"), ("公众号", "wechat"), ("微信号", "wechat"), ("微信", "wechat"),
    ("公号", "wechat"),
    ("服务号", "wechat"), ("订阅号", "wechat"),
    ("微信视频号", "video_channel"), ("视频号", "video_channel"),
    ("政务网站", "website"), ("门户网站", "website"), ("官方网站", "website"), ("官网", "website"), ("网站", "website"),
    ("网页", "website"), ("栏目", "website"), ("专栏", "website"), ("信息公开平台", "website"), ("公共服务平台", "website"),
    ("抖音号", "douyin"), ("抖音账号", "douyin"), ("抖音", "douyin"), ("快手号", "douyin"), ("快手", "douyin"),
    ("新浪微博", "weibo"), ("政务微博", "weibo"), ("微博号", "weibo"), ("微博", "weibo"),
    ("今日头条", "toutiao"), ("头条号", "toutiao"), ("头条", "toutiao"),
    ("微信小程序", "app"), ("支付宝小程序", "app"), ("客户端", "app"), ("APP", "app"), ("App", "app"), ("app", "app"), ("小程序", "app"),
    # platforms we do not archive (Facebook pages of Taiwan and Hong Kong offices, LINE): named, platform unspecified
    ("脸书粉丝专页", "unspecified"), ("粉丝专页", "unspecified"), ("粉专", "unspecified"), ("脸书专页", "unspecified"),
    ("LINE官方账号", "unspecified"),
), key=lambda pair: -len(pair[0])))
PLATFORM_OF = dict(PLATFORM_WORDS)
_PLATFORM_RE = "|".join(re.escape(word) for word, _ in PLATFORM_WORDS)

# ---- what a notice says happens to an account --------------------------------------------------------
CLOSURE = re.compile(r"关停|注销|(?<!暂)(?<!暂时)关闭|永久下线|(?<!暂)(?<!暂时)下线|停止访问|撤销|撤除|销号|停用"
                     r"|关张")
STOP = re.compile(r"(?:更新|推送|发布|运营|服务)(?:也|将|同时|同步|均|已|即将|随之)*停止|停止更新|停止运营|停止运行|停止运维|不再更新|停更|停止发布|不再发布|停止(?:信息)?推送|不再推送|停止维护|不再维护|停止使用|不再使用"
                  r"|停止服务|不再(?:提供|进行)|停运|停止了?[^，,。；;]{1,24}?的(?:更新|运营|运维)")
MERGER = re.compile(r"并入|并到|整合(?:至|到|进|入)|合并(?:至|到|入)|整并(?:至|到|入)?|划入|划转|归并|整合|合并|融合(?:成|为|到|进|至)")
MIGRATION = re.compile(r"迁移|迁至|迁入|(?<![转迁])移(?:至|到)|转移(?:至|到)|搬迁至|搬家|启用新|更换为|变更为")
SUSPENSION = re.compile(r"暂停(?:更新|发布|运营|运行|服务|使用|推送|维护)|暂时停止|暂(?:时)?(?:下线|关闭)|暂停")
ACTION = re.compile("|".join(p.pattern for p in (CLOSURE, STOP, MERGER, MIGRATION, SUSPENSION)))

# The other senses of the same verbs: 注销户口, 营业执照注销, 数据迁移, 停水停电, …
OTHER_SENSE = re.compile(
    r"户口|户籍|营业执照|工商|简易注销|注销登记|税务注销|企业注销|个体工商户|社保卡|医保卡|银行卡|身份证|驾驶证|行驶证|机动车"
    r"|注销登录|退出登录|登出账户|账户注销流程|候鸟|鸟类|迁徙|数据迁移|系统迁移|服务器迁移|代迁移|代办|迁移服务|迁移功能|迁移流程"
    r"|社保关系|医保关系|组织关系|党组织关系|关系转移|转移接续|停水|停电|停气|停暖|供暖|供热|停运(?:公交|线路)|航班|列车|道路|封闭施工"
    r"|暂停营业|暂停办理|营业网点|评论功能|留言功能|关闭评论|关闭留言|关闭私信|互动功能"
    r"|注册用户|用户数据|用户名|个人中心|申请注销(?!各类|政务|新媒体|公众号|账号|微博|网站)|身份认证|功能(?:同步|将|已)?(?:迁移|转移|暂停|停止)(?!至|到)"
    r"|直播|暂停评论|暂停留言|私信|弹幕|热搜|榜单|话题榜|休刊|停刊|纸质版|印刷版|自媒体|违规账号|违法违规|违法和不良|服务器|机房"
    r"|旧版本|版本|旧版|低版本"
    r"|(?:整合|合并|精简|压缩|减少|降)(?:至|到|为)\d+(?:家|个)")
ENFORCEMENT = re.compile(r"违规(?:网络)?(?:自媒体)?账号|违法违规|违规自媒体|不实信息|谣言|有害信息|依法(?:依规)?(?:处置|查处|关闭)"
                         r"|假冒|冒用|仿冒|冒充|山寨|封禁")
# A renamed account or entry is not a migration: 入口名称由“X”变更为“Y”, 更名为
RENAME = re.compile(r"名称|更名|改名|改称|主体")
# The account stays: a feature moved, a column closed inside a living account.
CONTINUES = re.compile(r"继续(?:正常|为您|为大家)?(?:运营|运行|更新|发布|提供)|正常运营|照常(?:更新|运营)|予以保留|不受影响")
OTHER_SENSE_ACTION = re.compile(r"注销|迁移|转移|停止|暂停|关闭|关停")

# ---- who speaks ------------------------------------------------------------------------------------------
ACCOUNT_WORD = re.compile(rf"@(?=[\u4e00-\u9fff])|账号|帐号|新媒体|官方号|政务号|本号|站点|专页|面簿|面书|脸书|Facebook|推特|Twitter|{_PLATFORM_RE}")
OWN = re.compile(r"本(?:账号|号|公众号|微博|平台|抖音号|抖音账号|头条号|视频号|网站|订阅号|服务号|客户端|微信公众号|微信号|官方账号|政务新媒体账号)"
                 r"|本(?:院|局|委|中心|馆|校|园|站|所|单位|镇|街道|乡|队|会)(?:的)?(?:官方|政务)?(?:新媒体)?(?:账号|公众号|微博|抖音号|头条号|视频号|网站)"
                 r"|我(?:们的)?(?:园|校|院|局|委|办|中心|站|所|厅|队|大队|单位|镇|街道|乡|区|县|市|馆|部|会)(?:的)?(?:官方|政务)?"
                 r"(?:新媒体)?(?:账号|公众号|微博|抖音号|头条号|视频号|网站)")
OWN_CUES = re.compile(r"特此(?:公告|通知|说明|告知|声明)|各位[\u4e00-\u9fff]{1,4}[：:]|敬请(?:谅解|周知|知悉)|(?:感谢|谢谢)(?:大家|您|各位|广大)?[^。]{0,12}(?:关注|支持|陪伴|厚爱)"
                      r"|尊敬的|亲爱的|各位(?:网友|粉丝|用户|朋友|市民)|广大(?:网友|粉丝|用户|市民)|公告如下|现(?:予以|将)?公告|决定")
REPORT_CUES = re.compile(r"记者|据了解|据悉|报道|报导|学者|指出|官方媒体|你关注过|#[^#\s]{2,30}#|发布(?:了)?(?:公告|公示|通知|说明)(?!如下)|本报讯|网友|引发|关注度|发布(?:了)?(?:公告|通知|说明)称|宣布|纷纷|多地|关停潮|注销潮"
                         r"|评论区|截图|编者按|采访|受访|专家|表示|回应|近日|(?<!\d)日前|新闻|据[^。]{1,8}消息|一名|工作人员|此前|起因")
BULLETIN = re.compile(r"通报|检查情况|抽查|考核|督查|督办|整改|问责|测评|评估结果|排名|情况报告|工作要点|实施方案|管理办法|指导意见|规范")
# how-to guides (注销 steps), supervision bulletins, policy texts and proposals that demand closures
HOWTO = re.compile(r"如何|怎么|怎样|方法|步骤|教程|攻略|流程")
HOWTO_UI = re.compile(r"点击|按钮|设置|入口|页面|菜单|选项")
BULLETIN_BODY = re.compile(r"(?:通报|函告|通知)如下|检查情况|抽查情况|检查结果")
WORK_REPORT = re.compile(r"(?:清理|整合|关停|注销|瘦身|集约)[^。]{0,30}(?:总结|工作情况|年度报告|工作报告|报表)")
# a report on one's own work (工作总结, 运行情况报告, 整改进展情况的通报) tells what was done; an inspection's bulletin
# (检查情况通报) tells others what to do
SELF_REPORT = re.compile(r"总结|(?:运行|工作|整改|落实|推进|完成)情况|进展情况|落实情况|工作报告|年度报告")
INSPECTION = re.compile(r"检查|抽查|督查|督办|测评|考核|评估|暗访|巡查|监测")
NEWS_OF_BULLETIN = re.compile(r"(?:通报|报告|数据|统计)(?:显示|称|指出)")
POLICY_TITLE = re.compile(r"^(?:[\u4e00-\u9fff]{2,30}?(?:办公厅|办公室|人民政府|政府|委员会|网信办|局|厅|部|委))?关于(?:推进|推动|加强|做好|规范|进一步|开展|印发|加快|深化|建立|完善|做实)|(?:意见|办法|规定|细则|实施方案|建议|提案|指引)$")
# a superior's approval of an application (关于同意注销“X”的批复/复函): addressed to the applicant, it announces nothing
APPROVAL = re.compile(r"(?:复函|批复|的函)$|关于同意")
# a reply to a deputy's or a member's proposal (您提出的《…的建议》收悉，现答复如下) reports what was done
PROPOSAL_REPLY = re.compile(r"(?:建议|提案|议案)(?:》)?(?:已)?收悉")
APPROVAL_BODY = re.compile(r"(?:函复|批复|答复)如下|请示(?:》)?收悉")
# a template for others to fill in: “××××”微信公众号将于××××年××月××日起停止更新
PLACEHOLDER = re.compile(r"[×xX＊*○〇]{2,}|某某")
TEMPLATE = re.compile(r"模板|范本|样本|样式|参考格式|示例|范文|例文|写法")
# a notice ends with its owner's signature (and date)
SIGNATURE = re.compile(r"\n\s*[\u4e00-\u9fff（）()]{2,30}(?:局|委|委员会|办|办公室|院|会|中心|队|大队|所|站|馆|政府|部|厅|处|街道"
                       r"|办事处|镇|乡|校|学校|园|幼儿园|医院|社区|村委会|宣传部|网信办)\s*(?:\n\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*)?$")
# a closure reported without naming the account still makes a report, when it concerns public accounts and is
# said as a fact (not demanded: 要求…关停, 原则上必须关停, 可选择关停, 拟关停, 为避免被注销)
GOVERNMENT = re.compile(r"政务|政府|官方|官网|官微|部门|单位|机关|机构|系统|公安|交警|消防|法院|检察|学校|医院|街道|乡镇|镇级|县级"
                        r"|市级|村级|事业|国有|[局委厅院]")
# the verbs of government work; a closure as their object is a task (推进公众号整合, 规范账号关停), not an event
POLICY_VERBS = (r"落实|推进|推动|做好|抓好|加快|加强|强化|规范|完善|开展|实施|部署|统筹|围绕|聚焦|深化|扎实|督导|督促|调度"
                r"|召开|举办|谋划|研究|调研|指导|保障|优化|提升|健全|严格")
MODAL = re.compile(r"要求|需要|必须|应当|应该|原则上|可选择|可以|建议|不得|可能|避免|如果|一旦|是否|如何|怎么|能否|不能|防止|将被|会被"
                   r"|(?<![主重需只])要|(?<![反响适])应|(?<![认许])可|须|拟|若"
                   # policy verbs with the closure as their object: a plan or a task, not a fact (落实账号关停)
                   rf"|{POLICY_VERBS}")
NOTICE_TITLE = re.compile(r"(?:关停|注销|停更|停止更新|停止运营|停止发布|不再更新|关闭|下线|迁移|整合|合并|暂停|并入|更换|变更)"
                          r"[^。]{0,20}(?:公告|通知|说明|声明|告知|启事|告示|提示)|(?:关停|停更|注销|迁移)公告")

# ---- successors --------------------------------------------------------------------------------------------
QUOTED = re.compile(r"“([^“”\n]{1,40})”|「([^「」\n]{1,40})」|‘([^‘’\n]{1,40})’|《([^《》\n]{1,40})》|\"([^\"\n]{1,40})\""
                    r"|'([^'\n]{1,40})'|『([^『』\n]{1,40})』|〈([^〈〉\n]{1,40})〉")  # not 【】: headings (【告别】)
SUCCESSOR_VERB = re.compile(
    r"迁移(?:至|到)|迁至|迁入|(?<![转迁])移(?:至|到)|归档(?:至|到)|转移(?:至|到)|集约(?:至|到)|并到|整并(?:至|到|入)|(?:被)?(?:导向|跳转(?:至|到)|重定向(?:至|到)|转向)|并入|整合(?:至|到|进|入)|合并(?:至|到|入)|划入|划转(?:至|到)|移步(?:至|到)?|转至|转到|搬迁至|搬家(?:至|到)"
    r"|(?:敬请|请|可|欢迎|继续|持续|届时)?关注(?!过|度|到|点|的)|(?:可|请)?登录|(?:可|请)?登陆|(?:可|请)?访问|(?:可|请)?浏览|(?:可|请)?查阅|(?:可|请)?查看|(?:可|请)?前往"
    r"|(?:可|请)?通过|(?:请|可|可以|欢迎)(?:您)?(?:下载|安装)(?:安装|使用)?|(?:可|请)(?:到|至|去)|详见|由|改由|统一由|在|更换为|变更为|启用(?:新)?|移交(?:至|给)?"
    r"|开通(?:了)?新|(?:请|可|可以)(?:改为)?使用|融合(?:成|为)|合并(?:为|成)|整合(?:为|成)|同步(?:至|到)"
    r"|(?:请先|请|可以|可|以后|今后|就)?(?:看|收看|留意|锁定)(?=\s*[“「‘『@])"
    r"|(?<=以后|今后|现在)(?:请|可|就)?(?:看|上)(?=[\u4e00-\u9fff]{2,20}?(?:网站|官网|公众号|微博|网(?=[，。；;\s]|$)))"
    r"|(?<![参给])[与同跟](?=[^，,。；;]{2,40}?(?:合并|整合|融合|并轨)(?!至|到|为|成|\s*[，,]?\s*(?:统一|共同)?(?:以|用)[“「‘『]))"
    # A与B合并，统一以“X”名义运营: both merged, X is where they go
    r"|(?:统一|共同)?(?:以|用)(?=[“「‘『][^”」’』]{1,20}[”」’』](?:的)?(?:名义|品牌|名称|账号|身份))")
NOT_TARGET = re.compile(r"热线|电话|邮箱|传真|信箱$|\d{5,}")
CLASS_TARGET = re.compile(
    r"(属地(?:政府|人民政府)?(?:门户)?网站|本级政府(?:门户)?网站|上级(?:主管)?(?:部门|单位|机关)?(?:的)?(?:官方)?(?:政务)?(?:网站|账号|新媒体账号|新媒体|平台|公众号|微博)"
    r"|(?:市|县|区|镇|乡|街道)(?:级)?政府(?:门户)?网站|政府门户网站|主管部门(?:的)?(?:网站|账号|新媒体))")
UNSPECIFIED = re.compile(r"其[他它](?:官方|政务|正规|线上|网络|新媒体)?(?:平台|渠道|方式|途径|账号|新媒体)|别的平台|另行通知|另行公告")
OFFICE = re.compile(r"(?:到|至|前往|去|赴|来)([\u4e00-\u9fff]{2,30}?(?:服务中心|服务大厅|办事大厅|服务厅|服务站|办事处|服务窗口|窗口|大厅|中心|营业厅|服务点|服务台|查阅室|阅览室|资料室)+)"
                    r"(?:[（(][^（）()]{2,40}[）)])?[^。；;]{0,12}?(?:办理|咨询|反映|查询|查阅|借阅|现场|业务)")
LEGAL_DOC = re.compile(r"意见|通知|办法|规定|细则|条例|方案|决定|指标|标准|规范|要点|纲要|法$|〔|\[|号$|国务院|办公厅")
NAME_STOP = re.compile(r"[，,。；;：:！!？?、\s]|及|和|与|或|以及|等")

# ---- dates ----------------------------------------------------------------------------------------------------
FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
EFFECTIVE = re.compile(r"(?:将于|将在|拟于|于|自|从|定于)?\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:\d{1,2}\s*(?:时|点)\s*)?"
                       r"(?:零时|0时)?\s*(?:起|开始|以后|之后|后|后将|零时起)")
TODAY = re.compile(r"即日起|即时起|今日起|今天起|从现在起|自今日|即日")
NUMBERED = re.compile(r"(?m)^\s*(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十]+\)|（[一二三四五六七八九十]+）|\d{1,2}[.、．)]|[①-⑩])")
GENERIC = re.compile(r"(?:以下|下列|部分|上述|以上|相关|这些|一批|各类|全市|全县|全区|全省|个别|有关|功能相近|利用率低|关注度低|僵尸|涉改|第[一二三四五六七八九十\d]+批)[^。，,]{0,30}(?:账号|新媒体|公众号|微博|网站)")
SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


@dataclass
class Target:
    """A successor: where an account's content or service went."""

    name: str  # as written ("" when none is named: platform ``unspecified``)
    platform: str  # TARGET_PLATFORMS
    scope: str | None = None  # what moved there (相关信息资讯、公示、公告等内容), when the text says
    evidence: str = ""  # the sentence that names it
    confidence: float = 0.8
    is_class: bool = False  # 属地政府网站, 上级部门账号: resolved through the account's region


@dataclass
class Finding:
    """One account a notice closes (or a report says was closed)."""

    account_name: str | None  # None: the page's own account
    platform: str | None
    kind: str
    effective_at: str | None = None  # YYYY-MM-DD
    excerpt: str = ""
    targets: list[Target] = field(default_factory=list)
    agency: str | None = None  # the owner the text names (张家港市水务局 of “水润港城”), when it does
    source: str = "notice"  # notice | report | quoted_notice (a report quoting the owner's notice: X发布公告称…)


@dataclass
class Detection:
    label: str  # notice | report | other
    findings: list[Finding] = field(default_factory=list)
    announced_at: str | None = None
    reason: str = ""


def detect(text: str | None, title: str | None = None, account_name: str | None = None,
           platform: str | None = None, published_at: str | None = None, cleaned: str | None = None) -> Detection:
    """Read one post (title and text, of the account ``account_name`` on ``platform``); ``cleaned`` is
    ``clean(text, title).text`` when the caller has it already (the index keeps it as ``posts.clean_text``)."""
    if cleaned is None:
        cleaned = clean(text or "", title).text
    title_n = arabic_dates(normalise(title or ""))
    body = arabic_dates(normalise(cleaned))
    published_day = (published_at or "")[:10]
    announced = published_day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published_day) else _last_date(body)  # never a bad value
    whole = f"{title_n}\n{body}" if title_n else body
    sentences = _action_sentences(whole)
    if not sentences and not _tells_farewells(whole):
        return Detection("other", announced_at=announced, reason="no account action")
    look_alike = _look_alike(title_n, body)
    if look_alike:
        return Detection("other", announced_at=announced, reason=look_alike)
    outside = _outside_quotes(whole)
    report = len(REPORT_CUES.findall(outside))
    signed = bool(SIGNATURE.search(body))
    own = len(OWN_CUES.findall(outside)) + len(OWN.findall(outside)) + (2 if NOTICE_TITLE.search(title_n) else 0) \
        + (2 if signed else 0)
    label = "report" if (report >= 2 and report > own) or (report and not own) or ("记者" in outside and own < 3) \
        or PROPOSAL_REPLY.search(body[:300]) else "notice"
    if label == "notice":
        notice_title = bool(NOTICE_TITLE.search(title_n))
        # a mirror's re-post: 本公众号 is the account its title names on that platform, not the page's own site (its
        # successors without a platform word take that account's platform)
        reposted = _reposted_account(title_n, _outside_quotes(body), platform)
        own_name, own_platform = reposted if reposted else (account_name, platform)
        findings = _findings(_units(body), own_name, own_platform, label, announced, notice_title, short=len(body) < 240)
        if not findings and title_n:  # everything is in the title: 关于注销“X”抖音账号的通知
            findings = _findings([title_n], own_name, own_platform, label, announced, notice_title, short=True)
        for finding in findings:  # a mirror's re-post: 本微博 is the account its title names, not the page's own
            if reposted and finding.account_name is None:
                finding.account_name, finding.platform = reposted
        if findings and _within_living_site(findings, body, platform):
            return Detection("other", announced_at=announced, reason="a column moved within a site that runs on")
        if findings and all(f.account_name is None for f in findings) and CONTINUES.search(body) \
                and not any(f.kind == "closure" for f in findings):
            return Detection("other", announced_at=announced, reason="the account stays (a feature moved)")
        # a text with no owner's voice at all is a notice only when it speaks of the page's own account, outside
        # the quotations it holds (a commentary quoting “本单位开设的某某账号即日起停止更新” is a report)
        if findings and (own or report or _speaks_of_itself(
                _findings(_units(_outside_quotes(body)), account_name, platform, label, announced, notice_title,
                          short=len(body) < 240), account_name)):
            return Detection(label, findings, announced_at=announced, reason=f"report cues {report}, own cues {own}")
    findings = _report_findings(_units(body), announced)
    if not findings and title_n:
        findings = _report_findings([title_n], announced)
    if findings or _reports_closure(sentences) or _tells_farewells(whole):
        return Detection("report", findings, announced_at=announced,
                         reason=f"report cues {report}, own cues {own}; {len(findings)} account(s) named")
    return Detection("other", announced_at=announced, reason="actions without a subject account, no closure reported")


_OWN_PLATFORM = re.compile(rf"本({_PLATFORM_RE})")
_TITLE_ACCOUNT = re.compile(rf"(?:^|\s|关于)[“「]?([\u4e00-\u9fffA-Za-z0-9]{{2,16}}?)[”」]?(?:官方|政务)?({_PLATFORM_RE})(?:账号)?"
                            rf"[^。，]{{0,12}}(?:公告|通知|说明|声明|告知|启事)$")


def _reposted_account(title: str, body: str, page_platform: str | None) -> Subject | None:
    """The account a re-posted notice speaks for, when the page is not it: the notice says 本微博 on a website (a
    mirror, a re-post) and its title names the account on that platform (汀洲公安官方微博注销公告)."""
    own = _OWN_PLATFORM.search(body)
    platform = PLATFORM_OF[own.group(1)] if own else None
    if platform is None or platform == page_platform or platform == "website":
        return None
    named = _TITLE_ACCOUNT.search(title)
    if not named or PLATFORM_OF[named.group(2)] != platform or _GROUP_HEAD.match(named.group(1)):
        return None
    return named.group(1), platform


_COLUMN_NAME = re.compile(r"[“「‘]([^“”「」‘’]{1,20})[”」’]\s*(?:栏目|专栏|频道|版块|板块)")
_SITE_RUNS_ON = re.compile(r"(?:栏目|网站|页面)[^。]{0,8}(?:正常运行|照常运行|正常更新|照常更新|正常访问)")


def _within_living_site(findings: list[Finding], body: str, page_platform: str | None) -> bool:
    """A website's column whose content moves to another column of the same site, the site saying it runs on
    (本网站“在线访谈”栏目停止更新，今后在“政策解读”栏目发布…其他栏目正常运行): a reorganisation, no closure."""
    if page_platform != "website" or not _SITE_RUNS_ON.search(body):
        return False
    columns = {name_key(c) for c in _COLUMN_NAME.findall(body)}
    targets = [t for f in findings for t in f.targets]
    return bool(targets) and all(f.account_name and name_key(f.account_name) in columns for f in findings) \
        and all(name_key(t.name) in columns for t in targets)


def _look_alike(title: str, body: str) -> str | None:
    """Texts that use the words without announcing or reporting a closure: how-to guides and templates, supervision
    bulletins, policy texts and proposals that demand closures, a superior's approval of an application."""
    if POLICY_TITLE.search(title):
        return "policy text or proposal"
    if APPROVAL.search(title) or (APPROVAL_BODY.search(body[:300]) and not PROPOSAL_REPLY.search(body[:300])):
        return "an approval or reply to an application (it announces nothing)"
    if PLACEHOLDER.search(body) and (HOWTO.search(title) or TEMPLATE.search(body)):
        return "a template with placeholders"
    if BULLETIN.search(title) and not NOTICE_TITLE.search(title) and not WORK_REPORT.search(title) \
            and not NEWS_OF_BULLETIN.search(title) and not (SELF_REPORT.search(title) and not INSPECTION.search(title)):
        return "supervision bulletin or policy text"
    if BULLETIN_BODY.search(body[:400]) and not NOTICE_TITLE.search(title) \
            and not NEWS_OF_BULLETIN.search(f"{title}\n{body[:400]}"):
        return "supervision bulletin"
    if (HOWTO.search(title) or HOWTO.search(body[:200])) and len(HOWTO_UI.findall(body)) >= 2:
        return "how-to guide"
    return None


def _speaks_of_itself(findings: list[Finding], own_name: str | None) -> bool:
    return any(f.account_name is None or any(name_matches(t.name, own_name) for t in f.targets) for f in findings)


def _reports_closure(sentences: list[str]) -> bool:
    """Whether a sentence says, as a fact, that public accounts closed or stopped (国内多地政务号关停注销), not as
    a demand or a possibility (原则上必须关停, 可选择关停, 为避免被注销)."""
    for sentence in sentences:
        if not GOVERNMENT.search(sentence):
            continue
        for at in _actions(sentence):
            verb = sentence[at:at + 8]
            if not (CLOSURE.match(verb) or STOP.match(verb) or _VANISHED_AT.match(verb)):
                continue
            if not MODAL.search(sentence[max(0, at - 6):at]):
                return True
    return False


_FAREWELL = re.compile(r"(?:告别信|告别帖|告别文|停更公告|关停公告|注销公告|停更通知|最后一条推送|最后一篇推送|最后一则贴文|最后一条微博)")


def _tells_farewells(text: str) -> bool:
    """Whether the text tells of public accounts' farewells (刷到好几封政务号的“告别信”), as a fact: a commentary on
    closures that quotes none by name."""
    for match in _FAREWELL.finditer(text):
        sentence = text[max(text.rfind(c, 0, match.start()) for c in "。！？\n") + 1:match.start()]
        if GOVERNMENT.search(sentence) and ACCOUNT_WORD.search(sentence + match.group(0)) \
                and not MODAL.search(sentence[-10:]):
            return True
    return False


# ---- units: a numbered item or a paragraph; each may name its own account ------------------------------------
def _units(text: str) -> list[str]:
    units: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            continue
        units.append(paragraph.strip())
    return units


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def _is_action(sentence: str) -> bool:
    """An account action: an account word and an action, or a quoted name opening its clause with its fate right
    after (“X”宣布停止更新)."""
    return (bool(ACCOUNT_WORD.search(sentence)) or _opens_with_names(sentence)) and _first_action(sentence) is not None


_QUOTE_OPENERS = re.compile(r"[“「‘《\"'『〈]")


def _opens_with_names(text: str) -> bool:
    if not _QUOTE_OPENERS.search(text) or not ACTION.search(text):
        return False  # (most sentences: no quotation or no verb)
    return any(all(_looks_like_name(_quoted_name(q)) for q in QUOTED.finditer(match.group(1)))
               for match in _QUOTED_OPENING.finditer(text))


_PURPOSE = re.compile(r"(?:为|为了)(?:进一步|加快|深入|全面|更好地?)?$|(?:推进|推动|加强|深化|持续|做好)$")


# the verb as a noun, a topic of work (根据整合工作安排, 察看账号关停推进情况, 公众号整合搞好了, 账号关停是一项系统工程)
_NOUN_USE = re.compile(r"的(?:要求|安排|部署|精神|规定|工作|任务|方案|意见)|(?:优化)?(?:工作|要求|安排|部署|任务|方案|精神|潮|规定|规则|条件|须知|方法|入口|按钮|功能|风险"
                       r"|推进|情况|质量|保障|是一项|搞好|抓好|效果|成效|机制|举措|责任|体系|能力|效能|水平|专项|行动|力度|进展"
                       r"|座谈|培训|试点|改革|经验|成果|现场|观摩|动员|专题|大会|会议|调度|期间)")


@lru_cache(maxsize=4096)
def _actions(sentence: str) -> tuple[int, ...]:
    """Where the account actions are (not another sense, not a purpose: 为进一步整合资源, not a noun:
    根据整合工作安排, not a renaming: 入口名称由“X”变更为“Y”); 网站消失 counts as a closure. (Cached: a report's
    clauses and heads are read again and again.)"""
    found: list[int] = []
    matches = list(ACTION.finditer(sentence))
    vanished = list(_VANISHED.finditer(sentence))
    if (not matches and not vanished) or ENFORCEMENT.search(sentence):
        return ()  # none, or a regulator closing private accounts: 依法处置违规自媒体账号，对“X”予以关闭
    for match in matches:
        # another sense of the verb, in its own clause (…停止更新，全部业务、功能将迁移至…: 功能 is the other
        # sense of 迁移, not of 停止更新)
        start = max(match.start() - 12, _clause_start(sentence, match.start()))
        ends = [i for i in (sentence.find(c, match.end()) for c in "，,；;。") if i >= 0]
        around = sentence[start:min([match.end() + 12, *ends])]
        if OTHER_SENSE.search(around) or _PURPOSE.search(sentence[max(0, match.start() - 6):match.start()]) \
                or _NOUN_USE.match(sentence, match.end()):
            continue
        if MIGRATION.match(match.group(0)) and RENAME.search(_clause_at(sentence, match.start())):
            continue
        if _FUNCTION_MOVED.search(sentence[:match.start()]):
            continue  # 相关职能并入X局: an institution's function moved, not an account
        if _thing_not_account(sentence, match.start()) or _thing_object(sentence, match.end()):
            continue  # 12路公交线路停止运营, 关停14家企业, 整合320项服务: the clause's subject or object is no account
        found.append(match.start())
    # a site that cannot be opened is gone only when the text says it was the former one or that its address
    # now leads elsewhere (原「X网站」已无法开启，网址被导向…); otherwise it may just be down (a zombie site)
    found += [m.start(1) for m in vanished if m.group(1) in ("消失", "搜索不到") or "原" in sentence[max(0, m.start() - 16):m.start()]
              or _REDIRECTED.search(sentence)]
    return tuple(sorted(found))


_REDIRECTED = re.compile(r"导向|跳转(?:至|到)|转到|转向|重定向")


# things that close, stop or move and are no accounts: transport, premises, firms, projects, products
_THING = re.compile(r"公交|线路|班车|车次|航班|航线|列车|地铁|客运|轮渡|高速|收费站|门店|店铺|商铺|网点|营业厅|厂|矿|企业|公司|工地"
                    r"|生产线|产能|项目|门诊|病区|诊室|景区|园区|游乐|泳池|场馆|车位|停车场"
                    r"|页面|H5|h5|活动|答题|投票|问卷|报名|抽奖|直播间"
                    r"|电视剧|网剧|剧集|综艺|节目|连载|小说|漫画|动画|番剧")  # works: 网剧《X》本周暂停更新


def _thing_not_account(sentence: str, at: int) -> bool:
    """Whether the subject of the clause holding the verb at ``at`` is a thing, not an account: the clause before the
    verb names no account (no platform or account word, no quoted name) and names a thing (线路, 工厂, 门店…)."""
    head = _WORK_TITLE.sub(r"\1", sentence[_clause_start(sentence, at):at])  # (网剧《X》: a work's title is no account)
    return bool(_THING.search(head)) and not ACCOUNT_WORD.search(head) and not QUOTED.search(head) \
        and not OWN.search(head) and not _ANAPHOR.search(head)


_WORK_TITLE = re.compile(r"(电视剧|网剧|剧集|综艺|节目|连载|小说|漫画|动画|番剧)《[^《》]{1,30}》")
_THING_OBJECT = re.compile(rf"{_THING.pattern}|服务|事项|功能|资源|数据|入口|业务|应用|职能|机构")


def _thing_object(sentence: str, at: int) -> bool:
    """Whether the verb ending at ``at`` has a thing as its object (关停14家高耗能企业, 已整合社保等320项服务): a thing
    word comes before any account word or quoted name in the rest of its clause."""
    after = sentence[at:_clause_end(sentence, at)]
    if re.match(r"(?:了)?(?:后|前|时|以后|之后|以前|期间)", after):
        return False  # 注销后相关服务转至…: a time, not an object
    if sentence[at - 1:at] in ("至", "到", "入") or re.match(r"(?:至|到|入)", after):
        return False  # 迁移至秦川机构编制网: where it goes, not what is moved
    thing = _THING_OBJECT.search(after, 0, 16)
    if not thing:
        return False
    account = ACCOUNT_WORD.search(after) or QUOTED.search(after) or _AT_NAME.search(after)
    return not account or thing.start() < account.start()


def _clause_at(sentence: str, at: int) -> str:
    start = max(sentence.rfind(c, 0, at) for c in "，,；;：:。") + 1
    ends = [i for i in (sentence.find(c, at) for c in "，,；;：:。") if i >= 0]
    return sentence[start:min(ends) if ends else len(sentence)]


_FUNCTION_MOVED = re.compile(r"(?:职能|职责)(?:已|被|将|均|已被|也|相关|全部)?$")
# 原「台中县政府网站」消失, 54663个政府网站消失了, 原「X网站」已无法开启: a website (or account) that is gone
_VANISHED = re.compile(r"(?:网站|账号|公众号|微博|官网|[”」』])\s*(?:已经?|都|全部|悄悄|彻底|也|随之|“)*"
                       r"(消失|无法(?:连结|连接|链接|访问|打开|开启|登录|搜索到)|打不开|搜索不到)")
_VANISHED_AT = re.compile(r"消失|无法|打不开|搜索不到")


# an intro summing up what happened to the accounts below (关停整合情况公告如下), each item saying its own fate; not
# a decision for all of them (决定对以下账号予以关停注销, 以下网站自6月1日起关停下线)
_SUMMARY = re.compile(r"情况|统计|汇总|一览")
_CONTENT_HEAD = re.compile(r"内容|信息|资讯|数据|文章|职能|业务|功能|服务")


def _fate_actions(text: str) -> list[int]:
    """The actions that say what happens to an account itself, not to its content (原有内容迁移至…: a successor)."""
    return [at for at in _actions(text) if not _CONTENT_HEAD.search(text[_clause_start(text, at):at])]


def _first_action(sentence: str) -> int | None:
    actions = _actions(sentence)
    return actions[0] if actions else None


def _action_sentences(text: str) -> list[str]:
    return [s for s in _sentences(text) if _is_action(s)]


def _outside_quotes(text: str) -> str:
    """The text without its quotations: long ones (a report quoting a notice says 本账号 inside quotes) and short
    ones holding an owner's words (a commentary quoting “本号即日起停更”); names in quotes stay."""
    return _QUOTATION.sub(lambda m: "" if len(m.group(0)) >= 14 or OWN.search(m.group(0)) or TODAY.search(m.group(0))
                          else m.group(0), text)


_QUOTATION = re.compile(r"“[^“”]{2,}”|「[^「」]{2,}」|‘[^‘’]{2,}’")


def _kind(text: str) -> str:
    """The kind of what happens, from the verbs that are account actions (an action in a basis clause,
    按照…整合的要求, or of a function, is not the account's fate); the whole text when none is."""
    verbs = [match.group(0) for match in (ACTION.match(text, at) for at in _actions(text)) if match]
    if verbs:
        text = "｜".join(verbs) + ("｜消失" if _VANISHED.search(text) else "")
    if CLOSURE.search(_without_other_senses(text)) or _VANISHED.search(text) or "消失" in text:
        return "closure"
    core = _without_other_senses(text)
    if SUSPENSION.search(core) and not STOP.search(core.replace("暂停", "")):
        return "suspension"
    if MERGER.search(core):
        return "merger"
    if MIGRATION.search(core):
        return "migration"
    if SUSPENSION.search(core):
        return "suspension"
    return "stop_updating"


def _without_other_senses(text: str) -> str:
    return OTHER_SENSE.sub("", text)


# ---- subjects -----------------------------------------------------------------------------------------------
# between a name and its platform word: “X”官方微博, “X”专题网站, “X”政务微信公众号
_QUALIFIER = r"(?:政务|官方|专题|主题)?"
_NAMED_AFTER = re.compile(rf"(?:{QUOTED.pattern})\s*(?:（[^（）]{{0,40}}）|\([^()]{{0,40}}\))?\s*(?:的)?\s*{_QUALIFIER}({_PLATFORM_RE}|账号|官方账号)")
_NAMED_BEFORE = re.compile(rf"(?:{_PLATFORM_RE}|账号)(?:账号)?\s*(?:{QUOTED.pattern})")
_PLATFORM_AFTER = re.compile(rf"\s*(?:的)?({_PLATFORM_RE})(?:账号|帐号|平台)?")
_MORE_PLATFORMS = re.compile(rf"\s*(?:和|及|、|与|以及|/)\s*(?:的)?({_PLATFORM_RE})(?:账号|帐号|平台)?(?!\s*[“「‘《\"'])")
_PREFIX_PLATFORM = re.compile(rf"\s*(?:新的|新|的)?(?:({_PLATFORM_RE})|账号|新号)(?:账号|帐号)?\s*[:：]?\s*(?=[“「‘《\"'@])")
_SITE_NAME = re.compile(r"([\u4e00-\u9fff]{2,16}网)(?=[，。、；;,\s]|$|(?:办理|查询|查阅|咨询|获取|了解|浏览|发布|提交))")
_AT_NAME = re.compile(r"@([\u4e00-\u9fffA-Za-z0-9_\-]{2,30})")
_AT_MENTION = re.compile(rf"@([\u4e00-\u9fffA-Za-z0-9_\-]{{2,30}}?)\s*({_PLATFORM_RE})(?:账号|帐号)?")
# @names opening a clause, no platform word after them (@A @B 都发了…，说即日起停更: the subjects of the action after)
_AT_OPENING = re.compile(r"(?:^|(?<=[，,；;。：:\n]))\s*((?:@[\u4e00-\u9fffA-Za-z0-9_\-]{2,30}\s*(?:、|和|及|与)?\s*)+)"
                         r"(?![\u4e00-\u9fffA-Za-z0-9_\-])")
# “海岸社区”“渔港社区”3个社区微信公众号 / “勐溪旅游”“勐溪农业”微信公众号: one platform word for several names
_GROUP = re.compile(rf"((?:(?:{QUOTED.pattern})\s*(?:、|，|,|和|及|与|以及)?\s*){{2,}})"
                    rf"(?:等\s*(?:\d+|[两二三四五六七八九十几数]+)\s*(?:多|余)?\s*个[\u4e00-\u9fff]{{0,8}}?"  # 等9个功能重复的微信公众号
                    rf"(?:[（(][\u4e00-\u9fff、]{{1,8}}[）)])?"  # 等5个村（社区）微信公众号
                    rf"|(?:等)?\s*(?:\d+|[两二三四五六七八九十]+)?\s*个?[\u4e00-\u9fff]{{0,4}}?)({_PLATFORM_RE})")
# @A @B @C 三个街道政务微博: @names sharing one platform word
_AT_GROUP = re.compile(rf"((?:@[\u4e00-\u9fffA-Za-z0-9_\-]{{2,30}}\s*(?:、|，|,|和|及|与|以及)?\s*){{2,}})(?:等)?\s*"
                       rf"(?:\d+|[两二三四五六七八九十]+)?\s*个?[\u4e00-\u9fff]{{0,4}}?(?:政务|官方)?({_PLATFORM_RE})")
# between two names of one list: a joiner, and an owner before the second (“A”公众号和市就业服务中心的“B”微博)

_COLUMN_WORDS = ("栏目", "专栏")
_COLUMN_PATH = re.compile(r"\s*(?:—+|－|-{1,2}|>|＞|→|/)\s*")
_NAMED_IN_BRACKETS = re.compile(rf"((?:{_PLATFORM_RE})(?:账号|帐号)?(?:\s*(?:、|和|及|与|/)\s*(?:{_PLATFORM_RE})(?:账号|帐号)?)*)"
                                rf"\s*[（(](?:账号|帐号)?(?:名称|名字|名)?(?:均|都)?(?:为|是|叫)\s*(?:{QUOTED.pattern})\s*[）)]")
# A table row of a batch notice: 序号　账号名称　平台　主办单位　处置方式
_CELLS = re.compile(r"[\u3000\t]+| {2,}|\s*[|｜]\s*")


@dataclass
class _Mention:
    name: str
    platform: str | None
    start: int
    end: int
    agency: str | None = None  # the owner named with it (张家港市水务局微信公众号“水润港城”)


def _quoted_name(match: re.Match[str], offset: int = 0) -> str:
    return next(g for g in match.groups()[offset:offset + 8] if g is not None).strip()


def _mentions(text: str) -> list[_Mention]:
    """Accounts named with a platform word after (“X”微信公众号) or before (抖音账号“X”) the quotes, @X微博,
    and groups of quoted names sharing one platform word."""
    before = []
    for match in _NAMED_BEFORE.finditer(text):
        word = re.match(_PLATFORM_RE, match.group(0))
        before.append(_Mention(_quoted_name(match), PLATFORM_OF.get(word.group(0)) if word else None,
                               match.start(), match.end()))
    found: list[_Mention] = []
    for group in _GROUP.finditer(text):
        platform = PLATFORM_OF.get(group.group(group.lastindex or 0))
        items = list(QUOTED.finditer(group.group(1)))
        for i, quoted in enumerate(items):  # the last item ends with the platform word they share
            found.append(_Mention(_quoted_name(quoted), platform, group.start() + quoted.start(),
                                  group.end() if i == len(items) - 1 else group.start() + quoted.end()))
    for group in _AT_GROUP.finditer(text):
        platform = PLATFORM_OF.get(group.group(2))
        items = list(_AT_NAME.finditer(group.group(1)))
        for i, item in enumerate(items):
            found.append(_Mention(item.group(1), platform, group.start() + item.start(),  # (each runs to the next)
                                  group.end() if i == len(items) - 1 else group.start() + items[i + 1].start()))
    for match in _NAMED_AFTER.finditer(text):
        # “认证单位”的抖音账号“临淄交警”: the platform word introduces the next name, the account's own
        if any(b.start < match.end() <= b.end for b in before) or any(m.start == match.start() for m in found):
            continue
        name = _quoted_name(match)
        if match.group(9) in _COLUMN_WORDS:  # “政民互动—在线访谈”栏目: the column is the last part of its path
            name = _COLUMN_PATH.split(name)[-1] or name
        found.append(_Mention(name, PLATFORM_OF.get(match.group(9)), match.start(), match.end()))
    for match in _NAMED_IN_BRACKETS.finditer(text):  # X微信公众号、新浪微博（账号名称均为“X”）: the name on each platform
        if not any(m.start <= match.start(1) < m.end for m in found):
            name = _quoted_name(match, 1)
            for word in _PLATFORM_IN.findall(match.group(1)):
                found.append(_Mention(name, PLATFORM_OF[word], match.start(), match.end()))
    for match in _AT_MENTION.finditer(text):
        if any(m.start <= match.start() < m.end for m in found):
            continue
        found.append(_Mention(match.group(1), PLATFORM_OF.get(match.group(2)), match.start(), match.end()))
    for match in _AT_OPENING.finditer(text):  # @A @B 都发了告别微博，说即日起不再更新: @names opening their clause
        items = list(_AT_NAME.finditer(match.group(1)))
        for i, item in enumerate(items):
            start = match.start(1) + item.start()
            if any(m.start <= start < m.end for m in found):
                continue
            end = match.start(1) + (items[i + 1].start() if i + 1 < len(items) else item.end())
            found.append(_Mention(item.group(1), "weibo", start, end))
    found += [b for b in before if not any(m.start <= b.start < m.end or b.start <= m.start < b.end for m in found)]
    return sorted(found, key=lambda m: m.start)


Subject = tuple[str | None, str | None]  # (name, platform); name None = the page's own account


def _subjects(sentence: str, own_name: str | None, own_platform: str | None, label: str,
              signer: str | None = None) -> list[Subject] | None:
    """The accounts a sentence's action applies to; [] when it names none; None when it is about others."""
    actions = _actions(sentence)
    if not actions:
        return None
    for action in actions:  # 【账号迁移】…本微博内容已转移至…: the first action that names its account
        subjects = _subjects_at(sentence, action, own_name, own_platform, label, signer)
        if subjects:
            return subjects
    return _subjects_at(sentence, actions[0], own_name, own_platform, label, signer)


def _subjects_at(sentence: str, action: int, own_name: str | None, own_platform: str | None, label: str,
                 signer: str | None = None) -> list[Subject] | None:
    head = sentence[:action]
    named = [m for m in _mentions(head) if not _is_document(m.name) and not _after_successor_verb(sentence, m.start)
             and not _SITE_COLUMN_AT.search(head[_clause_start(head, m.start):m.start])]
    if named:  # the group of names nearest the verb (因统一接入“A”APP，“B”小程序将下线: B)
        chosen = [named[-1]]
        for mention in reversed(named[:-1]):  # “梅岭团委”微信公众号、“梅岭镇妇联”微信公众号: several subjects
            if not _ADJACENT.match(head[mention.end:chosen[0].start]) and mention.end != chosen[0].start:
                break
            chosen.insert(0, mention)
        return [_own_or_named(m, own_name, own_platform, label) for m in chosen]
    if OWN.search(head[_clause_start(sentence, action):]):  # 按照全县政务新媒体集约化安排，本公众号将…: its own
        return [(None, own_platform)]
    site = _site_opening(head[_clause_start(sentence, action):])
    if site:  # 漪澜县政务公开网将于2月28日关闭: a website named by its name in 网
        return [(None, own_platform) if name_matches(site, own_name) else (site, "website")]
    owners = _owners_with_platform(head[_clause_start(sentence, action):])
    if owners:  # 霜桥市残疾人联合会网站将于…停止运行: the signer's own, or the owner's account
        return [(None, own_platform) if signer and name_key(owner[0]) == name_key(signer)
                and owner[1] in (None, own_platform) else owner for owner in owners]
    if GENERIC.search(head):
        return []
    if OWN.search(head) or OWN.search(sentence[:action + 12]):
        return [(None, own_platform)]
    return []


_SITE_OPENING = re.compile(r"\s*(?:而|同时|此外|另外)?\s*原?\s*([\u4e00-\u9fff]{3,18}?网)\s*(?:也|已经?|均|将|拟|则|自|从|于|已于|将于|定于|即将|正式|\d|$)")


def _site_opening(clause_head: str) -> str | None:
    """A website named by its own name ending in 网, opening the clause of its fate (蕖阳市招商引资网将于…关闭); never a
    generic word (政府网, 门户网), a policy phrase or a name without its place."""
    match = _SITE_OPENING.match(clause_head)
    if not match:
        return None
    name = match.group(1)
    if _BREAK.search(name[:-1]) or _GROUP_HEAD.match(name) or _GROUP_INSIDE.search(name) or not _placed(name[:-1]) \
            or re.search(r"(?:政府|门户|互联|上|联)网$", name):
        return None
    return name


# 统一在X网站“Y”专栏发布: a site's column where things are published, after 在/由/通过, is where they go
_SITE_COLUMN_AT = re.compile(rf"(?:在|由|通过)[^，,。；;]{{2,30}}?(?:{_PLATFORM_RE})\s*$")


def _owners_with_platform(clause_head: str) -> list[Subject]:
    """Organisations named with their platform word and no account name, opening the clause of the verb
    (霜桥市残疾人联合会网站将于…; a list: A乡人民政府网站、B镇人民政府网站两个子站…): [(owner, platform)]."""
    for word in reversed(list(_PLATFORM_IN.finditer(clause_head))):
        org = _org_before(clause_head, word.start())
        if org and clause_head.find(org) <= 2 and not _after_successor_verb(clause_head, clause_head.find(org)):
            owners: list[tuple[str | None, str | None]] = [(org, PLATFORM_OF[word.group(0)])]
            at = word.end()
            for other in _PLATFORM_IN.finditer(clause_head, word.end()):  # the list goes on: 、B镇人民政府网站
                org = _org_before(clause_head, other.start())
                start = clause_head.rfind(org, at, other.start()) if org else -1
                if start < 0 or not re.fullmatch(r"\s*(?:、|和|及|与|以及)\s*", clause_head[at:start]):
                    break
                owners.append((org, PLATFORM_OF[other.group(0)]))
                at = other.end()
            return owners
    return []


def _signer(text: str) -> str | None:
    """The organisation that signs a notice (its last lines: 霜桥市残疾人联合会 / 2024年11月28日)."""
    match = SIGNATURE.search("\n" + text.rstrip())
    if not match:
        return None
    return re.sub(r"\s*\d{4}\s*年.*$", "", match.group(0), flags=re.S).strip() or None


def _own_or_named(mention: _Mention, own_name: str | None, own_platform: str | None, label: str) -> Subject:
    if own_name and label != "report" and name_matches(mention.name, own_name) \
            and (mention.platform in (None, own_platform)):
        return None, own_platform
    return mention.name, mention.platform or own_platform


def name_key(name: str | None) -> str:
    """How names are compared: normalised, without spaces, quotes and a trailing 官方账号/网站 word."""
    key = re.sub(r"[\s“”「」‘’《》\"'@]", "", normalise(name or ""))
    return re.sub(r"(?:官方账号|官方微博|微信公众号|公众号|门户网站|网站)$", "", key) or key


def name_matches(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalise(a).replace(" ", "") == normalise(b).replace(" ", "")


def _after_successor_verb(text: str, at: int) -> bool:
    """“X” in 迁移至“X”微信公众号 is a successor, not the account the sentence is about."""
    start = max(0, at - 10)
    end = start + len(re.sub(r"(?:新的|新|的)$", "", text[start:at]))  # 启用新的服务号“X”
    return any(end <= m.end() <= at and m.group(0) not in ("由", "在", "通过")  # (与“X”合并 looks ahead)
               for m in SUCCESSOR_VERB.finditer(text, start, min(len(text), at + 48)))


def _table_row(unit: str, own_platform: str | None) -> tuple[Subject, str] | None:
    """(subject, what happens to it) of a batch notice's table row, or None when the unit is no such row."""
    cells = [c.strip() for c in _CELLS.split(unit) if c.strip()]
    if len(cells) < 3:
        return None
    for i, cell in enumerate(cells):
        if cell in PLATFORM_OF and i > 0:
            names = [c for c in cells[:i] if not re.fullmatch(r"\d+|[一二三四五六七八九十]+", c)]
            if names:
                return (names[-1], PLATFORM_OF[cell]), "，".join(cells[i + 1:])
    return None


# ---- reports: the accounts a report says closed, merged, migrated or stopped --------------------------------
ORG_SUFFIX = (r"(?:委员会|办公室|办事处|联合会|管理局|分局|大队|支队|中队|中心|政府|街道|社区|医院|学校|小学|中学|大学|学院|幼儿园"
              r"|图书馆|档案馆|文化馆|博物馆|法院|检察院|集团|公司|局|委|办|院|会|队|所|站|馆|府|部|厅|处|科|协|联|社|校|园|团|镇|乡|村)")
PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南"
             "|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
_ORG_END = re.compile(rf"{ORG_SUFFIX}$")
# between two names of one list: a joiner, and an owner before the second (“A”公众号和市就业服务中心的“B”微博, “A”抖音号、
# 县体育事业发展中心“B”微信公众号)
_ADJACENT = re.compile(rf"^\s*(?:（[^（）]{{0,40}}）|\([^()]{{0,40}}\))?\s*(?:、|和|及|与|以及)\s*"
                       rf"(?:[\u4e00-\u9fff]{{2,24}}?的|[\u4e00-\u9fff]{{1,24}}?{ORG_SUFFIX})?\s*$")
_PLACE = re.compile(rf"^(?:{PROVINCES})|^[\u4e00-\u9fff]{{1,8}}?(?:省|市|县|区|州|镇|乡|旗|盟|街道)|^(?:市|县|区)(?=[\u4e00-\u9fff]{{2}})")
# the place said by its level alone, as a text about one city says it (市编办, 县妇联, 区科协), but not the government
_LEVEL_ONLY = re.compile(r"^(?:市|县|区)[\u4e00-\u9fff]{2}$")
_LEVEL_GOVERNMENT = re.compile(r"^(?:市|县|区|镇|乡)(?:人民)?(?:政府|党委|委|府)$")
# where an organisation's name cannot run on: verbs, function words, time words (…，他还负责运营镇政府微博)
_BREAK = re.compile(r"的|是|在|对|把|将|被|由|向|从|与|或|仅|只|也|还|就|都|已|曾|又|再|并|等|让|给|而|但|据|即|称|至|到|于|入"
                    r"|负责|运营|开设|开通|保留|关注|登录|访问|发布|发出|表示|宣布|要求|通知|发现|了解|获悉|介绍|注意到|告诉|透露|显示"
                    r"|包括|今年|去年|近日|日前|此前|目前|同时|此外|另外|其中|例如|比如|记者|最近|近期|随后|早在|前夕|之后|以来|梳理|以后|今后|看"
                    rf"|{ACTION.pattern}")
_GROUP_INSIDE = re.compile(r"多个|多家|部分|一些|若干|几个|数个|个别|各[类级地]|\d|[一某哪][个家所座]|某")
_GROUP_HEAD = re.compile(r"^(?:[两二三四五六七八九十几数多]+(?:个|家|所|部门|单位)|县市|市县|县区|区县|各|全|省级|市级|县级|区级|乡镇|镇级|村级|基层|部分|相关|多个|多家|一些|个别|有关"
                         r"|下属|所属|直属|旗下|其他|其它|该|本|我|这些|上述|以上|某|大量|众多|不少|很多|许多|诸多|有的|所有|全部"
                         r"|原有|现有|新|老|旧|官方|政务|机构|部门|单位|个人|自媒体|企业)")
_ANAPHOR = re.compile(r"该(?:账号|号|公众号|微博|网站|站|局|委|单位|中心|抖音号|头条号|视频号|平台|客户端|小程序|APP|馆|院|校|园)"
                      rf"|本(?:账号|号|公众号|微博|网站|抖音号|头条号|视频号|平台|客户端)|其(?:微信|官方|政务|账号|公众号|网站|微博)"
                      r"|此号|这个号|相关站点|子站"
                      rf"|(?:这个|这家|此)[\u4e00-\u9fff]{{0,14}}?(?:{_PLATFORM_RE}|账号|号)")
_KEPT = re.compile(r"保留|留下|保持|继续|仍")
_SAY = r"(?:称|表示|宣布|指出|写道|提到)"
_TITLE_QUOTE = r"(?:《[^》]{1,40}》|“[^”]{1,24}”|「[^」]{1,24}」|\"[^\"]{1,24}\")"
# X发布公告称 / X官网发布《关停公告》称 / X网站“关停注销公告”也称 / @X 发布微博称: a report quoting X's notice
_ANNOUNCE = re.compile(
    rf"(?:({_PLATFORM_RE}|官网|子站)(?:账号)?)?(?:也|亦|已|就|还|再|都|均|相继|先后|分别|曾|早已|已经|近日|日前|\s)*"
    rf"(?:(?:发布|发出|贴出|刊发|发表|发文|公布|推送)(?:了)?(?:一则|一份|一条|相关)?(?:的)?{_TITLE_QUOTE}?"
    rf"(?:公告|消息|通知|声明|说明|告知书|通告|公示|文章|(微博|推文|动态))?|{_TITLE_QUOTE})(?:也|中)?\s*[,，]?\s*{_SAY}")
_AT_SAYS = re.compile(rf"@([\u4e00-\u9fffA-Za-z0-9_\-]{{2,30}}?)\s*(?:也|已|近日|日前)?\s*{_SAY}(?=[，,：:\s]*其)")
# “宝安区土地规划监察局”等数十个政务公号: one name for a group sharing a platform word
_ONE_AND_OTHERS = re.compile(rf"(?:{QUOTED.pattern})\s*等\s*(?:\d+|[数几十百两二三四五六七八九]+)?\s*(?:多|余)?\s*个?"
                             rf"[\u4e00-\u9fff]{{0,8}}?({_PLATFORM_RE})")
# “通信行程卡”短信、网页、小程序、APP等查询渠道: a service offered through several channels
_SERVICE = re.compile(rf"(?:{QUOTED.pattern})\s*((?:[\u4e00-\u9fffA-Za-z]{{1,8}}[、/和及]){{1,8}}[\u4e00-\u9fffA-Za-z]{{1,8}}?)"
                      r"\s*等?\s*(?:查询|服务|办事|访问)?(?:渠道|入口|端口)")
_PLATFORM_IN = re.compile(_PLATFORM_RE)
# a name without quotes opening its clause, its platform word right after and its fate next (滨河文旅抖音号停止更新)
_BARE_NAMED = re.compile(rf"(?:^|(?<=[，,；;。：:\n]))\s*(?:而|另外|此外|同时|其中|以及|还有|和)?\s*"
                         rf"([\u4e00-\u9fffA-Za-z0-9]{{2,12}}?)({_PLATFORM_RE})(?:账号|帐号)?"
                         rf"(?=\s*(?:也|已经?|均|都|将|拟|则|于|自|从|在|已于|将于|\d|[\u4e00-\u9fff]{{0,12}}?)(?:{ACTION.pattern}))")
# 将“北京通”办事与“北京健康宝”服务融合成“京通”小程序: the names merged into the target
_MERGE_INTO = re.compile(r"融合(?:成|为)|合并(?:为|成)|整合(?:为|成)")


@dataclass
class _Announcer:
    name: str
    platform: str | None
    start: int
    end: int
    is_org: bool  # an organisation (its account unnamed) rather than an account (@X)
    fellows: tuple[str, ...] = ()  # organisations listed before it that announce alike (A局、B局先后发布公告，宣布各自的…)


_LISTED_AFTER = re.compile(rf"(?:{_PLATFORM_RE})(?:账号)?(?:和|及|与|以及)")  # 苎萝镇人民政府网站和|龙潭乡人民政府


def _org_before(text: str, end: int) -> str | None:
    """The organisation named right before ``end`` (张家港市水务局 in 此前，张家港市水务局|微信公众号): the run of
    characters back to punctuation, cut after the last verb or function word, that starts with a place and ends like
    an organisation (局, 委, 办公室, 中心, 街道, 学校…); None for groups (县市公安局, 8个单位) and generic words."""
    head = re.sub(r"(?:的|之)?(?:官方|政务)?\s*$", "", text[:end])
    run = re.search(r"[\u4e00-\u9fff]+$", head)
    if not run:
        return None
    name = run.group(0)
    cuts = list(_BREAK.finditer(name)) + list(_LISTED_AFTER.finditer(name))
    if cuts:
        name = name[cuts[-1].end():]
    name = re.sub(r"^(?:原|旧|新|老)", "", name)
    place = _PLACE.match(name)
    if (len(name) < 4 and not _LEVEL_ONLY.match(name)) or _LEVEL_GOVERNMENT.match(name) or not _ORG_END.search(name) or _GROUP_HEAD.match(name) or _GROUP_INSIDE.search(name) \
            or not place or place.end() >= len(name) or _PLATFORM_IN.search(name):  # (X网站全部栏目: no organisation)
        return None
    return name


def _report_mentions(text: str) -> list[_Mention]:
    """Accounts a report names: those a notice names (:func:`_mentions`), a quoted name with 等N个 and a platform
    word, a quoted name that holds its platform word (「台中县政府网站」), a service with its channels, and an
    organisation with its platform word and no account name (青篁县文化馆网站, 张家港市水务局微信公众号“水润港城”
    gives 水润港城 with its owner)."""
    found = [m for m in _mentions(text) if not _is_document(m.name)]
    for match in _ONE_AND_OTHERS.finditer(text):
        if not any(m.start <= match.start() < m.end for m in found):
            found.append(_Mention(_quoted_name(match), PLATFORM_OF.get(match.group(9)), match.start(), match.end()))
    for match in _SERVICE.finditer(text):
        words = [PLATFORM_OF[w] for w in _PLATFORM_IN.findall(match.group(9))]
        if words and not any(m.start <= match.start() < m.end for m in found):
            platform = "app" if "app" in words else words[0]
            found.append(_Mention(_quoted_name(match), platform, match.start(), match.end()))
    for match in QUOTED.finditer(text):
        name = _quoted_name(match)
        word = next((w for w, _ in PLATFORM_WORDS if name.endswith(w) and len(name) > len(w) + 1), None)
        if word and not _is_document(name) and not _is_phrase(name) \
                and not any(m.start <= match.start() < m.end for m in found):
            found.append(_Mention(name, PLATFORM_OF[word], match.start(), match.end()))
    for match in _PLATFORM_IN.finditer(text):
        if any(m.start <= match.start() < m.end for m in found):
            continue
        quoted = re.match(rf"\s*(?:账号|帐号)?\s*(?:{QUOTED.pattern})", text[match.end():])
        if quoted and not _is_document(_quoted_name(quoted)):
            continue  # 水务局微信公众号“水润港城”: the quoted name is the account
        org = _org_before(text, match.start())
        if org:
            start = text.rfind(org, 0, match.start())
            found.append(_Mention(org, PLATFORM_OF[match.group(0)], start, match.end(), agency=org))
    for match in _BARE_NAMED.finditer(text):  # …，滨河文旅抖音号停止更新；滨河e家APP下线: a name opening its clause
        name = match.group(1)
        if any(m.start <= match.start(1) < m.end or match.start(1) <= m.start < match.end(2) for m in found) \
                or _BREAK.search(name) or _GROUP_HEAD.match(name) or _GROUP_INSIDE.search(name) \
                or _BARE_NOT_NAME.search(name) or _PLATFORM_IN.search(name) or _FIRM.search(name) \
                or (_ORG_END.search(name) and not _placed(name)) \
                or not _told_as_fact(text[match.end(2):_clause_end(text, match.end())]):
            continue  # not a group, a generic word, or an organisation without its place (公安局, 交警大队)
        found.append(_Mention(name, PLATFORM_OF[match.group(2)], match.start(1), match.end(2)))
    for match in _SITE_CLAUSE.finditer(text):  # …，漪澜县政务公开网已于2月28日关闭
        site = _site_opening(text[match.start():_clause_end(text, match.start())])
        if site and not any(m.start <= match.start(1) < m.end for m in found) \
                and _told_as_fact(text[match.end(1):_clause_end(text, match.end(1))]):
            found.append(_Mention(site, "website", match.start(1), match.end(1)))
    for match in _QUOTED_OPENING.finditer(text):  # 7月，“A”“B”相继宣布停更; 原“X”已于3月1日整体迁移至…
        items = list(QUOTED.finditer(match.group(1)))
        names = [_quoted_name(item) for item in items]
        if any(not _looks_like_name(name) for name in names) \
                or not _told_as_fact(text[match.end(1):_clause_end(text, match.end(1))]):
            continue
        for i, (item, name) in enumerate(zip(items, names)):
            start = match.start(1) + item.start()
            end = match.end(1) if i == len(items) - 1 else match.start(1) + items[i + 1].start()
            if not any(m.start <= start < m.end or start <= m.start < end for m in found):
                found.append(_Mention(name, None, start, end))
    for match in _OWNER_LIST.finditer(text):  # A局、B局两家单位的微信公众号: each owner's account
        parts = match.group(1).split("、")
        orgs = [org for part in parts if (org := _org_before(part, len(part)))]
        if len(orgs) == len(parts) >= 2 and all(o == i for o, i in zip(orgs[1:], parts[1:])):
            platform = PLATFORM_OF[match.group(2)]
            at = match.start(1)
            for org, part in zip(orgs, parts):
                start = text.find(org, at)
                if not any(m.start <= start < m.end for m in found):
                    found.append(_Mention(org, platform, start, start + len(org), agency=org))
                at += len(part) + 1
    for match in _HASHTAG_NAMED.finditer(text):  # #石渠镇发布 宣布停更 …乡镇公众号: a name given as a hashtag
        if not any(m.start <= match.start() < m.end for m in found) and not _GROUP_HEAD.match(match.group(1)):
            said_on = _PLATFORM_IN.search(text, match.end(), _clause_end(text, match.end()))
            found.append(_Mention(match.group(1), PLATFORM_OF[said_on.group(0)] if said_on else None, match.start(),
                                  match.end()))
    for match in _OFFICIAL_OBJECT.finditer(text):  # 将关闭特首官方面簿专页: the account as the verb's object
        if not any(m.start <= match.start(1) < m.end for m in found) and not _BREAK.search(match.group(2)) \
                and not _GENERIC_OWNER.fullmatch(match.group(2)):
            found.append(_Mention(match.group(1), "unspecified", match.start(1), match.end(1)))
    titles = [m.span() for m in re.finditer(r"《[^《》]{1,60}》", text)]
    found = [m for m in found if not any(a < m.start < b for a, b in titles)]
    for mention in found:
        mention.name = mention.name.lstrip("@")
        if mention.agency is None:
            head = re.sub(rf"(?:的)?(?:官方|政务)?(?:{_PLATFORM_RE}|政务新媒体账号|账号)?(?:账号)?\s*$", "", text[:mention.start])
            mention.agency = _org_before(head, len(head))
    return sorted(found, key=lambda m: m.start)


_SITE_CLAUSE = re.compile(r"(?:^|(?<=[，,；;。：:\n]))\s*(?:而|同时|此外|另外)?\s*原?\s*([\u4e00-\u9fff]{3,18}?网)(?!站)")
# quoted names without a platform word opening their clause, their fate told right after (“A”“B”相继宣布停更,
# 原“X”已于3月1日整体迁移至…, 2. “X”迁移至“Y”服务号)
_QUOTED_OPENING = re.compile(rf"(?:^|(?<=[，,；;。：:\n]))\s*(?:而|另外|此外|同时|其中|以及|还有|和|\d{{1,2}}\s*[.、．)]|[①-⑩])?\s*原?\s*"
                             rf"((?:(?:{QUOTED.pattern})\s*(?:、|和|及|与|以及)?\s*)+)"
                             rf"(?=[^，,。；;“”「」‘’《》\n]{{0,10}}?(?:{ACTION.pattern}))")
# quoted words that are no account's name: kinds of accounts and slogans (“僵尸号”, “指尖上的形式主义”, “一网通办”)
_NOT_A_NAME = re.compile(r"僵尸|睡眠|沉睡|休眠|空壳|死号|形式主义|瘦身|一刀切|一关了之|一网通办|最多跑一次|指尖|减负|集约|矩阵|号$|^[\u4e00-\u9fff]$")


def _looks_like_name(name: str) -> bool:
    """A quoted string that can be an account's name: not a document, a phrase with a verb, a group, a slogan, a
    hotline."""
    return 2 <= len(name) <= 20 and not _is_document(name) and not _is_phrase(name) and not _GROUP_HEAD.match(name) \
        and not _GROUP_INSIDE.search(name) and not _NOT_A_NAME.search(name) and not NOT_TARGET.search(name) \
        and not re.search(r"[，,。；;！!？?]", name)


# owners listed before one platform word they share (沅汀县文化和旅游局、沅汀县体育局两家单位的微信公众号)
_OWNER_LIST = re.compile(rf"((?:[\u4e00-\u9fff]{{3,24}}、)+[\u4e00-\u9fff]{{3,24}}?)(?:等)?\s*(?:[两二三四五六七八九十几\d]+(?:个|家|所))?"
                         rf"(?:单位|部门|机构)?(?:的)?(?:官方|政务)?({_PLATFORM_RE})")
# a name as a hashtag, its fate right after it (#石渠镇发布 宣布停更)
_HASHTAG_NAMED = re.compile(rf"#([\u4e00-\u9fffA-Za-z0-9]{{2,16}})(?:#|\s+)(?=\s*(?:宣布|正式|将|已|也)?\s*(?:{ACTION.pattern}))")
# an owner's official page or account as the object of a closure verb, with no platform word we know (关闭特首官方面簿专页)
_OFFICIAL_OBJECT = re.compile(rf"(?:{CLOSURE.pattern})(?:了|其)?(([\u4e00-\u9fffA-Za-z]{{2,10}}?)官方[\u4e00-\u9fffA-Za-z]{{0,8}}?"
                              r"(?:专页|主页|账号|帐号))")
_GENERIC_OWNER = re.compile(r"学校|医院|政府|部门|单位|机关|机构|公司|企业|个人|我们|他们|自己|网站|平台|相关|部分|这些|所有")


def _is_phrase(name: str) -> bool:
    """A quoted phrase, not a name: it holds a verb (不能一句“并入属地政府网站”就了事)."""
    return bool(ACTION.search(name) or re.search(r"迁移|移步|关注|登录|访问|请|将", name))


_BARE_NOT_NAME = re.compile(rf"新媒体|账号|帐号|各|以上|以下|{POLICY_VERBS}|察看|查看|组织|搞好|坚持|持续|全面|进一步|要|实地"
                            r"|^(?:这|那|其|为了|为|因为|由于|如果|若|虽然|但|而|并|只|没有|避免|以免|防止"
                            r"|除|对|从|自|在|经|按|据|通过|随着)")


# a firm's or a shop's account is not a public account (宏远化工厂网站下线, 这家奶茶店抖音号停更)
_FIRM = re.compile(r"(?:厂|公司|企业|店|超市|商场|商城|酒店|饭店|餐厅|餐馆|门店|工作室|俱乐部|商行|有限)$|有限公司|股份")


def _placed(name: str) -> bool:
    """An organisation's name with its place (盐坨街道, 青篁县文化馆), not a bare kind (公安局)."""
    place = _PLACE.match(name)
    return place is not None and (place.end() < len(name) or len(name) >= 4)


def _told_as_fact(clause: str) -> bool:
    """Whether a clause holds an account action said as a fact, not demanded or feared (为避免被注销, 应当关停)."""
    actions = _actions(clause)
    return bool(actions) and not MODAL.search(clause[:actions[0]])


def _clause_end(text: str, at: int) -> int:
    ends = [i for i in (text.find(c, at) for c in "，,；;。") if i >= 0]
    return min(ends) if ends else len(text)


def _announcers(text: str) -> list[_Announcer]:
    """Who a report quotes: 张家港市文学艺术界联合会就已发布公告称, @青禾交警 发布公告称, X官网发布《关停公告》称."""
    found = []
    for match in _AT_SAYS.finditer(text):  # @芷岚区图书馆 宣布，其新浪微博将于…停更
        name = match.group(1)
        found.append(_Announcer(name, None, match.start(), match.end(), True))
    for match in _ANNOUNCE.finditer(text):
        head = text[:match.start()].rstrip()
        at_name = re.search(r"@([\u4e00-\u9fffA-Za-z0-9_\-]{2,30})$", head)
        word = match.group(1) or match.group(2)
        platform = PLATFORM_OF.get(word) if word else None
        if at_name:
            found.append(_Announcer(at_name.group(1), platform or "weibo", at_name.start(), match.end(), False))
            continue
        quoted = re.search(r"[“「『]([^“”「」『』]{2,30})[”」』]$", head)
        if quoted:  # “南京质监”微信公众号发布公告称
            found.append(_Announcer(quoted.group(1), platform, quoted.start(), match.end(), False))
            continue
        head = re.sub(r"(?:早在|在|于|已于|曾于|早于)?\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日|初|中旬|上旬|下旬|底|末)?\s*$",
                      "", text[:match.start()])
        org = _org_before(head, len(head))
        if org:
            start = head.rfind(org)
            fellows: list[str] = []
            while (joined := re.search(r"(?:、|和|及|与|以及)\s*$", head[:start])) is not None:  # A局、B局先后发布公告
                fellow = _org_before(head, joined.start())
                if not fellow:
                    break
                fellows.insert(0, fellow)
                start = head.rfind(fellow, 0, joined.start())
            found.append(_Announcer(org, platform, start, match.end(), True, tuple(fellows)))
    return found


def _starts_subject(clause: str) -> bool:
    return any(_is_subject_mention(clause, m) for m in _report_mentions(clause)) or bool(_announcers(clause))


def _is_subject_mention(text: str, mention: _Mention) -> bool:
    return not _is_document(mention.name) and not _after_successor_verb(text, mention.start) \
        and not _KEPT.search(_clause_at(text, mention.start)[:max(0, mention.start - _clause_start(text, mention.start))])


def _clause_start(text: str, at: int) -> int:
    return max(text.rfind(c, 0, at) for c in "，,；;：:。") + 1


def _segments(sentence: str) -> list[str]:
    """A sentence cut where a new account or announcer comes in: each segment is the clause that names an account
    and the clauses that go on about it (…停更，并启动注销程序), so kinds and dates come from the account's own clause."""
    segments: list[str] = []
    at = 0
    for clause in re.split(r"(?<=[，,：:])", sentence):
        if not clause:
            continue
        if not segments or (_starts_subject(clause) and (_actions(clause) or not _continues_list(sentence, at))):
            segments.append(clause)
        else:
            segments[-1] += clause
        at += len(clause)
    return segments


def _continues_list(sentence: str, at: int) -> bool:
    """Whether ``at`` is inside a list of successors (关注“A”网站、“B”微信公众号、视频号，“C”网站)."""
    verbs = list(SUCCESSOR_VERB.finditer(sentence[:at]))
    if not verbs:
        return False
    between = QUOTED.sub("", sentence[verbs[-1].end():at])
    between = re.sub(rf"{_PLATFORM_RE}|账号|以及|[、，,\s和及与等]", "", between)
    return between == ""


def _report_subjects(segment: str, announcer: _Announcer | None) -> list[_Mention]:
    mentions = [m for m in _report_mentions(segment) if _is_subject_mention(segment, m)]
    titles = [m.span() for m in re.finditer(rf"《[^《》]{{1,60}}》|{_TITLE_QUOTE}(?=\s*(?:也|中)?\s*[,，]?\s*{_SAY})", segment)]
    for action in _actions(segment):
        if any(a < action < b for a, b in titles):
            continue
        before = [m for m in mentions if m.end <= action]
        if before:  # the group of names nearest the verb: “A”“B”“C”网站将永久下线
            group = [before[-1]]
            for mention in reversed(before[:-1]):
                if mention.end != group[0].start and not _ADJACENT.match(segment[mention.end:group[0].start]):
                    break
                group.insert(0, mention)
            return group
        verb = ACTION.match(segment, action)
        verb_end = verb.end() if verb else action + 2
        inside = [m for m in mentions if action <= m.start <= verb_end + 3]  # 停止了公号“X”的更新, 关停了“X”
        if inside:  # 关闭“A”微信公众号与“B”抖音号: every item of the object list
            group = [inside[0]]
            for mention in mentions[mentions.index(inside[0]) + 1:]:
                if mention.start != group[-1].end and not _ADJACENT.match(segment[group[-1].end:mention.start]):
                    break
                group.append(mention)
            return group
        listed = _object_list(segment, verb_end)
        if listed:  # 关停“A”“B”等低效账号23个: quoted names as the object, no platform word
            return listed
        if _MERGE_INTO.match(segment, action) or (verb and _MERGE_INTO.search(verb.group(0))):
            target = QUOTED.match(segment[verb_end:].lstrip())
            if target:
                after = _PLATFORM_AFTER.match(segment, verb_end + (len(segment[verb_end:]) - len(segment[verb_end:].lstrip()))
                                              + target.end())
                platform = PLATFORM_OF.get(after.group(1)) if after else None
                return [_Mention(_quoted_name(q), platform, q.start(), q.end()) for q in QUOTED.finditer(segment[:action])
                        if not _is_document(_quoted_name(q))]
        if announcer is not None and announcer.is_org:
            span = segment[min(announcer.end, action):verb_end + 8]
            successor = SUCCESSOR_VERB.search(span)
            word = _PLATFORM_IN.search(span[:successor.start()] if successor else span)
            platform = announcer.platform or (PLATFORM_OF[word.group(0)] if word else None)
            return [_Mention(name, platform, announcer.start, announcer.end, agency=name)
                    for name in (*announcer.fellows, announcer.name)]
        if announcer is not None:
            return [_Mention(announcer.name, announcer.platform, announcer.start, announcer.end)]
    return []


_OBJECT_LIST = re.compile(rf"\s*(?:了|其)?\s*((?:(?:{QUOTED.pattern})\s*(?:、|，|,|和|及|与|以及)?\s*)+?)\s*(?=等|(?:政务|官方)?账号)")


def _object_list(segment: str, verb_end: int) -> list[_Mention]:
    """Quoted names right after a closure verb, ended by 等 or 账号 (关停“A”“B”等低效账号23个): each is named, with the
    platform word that ends the phrase when there is one."""
    match = _OBJECT_LIST.match(segment, verb_end)
    if not match or not CLOSURE.search(segment[max(0, verb_end - 4):verb_end]):
        return []
    items = list(QUOTED.finditer(match.group(1)))
    if not items or not all(_looks_like_name(_quoted_name(q)) for q in items):
        return []
    word = _PLATFORM_IN.search(segment, match.end(), min(len(segment), match.end() + 14))
    platform = PLATFORM_OF[word.group(0)] if word and "，" not in segment[match.end():word.start()] else None
    return [_Mention(_quoted_name(q), platform, match.start(1) + q.start(), match.start(1) + q.end()) for q in items]


def _report_findings(units: list[str], announced: str | None) -> list[Finding]:
    """The accounts a report names as closed, merged, migrated or stopped, each with the kind, date and successors
    of its own clause; a report that quotes an owner's notice (X发布公告称…) gives that owner's account."""
    findings: list[Finding] = []
    seen: list[str] = []  # every quoted string so far
    read: list[str] = []  # every sentence so far
    for unit in units:
        current: list[Finding] = []
        in_unit: list[Finding] = []
        row = _table_row(unit, None)
        if row is not None and _report_row(row, findings, announced):
            continue
        for sentence in _sentences(unit):
            if len(current) > 1:  # a later sentence's successor is not for all of several accounts unless it says so
                current = []
            seen += [_quoted_name(m) for m in QUOTED.finditer(sentence)]
            read.append(sentence)
            if not findings and not ACTION.search(sentence) and not _VANISHED.search(sentence) \
                    and not _HASHTAG_NAMED.search(sentence):
                continue  # nothing found yet and no verb of ours: nothing to read here (long articles stay fast)
            announcer: _Announcer | None = None
            when = announced
            group_fate = ""  # 全年关停注销政务新媒体23个，其中包括“A”“B”微信公众号: an unnamed group's fate, for its list
            for segment in _segments(sentence):
                quoted = _announcers(segment)
                if quoted:
                    announcer = quoted[-1]
                    when = _date_before(sentence, sentence.find(segment), announced) or announced
                again = _named_again(segment, findings) if _first_action(segment) is not None else []
                listed = [m for m in _report_mentions(segment) if _is_subject_mention(segment, m)] \
                    if group_fate and _INCLUDES.match(segment) else []
                fate = group_fate + segment if listed else segment
                if not listed and not _is_action(segment) and not again and not _HASHTAG_NAMED.search(segment):
                    # 两个部门均表示，今后信息统一在“X”发布: a successor of every account just named
                    verb = SUCCESSOR_VERB.search(segment)
                    if not _ALL_OF_THEM.search(segment) and verb \
                            and (again := _named_again(segment[:verb.start()], findings)):
                        for mention in again:  # 其中，“霜桥环保”表示，今后请关注“X”: the one named again
                            finding = _find(findings, mention.name, mention.platform)
                            if finding is not None:
                                _add_targets(finding, segment, report=True)
                        current = [f for f in findings if any(m.name == f.account_name for m in again)]
                    elif _ALL_OF_THEM.search(segment) or current:
                        for finding in (in_unit if _ALL_OF_THEM.search(segment) else current):
                            _add_targets(finding, segment, report=True)
                    else:  # 街道信息在“X”发布，读者服务请关注“Y图书馆”微信公众号: each to the account it points at
                        _assign_targets(segment, findings)
                    continue
                subjects = listed or _report_subjects(segment, announcer if (quoted or _ANAPHOR.search(segment)) else None)
                named = [f for f in findings if f.account_name]
                anaphor = _ANAPHOR.search(segment)
                if not subjects and anaphor and (current or len(named) == 1):
                    # 该公众号: the account being discussed, or, in a later paragraph, the only one the text named
                    word = _PLATFORM_IN.search(anaphor.group(0))
                    subjects = [_Mention(f.account_name or "", f.platform or (PLATFORM_OF[word.group(0)] if word else None),
                                         0, 0, f.agency) for f in current or named]
                if not subjects:  # “云岚科普”的全部业务已迁移至…: an account named before, by its name alone
                    subjects = again
                if not subjects:  # 平时在“X”上看指南…发现公众号说停止更新: the one name the text gave, by its platform
                    subjects = _definite_platform(segment, seen)
                if not subjects and not findings:  # “X”抖音号因…引发争议。当晚…账号随后注销: the one account named before
                    subjects = _the_one_named(segment, "\n".join(read[:-1]) + "\n" + sentence[:sentence.find(segment)])
                if not subjects:
                    current = []  # an action about others: the next clauses are not about the last account
                    group_fate = segment if _told_as_fact(segment) and _reports_closure([segment]) else ""
                    continue
                current = []
                for mention in subjects:
                    finding = _find(findings, mention.name, mention.platform)
                    kind = _kind(fate)
                    if finding is None:
                        finding = Finding(mention.name, mention.platform, kind, excerpt=sentence, agency=mention.agency,
                                          source="quoted_notice" if announcer else "report")
                        findings.append(finding)
                    else:
                        finding.kind = _stronger(finding.kind, kind)
                        if finding.platform is None and mention.platform:  # #X 停更 … 这个公众号: its platform
                            finding.platform = mention.platform
                        finding.agency = finding.agency or mention.agency
                        if sentence not in finding.excerpt:
                            finding.excerpt = (finding.excerpt + sentence)[:400]
                    finding.effective_at = finding.effective_at or _effective(fate, when, finding.kind)
                    current.append(finding)
                    in_unit.append(finding)
                for finding in current:
                    _add_targets(finding, segment, report=True)
    findings = [f for f in findings if f.account_name]
    if len(findings) <= 1:  # 点开“X”公众号，页面显示“该账号已注销”: the platform's own words on the one account named
        findings = _found_deleted(units, findings)
    for unit in units:  # 台中市政府新版网站，使用原台中县政府网址: the new site took the old one's address
        for match in _TOOK_ADDRESS.finditer(unit):
            for finding in findings:
                if finding.platform in ("website", None) and name_key(finding.account_name) == name_key(match.group(2)) \
                        and name_key(match.group(1)) != name_key(match.group(2)) \
                        and not any(name_key(t.name) == name_key(match.group(1)) for t in finding.targets):
                    finding.targets.append(Target(match.group(1), "website", None, match.group(0), 0.7))
    return findings


def _report_row(row: tuple[Subject, str], findings: list[Finding], announced: str | None) -> bool:
    """A report's table row naming an account, its platform and what happened to it (a data piece's 账号 | 平台 | 时间
    | 处置): the account, with the row's kind, date and successor. False when the row tells no account action."""
    (name, platform), rest = row
    if not name or not _looks_like_name(name) or not _is_action(rest + "账号") or CONTINUES.search(rest):
        return False
    kind = _kind(rest)
    day = FULL_DATE.search(rest)
    finding = _find(findings, name, platform)
    if finding is None:
        finding = Finding(name, platform, kind, excerpt=rest, source="report")
        findings.append(finding)
    if day:
        finding.effective_at = "-".join(f"{int(g):02d}" for g in (day.groups()[:3] if day.group(1) else day.groups()[3:]))
    else:
        finding.effective_at = finding.effective_at or _effective(rest, announced, kind)
    _add_targets(finding, rest, report=True)
    return True


# the platform's words on a deleted account, quoted by a reader (“此帐号已自主注销”, “该账号已被封禁”)
_DELETED = re.compile(r"[“「‘\"](?:此|该|本)?(?:账号|公众号|微博|用户|号)[^“”「」‘’\"]{0,4}?已(?:经)?(?:被)?(?:自主|主动)?"
                      r"(?:注销|封禁|屏蔽|冻结|停止服务)[^“”「」‘’\"]{0,8}[”」’\"]")


def _found_deleted(units: list[str], findings: list[Finding]) -> list[Finding]:
    """A report that quotes the platform's deletion message and names one account only: that account closed, with the
    successors said after the message (以后看X网站)."""
    text = "\n".join(units)
    deleted = _DELETED.search(text)
    if not deleted:
        return findings
    mentions = [m for m in _report_mentions(text) if _looks_like_name(m.name) and text[m.start:m.start + 1] != "@"
                and _is_subject_mention(text, m)
                and not (deleted.start() <= m.start < deleted.end())]  # (@X in a forum reply is a user)
    if len({name_key(m.name) for m in mentions}) != 1:
        return findings
    mention = mentions[0]
    finding = findings[0] if findings else None
    if finding is None:
        finding = Finding(mention.name, mention.platform, "closure", excerpt=text[max(0, deleted.start() - 60):deleted.end() + 20],
                          agency=mention.agency, source="report")
    elif name_key(finding.account_name) != name_key(mention.name):
        return findings
    for sentence in _sentences(text[deleted.end():]):
        if not MODAL.search(sentence):  # (建议由上级平台归档: a wish, not where it went)
            _add_targets(finding, sentence, report=True)
    return [finding]


# a list of the members of a group just said to be closed (…关停注销政务新媒体23个，其中包括“A”“B”微信公众号)
_INCLUDES = re.compile(r"\s*(?:其中|其中包括|其中有|包括|例如|比如|如|分别是|分别为|涉及)[：:，,]?\s*[“「‘『@]?")


# the new site uses the former one's address: 新版网站，使用原X网址 / 沿用原X的域名
_TOOK_ADDRESS = re.compile(r"([\u4e00-\u9fff]{2,16}?)(?:的)?(?:新版|新)(?:的)?(?:网站|官网|门户网站)[^。；;]{0,12}?(?:已|则|直接)?"
                           r"(?:使用|沿用|启用|接管|继承)(?:了)?原(?:来的|先的)?([\u4e00-\u9fff]{2,16}?)(?:的)?(?:网站)?(?:的)?(?:网址|域名)")


_KIND_IN = re.compile(rf"{ORG_SUFFIX}|街道|社区|镇|乡|村|县|区")


def _assign_targets(segment: str, findings: list[Finding]) -> None:
    """Successors said with no account before them, each given to the account it points at: the same name on another
    platform (“青岚区图书馆”微博停更 … 请关注“青岚区图书馆”微信公众号), or the one account whose kind of owner the
    content names (街道信息在“X”发布: the one 街道)."""
    named = [f for f in findings if f.account_name]
    if not named:
        return
    probe = Finding(None, None, "stop_updating")
    for target in _targets(segment, probe, report=True):
        owners = [f for f in named if target.name and name_key(f.account_name) == name_key(target.name)
                  and f.platform != target.platform]
        if not owners and target.scope:  # 镇里的信息: the one account of a 镇
            owners = [f for f in named if any(kind in target.scope for kind in _KIND_IN.findall(f.account_name or ""))]
        if len(owners) == 1 and not any(t.name == target.name and t.platform == target.platform for t in owners[0].targets):
            owners[0].targets.append(target)


def _definite_platform(segment: str, seen: list[str]) -> list[_Mention]:
    """A bare platform word as the subject (发现公众号说…停止更新, 这个公众号将注销) when the text has named one
    account only, by its name without platform word (平时常在“椰洲镇发布”上看…): that account."""
    actions = _actions(segment)
    if not actions:
        return []
    head = segment[_clause_start(segment, actions[0]):actions[0]]
    word = re.search(rf"(?:^|发现|看到|注意到|得知|这个|那个|这家|那家|说|称)\s*({_PLATFORM_RE})(?:账号)?\s*(?:说|称|表示|发文|也|已|将|于)?",
                     head)
    names = {name_key(n): n for n in seen if not _is_document(n) and not _is_phrase(n) and 2 <= len(n) <= 16}
    if not word or len(names) != 1:
        return []
    return [_Mention(next(iter(names.values())), PLATFORM_OF[word.group(1)], 0, 0)]


_BARE_SUBJECT = re.compile(rf"\s*(?:该|这个|此|其|那个|原)?\s*({_PLATFORM_RE}|账号|帐号|站点)\s*"
                           r"(?:随后|随即|当即|旋即|也|已经?|均|都|被|将|于|亦|则|同时|同步|目前|现已)*")


_OWNER_ANAPHOR = re.compile(rf"\s*(?:该|此)(局|委|委员会|中心|办|院|馆|站|所|单位|部门|机构)(?:的)?(?:官方|政务)?({_PLATFORM_RE})")


def _the_one_named(segment: str, before: str) -> list[_Mention]:
    """A clause whose subject is a bare 账号 or (该)网站 (当晚，账号随后注销; 该网站自8月1日起暂停访问), in a report
    that has named one account only so far, even in sentences without a fate (“X”抖音号因…引发争议): that account."""
    actions = _actions(segment)
    if not actions or not before:
        return []
    head = segment[_clause_start(segment, actions[0]):actions[0]]
    owner = _OWNER_ANAPHOR.match(head)
    if owner:  # 该局官方网站随后关停: the organisation the text is about (an entry: 蚝岗区科学技术局，是…)
        topic = re.match(r"\s*([\u4e00-\u9fff]{4,24}?)(?=\s*(?:[，,（(\n]|是))", before)
        kind = owner.group(1)
        if topic and _org_before(topic.group(1), len(topic.group(1))) == topic.group(1) \
                and (kind in ("单位", "部门", "机构") or topic.group(1).endswith(kind)) \
                and _told_as_fact(head + segment[actions[0]:]):
            return [_Mention(topic.group(1), PLATFORM_OF[owner.group(2)], 0, 0, topic.group(1))]
        return []
    bare = _BARE_SUBJECT.match(head)
    rest = head[bare.end():] if bare else ""
    if not bare or len(rest) > 24 or ACCOUNT_WORD.search(rest) or QUOTED.search(rest) or "@" in rest \
            or not _told_as_fact(head + segment[actions[0]:]):  # (自8月1日起因安全检查: time and reason may follow)
        return []
    word = PLATFORM_OF.get(bare.group(1))
    mentions = [m for m in _report_mentions(before) if _looks_like_name(m.name)
                and (word is None or m.platform in (None, word))]
    if len({name_key(m.name) for m in mentions}) != 1:
        return []
    return [_Mention(mentions[0].name, mentions[0].platform or word, 0, 0, mentions[0].agency)]


def _named_again(segment: str, findings: list[Finding]) -> list[_Mention]:
    """Accounts already found that a clause names again by name alone, before its verb (“云岚科普”的业务已迁移至…)."""
    actions = _actions(segment)
    head = segment[:actions[0]] if actions else segment
    keys = {name_key(q): q for q in (_quoted_name(m) for m in QUOTED.finditer(head)) if len(q) >= 2}
    return [_Mention(f.account_name or "", f.platform, 0, 0, f.agency) for f in findings
            if f.account_name and name_key(f.account_name) in keys]


_ALL_OF_THEM = re.compile(r"(?:两|二|三|几|这些|上述|以上|各)(?:个|家)?(?:部门|单位|账号|号)?[^，,。]{0,4}(?:均|都|一致)")


def _date_before(sentence: str, at: int, announced: str | None) -> str | None:
    """The date a sentence gives before ``at`` (4月2日，@青禾交警发布公告称…: the quoted notice's date)."""
    dates = list(_ANY_DATE.finditer(sentence[:max(at, 0)]))
    if not dates:
        return None
    match = dates[-1]
    year = match.group(1) or (announced or "")[:4]
    try:
        return date(int(year), int(match.group(2)), int(match.group(3))).isoformat() if year else None
    except ValueError:
        return None


def _findings(units: list[str], own_name: str | None, own_platform: str | None, label: str, announced: str | None,
              notice_title: bool, short: bool) -> list[Finding]:
    """The accounts a notice names (a report's: :func:`_report_findings`)."""
    findings: list[Finding] = []
    current: list[Finding] = []
    general_kind: str | None = None  # "对以下账号予以关停注销": the fate of every account listed below
    general_date: str | None = None  # "以下账号自2019年6月1日起关停下线" / "自公告之日起执行"
    ahead: list[str] = []  # sentences naming where things go before any account's fate is told
    table: list[Finding] = []  # the rows of the batch table just read
    signer = _signer("\n".join(units))

    def take(subjects: list[Subject], sentence: str) -> None:
        nonlocal current
        current = []
        for name, platform in subjects:
            finding = _find(findings, name, platform)
            if finding is None:
                finding = Finding(name, platform, _kind(sentence), excerpt=sentence)
                findings.append(finding)
            else:
                if sentence not in finding.excerpt:
                    finding.excerpt = (finding.excerpt + sentence)[:400]
                finding.kind = _stronger(finding.kind, _kind(sentence))
            finding.effective_at = finding.effective_at or _effective(sentence, announced, finding.kind)
            current.append(finding)

    for unit in units:
        row = _table_row(unit, own_platform)
        if row is not None:
            (name, platform), rest = row
            if _is_action(rest + "账号") and not CONTINUES.search(rest):
                take([(name, platform)], rest)
                table += current
                for finding in current:
                    _add_targets(finding, rest)
                    for cell in rest.split("，")[1:]:  # a "信息承接渠道" column: the successor, without a verb
                        for target in _names_after(cell, cell, finding, 0):
                            if not any(t.name == target.name and t.platform == target.platform for t in finding.targets):
                                finding.targets.append(target)
            else:
                current = []
            continue
        if table and current == table[-1:]:  # 调整后，本局信息统一通过“X”发布: after a table, its rows are discussed
            current = list(table)
        table = []
        listed_item = bool(NUMBERED.match(unit))
        for sentence in _sentences(unit):
            subjects = _subjects(sentence, own_name, own_platform, label, signer) if _is_action(sentence) else None
            if subjects is None and listed_item and general_kind and not CONTINUES.search(sentence):
                # "4．“秦川市安监局”网站，相关信息请登录…": an item of the list the intro closes
                item = [m for m in _mentions(sentence) if not _after_successor_verb(sentence, m.start)]
                subjects = [_own_or_named(item[0], own_name, own_platform, label)] if item else None
            if subjects == []:
                subjects = _implicit_subjects(sentence, current, own_platform, label, notice_title, short)
                if subjects is None and GENERIC.search(sentence) and not _SUMMARY.search(sentence) \
                        and not _HEADING.fullmatch(sentence):  # (the title repeated as a heading decides nothing)
                    general_kind = _stronger(general_kind or "suspension", _kind(sentence))
                    general_date = general_date or _effective(sentence, announced, general_kind)
                if subjects is None and _BACK_REFERENCE.search(sentence):
                    # 上述账号停止发布信息后，相关政务信息请关注…: every account listed so far
                    current = [f for f in findings if f.account_name is not None] or current
            if subjects is None and _AFTER_MERGING.match(sentence):
                # 整合后，相关内容请关注“X”: the accounts merged or migrated, not one closed beside them
                current = [f for f in findings if f.kind in ("merger", "migration")] or current
            if not findings and not general_date and re.search(r"如下|执行|下列|以下|下表|表中|附表", sentence):
                # 现将处置情况公告如下，自公告之日起执行; 自6月1日起，对下列账号按表中方式处理
                general_date = _effective(sentence, announced)
            if subjects:
                first = not findings
                take(subjects, sentence)
                if first and ahead and len(current) == 1 and current[0].account_name is None:
                    for said in ahead:  # 今后…将统一通过“X”发布。…本号将停止更新: said before the closure
                        _add_targets(current[0], said)
            elif not findings and not current and _AHEAD.search(sentence) and SUCCESSOR_VERB.search(sentence):
                ahead.append(sentence)
            for finding in current:
                _add_targets(finding, sentence)
            listed_item = False
    for finding in findings:
        # the intro's fate (予以关停注销) for every item, unless an item says another of its own (暂停更新, 合并至):
        # stopping updates is the first step of a closure, not another fate
        if general_kind and {_kind(finding.excerpt[a:a + 8]) for a in _fate_actions(finding.excerpt)} <= {"stop_updating"}:
            finding.kind = _stronger(finding.kind, general_kind)
        finding.effective_at = finding.effective_at or general_date
    named = [f for f in findings if f.account_name is not None]
    if named:  # a batch notice: the portal's own "finding" is its intro
        findings = named + [f for f in findings if f.account_name is None and (f.targets or OWN.search(f.excerpt))]
    return findings


_AFTER_MERGING = re.compile(r"\s*(?:整合|合并|并入|迁移|融合)(?:完成)?(?:以)?后")
# a heading: a line without a sentence's punctuation that ends like a notice's title
_HEADING = re.compile(r"[^。，,；;！!？?]{4,80}(?:公告|通知|说明|声明|通告|启事)")
# the accounts listed above, all of them
_BACK_REFERENCE = re.compile(r"(?:上述|以上|前述|上列|所列|这些|这[两二三四五六七八九十\d]+个)(?:政务)?(?:新媒体)?(?:账号|公众号|微博|网站|号)")
_AHEAD = re.compile(r"今后|以后|此后|届时|将统一|统一通过|统一在|统一由")


def _add_targets(finding: Finding, sentence: str, report: bool = False) -> None:
    for target in _targets(sentence, finding, report):
        if not any(t.name == target.name and t.platform == target.platform for t in finding.targets):
            finding.targets.append(target)


def _implicit_subjects(sentence: str, current: list[Finding], own_platform: str | None, label: str,
                       notice_title: bool, short: bool) -> list[Subject] | None:
    """An action with no account named: the accounts being discussed, or the page's own one."""
    if GENERIC.search(sentence):
        return None  # 以下账号 / 上述账号: the accounts each item names
    if current:
        return [(f.account_name, f.platform) for f in current]
    if label != "notice":
        return None
    if notice_title or OWN_CUES.search(sentence):
        return [(None, own_platform)]
    if short and (TODAY.search(sentence) or EFFECTIVE.search(sentence)):
        return [(None, own_platform)]  # a one-line announcement: 即日起停止更新，请关注@X
    return None


def _find(findings: list[Finding], name: str | None, platform: str | None) -> Finding | None:
    for finding in findings:
        if finding.account_name == name and (finding.platform == platform or not platform or not finding.platform):
            return finding
    return None


_STRENGTH = {"closure": 5, "merger": 4, "migration": 3, "stop_updating": 2, "suspension": 1}


def _stronger(a: str, b: str) -> str:
    return a if _STRENGTH[a] >= _STRENGTH[b] else b


def _is_document(name: str) -> bool:
    """A document's or a notice's title, never an account: 《…意见》, “关停注销公告”, 《致粉丝的一封信》."""
    return (bool(LEGAL_DOC.search(name)) and len(name) > 6) or bool(NOTICE_DOC.search(name))


NOTICE_DOC = re.compile(r"(?:公告|通告|公示|启事|声明|说明|告知书|通知|告读者|一封信|告别信)$")


# ---- successors -------------------------------------------------------------------------------------------------
def _targets(sentence: str, finding: Finding, report: bool = False) -> list[Target]:
    """The successors a sentence names for ``finding``'s account. Not after a function or an institution
    (相关职能并入龙岗区财政局: the reason, not a successor) nor in a renaming (名称由“X”变更为“Y”); in a report,
    only what follows a successor verb (a report mentions 县政府网站 for many reasons)."""
    targets: list[Target] = []
    for verb in SUCCESSOR_VERB.finditer(sentence):
        tail = sentence[verb.end():]
        # 由/在/通过 only before a name: quoted, an @name, or a site that publishes or takes over (由X网站“Y”专栏承接)
        if verb.group(0) in ("由", "在", "通过", "可通过", "请通过") and not QUOTED.match(tail.lstrip()) \
                and not _AT_NAME.match(tail.lstrip()) and not _PUBLISHED_ON.match(tail) and not _OFFICE_NAME.match(tail):
            continue
        clause = sentence[_clause_start(sentence, verb.start()):verb.start()]
        if _NOT_ACCOUNT_MOVE.search(clause) or RENAME.search(_clause_at(sentence, verb.start())):
            continue
        targets.extend(_names_after(tail, sentence, finding, verb.start()))
    named_at = [(p.start(), p.start() + len(t.name)) for t in targets if t.name
                for p in re.finditer(re.escape(t.name), sentence)]
    for match in CLASS_TARGET.finditer(sentence):
        if _already(targets, match.group(1)) or any(a <= match.start() < b + 2 for a, b in named_at):
            continue  # 青弋镇人民政府门户网站: a name, not the class 政府门户网站
        if not any(v.end() >= match.start() - 10 for v in SUCCESSOR_VERB.finditer(sentence[:match.start()])):
            continue  # 根据全市政府网站集约化要求: a class named for another reason
        targets.append(Target(match.group(1), _class_platform(match.group(1), finding), _scope(sentence, match.start()),
                              sentence, 0.6, is_class=True))
    for match in OFFICE.finditer(sentence):
        name = re.sub(r"^(?:市民|群众|网友)?", "", match.group(1))
        if not _already(targets, name):
            targets.append(Target(name, "office", _scope(sentence, match.start()), sentence, 0.7))
    # 其他平台 with none named: said of where things go (推送, 发布…), or right after a successor verb (转移至其他平台办理)
    if not report and not targets and UNSPECIFIED.search(sentence) and (
            re.search(r"推送|发布|关注|查看|获取|了解|提供", sentence)
            or any(UNSPECIFIED.match(sentence, verb.end()) for verb in SUCCESSOR_VERB.finditer(sentence))):
        targets.append(Target("", "unspecified", _scope(sentence, 0), sentence, 0.5))
    return [t for t in targets if not _same_account(t, finding)]


_ORG_TARGET = re.compile(rf"([\u4e00-\u9fff]{{3,24}}?{ORG_SUFFIX})(?=[，,。；;、\s]|$)")
_PUBLISHED_ON = re.compile(rf"[\u4e00-\u9fff]{{2,24}}?(?:{_PLATFORM_RE})(?:[“「‘][^“”「」‘’]{{1,16}}[”」’](?:栏目|专栏|专题|频道))?(?:上)?"
                           r"(?:发布|公开|推送|更新|查阅|查询|查看|浏览|承接|接续|承担|提供|办理|保留|留存|存档|归档)")  # 在X网站发布
_NOT_ACCOUNT_MOVE = re.compile(r"职能|职责|机构|编制|人员")


def _already(targets: list[Target], name: str) -> bool:
    return any(name in t.name or t.name in name for t in targets if t.name)


def _same_account(target: Target, finding: Finding) -> bool:
    if not (finding.account_name and normalise(target.name) == normalise(finding.account_name)
            and target.platform == finding.platform):
        return False
    quoted = re.escape(target.name) + r"[”」’』\"]?\s*"
    return not (re.search(quoted + r"(?:微信|支付宝)?小程序", target.evidence)
                and re.search(quoted + r"(?:APP|App|app|客户端|移动客户端)", finding.excerpt))


def _class_platform(name: str, finding: Finding) -> str:
    if "网站" in name:
        return "website"
    word = next((w for w, _ in PLATFORM_WORDS if w in name and w not in ("网站",)), None)
    return PLATFORM_OF[word] if word else (finding.platform or "unspecified")


_OWNER_OF_NAME = re.compile(r"([\u4e00-\u9fff]{2,20}?)(?:的)?(?:官方|政务)?(?=[“「‘『])")
_COLUMN_AFTER = re.compile(rf"(?:{QUOTED.pattern})\s*(?:栏目|专栏|专题|频道|板块|版块)")
_OWNER_PLATFORM_NAME = re.compile(rf"([\u4e00-\u9fff]{{2,20}}?)(?:的)?(?:官方|政务)?({_PLATFORM_RE})(?:账号|帐号)?\s*(?=[“「‘『])")


_OFFICE_NAME = re.compile(r"([\u4e00-\u9fff]{2,20}?(?:服务大厅|办事大厅|接待大厅|服务厅|服务窗口|营业厅|接待室))(?=[，,。；;、\s]|$|办理|咨询|反映)")
# an unquoted name shaped like a government account's (X发布, X之声, X在线), ended by punctuation: 并入梅溪发布，
_ACCOUNT_SHAPED = re.compile(r"([\u4e00-\u9fff]{2,8}(?:发布|之声|在线|微讯|融媒))(?=[，,。；;、\s]|$)")
_NOT_BARE_NAME = re.compile(rf"本$|网址|访问|{_REDIRECTED.pattern}|{ACTION.pattern}")
_NOT_PLAIN_NAME = re.compile(r"统一|集中|及时|同步|对外|公开|信息|正式|重新|相关|进行|予以|新闻发布")


def _names_after(tail: str, sentence: str, finding: Finding, verb_at: int) -> list[Target]:
    """The names right after a successor verb: a list of quoted or unquoted names with platform words."""
    targets: list[Target] = []
    position = 0
    scope = _scope(sentence, verb_at)
    while position < len(tail) and len(targets) < 8:
        rest = tail[position:]
        lead = re.match(r"\s*(?:新的|新版的?|新|我(?:市|县|区|省|镇)|本(?:市|县|区)|市|县|区|的|官方|政务)?\s*", rest)
        rest_start = position + (lead.end() if lead else 0)
        if CLASS_TARGET.match(tail[position:].lstrip()) or CLASS_TARGET.match(tail[rest_start:]) \
                or UNSPECIFIED.match(tail[rest_start:]):
            cls = CLASS_TARGET.match(tail[position:].lstrip())
            if targets and cls:  # “X”微信公众号和县政府门户网站: a class ends the list
                targets.append(Target(cls.group(1), _class_platform(cls.group(1), finding), scope, sentence, 0.6,
                                      is_class=True))
            break
        rest = tail[rest_start:]
        words: list[str] = []
        single = False  # an unquoted organisation ends the list at a comma (并入闽阳市图书馆，“X”微信公众号将…)
        prefix = _PREFIX_PLATFORM.match(rest)
        if prefix and (QUOTED.match(rest[prefix.end():]) or _AT_NAME.match(rest[prefix.end():])):  # 新抖音号“X”, 新微博@X
            if prefix.group(1):
                words.append(prefix.group(1))
            rest_start += prefix.end()
            rest = tail[rest_start:]
        owned = _OWNER_PLATFORM_NAME.match(rest)
        if owned and _ORG_END.search(owned.group(1)) and not _BREAK.search(owned.group(1)) and not words \
                and not _COLUMN_AFTER.match(rest, owned.end()):  # (X网站“Y”栏目: Y is a column of X's site)
            words.append(owned.group(2))  # 由芩岙县融媒体中心抖音号“芩岙融媒”发布: the owner, its platform word, the name
            rest_start += owned.end()
            rest = tail[rest_start:]
        owner = _OWNER_OF_NAME.match(rest)
        if owner and _ORG_END.search(owner.group(1)) and not _BREAK.search(owner.group(1)) \
                and not _PLATFORM_IN.search(owner.group(1)):
            rest_start += owner.end()  # 关注市妇联“X”公众号, 登录县文旅局的“X”网站: the owner, then the account's name
            rest = tail[rest_start:]
        quoted = QUOTED.match(rest)
        at_name = _AT_NAME.match(rest)
        site = _SITE_NAME.match(rest)
        if quoted:
            name = _quoted_name(quoted)
            after = rest[quoted.end():]
            end = rest_start + quoted.end()
            if _is_document(name) and not re.match(rf"\s*(?:{_PLATFORM_RE})", after):
                break
        elif at_name:
            name, after, end = at_name.group(1), rest[at_name.end():], rest_start + at_name.end()
            words = [] if finding.platform in ("weibo", "douyin", "toutiao", "video_channel") else ["微博"]
        elif site:
            name, after, end = site.group(1), rest[site.end():], rest_start + site.end()
            words = ["网站"]
        elif (org := _ORG_TARGET.match(rest)) and _org_before(org.group(1), len(org.group(1))) == org.group(1) \
                and not _PLATFORM_IN.search(org.group(1)):  # (X门户网站部门子站: X's site, read below)
            previous = _clause_start(sentence, max(0, _clause_start(sentence, verb_at) - 1))
            if not _CONTENT_HEAD.search(sentence[previous:verb_at]):
                break  # “X”公众号整体并入Y融媒体中心: the institution that runs it now, not where its content is read
            name, after, end = org.group(1), rest[org.end():], rest_start + org.end()  # 内容迁移至广西发改委
            single = True
        elif office := _OFFICE_NAME.match(rest):  # 可通过‘X’热线或县信访接待大厅: an office in the list
            targets.append(Target(office.group(1), "office", scope, sentence, 0.7))
            break
        elif (plain := _ACCOUNT_SHAPED.match(rest)) and not _NOT_PLAIN_NAME.match(plain.group(1)):
            name, after, end = plain.group(1), rest[plain.end():], rest_start + plain.end()  # 先后并入梅溪发布，
            single = True
        else:
            bare = re.match(rf"([\u4e00-\u9fffA-Za-z0-9]{{2,24}}?)({_PLATFORM_RE})", rest)
            if not bare or re.search(r"相关|其他|其它|有关|上述|以上|我们|大家|哪|什么|谁|多少|吗|过|使用|搜索|打开|点击|扫码|用户|您",
                                     bare.group(1)):
                break
            if _NOT_BARE_NAME.search(bare.group(1)):  # 原网址访问将自动跳转至本网站: a redirect, no new name
                break
            if NAME_STOP.search(bare.group(1)) and not (_ORG_END.search(bare.group(1))  # 发展和改革委员会网站
                                                         and not NAME_STOP.search(bare.group(1).replace("和", ""))):
                break
            name, after, end = bare.group(1), rest[bare.end():], rest_start + bare.end()
            words = [bare.group(2)]
        # platform words after the name: "微信公众号、视频号" (several platforms for one name)
        if not words and (word := _PLATFORM_AFTER.match(after)):
            words.append(word.group(1))
            end, after = end + word.end(), after[word.end():]
        while words and (word := _MORE_PLATFORMS.match(after)):
            words.append(word.group(1))
            end, after = end + word.end(), after[word.end():]
        if not name or CLASS_TARGET.fullmatch(name) or UNSPECIFIED.search(name):
            break
        if NOT_TARGET.search(name):  # a hotline, a phone number, a mailbox: not a successor account
            position = end
            joiner = re.match(r"\s*(?:热线|电话|平台)?(?:反映|咨询|办理|查询)?\s*(?:、|，|,|和|及|与|以及|或|或者)\s*(?:关注|登录|访问)?",
                              tail[position:])
            if not joiner:
                break
            position += joiner.end()
            continue
        platforms = [PLATFORM_OF[w] for w in words] or [_implied_platform(name, finding)]
        for platform in dict.fromkeys(platforms):
            targets.append(Target(name, platform, scope, sentence, 0.9 if words else 0.7))
        position = end
        if single and not re.match(r"\s*(?:、|和|及|与|以及)", tail[position:]):
            break
        joiner = re.match(r"\s*(?:(?:“[^“”]{1,12}”|「[^「」]{1,12}」)?(?:栏目|专题|专栏|频道|板块|版块|菜单))?"
                          r"\s*(?:相关账号|账号|等)?\s*(?:、|，|,|和|及|与|以及|或|或者|；)\s*(?:或者?|也可|可|请)?\s*(?:关注|登录|访问|浏览)?",
                          tail[position:])
        if not joiner:
            break
        position += joiner.end()
    return targets


def _implied_platform(name: str, finding: Finding) -> str:
    for word, platform in PLATFORM_WORDS:
        if name.endswith(word):
            return platform
    if re.search(r"网$|门户$|政府$|平台$", name):
        return "website"
    return finding.platform or "unspecified"


def _scope(sentence: str, before: int) -> str | None:
    """What moved: 相关信息资讯、公示、公告等内容 / 全部业务、功能 / 社保查询…相关服务, when said before the verb."""
    head = sentence[:before]
    match = re.search(r"([\u4e00-\u9fff、]{0,40}?(?:内容|信息|资讯|业务|功能|服务|事项|问题))[\u4e00-\u9fff]{0,6}$",
                      head.split("，")[-1].split(",")[-1])
    if not match:
        return None
    return match.group(1).strip("、 ") or None


# ---- dates ------------------------------------------------------------------------------------------------------
_TAKES_EFFECT = re.compile(r"\s*(?:\d{1,2}\s*[时点:：]\s*\d{0,2}\s*分?)?\s*(?:零时|0时)?\s*(?:起|开始|以后|之后|后|至)")
_ANY_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ANNOUNCED = re.compile(r"自?公告之日起|自?发布之日起|即日起|即时起|今日起|今天起|从现在起|自今日")


def _effective(sentence: str, announced: str | None, kind: str | None = None) -> str | None:
    """The date the action takes effect: the date the kind's own verb follows (自3月1日起停止更新，
    4月1日起正式注销 → 4月1日 for a closure), a date with 起/开始/将于, or 即日起 (the announcement)."""
    verbs = {"closure": CLOSURE, "suspension": SUSPENSION, "merger": MERGER, "migration": MIGRATION}.get(kind or "", STOP)
    if announced and "本月" in sentence:  # 将于本月13日零时起正式下线
        sentence = re.sub(r"本月\s*(\d{1,2})\s*日", lambda m: f"{int(announced[5:7])}月{m.group(1)}日", sentence)
    candidates: list[tuple[bool, str]] = []
    for match in _ANY_DATE.finditer(sentence):
        year = match.group(1) or (announced or "")[:4]
        try:
            value = date(int(year), int(match.group(2)), int(match.group(3))).isoformat() if year else None
        except ValueError:
            continue
        before = sentence[max(0, match.start() - 3):match.start()]
        after = sentence[match.end():match.end() + 22]
        if value is None or re.match(r"\s*前", after):
            continue  # a deadline for users (请于5月31日前解绑) is not the date of the action
        takes_effect = _TAKES_EFFECT.match(after) or re.search(r"将于|拟于|定于|于$|自$|从$", before)
        if takes_effect or ACTION.search(after):
            span = after if re.match(r"\s*至", after) else after[:12]  # a range (2月9日至2月17日) starts the action
            candidates.append((bool(verbs.search(span)), value))
    for own_verb, value in candidates:
        if own_verb:
            return value
    if candidates:
        return candidates[0][1]
    if _ANNOUNCED.search(sentence):
        return announced
    return None


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _cn_number(text: str) -> str:
    """一 → 1, 十二 → 12, 三十一 → 31."""
    if "十" not in text:
        return "".join(_CN_DIGITS[c] for c in text)
    tens, _, units = text.partition("十")
    return str(int(_CN_DIGITS.get(tens, "1") if tens else "1") * 10 + (int(_CN_DIGITS[units]) if units else 0))


def arabic_dates(text: str) -> str:
    """二〇二三年十二月三十一日 → 2023年12月31日 (official documents write dates in Chinese numerals)."""
    return _CN_DATE.sub(lambda m: f"{''.join(_CN_DIGITS[c] for c in m.group(1))}年{_cn_number(m.group(2))}月"
                              f"{_cn_number(m.group(3))}日", text)


def _last_date(text: str) -> str | None:
    dates = []
    for match in FULL_DATE.finditer(text):
        y, m, d = (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(4, 5, 6)
        try:
            dates.append(date(int(y), int(m), int(d)).isoformat())
        except ValueError:
            continue
    return dates[-1] if dates else None
