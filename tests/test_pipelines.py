"""The pipelines built directly (no crawl): capture stages in order, then run bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import T0, make_capture
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from govarchive.core.config import archive_config
from govarchive.core.items import Account, PageState
from govarchive.crawl.run import RunInfo
from pipelines.dedup import DedupPipeline
from pipelines.index import IndexPipeline
from pipelines.warc import WarcPipeline


def test_capture_stages_write_revisits_and_rows(tmp_path):
    config = archive_config({"GOVARCHIVE_ARCHIVE_DIR": str(tmp_path), "ROBOTSTXT_OBEY": True})
    run = RunInfo("run-1", "test", T0)
    stats = MemoryStatsCollector(get_crawler())
    stages = [DedupPipeline(config, stats), WarcPipeline(config, run, "ua", stats), IndexPipeline(config, run, stats)]
    for stage in stages:
        stage.open_spider()
    first, again = make_capture(1), make_capture(2, url="http://127.0.0.1:9/elsewhere")
    for capture in (first, again):
        for stage in stages:
            stage.process_capture(capture)
    item = Account(id="weibo:1", platform="weibo", platform_id="1", capture_id=first.id, seen_at=T0, name="云岚发布")
    for stage in stages:
        assert stage.process_item(item) is item
    stages[2].process_item(PageState(first.id, "ok"))
    stats.set_value("finish_time", datetime(2026, 11, 20, 3, tzinfo=UTC))
    stats.set_value("govarchive/captures", 2)  # the capture extension's count (not built here)
    for stage in (stages[1], stages[2]):
        stage.spider_closed(None, "finished")
    for stage in stages:
        if hasattr(stage, "close_spider"):
            stage.close_spider()
    db = Database(str(tmp_path / "index.db"))
    captures = {row["id"]: row for row in db["captures"].rows}
    assert captures[again.id]["record_type"] == "revisit" and captures[again.id]["refers_to"] == first.id
    assert captures[first.id]["warc_file"] == captures[again.id]["warc_file"]
    assert db["runs"].get("run-1")["status"] == "success"  # the run's outcome, as its exit code says
    assert db["runs"].get("run-1")["finished_at"] == "2026-11-20T03:00:00.000000Z"
    assert db["accounts"].get("weibo:1")["name"] == "云岚发布"
    assert stats.get_value("govarchive/dedup/revisits") == 1
    assert list((tmp_path / "warc").glob("*.warc.gz"))
