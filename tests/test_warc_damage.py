"""WARC and ARC files of our own making, one per shape of damage or format, read by import, verify and reindex.

Every file is built here (warcio or by hand) with fixed ids and dates. For each shape: what is indexed
(only whole records, the torn one never), the one line that names file, offset and what was lost, the exit
code, and that ``verify`` and ``reindex`` agree with ``import``.
"""

from __future__ import annotations

import gzip
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govarchive.browse.replay import load_copy
from govarchive.cli import cli
from govarchive.warc.files import IN_PLACE_LIST

SITE = "http://www.yunlan.gov.cn"
PAGE = ("<html><head><meta charset='utf-8'><title>云岚市人民政府 通知公告 {n}</title></head>"
        "<body><h1>关于云岚市政务新媒体账号整合的通知 第{n}号</h1><p>{text}</p></body></html>")


def rid(n: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{n:012d}"


def page(n: int, size: int = 3000) -> bytes:
    return PAGE.format(n=n, text="云岚市政务服务" * (size // 21)).encode("utf-8")


class Builder:
    """A WARC file written record by record with warcio, remembering where each record starts."""

    def __init__(self, compressed: bool = True) -> None:
        self.buffer = BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=compressed, warc_version="1.0")
        self.offsets: dict[int, int] = {}

    def headers(self, n: int) -> dict[str, str]:
        return {"WARC-Record-ID": f"<{rid(n)}>", "WARC-Date": f"2026-11-20T02:00:{n % 60:02d}Z"}

    def response(self, n: int, body: bytes | None = None, extra: list[tuple[str, str]] | None = None) -> Builder:
        body = page(n) if body is None else body
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *(extra or [])],
                                protocol="HTTP/1.1")
        return self._write(n, self.writer.create_warc_record(f"{SITE}/tzgg/{n}.html", "response",
                                                             payload=BytesIO(body), length=len(body),
                                                             http_headers=http, warc_headers_dict=self.headers(n)))

    def request(self, n: int, of: int) -> Builder:
        http = StatusAndHeaders(f"GET /tzgg/{of}.html HTTP/1.1", [("Host", "www.yunlan.gov.cn")],
                                is_http_request=True)
        headers = {**self.headers(n), "WARC-Concurrent-To": f"<{rid(of)}>"}
        return self._write(n, self.writer.create_warc_record(f"{SITE}/tzgg/{of}.html", "request", payload=BytesIO(b""),
                                                             length=0, http_headers=http, warc_headers_dict=headers))

    def resource(self, n: int, uri: str, body: bytes, content_type: str, rtype: str = "resource") -> Builder:
        return self._write(n, self.writer.create_warc_record(uri, rtype, payload=BytesIO(body), length=len(body),
                                                             warc_content_type=content_type,
                                                             warc_headers_dict=self.headers(n)))

    def raw(self, data: bytes) -> Builder:
        self.buffer.write(data)
        return self

    def _write(self, n: int, record) -> Builder:
        self.offsets[n] = self.buffer.tell()
        self.writer.write_record(record)
        return self

    def data(self) -> bytes:
        return self.buffer.getvalue()


def run(*args: object) -> tuple[int, list[str], list[str]]:
    """Exit code, stdout lines and stderr lines of one command."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    out = [line for line in result.stdout.splitlines() if line.strip()]
    err = [line for line in result.stderr.splitlines() if line.strip()]
    return result.exit_code, out, err


def captures(archive: Path) -> dict[str, tuple]:
    with sqlite3.connect(archive / "index.db") as conn:
        return {row[0]: row[1:] for row in conn.execute(
            "select id, record_type, http_status, page_state, warc_file, warc_offset, content_type from captures")}


def imported(tmp_path: Path, name: str, data: bytes, *options: str) -> tuple[Path, int, list[str], list[str]]:
    source = tmp_path / "from-elsewhere" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    archive = tmp_path / "archive"
    code, out, err = run("import", source, "--archive-dir", archive, *options)
    return archive, code, out, err


def agree(archive: Path, expected_code: int) -> dict[str, tuple]:
    """verify exits with ``expected_code``, and reindex rebuilds the very same captures."""
    before = captures(archive)
    code, out, err = run("verify", "--archive-dir", archive)
    assert code == expected_code, out + err
    code, out, err = run("reindex", "--archive-dir", archive)
    assert code == expected_code, out + err
    after = captures(archive)
    assert after == before
    return after


def three_pages(compressed: bool = True) -> Builder:
    builder = Builder(compressed)
    for n in (1, 2, 3):
        builder.response(n).request(100 + n, of=n)
    return builder


# -- torn and cut files -----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [(), ("--in-place",)])
def test_a_cut_inside_a_gzip_member_indexes_the_whole_records_and_names_the_torn_one(tmp_path, mode):
    builder = three_pages()
    data = builder.data()
    cut = builder.offsets[103] - 40  # inside the third response's gzip member, past its WARC headers
    archive, code, _out, err = imported(tmp_path, "yunlan-2026.warc.gz", data[:cut], *mode)
    assert code == 1
    [line] = err  # one line for the file
    assert line.startswith(f"error: yunlan-2026.warc.gz @ {builder.offsets[3]}: torn record"), line
    assert f"of {SITE}/tzgg/3.html ({rid(3)})" in line and "bytes of its block in the file" in line
    assert f"bytes {builder.offsets[3]}–{cut}" in line
    found = agree(archive, 1)
    assert set(found) == {rid(1), rid(2)}  # the torn record is never indexed, so never "ok"
    assert all(state == "ok" for _, _, state, *_ in found.values())


def test_a_plain_warc_cut_short_is_torn_too(tmp_path):
    builder = three_pages(compressed=False)
    data = builder.data()
    archive, code, _, err = imported(tmp_path, "yunlan.warc", data[:builder.offsets[3] + 900])
    assert code == 1 and len(err) == 1
    assert f"yunlan.warc @ {builder.offsets[3]}: torn response record: the file ends inside it" in err[0]
    assert set(agree(archive, 1)) == {rid(1), rid(2)}


def test_a_file_cut_between_gzip_members_holds_only_whole_records(tmp_path):
    builder = three_pages()
    archive, code, out, err = imported(tmp_path, "cut.warc.gz", builder.data()[:builder.offsets[103]])
    assert code == 0 and err == [], out + err  # no record is torn: there is nothing to say but what is there
    assert any("3 capture records (response 3) = 3 captures indexed" in line for line in out), out
    assert set(agree(archive, 0)) == {rid(1), rid(2), rid(3)}


def test_a_record_split_over_two_gzip_members_and_cut_between_them(tmp_path):
    """A writer that puts a record's headers and its block in separate members; the file ends between them."""
    whole = three_pages(compressed=False).data()
    second = whole.index(b"WARC/1.0", 1)
    first = whole[:second]
    split = first.index(b"\r\n\r\n") + 4  # the end of the WARC headers of the first record
    data = gzip.compress(first[:split], mtime=0) + gzip.compress(first[split:], mtime=0)
    archive, code, _, err = imported(tmp_path, "split.warc.gz", data[:len(gzip.compress(first[:split], mtime=0))])
    assert code == 1 and len(err) == 1
    assert "split.warc.gz @ 0: torn record: the file ends inside its headers" in err[0]
    assert f"a response record of {SITE}/tzgg/1.html ({rid(1)}), 0 of" in err[0]
    assert captures(archive) == {}


def test_records_split_over_gzip_members_are_not_one_member_each(tmp_path):
    whole = three_pages(compressed=False).data()
    second = whole.index(b"WARC/1.0", 1)
    split = whole.index(b"\r\n\r\n") + 4
    data = gzip.compress(whole[:split], mtime=0) + gzip.compress(whole[split:second], mtime=0)
    archive, code, _, err = imported(tmp_path, "members.warc.gz", data)
    assert code == 1 and len(err) == 1
    assert "members.warc.gz @ 0: record whose gzip member ends inside it" in err[0]
    assert "warcio recompress" in err[0]
    assert captures(archive) == {}


# -- garbage and broken bodies ----------------------------------------------------------------------
def test_garbage_after_a_record_in_a_plain_warc(tmp_path):
    builder = Builder(compressed=False).response(1)
    garbage_at = len(builder.data())
    builder.raw("这不是WARC记录，是一段多余的文字。\r\n还有一行。\r\n\r\n".encode()).response(2)
    archive, code, _, err = imported(tmp_path, "garbage.warc", builder.data())
    assert code == 1 and len(err) == 1
    assert f"garbage.warc @ {garbage_at}: not a readable WARC record" in err[0]
    assert "not a record (it starts with '这不是WARC记录" in err[0]
    assert set(agree(archive, 1)) == {rid(1), rid(2)}  # reading goes on at the record after the garbage


def test_garbage_between_gzip_members(tmp_path):
    builder = Builder().response(1)
    garbage_at = len(builder.data())
    builder.raw(b"\x00" * 37 + "云岚".encode()).response(2).response(3)
    archive, code, _, err = imported(tmp_path, "garbage.warc.gz", builder.data())
    assert code == 1 and len(err) == 1
    assert f"garbage.warc.gz @ {garbage_at}: damaged gzip member" in err[0]
    assert f"bytes {garbage_at}–{builder.offsets[2]}" in err[0]
    assert set(agree(archive, 1)) == {rid(1), rid(2), rid(3)}


def test_a_record_longer_than_its_content_length_says(tmp_path):
    builder = Builder(compressed=False).response(1)
    data = builder.data()
    short = data.replace(b"Content-Length: ", b"Content-Length: 1", 1)  # 1 + the real length: past the file's end
    archive, code, _, err = imported(tmp_path, "long.warc", short)
    assert code == 1 and "torn response record" in err[0] and "long.warc @ 0" in err[0]
    assert captures(archive) == {}


def test_a_bad_chunked_body_is_indexed_but_never_ok(tmp_path):
    body = page(1)
    good = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 700]), body[i:i + 700]) for i in range(0, len(body), 700))
    chunked = [("Transfer-Encoding", "chunked")]
    builder = Builder().response(1, good + b"0\r\n\r\n", chunked).response(2, good[:-300], chunked)
    archive, code, out, err = imported(tmp_path, "chunks.warc.gz", builder.data())
    assert code == 1 and len(err) == 1
    assert f"chunks.warc.gz @ {builder.offsets[2]}: response record of {SITE}/tzgg/2.html: bad chunked body" in err[0]
    assert "the body was cut" in err[0]
    found = captures(archive)
    assert found[rid(1)][2] == "ok" and found[rid(2)][2] == "parse_error"  # kept (the bytes as archived), not ok
    code, out, _ = run("verify", "--archive-dir", archive)
    assert code == 0, out  # the WARC records are whole: the damage is in the payload the server sent


def test_a_whole_file_gzip_stream_is_not_one_member_per_record(tmp_path):
    data = gzip.compress(three_pages(compressed=False).data(), mtime=0)
    archive, code, _, err = imported(tmp_path, "onestream.warc.gz", data)
    assert code == 1 and len(err) == 1
    assert err[0].startswith("error: onestream.warc.gz @ 0: ") and "one gzip stream" in err[0]
    assert "`warcio recompress`" in err[0] and f"bytes 0–{len(data)}" in err[0]
    assert (archive / "warc" / "onestream.warc.gz").read_bytes() == data  # kept as it is, for a person to fix
    assert agree(archive, 1) == {}


# -- formats and record types ----------------------------------------------------------------------
def arc_file(compressed: bool) -> tuple[bytes, list[int]]:
    """An ARC v1 file: its filedesc record, then two HTTP responses (each its own gzip member when compressed)."""
    header = b"1 0 Yunlan test crawl\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [b"filedesc://yunlan.arc 127.0.0.1 20261120020000 text/plain %d\n%s" % (len(header), header)]
    for n in (1, 2):
        body = page(n)
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s" % (
            len(body), body)
        records.append(b"%s/tzgg/%d.html 10.0.0.%d 2026112002000%d text/html %d\n%s" % (
            SITE.encode(), n, n, n, len(http), http))
    offsets, out = [], BytesIO()
    for record in records:
        offsets.append(out.tell())
        out.write(gzip.compress(record + b"\n", mtime=0) if compressed else record + b"\n")
    return out.getvalue(), offsets


@pytest.mark.parametrize("compressed", [False, True])
def test_an_arc_file_is_indexed_as_what_it_holds(tmp_path, compressed):
    data, offsets = arc_file(compressed)
    name = "yunlan.arc.gz" if compressed else "yunlan.arc"
    archive, code, out, err = imported(tmp_path, name, data)
    assert code == 0 and err == [], out + err
    found = agree(archive, 0)  # the same record ids again: derived from the record's place, not random
    assert sorted((v[0], v[1], v[2], v[4]) for v in found.values()) == [
        ("response", 200, "ok", offsets[1]), ("response", 200, "ok", offsets[2])]
    with sqlite3.connect(archive / "index.db") as conn:
        copies = [load_copy(conn, archive / "warc", capture_id) for capture_id in found]
    assert sorted(copy.body for copy in copies) == [page(1), page(2)]


def test_resource_and_dns_records_are_captures(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    dns = b"20261120020000\nwww.yunlan.gov.cn.\t300\tIN\tA\t10.0.0.1\n"
    builder = (Builder().resource(1, f"urn:screenshot:{SITE}/", png, "image/png")
               .resource(2, f"{SITE}/dom-snapshot", page(2), "text/html; charset=utf-8")
               .resource(3, "dns:www.yunlan.gov.cn", dns, "text/dns", rtype="response")
               .resource(4, f"{SITE}/about", b"{}", "application/json", rtype="metadata"))
    archive, code, out, err = imported(tmp_path, "browser.warc.gz", builder.data())
    assert code == 0 and err == [], out + err
    found = agree(archive, 0)
    assert {k: (v[0], v[1], v[2], v[5]) for k, v in found.items()} == {
        rid(1): ("resource", None, "ok", "image/png"),
        rid(2): ("resource", None, "ok", "text/html; charset=utf-8"),
        rid(3): ("response", None, "ok", "text/dns")}
    assert any(line.strip() == "metadata 1: not indexed but read when govarchive wrote them (a run's summary, a "
               "failed fetch)" for line in out), out
    with sqlite3.connect(archive / "index.db") as conn:
        kinds = {key: (copy.kind, copy.body) for key in found for copy in [load_copy(conn, archive / "warc", key)]}
    assert kinds == {rid(1): ("image", png), rid(2): ("html", page(2)), rid(3): ("text", dns)}


def test_duplicate_record_ids_are_counted_and_the_report_adds_up(tmp_path):
    builder = Builder().response(1).request(101, of=1).response(1).request(101, of=1).response(2)
    archive, code, out, err = imported(tmp_path, "twice.warc.gz", builder.data())
    assert code == 0 and err == [], out + err
    assert ("3 capture records (response 3) - 1 repeating the WARC-Record-ID of an earlier record (the first is "
            "kept) = 2 captures indexed") in "\n".join(out)
    assert f"duplicate record ids: e.g. {rid(1)} at twice.warc.gz @ {builder.offsets[1]} (first at twice.warc.gz " \
        "@ 0)" in "\n".join(out)  # offsets[1]: where the second record of that id starts
    found = agree(archive, 0)
    assert len(found) == 2 and found[rid(1)][4] == 0  # the first record of the id is the one indexed
    code, out, _ = run("verify", "--archive-dir", archive)
    assert "1 record(s) repeat the WARC-Record-ID of a capture indexed elsewhere" in "\n".join(out)


@pytest.mark.parametrize("content, why", [(b"", "an empty file"),
                                         ("云岚市 not a WARC file at all\n".encode(), "not a WARC or ARC file")])
@pytest.mark.parametrize("mode", [(), ("--in-place",)])
def test_an_empty_or_non_warc_file_is_refused_in_one_line(tmp_path, content, why, mode):
    archive, code, _out, err = imported(tmp_path, "notes.warc.gz", content, *mode)
    assert code == 1 and err == [f"error: notes.warc.gz @ 0: {why}" + err[0].split(why, 1)[1]], err
    assert "nothing imported" in err[0]
    assert not list((archive / "warc").iterdir()) if (archive / "warc").exists() else True


# -- where imported files go ------------------------------------------------------------------------
def test_import_copies_a_verified_file_into_warc_and_handles_name_clashes(tmp_path):
    first = three_pages().data()
    archive, code, out, _ = imported(tmp_path, "yunlan.warc.gz", first)
    assert code == 0 and "yunlan.warc.gz: copied into warc/" in "\n".join(out)
    assert (archive / "warc" / "yunlan.warc.gz").read_bytes() == first
    (tmp_path / "from-elsewhere" / "yunlan.warc.gz").unlink()  # the archive keeps its own copy
    assert len(agree(archive, 0)) == 3

    archive, code, out, _ = imported(tmp_path, "yunlan.warc.gz", first)  # the same bytes again
    assert code == 0 and "already in the archive (the same bytes)" in "\n".join(out)
    assert len(captures(archive)) == 3 and len(list((archive / "warc").iterdir())) == 1

    other = Builder().response(7).data()  # other bytes under the same name
    archive, code, out, _ = imported(tmp_path, "yunlan.warc.gz", other)
    assert code == 0 and "copied into warc/ as yunlan-2.warc.gz" in "\n".join(out)
    assert (archive / "warc" / "yunlan-2.warc.gz").read_bytes() == other
    assert len(agree(archive, 0)) == 4


def test_a_file_without_a_warc_name_gets_one(tmp_path):
    archive, code, out, _ = imported(tmp_path, "crawl-output.bin", three_pages().data())
    assert code == 0 and (archive / "warc" / "crawl-output.bin.warc.gz").is_file(), out
    assert len(agree(archive, 0)) == 3


def test_in_place_files_are_found_by_verify_reindex_and_the_viewer(tmp_path):
    data = three_pages().data()
    archive, code, out, _ = imported(tmp_path, "yunlan.warc.gz", data, "--in-place")
    source = tmp_path / "from-elsewhere" / "yunlan.warc.gz"
    assert code == 0 and "yunlan.warc.gz: recorded in place" in "\n".join(out)
    assert not (archive / "warc" / "yunlan.warc.gz").exists()
    assert f"yunlan.warc.gz\t{source.resolve()}" in (archive / "warc" / IN_PLACE_LIST).read_text(encoding="utf-8")
    found = agree(archive, 0)
    assert len(found) == 3
    with sqlite3.connect(archive / "index.db") as conn:
        assert load_copy(conn, archive / "warc", rid(2)).body == page(2)

    elsewhere = tmp_path / "b" / "yunlan.warc.gz"  # another file of that name, in another folder
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(Builder().response(8).data())
    code, out, _ = run("import", elsewhere, "--in-place", "--archive-dir", archive)
    assert code == 0 and "recorded in place as yunlan-2.warc.gz" in "\n".join(out)

    source.rename(tmp_path / "moved.warc.gz")
    code, out, _ = run("verify", "--archive-dir", archive)
    assert code == 1 and f"imported in place from {source.resolve()}, which is not there any more" in "\n".join(out)


def test_a_crawl_archive_with_an_imported_file_reindexes_both(demo_archive, tmp_path):
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    crawled = len(captures(archive))
    source = tmp_path / "yunlan.warc.gz"
    source.write_bytes(three_pages().data())
    code, out, err = run("import", source, "--archive-dir", archive)
    assert code == 0, out + err
    found = agree(archive, 0)
    assert len(found) == crawled + 3  # reindex keeps the crawl's captures and the imported ones


# -- one line per error ----------------------------------------------------------------------------
def test_an_unexpected_error_is_one_line_unless_debug(tmp_path, monkeypatch):
    import govarchive.warc.importer

    def broken(*args, **kwargs):
        raise RuntimeError("the disk said no\nand more")

    monkeypatch.setattr(govarchive.warc.importer, "import_warcs", broken)
    source = tmp_path / "x.warc.gz"
    source.write_bytes(three_pages().data())
    result = CliRunner().invoke(cli, ["import", str(source), "--archive-dir", str(tmp_path / "a")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == ("Error: the disk said no and more (RuntimeError; run again with --debug for "
                                     "the traceback)")
    result = CliRunner().invoke(cli, ["import", str(source), "--archive-dir", str(tmp_path / "a"), "--debug"])
    assert isinstance(result.exception, RuntimeError)
