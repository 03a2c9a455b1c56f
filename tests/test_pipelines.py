"""The crawl's archive driven directly (no crawl): captures and items in, revisits, rows and the run out."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import T0, make_capture
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from govarchive.core.items import Account
from govarchive.crawl.archiving import archive_for
from pipelines.dedup import DedupPipeline
from pipelines.index import IndexPipeline
from pipelines.warc import WarcPipeline


def test_the_crawl_archive_stores_captures_revisits_items_and_the_run(tmp_path):
    crawler = get_crawler(settings_dict={"GOVARCHIVE_ARCHIVE_DIR": str(tmp_path), "ROBOTSTXT_OBEY": True})
    stats = crawler.stats
    pipelines = [DedupPipeline.from_crawler(crawler), WarcPipeline.from_crawler(crawler),
                 IndexPipeline.from_crawler(crawler)]
    for pipeline in pipelines:
        if hasattr(pipeline, "open_spider"):
            pipeline.open_spider()
    archive = archive_for(crawler)
    first, again = make_capture(1), make_capture(2, url="http://127.0.0.1:9/elsewhere")
    for capture in (first, again):
        archive.store(capture, None)
    item = Account(id="weibo:1", platform="weibo", platform_id="1", capture_id=first.id, seen_at=T0,
                   name="云岚发布")
    for pipeline in pipelines:
        assert pipeline.process_item(item) is item
    stats.set_value("finish_time", datetime(2026, 11, 20, 3, tzinfo=UTC))
    stats.set_value("govarchive/captures", 2)  # the capture extension's count (not built here)
    archive.close(None, "finished")
    db = Database(str(tmp_path / "index.db"))
    captures = {row["id"]: row for row in db["captures"].rows}
    assert captures[again.id]["record_type"] == "revisit" and captures[again.id]["refers_to"] == first.id
    assert captures[first.id]["warc_file"] == captures[again.id]["warc_file"]
    assert captures[first.id]["page_state"] == "ok"  # decided once, from the HTTP status (no page read)
    assert db["runs"].get(archive.run.id)["status"] == "success"  # the run's outcome, as its exit code says
    assert db["runs"].get(archive.run.id)["finished_at"] == "2026-11-20T03:00:00.000000Z"
    assert db["accounts"].get("weibo:1")["name"] == "云岚发布"
    assert stats.get_value("govarchive/dedup/revisits") == 1
    assert list((tmp_path / "warc").glob("*.warc.gz"))
