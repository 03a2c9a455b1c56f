"""The CLI's messages, and the README naming every command and setting."""

import re
from pathlib import Path

from click.testing import CliRunner

from govarchive.cli import cli
from govarchive.core import config

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_and_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"govarchive {name}" in readme, name
    for setting in config.DEFAULTS:
        assert setting in readme, setting
    assert "make demo" in readme and "make test" in readme


def test_every_setting_has_a_default_in_scrapy_settings():
    from govarchive import settings

    for setting, default in config.DEFAULTS.items():
        assert getattr(settings, setting) == default, setting


def test_reindex_without_archive_says_what_to_fix(tmp_path):
    result = CliRunner().invoke(cli, ["reindex", "--archive-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_summary_of_a_folder_without_an_index_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["summary", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 1 and "index.db does not exist: run `govarchive crawl`" in result.output


def test_crawl_rejects_malformed_arguments(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "portal", "-a", "novalue", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 2 and "KEY=VALUE" in result.output


def test_scrapy_cfg_points_to_the_settings():
    assert "default = govarchive.settings" in (ROOT / "scrapy.cfg").read_text()


def test_every_table_and_column_of_the_index_is_documented(tmp_path):
    """docs/schema.md is the public interface's reference: a column missing there is a bug."""
    from govarchive.index.store import open_index

    index = open_index(tmp_path / "index.db")
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    import re

    internal = re.compile(r"^_|_fts_(data|idx|content|docsize|config)$")  # sqlite-utils' and FTS5's own
    headings = "\n".join(line for line in doc.splitlines() if line.startswith("## "))
    missing = [f"{table.name}.{column}" for table in index.db.tables if not internal.search(table.name)
               for column in table.columns_dict
               if not re.search(rf"\b{table.name}\b", headings) or f"`{column}`" not in doc]
    index.close()
    assert not missing, missing


def _exit_code_table(readme: str) -> dict[int, str]:
    section = readme[readme.index("Exit codes, for schedulers"):]
    section = section[:section.index("\n\n", section.index("| code | meaning |"))]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.M)}


def test_exit_codes_are_the_readmes(tmp_path):
    """The README's exit codes are the code's: the outcome's codes, and 2 (not 1) for every usage mistake."""
    from govarchive.crawl import outcome

    codes = _exit_code_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert set(codes) == {outcome.EXIT_OK, outcome.EXIT_FATAL, 2, outcome.EXIT_PARTIAL, outcome.EXIT_LOCKED,
                          outcome.EXIT_BLOCKED}
    assert codes[2].startswith("a usage mistake") and codes[outcome.EXIT_LOCKED].startswith("another run holds")
    sources = tmp_path / "bad.toml"
    sources.write_text("[[source]\n")
    usage = [["sources", "check", str(sources)], ["crawl", "portal", "--sources", str(sources)],
             ["crawl", "portal", "--url", "https://www.example.gov.cn/", "-s", "DOWNLOAD_DELAY=abc"],
             ["crawl", "portal", "--url", "https://www.example.gov.cn/", "-s", "GOVARCHIVE_DORMANT_DAY=3"],
             ["export", "csv", "nosuch"], ["analyse", "--as-of", "soon"], ["crawl", "portals"]]
    for args in usage:
        result = CliRunner().invoke(cli, [*args, "--archive-dir", str(tmp_path / "archive")])
        assert result.exit_code == 2, (args, result.output)
    for args in (["summary"], ["status"], ["export", "csv", "posts"], ["serve"]):  # no archive: an error, 1
        result = CliRunner().invoke(cli, [*args, "--archive-dir", str(tmp_path / "nowhere")])
        assert result.exit_code == 1, (args, result.output)


def test_the_layout_names_every_module():
    """The README's layout rows (one per layer package of govarchive/) name every module, and nothing else."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `govarchive/([a-z_]*/?)` \|.*$", readme, re.M)}
    folders = [""] + sorted(f"{p.name}/" for p in (ROOT / "govarchive").iterdir() if (p / "__init__.py").is_file())
    assert sorted(rows) == folders, "one layout row per package of govarchive/"
    for folder in folders:
        named = set(re.findall(r"`([a-z_]+\.py)`", rows[folder]))
        modules = {p.name for p in (ROOT / "govarchive" / folder).glob("*.py")} - ({"__init__.py"} - named)
        assert modules - named == set(), (folder, "modules the layout does not name")
        assert named - modules == set(), (folder, "the layout names modules that do not exist")
