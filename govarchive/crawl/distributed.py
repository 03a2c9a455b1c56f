"""Distributed runs: several workers share one frontier in Redis, each writes its own archive folder.

Set ``GOVARCHIVE_REDIS_URL``, one ``GOVARCHIVE_RUN_ID`` for every worker of the crawl and a
``GOVARCHIVE_WORKER`` name per worker (docs/scaling.md). Then:

- :class:`DistributedAddon` switches Scrapy to scrapy-redis's scheduler and request dupefilter,
  with keys of this run (``<prefix>:run:<run id>:<spider>:requests`` / ``:dupefilter``): within a
  run no URL is fetched twice by any worker, and the next run fetches listings afresh.
- :class:`RedisPayloads` makes payload deduplication atomic across workers: the first worker to
  claim a digest (``SET NX``) writes the response record, every other one a revisit pointing to it.
- :class:`RedisKnownPosts` shares which posts are archived, so no worker fetches again a post
  another worker archived in an earlier run.
- :class:`WorkerCoordination` keeps an idle worker open while another is still busy (it may yet
  find links for the shared queue), and lets every worker close once all of them are idle.

Each worker writes WARC files and an index shard in its own archive folder (its own lock);
``govarchive merge`` combines the folders into one archive (:mod:`govarchive.warc.merge`).
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.dates import warc_date
from govarchive.core.items import Capture
from govarchive.index.store import Original

logger = logging.getLogger(__name__)

SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"


def run_key(config: ArchiveConfig, *parts: str) -> str:
    """A Redis key of this run (``<prefix>:run:<run id>:…``)."""
    return ":".join((config.redis_prefix, "run", config.run_id, *parts))


def archive_key(config: ArchiveConfig, *parts: str) -> str:
    """A Redis key of the whole archive, shared by every run (``<prefix>:…``)."""
    return ":".join((config.redis_prefix, *parts))


def connect(config: ArchiveConfig) -> Any:
    """A Redis client for the configured URL; fails here, with the URL named, when Redis cannot be reached."""
    import redis

    client = redis.Redis.from_url(config.redis_url, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(f"GOVARCHIVE_REDIS_URL: cannot reach Redis at {config.redis_url}: {error}") from error
    return client


def worker_host_label(config: ArchiveConfig) -> str:
    """What the worker's WARC file names end with: the host and the worker, so no two workers'
    files share a name when their folders are merged."""
    host = socket.gethostname()
    return f"{host}-{config.worker}" if config.worker else host


class DistributedAddon:
    """Scrapy add-on (``ADDONS``): a no-op unless ``GOVARCHIVE_REDIS_URL`` is set."""

    def update_settings(self, settings: Any) -> None:
        config = archive_config(settings)
        if not config.distributed:
            return
        settings.set("SCHEDULER", SCHEDULER, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        settings.set("REDIS_URL", config.redis_url, priority="addon")
        # One worker ending must never flush the queue and dupefilter the others still use; keys are
        # per run, so nothing is carried over to the next run either.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        settings.set("SCHEDULER_QUEUE_KEY", run_key(config, "%(spider)s", "requests"), priority="addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", run_key(config, "%(spider)s", "dupefilter"), priority="addon")
        settings.set("DUPEFILTER_KEY", run_key(config, "dupefilter", "%(timestamp)s"), priority="addon")
        # scrapy-redis pickles requests into Redis (callbacks by name, as JOBDIR does)
        settings.set("SCHEDULER_SERIALIZER", "scrapy_redis.picklecompat", priority="addon")
        # one fetch of each host's robots.txt per run, shared by the workers
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RobotsTxtMiddleware, None)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SharedRobotsTxtMiddleware, 100)


class RedisPayloads:
    """Which payloads the archive holds, shared by every worker and every run.

    ``<prefix>:payload:<digest>`` holds the first capture of the payload (id, URL, date, worker).
    :meth:`claim` sets it only when absent (``SET NX``, atomic): the one worker that sets it writes
    the response record; every other capture of the payload gets the original it must refer to.
    """

    def __init__(self, client: Any, config: ArchiveConfig) -> None:
        self.client = client
        self.config = config

    # deletes the key only while it still holds this capture's claim (atomic in Redis)
    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def _claim_value(self, capture: Capture) -> str:
        return json.dumps({"id": capture.id, "url": capture.url, "fetched_at": warc_date(capture.fetched_at),
                           "worker": self.config.worker, "run": self.config.run_id}, ensure_ascii=False)

    def claim(self, capture: Capture) -> Original | None:
        """None when this capture is the first of its payload (write it in full), else the original."""
        key = archive_key(self.config, "payload", capture.payload_digest)
        if self.client.set(key, self._claim_value(capture), nx=True):
            return None
        stored = self.client.get(key)
        if stored is None:  # deleted between the two calls (an operator flushing Redis): write in full
            return None
        first = json.loads(stored)
        if first["id"] == capture.id:
            return None
        return Original(capture_id=first["id"], url=first["url"], fetched_at=first["fetched_at"], warc_file="")

    def release(self, capture: Capture) -> None:
        """Give up the claim of a capture that could not be stored (a full disk), so that the payload's
        next capture, by any worker, is written in full instead of referring to nothing."""
        key = archive_key(self.config, "payload", capture.payload_digest)
        self.client.eval(self.RELEASE, 1, key, self._claim_value(capture))


class RedisKnownPosts:
    """Posts whose own page some worker archived (``<prefix>:posts``, a set of post ids, kept across
    runs), and posts some worker of this run is fetching (``<prefix>:run:<id>:posts``).

    Two URLs may lead to one post (a temporary link and the permanent one): :meth:`claim` lets only
    the first worker that asks fetch the post in this run, whichever URL the others met it by.
    """

    def __init__(self, client: Any, config: ArchiveConfig) -> None:
        self.client = client
        self.key = archive_key(config, "posts")
        self.run_key = run_key(config, "posts")

    def add(self, post_id: str) -> None:
        self.client.sadd(self.key, post_id)

    def __contains__(self, post_id: str) -> bool:
        return bool(self.client.sismember(self.key, post_id))

    def claim(self, post_id: str) -> bool:
        """True for the one caller of this run that should fetch the post (atomic ``SADD``)."""
        return bool(self.client.sadd(self.run_key, post_id))


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with one fetch of each host's robots.txt per distributed run.

    The first worker to ask for a host (``SET NX`` on ``<prefix>:run:<id>:robots:<host>``) fetches and
    archives it and stores its body there; the others wait for that body and parse the same rules.
    Outside a distributed run it is Scrapy's middleware unchanged.
    """

    WAIT = 60.0  # seconds a worker waits for another's robots.txt before fetching it itself

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.config = archive_config(crawler.settings)
        self.client = connect(self.config) if self.config.distributed else None

    async def robot_parser(self, request: Any) -> Any:
        netloc = urlparse_cached(request).netloc
        if self.client is None or netloc in self._parsers:
            return await super().robot_parser(request)
        key = run_key(self.config, "robots", netloc)
        if self.client.set(key, json.dumps({"state": "fetching"}), nx=True, ex=int(self.WAIT)):
            return await super().robot_parser(request)  # ours to fetch: _parse_robots/_robots_error share it
        waiting: Deferred[RobotParser | None] = Deferred()
        self._parsers[netloc] = waiting
        shared = await self._shared(self.client, key)
        if shared is None:  # the worker fetching it went silent: fetch it ourselves
            del self._parsers[netloc]
            self.client.set(key, json.dumps({"state": "fetching"}), ex=int(self.WAIT))
            return await super().robot_parser(request)
        if shared.get("state") == "error":
            self._parsers[netloc] = None
            waiting.callback(None)
            return None
        parser = build_from_crawler(self._parserimpl, self.crawler, base64.b64decode(shared["body"]))
        self._parsers[netloc] = parser
        waiting.callback(parser)
        return parser

    async def _shared(self, client: Any, key: str) -> dict[str, Any] | None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        deadline = time.monotonic() + self.WAIT
        while time.monotonic() < deadline:
            raw = client.get(key)
            if raw is None:
                return None
            value = json.loads(raw)
            if value.get("state") != "fetching":
                return value
            await maybe_deferred_to_future(deferLater(reactor, 0.1, lambda: None))
        return None

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        if self.client is not None:
            self._share(netloc, {"state": "done", "body": base64.b64encode(response.body).decode()})
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if self.client is not None:
            self._share(netloc, {"state": "error", "error": str(exc)[:200]})
        super()._robots_error(exc, netloc)

    def _share(self, netloc: str, value: dict[str, Any]) -> None:
        if self.client is not None:
            self.client.set(run_key(self.config, "robots", netloc), json.dumps(value), ex=7 * 86400)


class WorkerCoordination:
    """Scrapy extension: each worker's state in ``<prefix>:run:<id>:workers`` (a hash: worker →
    JSON state and time), refreshed every second; an idle worker stays open while another worker is
    busy and has been heard from within ``GOVARCHIVE_WORKER_TIMEOUT`` seconds."""

    HEARTBEAT = 1.0

    def __init__(self, crawler: Any, config: ArchiveConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.key = run_key(config, "workers")
        self.client: Any = None
        self.idle = False
        self.waited_since: float | None = None
        self._beat: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WorkerCoordination:
        config = archive_config(crawler.settings)
        if not config.distributed:
            raise NotConfigured  # not a distributed run: the usual case, so no "Disabled" warning
        extension = cls(crawler, config)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.busy, signal=signals.request_scheduled)
        # a request popped from the shared queue is work too, though this worker did not schedule it
        crawler.signals.connect(extension.busy, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        from twisted.internet import task

        self.client = connect(self.config)
        self._publish("busy")
        self._beat = task.LoopingCall(self._heartbeat)
        self._beat.start(self.HEARTBEAT, now=False)

    def busy(self, request: Any = None, spider: Any = None) -> None:
        if self.idle:
            self.idle = False
            self.waited_since = None
            self._publish("busy")

    def _heartbeat(self) -> None:
        self._publish("idle" if self.idle else "busy")

    def _publish(self, state: str) -> None:
        if self.client is None:
            return
        value = json.dumps({"state": state, "at": time.time(), "host": socket.gethostname()})
        try:
            self.client.hset(self.key, self.config.worker, value)
        except Exception as error:  # Redis gone: the scheduler fails loudly on its own; say why here
            logger.warning("cannot publish worker state to Redis: %s", error)

    def others_busy(self) -> list[str]:
        """Workers other than this one that are busy and alive."""
        now = time.time()
        busy = []
        for name, raw in self.client.hgetall(self.key).items():
            name = name.decode() if isinstance(name, bytes) else name
            if name == self.config.worker:
                continue
            state = json.loads(raw)
            if state["state"] == "busy" and now - state["at"] <= self.config.worker_timeout:
                busy.append(name)
        return sorted(busy)

    def spider_idle(self, spider: Any = None) -> None:
        self.idle = True
        self._publish("idle")
        busy = self.others_busy()
        if busy:
            if self.waited_since is None:
                self.waited_since = time.monotonic()
                logger.info("queue empty; waiting for workers still busy: %s", ", ".join(busy))
            raise DontCloseSpider(f"workers still busy: {', '.join(busy)}")

    # How long a run's keys (queue, dupefilter, claims, worker states) stay in Redis after a worker ends:
    # long enough for a late worker of the same run to find its URLs done, then they go by themselves.
    RUN_KEYS_TTL = 7 * 86400

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        self._publish("done")
        if self.client is not None:
            for key in self.client.scan_iter(match=run_key(self.config, "*"), count=1000):
                self.client.expire(key, self.RUN_KEYS_TTL)


def utc_now() -> datetime:
    return datetime.now(UTC)
