"""Every real WARC and ARC file in ``../shared/realwarcs`` (written by warcio, pywb, wget, wpull, Heritrix, jwat,
jwarc and warcio.js; some broken on purpose upstream): ``import``, ``verify`` and ``reindex`` agree on it, copied
into the archive or recorded in place. Skipped when the folder is absent.

Nothing here knows a file by its name: a file is judged by what the commands say of it, and warcio's own
reader gives an independent opinion (a file warcio finds damaged must be called damaged).
"""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from govarchive.cli import cli
from govarchive.warc.importer import import_warcs

REAL = Path(__file__).resolve().parents[2] / "shared" / "realwarcs"
FILES = sorted(p for p in REAL.iterdir() if p.is_file() and p.name != "SOURCES.md") if REAL.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/realwarcs is not here")
ERROR_LINE = re.compile(r"^error: (?P<name>\S+) @ (?P<offset>\d+): \S")


def run(*args: object) -> tuple[int, list[str], list[str]]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return (result.exit_code, [x for x in result.stdout.splitlines() if x.strip()],
            [x for x in result.stderr.splitlines() if x.strip()])


def capture_count(archive: Path) -> int:
    with sqlite3.connect(archive / "index.db") as conn:
        return conn.execute("select count(*) from captures").fetchone()[0]


def warcio_finds_damage(path: Path) -> str | None:
    """What warcio's own reader (the one behind ``warcio check``) finds wrong with the file, if anything: an
    error, a record not followed by blank lines, a digest that fails, a block shorter than its length."""
    with open(path, "rb") as fh, contextlib.redirect_stderr(io.StringIO()):
        iterator = ArchiveIterator(fh, check_digests=True)
        try:
            for record in iterator:
                iterator.read_to_end(record)
                if record.digest_checker.passed is False:
                    return f"digest: {record.digest_checker.problems}"
                if getattr(record.raw_stream, "limit", 0):
                    return "a block shorter than its length"
        except Exception as exc:  # warcio gives up on the file
            return f"{type(exc).__name__}: {exc}"
        return "a record not followed by blank lines" if iterator.err_count else None


@pytest.mark.parametrize("mode", ["copy", "in-place"])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_import_verify_and_reindex_agree_on_every_real_file(tmp_path, path, mode):
    archive = tmp_path / "archive"
    code, out, err = run("import", path, "--archive-dir", archive, *(["--in-place"] if mode == "in-place" else []))
    imported = capture_count(archive)
    placed = archive / "warc" / path.name
    if mode == "copy":
        assert placed.read_bytes() == path.read_bytes()  # the archive holds the file, byte for byte
    else:
        assert not placed.exists()
    if imported or any(line.startswith("  records by type") for line in out):  # the report adds up to the rows
        assert any(line.endswith(f"= {imported:,} captures indexed") for line in out), out
    if code == 0:  # whole; revisits whose originals are in files not imported are said, one warning line
        assert len(err) <= 1 and all(re.match(rf"^warning: {re.escape(path.name)} @ \d+: revisit record ", e)
                                     for e in err), err
        code, lines, _ = run("verify", "--archive-dir", archive)
        assert code == 0, lines
    else:  # a broken file: one line naming it and the offset of its first problem, and an exit code that says so
        assert code == 1 and len(err) == 1, err
        match = ERROR_LINE.match(err[0])
        assert match and match["name"] == path.name, err
        if "bad chunked body" not in err[0]:  # damage of the WARC itself (not of a payload): verify says it too
            verify, lines, _ = run("verify", "--archive-dir", archive)
            assert verify == 1, lines
    assert warcio_finds_damage(path) is None or code == 1, (warcio_finds_damage(path), out, err)
    code_after, lines, _ = run("reindex", "--archive-dir", archive)
    assert capture_count(archive) == imported, lines  # reindex keeps every capture whose record exists
    assert code_after in (0, 1)


def test_files_that_lack_only_their_originals_verify_beside_the_files_holding_them(tmp_path):
    """A file of revisits whose originals are in another file is incomplete alone (a warning, exit 0: the file
    is whole); imported with the other files (at once, or later), every revisit finds its original, the warning
    goes and the archive verifies."""
    whole, wanting = [], []
    for path in FILES:
        report = import_warcs([path], tmp_path / f"alone-{path.name}")
        [file] = report.per_file
        if not file.problems() and not file.refused:
            (wanting if file.no_original else whole).append(path)
    assert whole, "no real file imported whole"
    together = tmp_path / "together"
    code, out, err = run("import", *whole, *wanting, "--archive-dir", together)
    assert code == 0 and err == [], out + err
    code, lines, _ = run("verify", "--archive-dir", together)
    assert code == 0, lines

    later = tmp_path / "later"
    if wanting:
        code, _, err = run("import", *wanting, "--archive-dir", later)
        assert code == 0 and err and all(e.startswith("warning: ") for e in err)
        code, lines, _ = run("verify", "--archive-dir", later)
        assert code == 0 and any("refer to originals in files that were never imported" in x for x in lines), lines
    code, out, err = run("import", *whole, "--archive-dir", later)
    assert code == 0, out + err
    code, lines, _ = run("verify", "--archive-dir", later)
    assert code == 0 and not any("never imported" in x for x in lines), lines
    assert capture_count(later) == capture_count(together)
