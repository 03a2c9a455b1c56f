"""Scrapy settings for govarchive (read by ``scrapy crawl`` through scrapy.cfg).

Only Scrapy settings live here. Every ``GOVARCHIVE_*`` setting is read in one place,
:func:`govarchive.core.config.archive_config`, and documented in the README.
"""

BOT_NAME = "govarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- govarchive -------------------------------------------------------------------------------
GOVARCHIVE_ARCHIVE_DIR = "archive"  # WARCs go to <dir>/warc/, the index to <dir>/index.db
GOVARCHIVE_OPERATOR = ""  # who runs the crawl; written into every warcinfo record
# How a site's owner reaches you: a URL or e-mail address, added to USER_AGENT (an e-mail is also sent as
# the From header) and written into every warcinfo record (govarchive.crawl.politeness.ContactAddon).
GOVARCHIVE_CONTACT = ""
GOVARCHIVE_WARC_MAX_BYTES = 1_000_000_000  # rotate WARC files at this size (Heritrix default)
GOVARCHIVE_DEDUP_MIN_BYTES = 1  # payloads smaller than this are never turned into revisits
GOVARCHIVE_REFETCH_POSTS = False  # fetch article pages again although the index already has them
GOVARCHIVE_MAX_BODY_BYTES = 50_000_000  # decoded bodies larger than this are archived, not parsed
GOVARCHIVE_RETRY_AFTER_MAX = 600  # longest Retry-After (seconds) a slot waits for
GOVARCHIVE_BLOCKED_LIMIT = 5  # stop the run (exit code 75) after this many block pages in a row on a host
# Your own WeChat MP back-office session, for `backoffice` sources. Pass them with -s, or as environment
# variables of `govarchive crawl` (govarchive/core/overrides.py), never in a file in the repo; captures show them masked.
GOVARCHIVE_MP_TOKEN = ""
GOVARCHIVE_MP_COOKIE = ""
# Closure intelligence (govarchive/closure/lifecycle.py): statuses are judged at GOVARCHIVE_AS_OF (ISO; empty: the
# run's start), "dormant" after GOVARCHIVE_DORMANT_DAYS without a post, "closed" after the account's pages
# were missing in GOVARCHIVE_CLOSED_AFTER_RUNS consecutive runs; at-risk accounts are crawled first.
GOVARCHIVE_AS_OF = ""
GOVARCHIVE_DORMANT_DAYS = 14
GOVARCHIVE_CLOSED_AFTER_RUNS = 3
GOVARCHIVE_AT_RISK_FIRST = True
# Fetch archived posts again to see them vanish (deleted, error page): none, at_risk (accounts with a
# risk: closing, dormant, named in a notice…) or all; unchanged pages become revisits, not copies.
GOVARCHIVE_RECHECK_POSTS = "at_risk"
GOVARCHIVE_RECHECK_SAMPLE = 200
# Crawl progress (govarchive/crawl/progress.py): auto (a live line on a terminal, log lines otherwise), live, log
# or off; log lines every GOVARCHIVE_PROGRESS_INTERVAL seconds, and one at the end.
GOVARCHIVE_PROGRESS = "auto"
GOVARCHIVE_PROGRESS_INTERVAL = 30
# The run's id (empty: a new one). Distributed runs (docs/scaling.md): the workers of one crawl share
# GOVARCHIVE_RUN_ID and GOVARCHIVE_REDIS_URL, each has its own GOVARCHIVE_WORKER name and archive folder;
# Redis keys start with GOVARCHIVE_REDIS_PREFIX; a worker unheard for GOVARCHIVE_WORKER_TIMEOUT s is dead.
GOVARCHIVE_RUN_ID = ""
GOVARCHIVE_REDIS_URL = ""
GOVARCHIVE_REDIS_PREFIX = "govarchive"
GOVARCHIVE_WORKER = ""
GOVARCHIVE_WORKER_TIMEOUT = 30
# Pending requests kept in memory; more spill to disk in ARCHIVE_DIR/.frontier/ (govarchive/crawl/frontier.py), so
# a crawl's memory stays flat however large the province. 0: Scrapy's memory queue only.
GOVARCHIVE_FRONTIER_MEMORY = 10_000
# The Chinese search rows of a crawl are written by a worker process on another core (govarchive/index/searchworker.py).
GOVARCHIVE_SEARCH_WORKER = True
# Browser capture (govarchive/crawl/browser.py, through scrapy-playwright and Debian's Chromium): pages of these
# platforms and sources with `render = true` are loaded in Chromium, scrolled at most GOVARCHIVE_BROWSER_SCROLL_STEPS
# times, given up after GOVARCHIVE_BROWSER_TIMEOUT seconds (a fetch failure); every exchange the browser makes is
# archived (answers past GOVARCHIVE_BROWSER_MAX_BODY_BYTES are not), with the rendered DOM and a screenshot.
# GOVARCHIVE_CHROMIUM: the browser's path (empty: chromium on PATH); without one, those pages are fetched plainly.
GOVARCHIVE_BROWSER = True
GOVARCHIVE_BROWSER_PLATFORMS = "douyin,toutiao"
GOVARCHIVE_BROWSER_SCROLL_STEPS = 10
GOVARCHIVE_BROWSER_TIMEOUT = 60
GOVARCHIVE_BROWSER_MAX_BODY_BYTES = 50_000_000
GOVARCHIVE_CHROMIUM = ""

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
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 opens an HTTP control port otherwise
