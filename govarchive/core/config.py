"""Where the archive lives and how it is written: the only reader of ``GOVARCHIVE_*`` settings.

:class:`ArchiveConfig` is the one place their defaults are written: each field ``x`` is the setting
``GOVARCHIVE_X`` (``paths`` is ``GOVARCHIVE_ARCHIVE_DIR``), :data:`DEFAULTS` and the Scrapy settings
module (``govarchive/settings.py``) are derived from it, and library functions called without a crawl's
settings take their defaults from :data:`DEFAULT_CONFIG`. Components call :func:`archive_config` once in
``from_crawler`` and keep the plain values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

BROWSER_PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "video_channel", "website", "feed")
RECHECK_CHOICES = ("none", "at_risk", "sample", "all")
PROGRESS_CHOICES = ("auto", "live", "log", "off")


@dataclass(frozen=True)
class ArchivePaths:
    """The files of one archive directory."""

    root: Path

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def index_db(self) -> Path:
        return self.root / "index.db"

    def ensure(self) -> ArchivePaths:
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        return self


DEFAULT_ARCHIVE_DIR = "archive"


@dataclass(frozen=True)
class ArchiveConfig:
    """Typed values of the ``GOVARCHIVE_*`` settings, and their defaults (the README's Settings table says
    what each one does)."""

    paths: ArchivePaths = field(default_factory=lambda: ArchivePaths(Path(DEFAULT_ARCHIVE_DIR)))
    operator: str = ""  # who runs the crawl; written into every warcinfo record
    contact: str = ""  # a URL or e-mail address of the operator: in the User-Agent and every warcinfo record
    warc_max_bytes: int = 1_000_000_000  # rotate WARC files at this size (Heritrix's default)
    dedup_min_bytes: int = 1  # payloads smaller than this are never turned into revisits
    refetch_posts: bool = False  # fetch article pages again although the index already has them
    max_body_bytes: int = 50_000_000  # decoded bodies larger than this are archived, not parsed
    retry_after_max: float = 600  # longest Retry-After (seconds) a slot waits for
    blocked_limit: int = 5  # stop the run (exit code 75) after this many block pages in a row on a host
    robots_policy: str = "obey"  # from Scrapy's ROBOTSTXT_OBEY (not a GOVARCHIVE_* setting)
    mp_token: str = ""  # WeChat MP back-office session: never written anywhere in clear
    mp_cookie: str = ""
    as_of: datetime | None = None  # the "now" statuses are judged at (None: the run's start)
    dormant_days: int = 14  # days without a post before an account is dormant (the provincial red line)
    closed_after_runs: int = 3  # consecutive runs an account's pages must be missing in before it is closed
    at_risk_first: bool = True  # the accounts most at risk (accounts.risk) are requested first
    recheck_posts: str = "at_risk"  # re-fetch archived posts to see deletions: none | at_risk | sample | all
    recheck_sample: int = 200  # with "sample": this many least recently seen posts per run, besides at-risk ones
    progress: str = "auto"  # progress display: auto (live on a terminal, else log lines) | live | log | off
    progress_interval: float = 30  # seconds between progress log lines
    run_id: str = ""  # the run's id; the workers of one distributed crawl share it (empty: a new id)
    redis_url: str = ""  # distributed runs: the Redis that holds the shared frontier (empty: one process)
    redis_prefix: str = "govarchive"  # namespace of every Redis key of this archive
    worker: str = ""  # this worker's name in a distributed run (its WARC names and run_workers rows)
    worker_timeout: float = 30  # a worker silent this long is taken for dead by the others
    frontier_memory: int = 2_000  # pending requests kept in memory; more spill to disk (0: no bound)
    search_worker: bool = True  # a crawl's search shadows are written by a worker process (govarchive/index/searchworker.py)
    background_nice: int = 5  # nice increment of the crawl's writer and search worker (govarchive/core/processes.py)
    # browser capture (govarchive/crawl/browser.py): pages of these platforms, and sources with render = true,
    # are loaded in Chromium (when it is found), scrolled at most browser_scroll_steps times within
    # browser_timeout seconds; answers larger than browser_max_body_bytes are not archived
    browser: bool = True
    browser_platforms: tuple[str, ...] = ("douyin", "toutiao")
    browser_scroll_steps: int = 10
    browser_timeout: float = 60.0
    browser_max_body_bytes: int = 50_000_000
    chromium: str = ""  # the Chromium to drive (empty: chromium or chromium-browser on PATH)

    @property
    def distributed(self) -> bool:
        return bool(self.redis_url)

    @property
    def has_mp_session(self) -> bool:
        return bool(self.mp_token and self.mp_cookie)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values to mask wherever a capture would show them (URLs, request headers)."""
        values = [self.mp_token, self.mp_cookie]
        for pair in self.mp_cookie.split(";"):
            values.append(pair.partition("=")[2].strip())
        return tuple(sorted({v for v in values if len(v) >= 4}, key=len, reverse=True))


NOT_SETTINGS = frozenset({"paths", "robots_policy"})  # paths is GOVARCHIVE_ARCHIVE_DIR; robots_policy is Scrapy's


def setting_name(field_name: str) -> str:
    """The ``GOVARCHIVE_*`` setting of an :class:`ArchiveConfig` field."""
    return "GOVARCHIVE_ARCHIVE_DIR" if field_name == "paths" else f"GOVARCHIVE_{field_name.upper()}"


DEFAULT_CONFIG = ArchiveConfig()  # every default: for library functions called without a crawl's settings
# Every GOVARCHIVE_* setting and its default, as a Scrapy setting's value (govarchive/settings.py holds these).
DEFAULTS: dict[str, Any] = {"GOVARCHIVE_ARCHIVE_DIR": DEFAULT_ARCHIVE_DIR} | {
    setting_name(f.name): "" if f.default is None else f.default  # an empty setting (GOVARCHIVE_AS_OF) is None
    for f in fields(ArchiveConfig) if f.name not in NOT_SETTINGS and f.default is not MISSING}


def _get(settings: Mapping[str, Any] | Any, name: str) -> Any:
    value = settings.get(name) if hasattr(settings, "get") else None
    return DEFAULTS[name] if value is None else value


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def _as_bool(value: Any, name: str = "") -> bool:
    """A true/false setting; text that is neither (``-s GOVARCHIVE_REFETCH_POSTS=maybe``) names the setting."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{name}: {value!r} is not true or false (write true, false, 1 or 0)")
        return word in TRUE_WORDS
    return bool(value)


def _flag(settings: Mapping[str, Any] | Any, name: str) -> bool:
    return _as_bool(_get(settings, name), name)


def archive_config(settings: Mapping[str, Any] | Any) -> ArchiveConfig:
    """Read every ``GOVARCHIVE_*`` setting once from Scrapy settings (or a plain dict)."""
    robots = settings.get("ROBOTSTXT_OBEY") if hasattr(settings, "get") else None
    return ArchiveConfig(
        paths=ArchivePaths(Path(str(_get(settings, "GOVARCHIVE_ARCHIVE_DIR")))),
        operator=str(_get(settings, "GOVARCHIVE_OPERATOR") or ""),
        contact=_contact(_get(settings, "GOVARCHIVE_CONTACT")),
        warc_max_bytes=_number(settings, "GOVARCHIVE_WARC_MAX_BYTES", int),
        dedup_min_bytes=_number(settings, "GOVARCHIVE_DEDUP_MIN_BYTES", int),
        refetch_posts=_flag(settings, "GOVARCHIVE_REFETCH_POSTS"),
        max_body_bytes=_number(settings, "GOVARCHIVE_MAX_BODY_BYTES", int),
        retry_after_max=_number(settings, "GOVARCHIVE_RETRY_AFTER_MAX", float),
        blocked_limit=_number(settings, "GOVARCHIVE_BLOCKED_LIMIT", int),
        robots_policy="obey" if _as_bool(robots, "ROBOTSTXT_OBEY") else "ignore",
        mp_token=str(_get(settings, "GOVARCHIVE_MP_TOKEN") or ""),
        mp_cookie=str(_get(settings, "GOVARCHIVE_MP_COOKIE") or ""),
        as_of=as_datetime(_get(settings, "GOVARCHIVE_AS_OF")),
        dormant_days=_number(settings, "GOVARCHIVE_DORMANT_DAYS", int),
        closed_after_runs=_number(settings, "GOVARCHIVE_CLOSED_AFTER_RUNS", int),
        at_risk_first=_flag(settings, "GOVARCHIVE_AT_RISK_FIRST"),
        recheck_posts=_choice(_get(settings, "GOVARCHIVE_RECHECK_POSTS"), "GOVARCHIVE_RECHECK_POSTS", RECHECK_CHOICES),
        recheck_sample=_number(settings, "GOVARCHIVE_RECHECK_SAMPLE", int),
        progress=_choice(_get(settings, "GOVARCHIVE_PROGRESS"), "GOVARCHIVE_PROGRESS", PROGRESS_CHOICES),
        progress_interval=_positive(_number(settings, "GOVARCHIVE_PROGRESS_INTERVAL", float),
                                    "GOVARCHIVE_PROGRESS_INTERVAL"),
        search_worker=_flag(settings, "GOVARCHIVE_SEARCH_WORKER"),
        background_nice=_nice(_number(settings, "GOVARCHIVE_BACKGROUND_NICE", int), "GOVARCHIVE_BACKGROUND_NICE"),
        frontier_memory=_not_negative(_number(settings, "GOVARCHIVE_FRONTIER_MEMORY", int),
                                      "GOVARCHIVE_FRONTIER_MEMORY"),
        **_distributed(settings),
        **_browser(settings),
    )


def _browser(settings: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The browser-capture settings (govarchive/crawl/browser.py)."""
    value = _get(settings, "GOVARCHIVE_BROWSER_PLATFORMS")
    names = value.split(",") if isinstance(value, str) else list(value or ())
    platforms = tuple(dict.fromkeys(str(n).strip().lower() for n in names if str(n).strip()))
    unknown = [p for p in platforms if p not in BROWSER_PLATFORMS]
    if unknown:
        raise ValueError(f"GOVARCHIVE_BROWSER_PLATFORMS: {', '.join(unknown)} is not a platform "
                         f"(one or more of {', '.join(BROWSER_PLATFORMS)}, separated by commas; empty for none)")
    return {"browser": _flag(settings, "GOVARCHIVE_BROWSER"), "browser_platforms": platforms,
            "browser_scroll_steps": _not_negative(_number(settings, "GOVARCHIVE_BROWSER_SCROLL_STEPS", int),
                                                  "GOVARCHIVE_BROWSER_SCROLL_STEPS"),
            "browser_timeout": _positive(_number(settings, "GOVARCHIVE_BROWSER_TIMEOUT", float),
                                         "GOVARCHIVE_BROWSER_TIMEOUT"),
            "browser_max_body_bytes": _positive(_number(settings, "GOVARCHIVE_BROWSER_MAX_BODY_BYTES", int),
                                                "GOVARCHIVE_BROWSER_MAX_BODY_BYTES"),
            "chromium": str(_get(settings, "GOVARCHIVE_CHROMIUM") or "").strip()}


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def _distributed(settings: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The run id and the distributed-run settings; a worker without its name or the run id is refused
    here, before it could write files the merge cannot attribute."""
    run_id = str(_get(settings, "GOVARCHIVE_RUN_ID") or "").strip()
    redis_url = str(_get(settings, "GOVARCHIVE_REDIS_URL") or "").strip()
    worker = str(_get(settings, "GOVARCHIVE_WORKER") or "").strip()
    if run_id and not RUN_ID.fullmatch(run_id):
        raise ValueError(f"GOVARCHIVE_RUN_ID: {run_id!r} may hold only letters, digits and . _ : - (at most 100)")
    if worker and not RUN_ID.fullmatch(worker):
        raise ValueError(f"GOVARCHIVE_WORKER: {worker!r} may hold only letters, digits and . _ : - (at most 100)")
    if redis_url:
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"GOVARCHIVE_REDIS_URL: {redis_url!r} is not a redis://, rediss:// or unix:// URL")
        if not run_id:
            raise ValueError("GOVARCHIVE_REDIS_URL is set: give the workers of this crawl one GOVARCHIVE_RUN_ID "
                             "(for example the date: -s GOVARCHIVE_RUN_ID=$(date +%Y%m%d))")
        if not worker:
            raise ValueError("GOVARCHIVE_REDIS_URL is set: give each worker its own GOVARCHIVE_WORKER name")
    return {"run_id": run_id, "redis_url": redis_url, "worker": worker,
            "redis_prefix": str(_get(settings, "GOVARCHIVE_REDIS_PREFIX") or DEFAULT_CONFIG.redis_prefix),
            "worker_timeout": _positive(_number(settings, "GOVARCHIVE_WORKER_TIMEOUT", float),
                                        "GOVARCHIVE_WORKER_TIMEOUT")}


def _number(settings: Mapping[str, Any] | Any, name: str, kind: type[int] | type[float]) -> Any:
    """A numeric setting; a value given as text on the command line (``-s NAME=…``) is converted here,
    and a bad one names the setting instead of failing deep inside a component."""
    value = _get(settings, name)
    try:
        return kind(value)
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name}: {value!r} is not {what}") from None


CONTACT = re.compile(r"[!#-'*-:<-~]{3,200}")  # printable ASCII with no space, quote, ; ( or ): a header's comment


def _contact(value: Any) -> str:
    text = str(value or "").strip()
    if text and not CONTACT.fullmatch(text):
        raise ValueError(f"GOVARCHIVE_CONTACT: {text!r} is not a URL or an e-mail address (ASCII, no spaces, "
                         "quotes, ';' or brackets), like https://archive.example.org/crawler or archivist@example.org")
    return text


def _positive(value: float, name: str) -> float:
    if value <= 0:
        raise ValueError(f"{name}: {value!r} must be more than 0")
    return value


def _not_negative(value: int, name: str) -> int:
    if value < 0:
        raise ValueError(f"{name}: {value!r} must be 0 or more")
    return value


def _nice(value: int, name: str) -> int:
    if not 0 <= value <= 19:
        raise ValueError(f"{name}: {value!r} must be from 0 (the crawl's own priority) to 19 (the lowest)")
    return value


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    text = str(value or "").strip().lower()
    if text not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return text


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ValueError(f"GOVARCHIVE_AS_OF: not an ISO date or time: {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
