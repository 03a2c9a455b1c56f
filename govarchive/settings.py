"""Scrapy settings for govarchive (read by ``scrapy crawl`` through scrapy.cfg).

Only Scrapy settings live here. Every ``GOVARCHIVE_*`` setting is read in one place,
:func:`govarchive.core.config.archive_config`, and documented in the README.
"""

from govarchive.core import config as _config

BOT_NAME = "govarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- govarchive -------------------------------------------------------------------------------
# Every GOVARCHIVE_* setting with its default, from the one place they are written: the fields of
# ArchiveConfig (govarchive/core/config.py). The README's Settings table says what each one does. Among them:
# GOVARCHIVE_ARCHIVE_DIR (WARCs go to <dir>/warc/, the index to <dir>/index.db); GOVARCHIVE_CONTACT (added to
# USER_AGENT by govarchive.crawl.politeness.ContactAddon); GOVARCHIVE_MP_TOKEN and GOVARCHIVE_MP_COOKIE (your
# own WeChat MP back-office session: pass them with -s, or as environment variables of `govarchive crawl`,
# never in a file in the repo); the closure rules GOVARCHIVE_AS_OF, GOVARCHIVE_DORMANT_DAYS and
# GOVARCHIVE_CLOSED_AFTER_RUNS (govarchive/closure/lifecycle.py); the distributed-run settings (docs/scaling.md);
# the browser-capture settings GOVARCHIVE_BROWSER* and GOVARCHIVE_CHROMIUM (govarchive/crawl/browser.py).
globals().update(_config.DEFAULTS)

# --- capture: every exchange is archived raw ---------------------------------------------------
EXTENSIONS = {
    # one run per archive folder: the lock is taken before any pipeline opens (govarchive/warc/lock.py)
    "govarchive.crawl.guard.ArchiveLockExtension": 50,
    "govarchive.crawl.capture.CaptureExtension": 100,
    "govarchive.crawl.progress.ProgressExtension": 500,
    # a problem is one log line: a robots.txt that could not be fetched, too (govarchive/crawl/crawllog.py)
    "govarchive.crawl.crawllog.CrawlLogExtension": 510,
    # distributed runs only (GOVARCHIVE_REDIS_URL): an idle worker waits while another is busy
    "govarchive.crawl.distributed.WorkerCoordination": 600,
}
# Distributed runs (docs/scaling.md): with GOVARCHIVE_REDIS_URL set, the first add-on switches to scrapy-redis's
# scheduler and dupefilter, keyed by the run; otherwise the second bounds the frontier's memory (frontier.py).
ADDONS = {"govarchive.crawl.distributed.DistributedAddon": 0, "govarchive.crawl.frontier.FrontierAddon": 0,
          "govarchive.crawl.politeness.ContactAddon": 0,  # GOVARCHIVE_CONTACT into USER_AGENT (and From)
          "govarchive.crawl.browser.BrowserAddon": 0}  # Chromium through scrapy-playwright, when it is found
ITEM_PIPELINES = {
    "pipelines.dedup.DedupPipeline": 100,
    "pipelines.warc.WarcPipeline": 200,
    "pipelines.index.IndexPipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {
    "govarchive.crawl.middlewares.KnownPostsMiddleware": 50,
    # after CookiesMiddleware (700), which would drop a Cookie header set before it
    "govarchive.crawl.credentials.MpSessionMiddleware": 750,
    # after RetryMiddleware (550) on the way in, before it on the way out: sees 429/503 first
    "govarchive.crawl.politeness.PolitenessMiddleware": 560,
    # Scrapy's redirects, with a loop stopped at its first repeat and recorded (govarchive/core/failures.py)
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "govarchive.core.failures.LoopAwareRedirectMiddleware": 600,
    # pages only a browser can read: loaded in Chromium, every exchange archived (govarchive/crawl/browser.py)
    "govarchive.crawl.browser.BrowserCaptureMiddleware": 950,
}
# The most endangered accounts (accounts.risk, from the last run's closure analysis) are crawled first.
SPIDER_MIDDLEWARES = {
    "govarchive.crawl.atrisk.AtRiskFirstMiddleware": 950,
    # outermost (nearest the engine): sees the requests that are really sent, after every other filter
    "govarchive.crawl.progress.ProgressMiddleware": 10,
}
# Let error pages (404, 410, 5xx after retries) reach the spider: their page state is a finding.
HTTPERROR_ALLOW_ALL = True
# Cache hits never fire response_downloaded, so the HTTP cache would silently skip archiving.
HTTPCACHE_ENABLED = False

# --- politeness ---------------------------------------------------------------------------------
USER_AGENT = "govarchive/0.1 (+https://github.com/govarchive/govarchive; web archiving of public government accounts)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 2
# A download given up after every retry is said once: by its own line (a fetch failure, a page state) and
# in the exit code; Scrapy's "Gave up retrying" line is INFO (shown with -v, and in a LOG_FILE).
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# Platform hosts: named slots (govarchive.crawl.politeness.PLATFORM_SLOTS), slower than generic sites.
DOWNLOAD_SLOTS = {
    "wechat": {"delay": 5.0, "concurrency": 1},
    "wechat-list": {"delay": 10.0, "concurrency": 1},
    "weibo": {"delay": 3.0, "concurrency": 1},
    "weibo-list": {"delay": 6.0, "concurrency": 1},
    "douyin": {"delay": 5.0, "concurrency": 1},
    "toutiao": {"delay": 5.0, "concurrency": 1},
}
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100_000_000
REDIRECT_MAX_TIMES = 10

# --- engine -----------------------------------------------------------------------------------
# CONCURRENT_ITEMS stays Scrapy's 100, although Scrapy creates that many tasks for every callback output (~0.4 ms
# of the reactor thread each): its queue holds 2 x CONCURRENT_ITEMS, and a page's output that fits is handed to
# the pipelines before the next page's, the order a reindex reads them in (tests/test_crawl.py). With 4, a
# directory's accounts were saved after a later page's and took that page's capture as theirs.
# Scrapy reads a generator callback's source (inspect + ast) to warn when it returns a value; its cache is keyed by
# bound methods, which die with their request, so it re-parses the spider's source every few responses (~0.4 ms a
# page). tests/test_crawl.py makes the same check of govarchive's callbacks once.
WARN_ON_GENERATOR_RETURN_VALUE = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 opens an HTTP control port otherwise
