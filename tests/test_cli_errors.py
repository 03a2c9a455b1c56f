"""Every error a user can cause ends in one line naming the fix: no traceback, no usage screen."""

from __future__ import annotations

import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from govarchive.cli import cli, require_free_port, require_index

ROOT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = ROOT / "govarchive" / "demo" / "sources.toml"
INDEX_HINT = "does not exist: run `govarchive crawl` or `make demo` first, or pass --archive-dir"


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "bad.toml").write_text("[[source]\nid = ")
    (tmp_path / "unknown.toml").write_text('[[source]]\nid = "xmt"\nkind = "listing"\nplatform = "website"\n'
                                           'url = "https://www.example.gov.cn/xxgk/xmt/"\ncolour = "red"\n')
    (tmp_path / "garbage" / "warc").mkdir(parents=True)
    (tmp_path / "garbage" / "index.db").write_bytes(b"this is not SQLite " * 100)
    return {"tmp": tmp_path, "nowhere": tmp_path / "nowhere", "unwritable": tmp_path / "a-file" / "archive",
            "bad": tmp_path / "bad.toml", "unknown": tmp_path / "unknown.toml",
            "garbage": tmp_path / "garbage"}


def fails_in_one_line(args: list[str], *expected: str, code: int | None = None, env: dict | None = None) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    assert code is None or result.exit_code == code, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an uncaught error
    assert "Traceback" not in result.output and "Usage:" not in result.output, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for words in expected:
        assert words in lines[0], (words, lines[0])
    return lines[0]


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["summary"], ["analyse"], ["serve"]])
def test_commands_that_read_an_archive_need_its_index(files, command):
    fails_in_one_line([*command, "--archive-dir", files["nowhere"]], "nowhere/index.db", INDEX_HINT)
    fails_in_one_line([*command, "--archive-dir", files["tmp"]], "index.db", INDEX_HINT)


def test_reindex_needs_warc_files(files):
    fails_in_one_line(["reindex", "--archive-dir", files["nowhere"]], "nowhere/warc does not exist",
                      "run `govarchive crawl` or `make demo` first")


@pytest.mark.parametrize("command", [["export", "csv", "accounts"], ["export", "json", "runs"],
                                     ["export", "cdxj"], ["export", "wacz"]])
def test_exports_need_an_archive(files, command):
    fails_in_one_line([*command, "--archive-dir", files["nowhere"]], "does not exist")


def test_an_index_that_is_not_sqlite(files):
    for command in (["status"], ["summary"]):
        fails_in_one_line([*command, "--archive-dir", files["garbage"]], "cannot read", "govarchive reindex")


@pytest.mark.parametrize("command", [["sources", "check"], ["sources", "list"],
                                     ["crawl", "portal", "--sources"]])
def test_bad_sources_files(files, command):
    """A bad sources file is a usage mistake, exit 2 as the README says (it was 1)."""
    fails_in_one_line([*command, files["tmp"] / "missing.toml"], "missing.toml: no such sources file", code=2)
    fails_in_one_line([*command, files["bad"]], "bad.toml: not valid TOML", "line 1", code=2)
    fails_in_one_line([*command, files["unknown"]],
                      "unknown.toml: entry 1 (id 'xmt'): unknown field(s) colour", code=2)


def test_sources_given_as_a_spider_argument_are_checked_too(files):
    fails_in_one_line(["crawl", "portal", "-a", f"sources={files['unknown']}"], "unknown field(s) colour")
    fails_in_one_line(["crawl", "portal", "--sources", DEMO_SOURCES, "--source", "nope"],
                      "unknown source id(s): nope")


@pytest.mark.parametrize("args, words", [
    (["-a", "novalue"], ["-a 'novalue' is not KEY=VALUE", "-a uid="]),
    (["--url", "https://www.example.gov.cn/", "-s", "=2"],
     ["-s '=2' is not KEY=VALUE", "-s DOWNLOAD_DELAY=2"]),
    (["--url", "https://www.example.gov.cn/", "-s", "GOVARCHIVE_PROGRESS=loud"],
     ["GOVARCHIVE_PROGRESS: 'loud' is not one of auto, live, log, off", "fix the -s value"]),
    (["--url", "https://www.example.gov.cn/", "-s", "GOVARCHIVE_DORMANT_DAYS=two weeks"],
     ["GOVARCHIVE_DORMANT_DAYS: 'two weeks' is not a whole number"]),
    (["--url", "https://www.example.gov.cn/", "-s", "GOVARCHIVE_AS_OF=yesterday"], ["GOVARCHIVE_AS_OF"]),
    (["--url", "www.example.gov.cn/xxgk/"], ["is not an http(s) URL", "write it in full"]),
    ([], ["nothing to crawl", "--url URL, --sources FILE"]),
    (["--source", "xmt"], ["pass --sources FILE too"]),
])
def test_bad_crawl_arguments(args, words):
    fails_in_one_line(["crawl", "portal", *args], *words, code=2)


BAD_SETTINGS = [
    # a value Scrapy would choke on deep inside the crawl (DOWNLOAD_DELAY=abc: a 111-line traceback and a .lock)
    ("DOWNLOAD_DELAY=abc", ["-s DOWNLOAD_DELAY=abc is not a number", "write it like -s DOWNLOAD_DELAY=0.5"]),
    ("CONCURRENT_REQUESTS=2.5", ["-s CONCURRENT_REQUESTS=2.5 is not a whole number"]),
    ("ROBOTSTXT_OBEY=maybe", ["-s ROBOTSTXT_OBEY=maybe is not true or false"]),
    ("DOWNLOAD_SLOTS=fast", ["-s DOWNLOAD_SLOTS=fast is not a JSON object"]),
    ("LOG_LEVEL=LOUD", ["-s LOG_LEVEL=LOUD is not a log level"]),
    ("GOVARCHIVE_REFETCH_POSTS=maybe", ["GOVARCHIVE_REFETCH_POSTS: 'maybe' is not true or false", "fix the -s value"]),
    ("GOVARCHIVE_BACKGROUND_NICE=40", ["GOVARCHIVE_BACKGROUND_NICE: 40 must be from 0 (the crawl's own priority) to 19"]),
    ("GOVARCHIVE_CONTACT=云岚市 档案馆", ["GOVARCHIVE_CONTACT", "is not a URL or an e-mail address"]),
    # a misspelt name was accepted silently (statuses judged at 14 days, not 3)
    ("GOVARCHIVE_DORMANT_DAY=3", ["unknown setting -s GOVARCHIVE_DORMANT_DAY: did you mean GOVARCHIVE_DORMANT_DAYS?"]),
    ("DOWNLOAD_DELAYS=1", ["unknown setting -s DOWNLOAD_DELAYS: did you mean DOWNLOAD_DELAY?"]),
    ("GOVARCHIVE_COLOUR=red", ["unknown setting -s GOVARCHIVE_COLOUR: the govarchive settings are listed in the README"]),
]


@pytest.mark.parametrize("setting, words", BAD_SETTINGS, ids=[s for s, _ in BAD_SETTINGS])
def test_a_bad_or_misspelt_setting_stops_before_anything_starts(tmp_path, setting, words):
    archive = tmp_path / "archive"
    fails_in_one_line(["crawl", "portal", "--url", "https://www.example.gov.cn/", "-s", setting,
                       "--archive-dir", archive], *words, code=2)
    assert not archive.exists()  # no archive folder, no .lock left behind


@pytest.mark.parametrize("spider, argument, words", [
    ("portal", "ulr=https://www.example.gov.cn/", ["unknown spider argument -a ulr: did you mean url?"]),
    ("portal", "sourse=x.toml", ["unknown spider argument -a sourse: did you mean source?"]),
    ("weibo", "uids=1234567890", ["unknown spider argument -a uids: did you mean uid?"]),
    ("portal", "uid=1234567890", ["unknown spider argument -a uid: portal takes url, sources, source, base_url"]),
])
def test_a_misspelt_spider_argument(tmp_path, spider, argument, words):
    archive = tmp_path / "archive"
    fails_in_one_line(["crawl", spider, "--url", "https://www.example.gov.cn/", "-a", argument,
                       "--archive-dir", archive], *words, code=2)
    assert not archive.exists()


def test_a_misspelt_setting_in_the_environment(tmp_path):
    """GOVARCHIVE_* environment variables are settings: a misspelt one (even GOVARCHIVE_ARCHIVE_DIR's, which would
    send every command to ./archive) stops any command; the test suite's own switches are not settings."""
    for command in (["status", "--archive-dir", tmp_path], ["crawl", "portal", "--url", "https://www.example.gov.cn/",
                                                            "--archive-dir", tmp_path / "a"]):
        fails_in_one_line(command, "unknown setting GOVARCHIVE_ARCHIVEDIR in the environment: did you mean "
                          "GOVARCHIVE_ARCHIVE_DIR?", code=2, env={"GOVARCHIVE_ARCHIVEDIR": "/srv/archive"})
    fails_in_one_line(["crawl", "portal", "--url", "https://www.example.gov.cn/", "--archive-dir", tmp_path / "a"],
                      "GOVARCHIVE_DORMANT_DAYS: 'two weeks' is not a whole number",
                      "fix the environment variable GOVARCHIVE_DORMANT_DAYS", code=2,
                      env={"GOVARCHIVE_DORMANT_DAYS": "two weeks"})
    assert not (tmp_path / "a").exists()
    fails_in_one_line(["status", "--archive-dir", tmp_path], INDEX_HINT, code=1,  # a switch of the test suite: fine
                      env={"GOVARCHIVE_E2E": "require", "GOVARCHIVE_KILL_SEED": "7"})


def test_settings_from_the_environment_are_read_below_the_command_line(tmp_path, monkeypatch):
    from govarchive.cli import crawl_settings

    monkeypatch.setenv("GOVARCHIVE_OPERATOR", "云岚市档案馆")
    monkeypatch.setenv("GOVARCHIVE_DORMANT_DAYS", "7")
    settings = crawl_settings("portal", tmp_path, {"url": "https://www.example.gov.cn/"},
                              {"GOVARCHIVE_DORMANT_DAYS": "3"})
    assert settings["GOVARCHIVE_OPERATOR"] == "云岚市档案馆" and settings["GOVARCHIVE_DORMANT_DAYS"] == "3"
    assert not tmp_path.joinpath(".lock").exists()


def test_unknown_spider():
    fails_in_one_line(["crawl", "portals", "--url", "https://www.example.gov.cn/"],
                      "no spider named 'portals': use one of portal, wechat, weibo", code=2)


@pytest.mark.parametrize("command", [["crawl", "portal", "--url", "https://www.example.gov.cn/"], ["demo"],
                                     ["import", DEMO_SOURCES]])
def test_an_archive_folder_that_cannot_be_written(files, command):
    fails_in_one_line([*command, "--archive-dir", files["unwritable"]], "cannot write to the archive folder",
                      "pass --archive-dir with a folder you can write to")


def test_reindex_into_a_folder_that_cannot_be_written(files, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    (files["tmp"] / "archive" / "warc").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    fails_in_one_line(["reindex", "--archive-dir", files["tmp"] / "archive"], "(Permission denied)")


@pytest.mark.parametrize("command", [["export", "csv", "nosuch"], ["export", "json", "postss"]])
def test_an_unknown_table_is_a_usage_mistake(files, command):
    fails_in_one_line([*command, "--archive-dir", files["nowhere"]], "unknown table", "choose one of accounts, posts",
                      code=2)


@pytest.mark.parametrize("command", [["demo-web"], ["demo"]])
def test_a_port_in_use(busy_port, files, command):
    archive = ["--archive-dir", files["tmp"] / "a"] if command == ["demo"] else []
    fails_in_one_line([*command, "--port", busy_port, *archive],
                      f"port {busy_port} on 127.0.0.1 is in use: pass --port N or stop the program using it")


def test_serve_on_a_port_in_use(busy_port, tmp_path):
    from govarchive.index.store import open_index

    open_index(tmp_path / "index.db").close()
    fails_in_one_line(["serve", "--archive-dir", tmp_path, "--port", busy_port],
                      f"port {busy_port} on 127.0.0.1 is in use")


def test_a_port_that_does_not_exist():
    fails_in_one_line(["demo-web", "--port", "70000"], "port 70000 does not exist")


def test_analyse_with_a_bad_date(tmp_path):
    from govarchive.index.store import open_index

    open_index(tmp_path / "index.db").close()
    fails_in_one_line(["analyse", "--archive-dir", tmp_path, "--as-of", "last week"],
                      "--as-of 'last week' is not an ISO date or time", "2026-11-20")


def test_the_shared_helpers(tmp_path, busy_port):
    with pytest.raises(click.ClickException) as error:
        require_index(tmp_path)
    assert error.value.message == f"{tmp_path / 'index.db'} {INDEX_HINT}"
    (tmp_path / "index.db").touch()
    assert require_index(tmp_path) == tmp_path / "index.db"
    with pytest.raises(click.ClickException) as error:
        require_free_port("127.0.0.1", busy_port)
    assert error.value.message == (f"port {busy_port} on 127.0.0.1 is in use: pass --port N or stop the "
                                   "program using it")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    require_free_port("127.0.0.1", free)  # no error
