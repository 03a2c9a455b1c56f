"""Deterministic Chinese government prose for the bench web and the synthetic search index.

Sentences are filled from fixed templates and word lists, so text reads like a municipal news item
(工作动态, 通知公告). Words are drawn with Zipf weights (the n-th of a list 1/n as often as the first), a document keeps
to its one or two topics, and villages and people are named from character pools, so words have the
skewed frequencies of real text: a few in most documents (工作, 推进), each topic in 1-40 % of them,
a name in a handful. Every function takes a :class:`random.Random`; the same seed gives the
same text.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

CITY = "滨澜市"
DISTRICTS = ("东湖区", "西山区", "南港区", "北塘区", "清河县", "白石县", "云溪县", "青禾镇")
DEPARTMENTS = (
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化广电旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "数据资源管理局", "信访局", "林业局",
    "气象局", "消防救援支队", "税务局", "政务服务管理局", "人民政府办公室", "人民政府新闻办公室",
)
COLUMNS = ("工作动态", "通知公告", "政策解读", "部门文件", "公示公告", "媒体聚焦", "基层动态", "政务新媒体")
TOPICS = (
    "营商环境", "乡村振兴", "安全生产", "防汛抗旱", "森林防火", "疫情防控", "民生实事", "优化营商环境",
    "数字政府", "政务公开", "一网通办", "放管服改革", "人居环境整治", "河长制", "垃圾分类",
    "文明城市创建", "义务教育", "职业技能培训", "就业创业", "养老服务", "医保基金监管", "食品安全",
    "燃气安全", "消防安全", "扫黑除恶", "信访积案化解", "高标准农田", "耕地保护", "污染防治", "碳达峰",
    "招商引资", "项目建设", "城市更新", "老旧小区改造", "交通拥堵治理", "校园安全", "基层治理", "网格化管理",
    "法治政府建设", "审计整改", "统计调查", "政务新媒体", "公众号整合", "账号关停", "新媒体矩阵",
)
VERBS = ("推进", "落实", "部署", "开展", "加强", "深化", "统筹", "完善", "规范", "强化", "督导", "调研")
NOUNS = ("工作", "机制", "体系", "举措", "任务", "责任", "服务", "监管", "保障", "能力", "质量", "效能")
GOALS = (
    "确保各项任务落地见效", "切实提升群众满意度", "推动工作再上新台阶", "守牢安全底线",
    "形成长效工作机制", "为全市高质量发展提供有力保障", "不断增强人民群众获得感", "以钉钉子精神抓好落实",
    "坚持问题导向和目标导向", "做到早发现、早报告、早处置",
)
PEOPLE = ("市委常委、副市长", "局党组书记、局长", "区委副书记、区长", "分管副局长", "相关科室负责人", "各镇街负责同志")
MEETINGS = ("工作推进会", "专题会议", "部署会", "座谈会", "培训班", "现场观摩会", "调度会", "动员大会")
SENTENCES = (
    "{date}，{dept}召开{topic}{meeting}，{person}出席会议并讲话。",
    "会议指出，{topic}是一项系统工程，要{verb}{topic}{noun}，{goal}。",
    "会议强调，各单位要进一步提高政治站位，{verb}{noun}，{goal}。",
    "近日，{dept}组织开展{topic}专项检查，共检查点位{n}个，发现问题{m}处，已全部督促整改。",
    "{district}围绕{topic}，{verb}{noun}{noun2}，累计办理事项{n}件。",
    "下一步，{dept}将继续{verb}{topic}，{verb2}{noun}，{goal}。",
    "据统计，今年以来全市{topic}{noun}共投入资金{n}万元，惠及群众{m}万人次。",
    "{person}一行先后来到{district}{place}，实地察看{topic}推进情况。",
    "为进一步{verb}{topic}{noun}，根据有关规定，现将有关事项通知如下。",
    "各{unit}要高度重视，明确专人负责，于{date}前将{topic}{noun}情况报送{dept}。",
    "此次活动共发放宣传资料{n}份，接受群众咨询{m}人次，营造了良好的社会氛围。",
    "{dept}相关负责人表示，将以此次{meeting}为契机，{verb}{topic}，{goal}。",
    "如有疑问，请在工作时间内拨打咨询电话0{phone}。",
    "{topic}工作开展以来，{district}{verb}{noun}，取得了阶段性成效。",
    "{district}{village}党支部书记{name}介绍，今年以来村里{verb}{topic}{noun}，群众满意度明显提升。",
    "{name}同志在{topic}工作中表现突出，被评为{year}年度先进个人。",
    "{village}村民{name}说：“{topic}搞好了，我们的日子越过越有盼头。”",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅新春海燕文斌宇浩凯鹏晨阳"
VILLAGE = "东西南北上下前后新老大小黄白青石桥河湾塘坪岭山沟园庄坝溪林岗洲田家寨"
PLACES = ("政务服务中心", "便民服务站", "重点项目工地", "农贸市场", "社区服务中心", "学校", "养老院", "企业车间")
UNITS = ("区县", "镇街", "部门", "单位", "村（社区）")
TITLES = (
    "{dept}召开{topic}{meeting}", "关于做好{topic}工作的通知", "{district}扎实推进{topic}",
    "{dept}开展{topic}专项行动", "关于{topic}有关事项的公告", "{city}{topic}工作取得新进展",
    "《{city}{topic}实施方案》政策解读", "{dept}关于{topic}{noun}的公示",
)


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def _zipf(words: tuple[str, ...], exponent: float = 1.0) -> Callable[[random.Random], str]:
    """A draw from ``words`` where the n-th comes 1/n^exponent as often as the first."""
    weights = list(itertools.accumulate(rank ** -exponent for rank in range(1, len(words) + 1)))
    return lambda rng: rng.choices(words, cum_weights=weights)[0]


def _name(rng: random.Random) -> str:
    return _zipf_surname(rng) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _village(rng: random.Random) -> str:
    return rng.choice(VILLAGE) + rng.choice(VILLAGE) + "村"


_zipf_surname = _zipf(tuple(SURNAMES))
_SLOTS: dict[str, Callable[[random.Random], str | int]] = {
    "date": _date, "meeting": _zipf(MEETINGS), "person": _zipf(PEOPLE),
    "verb": _zipf(VERBS), "verb2": _zipf(VERBS), "noun": _zipf(NOUNS), "noun2": _zipf(NOUNS),
    "goal": _zipf(GOALS), "district": _zipf(DISTRICTS), "place": _zipf(PLACES), "unit": _zipf(UNITS),
    "city": lambda r: CITY, "village": _village, "name": _name, "year": lambda r: r.randint(2019, 2026),
    "n": lambda r: r.randint(3, 9999), "m": lambda r: r.randint(1, 999),
    "phone": lambda r: r.randint(100_0000000, 999_9999999),
}
_department = _zipf(DEPARTMENTS)
_topic = _zipf(TOPICS)
ON_TOPIC = 0.9  # share of a document's topic mentions that are its own topics
# template -> the slots it names, in order of appearance
_NAMES = {template: tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))
          for template in (*SENTENCES, *TITLES)}


@dataclass(frozen=True)
class Subject:
    """What one document is about: the agency writing it (None: any city department) and its topics."""

    dept: str | None
    topics: tuple[str, ...]


def subject(rng: random.Random, dept: str | None = None) -> Subject:
    """A document's subject: one or two topics, the common ones more often."""
    return Subject(dept, tuple(dict.fromkeys(_topic(rng) for _ in range(rng.randint(1, 2)))))


def _fill(template: str, rng: random.Random, about: Subject) -> str:
    """One template with its slots filled, drawn in the order they appear."""
    values: dict[str, str | int] = {}
    for name in _NAMES[template]:
        if name == "dept":
            values[name] = about.dept or CITY + _department(rng)
        elif name == "topic":
            values[name] = rng.choice(about.topics) if rng.random() < ON_TOPIC else _topic(rng)
        else:
            values[name] = _SLOTS[name](rng)
    return template.format(**values)


def title(rng: random.Random, about: Subject) -> str:
    return _fill(rng.choice(TITLES), rng, about)


def sentence(rng: random.Random, about: Subject) -> str:
    return _fill(rng.choice(SENTENCES), rng, about)


def paragraphs(rng: random.Random, chars: int, about: Subject) -> list[str]:
    """Paragraphs of 2-6 sentences, about ``chars`` characters in all."""
    result: list[str] = []
    total = 0
    while total < chars:
        paragraph = "".join(sentence(rng, about) for _ in range(rng.randint(2, 6)))
        result.append(paragraph)
        total += len(paragraph)
    return result


def agency(index: int) -> str:
    """The agency of column ``index``: a city department, then district departments."""
    rank = index // len(DEPARTMENTS)
    place = CITY if rank == 0 else CITY + DISTRICTS[(rank - 1) % len(DISTRICTS)]
    return place + DEPARTMENTS[index % len(DEPARTMENTS)]
