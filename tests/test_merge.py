"""`govarchive merge` of a shard a killed worker left: its `.open` file is repaired first, as its next run would.

(The merge of real distributed workers, one of them killed mid-crawl, is in tests/test_distributed.py.)
"""

from __future__ import annotations

from click.testing import CliRunner
from helpers import T0, fixed_clock, make_capture, rows

from govarchive.cli import cli
from govarchive.core.config import ArchivePaths
from govarchive.index.store import open_index
from govarchive.warc.merge import merge
from govarchive.warc.verify import verify_archive
from govarchive.warc.writer import WarcArchive, warc_date


def killed_shard(folder):
    """A worker's folder as kill -9 leaves it: 3 captures indexed, a 4th written but not indexed, a torn tail."""
    paths = ArchivePaths(folder).ensure()
    index = open_index(paths.index_db)
    index.start_run("run-1", "portal", warc_date(T0))
    writer = WarcArchive(paths.warc_dir, "run-1", clock=fixed_clock(), hostname="worker-a")
    made = [make_capture(n, url=f"http://127.0.0.1:9/page/{n}", body=b"<html>%d</html>" % n) for n in range(1, 5)]
    for capture in made[:3]:
        writer.write_capture(capture)
        index.save_capture(capture)
    writer.write_capture(made[3])  # killed between writing the record and indexing it
    index.close()
    open_file = paths.warc_dir / (writer.current_file + ".open")
    writer._fh.close()  # the process is gone: the file stays .open
    with open(open_file, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00")  # and a record it had begun: a torn gzip member
    return open_file, made


def test_merge_repairs_a_shard_with_an_open_file_first(tmp_path):
    open_file, made = killed_shard(tmp_path / "worker-a")
    report = merge([tmp_path / "worker-a"], tmp_path / "archive")
    name = open_file.name[: -len(".open")]
    assert report.recovered == [f"worker-a/warc/{name}"] and report.errors == []
    assert not open_file.exists() and (tmp_path / "worker-a" / "warc" / name).is_file()
    merged = {capture_id for (capture_id,) in rows(tmp_path / "archive" / "index.db", "select id from captures")}
    assert merged == {capture.id for capture in made}  # the unindexed whole record too
    assert rows(tmp_path / "archive" / "index.db", "select status from runs") == [("killed",)]
    assert verify_archive(tmp_path / "archive").ok


def test_merge_of_a_killed_shard_from_the_command_line(tmp_path):
    killed_shard(tmp_path / "worker-a")
    result = CliRunner().invoke(cli, ["merge", str(tmp_path / "worker-a"), "--archive-dir", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    assert "recovered WARC files a killed worker left open: worker-a/warc/" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(cli, ["verify", "--archive-dir", str(tmp_path / "archive")]).exit_code == 0
