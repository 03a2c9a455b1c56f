"""WARC writing: round trip at the recorded offsets, revisits, rotation, .open handling, recovery."""

import gzip
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from helpers import T0, fixed_clock, make_capture
from warcio.archiveiterator import ArchiveIterator

from govarchive.warc.writer import WarcArchive, recover_open_files, repair_open_files, scan_warc

PNG = bytes(range(256)) * 4  # binary, every byte value
GBK = "<html><meta charset=gbk>关于云岚发布停止更新的公告</html>".encode("gbk")


def read_at(path: Path, offset: int):
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record, record.raw_stream.read()


def write(tmp_path, captures, **kwargs):
    archive = WarcArchive(tmp_path / "warc", "run-1", info={"spider": "test"}, clock=fixed_clock(), hostname="host",
                          **kwargs)
    for capture in captures:
        archive.write_capture(capture)
    archive.close()
    return archive


def test_round_trip_is_byte_exact_at_recorded_offsets(tmp_path):
    gz = gzip.compress(GBK, mtime=0)
    captures = [
        make_capture(1, body=GBK, headers=[("Content-Type", "text/html; charset=GBK")]),
        make_capture(2, url="http://127.0.0.1:9/a.png", body=PNG, headers=[("Content-Type", "image/png")]),
        make_capture(3, body=gz, headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                         ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Name", "caf\xe9")]),
    ]
    archive = write(tmp_path, captures)
    assert archive.files_written == ["govarchive-20261120020000000-00000-host.warc.gz"]
    path = tmp_path / "warc" / archive.files_written[0]
    for capture in captures:
        record, payload = read_at(path, capture.warc_offset)
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture.id}>"
        assert payload == capture.body
        assert record.rec_headers.get_header("WARC-Payload-Digest") == capture.payload_digest
        assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    record, _ = read_at(path, captures[2].warc_offset)
    assert [v for k, v in record.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    raw = gzip.decompress(path.read_bytes())
    assert b"X-Name: caf\xe9\r\n" in raw  # header bytes kept, not %-encoded


def test_each_file_starts_with_warcinfo_and_pairs_share_date(tmp_path):
    archive = write(tmp_path, [make_capture(1)])
    with open(tmp_path / "warc" / archive.files_written[0], "rb") as fh:
        records = [(r.rec_type, r.rec_headers) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]
    info_id = records[0][1].get_header("WARC-Record-ID")
    response, request = records[1][1], records[2][1]
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    assert request.get_header("WARC-Date") == response.get_header("WARC-Date") == "2026-11-20T02:00:01.000000Z"
    assert response.get_header("WARC-Warcinfo-ID") == info_id
    assert response.get_header("WARC-Block-Digest").startswith("sha1:")


def test_warcinfo_names_software_run_and_header_note(tmp_path):
    archive = write(tmp_path, [make_capture(1)])
    with open(tmp_path / "warc" / archive.files_written[0], "rb") as fh:
        info = next(iter(ArchiveIterator(fh))).content_stream().read().decode()
    assert "software: govarchive/" in info and "Scrapy/" in info and "warcio/" in info
    assert "run-id: run-1" in info and "spider: test" in info and "reconstructed" in info


def test_revisit_points_to_original(tmp_path):
    original = make_capture(1, body=PNG)
    revisit = make_capture(2, url="http://127.0.0.1:9/other.png", body=PNG)
    revisit.record_type, revisit.refers_to = "revisit", original.id
    revisit.refers_to_url, revisit.refers_to_date = original.url, original.fetched_at
    archive = write(tmp_path, [original, revisit])
    record, payload = read_at(tmp_path / "warc" / archive.files_written[0], revisit.warc_offset)
    headers = record.rec_headers
    assert record.rec_type == "revisit" and payload == b""
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers.get_header("WARC-Refers-To") == f"<{original.id}>"
    assert headers.get_header("WARC-Refers-To-Target-URI") == original.url
    assert headers.get_header("WARC-Refers-To-Date") == "2026-11-20T02:00:01.000000Z"
    assert headers.get_header("WARC-Payload-Digest") == original.payload_digest
    assert record.http_headers.get_statuscode() == "200"


def test_rotation_gives_every_file_a_warcinfo(tmp_path):
    archive = write(tmp_path, [make_capture(i, body=PNG) for i in range(1, 6)], max_bytes=1500)
    assert len(archive.files_written) >= 3
    serials = [name.split("-")[2] for name in archive.files_written]
    assert serials == [f"{i:05d}" for i in range(len(serials))]
    for name in archive.files_written:
        with open(tmp_path / "warc" / name, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"


def test_file_is_open_while_writing_then_renamed(tmp_path):
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    archive.write_capture(make_capture(1))
    names = [p.name for p in (tmp_path / "warc").iterdir()]
    assert names == ["govarchive-20261120020000000-00000-host.warc.gz.open"]
    archive.close()
    assert [p.name for p in (tmp_path / "warc").iterdir()] == ["govarchive-20261120020000000-00000-host.warc.gz"]


def test_recovery_keeps_complete_records_of_a_killed_write(tmp_path):
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    captures = [make_capture(i, body=PNG) for i in range(1, 4)]
    for capture in captures:
        archive.write_capture(capture)
    open_file = tmp_path / "warc" / (archive.current_file + ".open")
    data = open_file.read_bytes()
    archive._fh.close()  # simulate kill -9: no rename, then a torn last record
    open_file.write_bytes(data[:-40])
    repaired = recover_open_files(tmp_path / "warc")
    assert repaired == [archive.current_file]
    path = tmp_path / "warc" / archive.current_file
    for capture in captures[:2]:
        _, payload = read_at(path, capture.warc_offset)
        assert payload == PNG
    with open(path, "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types[:5] == ["warcinfo", "response", "request", "response", "request"]
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_recovery_cuts_a_record_that_lacks_only_its_gzip_trailer(tmp_path):
    """warcio reads a member cut short as if whole; the member's gzip trailer (CRC, size) decides."""
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    captures = [make_capture(i, body=PNG) for i in range(1, 3)]
    for capture in captures:
        archive.write_capture(capture)
    open_file = tmp_path / "warc" / (archive.current_file + ".open")
    data = open_file.read_bytes()
    archive._fh.close()
    open_file.write_bytes(data[:-4])  # the last request record's ISIZE never reached the disk
    [repaired] = repair_open_files(tmp_path / "warc")
    assert repaired.name == archive.current_file and repaired.cut_bytes == len(data) - 4 - repaired.kept_bytes
    assert "torn record" in repaired.reason
    path = tmp_path / "warc" / archive.current_file
    with open(path, "rb") as fh:
        assert [r.record_type for r in scan_warc(fh).records] == ["warcinfo", "response", "request", "response"]
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_scan_keeps_exactly_the_whole_records_wherever_a_file_is_cut(tmp_path):
    archive = write(tmp_path, [make_capture(i, body=PNG) for i in (1, 2)])
    data = (tmp_path / "warc" / archive.files_written[0]).read_bytes()
    whole = scan_warc(BytesIO(data))
    assert whole.error is None and whole.end == len(data) and len(whole.records) == 5
    ends = [0] + [r.offset + r.length for r in whole.records]
    for cut in range(len(data)):
        scan = scan_warc(BytesIO(data[:cut]))
        kept = max(end for end in ends if end <= cut)
        assert (scan.end, len(scan.records)) == (kept, ends.index(kept)), cut
        assert (scan.error is None) == (cut == kept), cut


def test_recovery_leaves_a_file_another_crawl_is_writing(tmp_path):
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    archive.write_capture(make_capture(1))
    assert recover_open_files(tmp_path / "warc") == []
    assert (tmp_path / "warc" / (archive.current_file + ".open")).exists()
    archive.close()


def test_dates_are_utc_with_microseconds():
    from govarchive.warc.writer import timestamp17, warc_date

    assert warc_date(T0) == "2026-11-20T02:00:00.000000Z"
    assert timestamp17(T0) == "20261120020000000"
