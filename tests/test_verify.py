"""`govarchive verify`: every record read back, every pointer followed, each kind of damage found."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner
from helpers import T0, fixed_clock, make_capture

from govarchive.cli import cli
from govarchive.core.config import ArchivePaths
from govarchive.core.items import Capture
from govarchive.index.store import open_index
from govarchive.warc.lock import hold
from govarchive.warc.verify import verify_archive
from govarchive.warc.writer import WarcArchive, warc_date

ARTICLE = b"<html><body>" + bytes(range(256)) * 8 + b"</body></html>"


def build(tmp_path: Path, count: int = 3, indexed: tuple[int, ...] | None = None) -> tuple[ArchivePaths, list[Capture]]:
    """One closed WARC file of ``count`` captures; those numbered in ``indexed`` (default: all) have rows."""
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    index.start_run("run-1", "portal", warc_date(T0))
    writer = WarcArchive(paths.warc_dir, "run-1", clock=fixed_clock(), hostname="host")
    made = [make_capture(n, url=f"http://127.0.0.1:9/page/{n}", body=ARTICLE + bytes([n])) for n in range(1, count + 1)]
    for n, capture in enumerate(made, 1):
        writer.write_capture(capture)
        if indexed is None or n in indexed:
            index.save_capture(capture)
    writer.close()
    index.finish_run("run-1", warc_date(T0), "finished", {})
    index.close()
    return paths, made


def execute(paths: ArchivePaths, sql: str, *params) -> None:
    index = open_index(paths.index_db)
    with index.db.conn:
        index.db.execute(sql, list(params))
    index.close()


def kinds(report) -> dict[str, list[tuple]]:
    return {kind: [(p.file, p.offset, p.record_id) for p in found] for kind, found in report.problems()}


def test_a_clean_crawl_of_the_demo_web_verifies(demo_archive):
    report = verify_archive(demo_archive)
    assert report.ok, report.lines()
    assert report.files >= 1 and report.captures > 100 and report.records > 2 * report.captures - 10
    result = CliRunner().invoke(cli, ["verify", "--archive-dir", str(demo_archive)])
    assert result.exit_code == 0 and "no problem found" in result.output, result.output


def test_a_changed_byte_fails_the_records_digest(tmp_path):
    paths, made = build(tmp_path)
    path = paths.warc_dir / made[0].warc_file
    data = path.read_bytes()
    target = made[1]
    member = data[target.warc_offset:target.warc_offset + target.warc_length]
    record = bytearray(gzip.decompress(member))
    record[-100] ^= 0x01  # one bit of the body, in a gzip member that is itself whole
    rewritten = gzip.compress(bytes(record))
    path.write_bytes(data[:target.warc_offset] + rewritten + data[target.warc_offset + target.warc_length:])
    shift = len(rewritten) - target.warc_length
    execute(paths, "update captures set warc_length = ? where id = ?", len(rewritten), target.id)
    execute(paths, "update captures set warc_offset = warc_offset + ? where warc_offset > ?", shift, target.warc_offset)

    report = verify_archive(paths.root)
    assert kinds(report) == {"digest_errors": [(target.warc_file, target.warc_offset, target.id)]}
    assert "digest failed" in report.digest_errors[0].detail
    assert not report.ok and any("what to do" in line for line in report.lines())


def test_a_damaged_gzip_member_costs_its_record_and_reading_goes_on_after_it(tmp_path):
    paths, made = build(tmp_path, count=5)
    path = paths.warc_dir / made[0].warc_file
    data = bytearray(path.read_bytes())
    data[made[2].warc_offset + 100] ^= 0xFF  # inside the deflate stream: the member no longer inflates
    path.write_bytes(bytes(data))
    report = verify_archive(paths.root)
    assert kinds(report) == {"unreadable": [(made[2].warc_file, made[2].warc_offset, None)],
                             "missing_records": [(made[2].warc_file, made[2].warc_offset, made[2].id)]}
    # the damaged part is that record alone (its response member); its request record and the records after
    # it are read and checked as usual
    assert f"bytes {made[2].warc_offset}–" in report.unreadable[0].detail
    assert "inside the unreadable part" in report.missing_records[0].detail
    assert report.records == 1 + 2 * 5 - 1  # warcinfo, then response and request of each capture, but one


def test_a_file_cut_short_is_unreadable_from_the_cut(tmp_path):
    paths, made = build(tmp_path)
    path = paths.warc_dir / made[0].warc_file
    path.write_bytes(path.read_bytes()[: made[2].warc_offset + 50])
    report = verify_archive(paths.root)
    assert kinds(report) == {"unreadable": [(made[2].warc_file, made[2].warc_offset, None)],
                             "missing_records": [(made[2].warc_file, made[2].warc_offset, made[2].id)]}
    assert "torn record" in report.unreadable[0].detail


def test_a_row_with_a_wrong_offset_is_missing_and_its_record_an_orphan(tmp_path):
    paths, made = build(tmp_path)
    execute(paths, "update captures set warc_offset = ? where id = ?", made[1].warc_offset + 1, made[1].id)
    report = verify_archive(paths.root)
    assert kinds(report) == {
        "missing_records": [(made[1].warc_file, made[1].warc_offset + 1, made[1].id)],
        "orphans": [(made[1].warc_file, made[1].warc_offset, made[1].id)]}
    assert report.missing_records[0].detail == "no record starts at this offset"


def test_a_row_pointing_at_another_record_or_with_a_wrong_length(tmp_path):
    paths, made = build(tmp_path)
    execute(paths, "update captures set warc_length = warc_length + 7 where id = ?", made[0].id)
    execute(paths, "update captures set warc_offset = ? where id = ?", made[0].warc_offset, made[2].id)
    report = verify_archive(paths.root)
    found = kinds(report)
    assert found["pointer_mismatches"] == [(made[0].warc_file, made[0].warc_offset, made[0].id)]
    assert "warc_length" in report.pointer_mismatches[0].detail
    assert found["missing_records"] == [(made[0].warc_file, made[0].warc_offset, made[2].id)]
    assert made[0].id in report.missing_records[0].detail
    assert found["orphans"] == [(made[2].warc_file, made[2].warc_offset, made[2].id)]


def test_a_record_without_a_row_is_an_orphan(tmp_path):
    paths, made = build(tmp_path, indexed=(1, 3))
    assert kinds(verify_archive(paths.root)) == {"orphans": [(made[1].warc_file, made[1].warc_offset, made[1].id)]}


def test_a_revisit_whose_original_is_missing(tmp_path):
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    writer = WarcArchive(paths.warc_dir, "run-1", clock=fixed_clock(), hostname="host")
    original = make_capture(1, body=ARTICLE)
    revisit = make_capture(2, url="http://127.0.0.1:9/again", body=ARTICLE)
    revisit.record_type, revisit.refers_to = "revisit", original.id
    revisit.refers_to_url, revisit.refers_to_date = original.url, original.fetched_at
    other = make_capture(3, url="http://127.0.0.1:9/other", body=ARTICLE + b"!")
    for capture in (original, revisit, other):
        writer.write_capture(capture)
        index.save_capture(capture)
    writer.close()
    index.close()
    assert verify_archive(paths.root).ok

    execute(paths, "update captures set payload_digest = ? where id = ?", other.payload_digest, revisit.id)
    report = verify_archive(paths.root)
    assert [(p.record_id, p.detail) for p in report.broken_revisits] == [
        (revisit.id, f"its original {original.id} holds another payload ({original.payload_digest})")]

    execute(paths, "update captures set payload_digest = ? where id = ?", original.payload_digest, revisit.id)
    execute(paths, "delete from captures where id = ?", original.id)
    report = verify_archive(paths.root)
    assert kinds(report) == {"broken_revisits": [(revisit.warc_file, revisit.warc_offset, revisit.id)],
                             "orphans": [(original.warc_file, original.warc_offset, original.id)]}
    assert report.broken_revisits[0].detail == f"its original {original.id} is not in the index"


def test_open_and_invalid_files_are_reported_unless_a_crawl_is_writing(tmp_path):
    paths, _ = build(tmp_path, count=1)
    writer = WarcArchive(paths.warc_dir, "run-2", clock=fixed_clock(T0.replace(hour=5)), hostname="host")
    late = make_capture(7, url="http://127.0.0.1:9/late")
    writer.write_capture(late)
    index = open_index(paths.index_db)
    index.save_capture(late)
    index.close()
    (paths.warc_dir / "govarchive-20261101000000000-00000-host.warc.gz.invalid").write_bytes(b"\x1f\x8b")

    with hold(paths.root, "crawl portal", "run-2"):  # a crawl writing the archive right now
        busy = verify_archive(paths.root)
    assert busy.in_use_by and "run-2" in busy.in_use_by
    assert kinds(busy) == {"invalid_files": [("govarchive-20261101000000000-00000-host.warc.gz.invalid", None, None)]}

    writer._fh.close()  # then it is killed: the .open file stays
    report = verify_archive(paths.root)
    assert report.in_use_by is None
    assert [p.file for p in report.open_files] == [late.warc_file + ".open"]
    assert report.missing_records == []  # the indexed record in the .open file is readable

    result = CliRunner().invoke(cli, ["verify", "--archive-dir", str(paths.root), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["ok"] is False and data["open_files"][0]["file"] == late.warc_file + ".open"
    text = CliRunner().invoke(cli, ["verify", "--archive-dir", str(paths.root)])
    assert text.exit_code == 1 and "the next crawl repairs them" in text.output


def test_rows_pointing_at_files_that_are_not_there(tmp_path):
    paths, _ = build(tmp_path, count=1)
    execute(paths, "update captures set warc_file = 'gone.warc.gz'")
    report = verify_archive(paths.root)
    assert [(p.file, p.detail) for p in report.missing_records] == [("gone.warc.gz", "no such file in warc/")]


def test_verify_without_an_archive_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["verify", "--archive-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "index.db does not exist" in result.output and "Traceback" not in result.output

