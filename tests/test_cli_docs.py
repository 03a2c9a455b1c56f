"""The CLI's messages, and the README naming every command and setting."""

from pathlib import Path

from click.testing import CliRunner

from govarchive import config
from govarchive.cli import cli

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
    from govarchive.index import open_index

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
