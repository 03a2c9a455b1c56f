"""Defaults are written once: the fields of ArchiveConfig. The settings, the Scrapy settings module and
library functions take theirs from it."""

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from govarchive import settings
from govarchive.core import config
from govarchive.core.config import DEFAULT_CONFIG, DEFAULTS, ArchiveConfig, archive_config

ROOT = Path(__file__).resolve().parents[1]


def test_no_settings_give_the_config_defaults():
    # (robots.txt is Scrapy's ROBOTSTXT_OBEY, whose project setting is True)
    assert archive_config({"ROBOTSTXT_OBEY": True}) == ArchiveConfig() == DEFAULT_CONFIG
    assert DEFAULT_CONFIG.paths.root == Path("archive")


def test_every_config_field_is_a_setting_with_its_default():
    for item in fields(ArchiveConfig):
        if item.name in config.NOT_SETTINGS:
            continue
        name = config.setting_name(item.name)
        default = getattr(DEFAULT_CONFIG, item.name)
        assert DEFAULTS[name] == ("" if default is None else default), name
        assert getattr(settings, name) == DEFAULTS[name], name
    assert settings.GOVARCHIVE_ARCHIVE_DIR == "archive"  # type: ignore[attr-defined]  # (set from DEFAULTS)


def test_scrapy_settings_give_the_same_config_as_none():
    from scrapy.settings import Settings

    assert archive_config(Settings({**DEFAULTS, "ROBOTSTXT_OBEY": True})) == DEFAULT_CONFIG


@pytest.mark.parametrize("path", sorted((ROOT / "govarchive").rglob("*.py")) + sorted((ROOT / "pipelines").glob("*.py"))
                         + sorted((ROOT / "spiders").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_repeats_a_default_of_the_config(path):
    """A parameter named like a setting (max_body_bytes, dormant_days…) takes its default from the config,
    never a number written again."""
    names = {item.name for item in fields(ArchiveConfig)} - config.NOT_SETTINGS
    names |= {"max_bytes", "min_bytes"}  # the WARC writer's and the deduplicator's names for two of them
    if path.name == "config.py" and path.parent.name == "core":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    repeated = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            positional = args.posonlyargs + args.args
            pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
            repeated += [f"{node.name}({a.arg}={ast.unparse(d)})" for a, d in pairs
                         if a.arg in names and isinstance(d, ast.Constant) and d.value not in (None, "")]
        elif isinstance(node, ast.ClassDef):  # dataclass fields and class attributes
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign):
                    target, value = statement.target, statement.value
                elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target, value = statement.targets[0], statement.value
                else:
                    continue
                if isinstance(target, ast.Name) and target.id in names and isinstance(value, ast.Constant) \
                        and value.value not in (None, ""):
                    repeated.append(f"{node.name}.{target.id} = {ast.unparse(value)}")
    assert not repeated, repeated


def test_no_spider_callback_is_a_generator_that_returns_a_value():
    """The check Scrapy makes on every response, which the settings turn off (WARN_ON_GENERATOR_RETURN_VALUE),
    made once here on every callback of govarchive's spiders."""
    from scrapy.utils.misc import is_generator_with_return_value, walk_modules_iter
    from scrapy.utils.spider import iter_spider_classes

    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    spiders = [cls for module in walk_modules_iter("spiders") for cls in iter_spider_classes(module)]
    assert {cls.name for cls in spiders} >= {"portal", "wechat", "weibo"}
    for cls in spiders:
        for name in dir(cls):
            method = getattr(cls, name)
            if callable(method) and (name.startswith("parse") or name == "failed"):
                assert not is_generator_with_return_value(method), f"{cls.__name__}.{name}"
