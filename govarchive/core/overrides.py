"""What a crawl is told on its command line and in its environment, checked before anything starts.

A setting given with ``-s NAME=VALUE`` (or a ``GOVARCHIVE_*`` environment variable) and a spider
argument given with ``-a NAME=VALUE`` reach Scrapy as text. Scrapy reads them when a component first
asks, deep inside the crawl: a bad number is a traceback after the archive's lock was taken, and a
misspelt name is silently ignored (``-s GOVARCHIVE_DORMANT_DAY=3`` would judge statuses at 14 days).
Here each one is checked against what the crawl knows, and a problem is one :class:`BadOption`
sentence naming the fix, with a "did you mean" for a near miss:

- a setting name must be one of Scrapy's or the project's (``govarchive/settings.py``);
- its value must read as the kind of value its default is (a whole number, a number, true/false, a
  JSON object, a log level); ``GOVARCHIVE_*`` values are read by :func:`govarchive.core.config.archive_config`;
- a spider argument must be a parameter of the spider (``url``, ``sources``, ``source``, ``base_url``;
  ``uid`` and ``api`` for ``weibo``);
- a ``GOVARCHIVE_*`` environment variable must be a setting (it is then read as one, below ``-s``), or
  one of the test suite's own switches (:data:`HARNESS_VARIABLES`).
"""

from __future__ import annotations

import difflib
import inspect
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import scrapy
from scrapy.settings import BaseSettings

from govarchive.core.config import DEFAULTS

PREFIX = "GOVARCHIVE_"
# Environment variables of the test suite and `make` (README, "Tests"): switches of the harness, not settings.
HARNESS_VARIABLES = frozenset({"GOVARCHIVE_E2E", "GOVARCHIVE_PYWB", "GOVARCHIVE_SCREENSHOTS", "GOVARCHIVE_KILL_SEED",
                               "GOVARCHIVE_KILL_TRIALS"})
# Scrapy settings whose default is a whole number but which Scrapy reads as a number of seconds.
SECONDS_WITH_WHOLE_DEFAULT = frozenset({"DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "DNS_TIMEOUT"})
LOG_LEVEL_SETTINGS = frozenset({"LOG_LEVEL", "RETRY_GIVE_UP_LOG_LEVEL"})
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class BadOption(ValueError):
    """A setting, spider argument or environment variable a crawl cannot use: one sentence with the fix."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``: did you mean X?`` for the closest known name, or nothing. ``GOVARCHIVE_*`` names are compared
    with each other without their shared prefix (which would make every one look close)."""
    ours = name.upper().startswith(PREFIX)
    candidates = {k.upper().removeprefix(PREFIX): k for k in known if k.upper().startswith(PREFIX) == ours}
    close = difflib.get_close_matches(name.upper().removeprefix(PREFIX), list(candidates), n=1, cutoff=0.6)
    return f": did you mean {candidates[close[0]]}?" if close else ""


# -- settings -----------------------------------------------------------------------------------------
def check_setting_names(names: Iterable[str], settings: BaseSettings, how: str = "-s") -> None:
    """Every name must be a setting ``settings`` (Scrapy's defaults and the project's) knows."""
    known = set(settings)
    for name in names:
        if name not in known:
            hint = did_you_mean(name, known) or (
                ": the govarchive settings are listed in the README" if name.startswith(PREFIX)
                else ": see Scrapy's settings, or the README for govarchive's")
            raise BadOption(f"unknown setting {how} {name}{hint}")


def check_setting_values(overrides: Mapping[str, Any], settings: BaseSettings, how: str = "-s") -> None:
    """Each Scrapy setting's value must read as the kind of value its default is (``settings`` holds the
    defaults, before the overrides). ``GOVARCHIVE_*`` values are left to :func:`archive_config`."""
    for name, value in overrides.items():
        if name.startswith(PREFIX) or not isinstance(value, str):
            continue
        kind = _kind(name, settings.get(name))
        if kind and not _reads_as(kind, value.strip(), name):
            what, example = KINDS[kind]
            raise BadOption(f"{how} {name}={value} is not {what}: write it like {how} {name}={example}")


# kind -> (what a value must be, an example)
KINDS = {"level": (f"a log level ({', '.join(LOG_LEVELS)})", "INFO"), "bool": ("true or false", "False"),
         "number": ("a number", "0.5"), "whole": ("a whole number", "8"), "json": ("a JSON object", '{"name":1}')}


def _kind(name: str, default: Any) -> str | None:
    """How Scrapy reads the setting, from its name and its default's type (None: as text)."""
    if name in LOG_LEVEL_SETTINGS:
        return "level"
    if isinstance(default, bool) or name.endswith("_ENABLED"):
        return "bool"
    if isinstance(default, float) or (isinstance(default, int) and name in SECONDS_WITH_WHOLE_DEFAULT):
        return "number"
    if isinstance(default, int):
        return "whole"
    if isinstance(default, (dict, BaseSettings)):
        return "json"
    return None


def _reads_as(kind: str, text: str, name: str) -> bool:
    try:
        if kind == "level":
            return text.upper() in LOG_LEVELS or text.isdigit()
        if kind == "bool":
            BaseSettings({name: text}).getbool(name)  # Scrapy's own reading
        elif kind == "number":
            float(text)
        elif kind == "whole":
            int(text)
        elif kind == "json":
            return isinstance(json.loads(text), dict)
    except ValueError:
        return False
    return True


def environment_settings(environ: Mapping[str, str], settings: BaseSettings) -> dict[str, str]:
    """The ``GOVARCHIVE_*`` settings of the environment (``GOVARCHIVE_ARCHIVE_DIR`` is the command's
    ``--archive-dir``). An unknown ``GOVARCHIVE_*`` variable is a :class:`BadOption`."""
    check_environment(environ)
    return {name: value for name, value in environ.items()
            if name.startswith(PREFIX) and name in DEFAULTS and name != "GOVARCHIVE_ARCHIVE_DIR"}


def check_environment(environ: Mapping[str, str]) -> None:
    """Every ``GOVARCHIVE_*`` environment variable must be a setting or a test-suite switch."""
    for name in sorted(environ):
        if name.startswith(PREFIX) and name not in DEFAULTS and name not in HARNESS_VARIABLES:
            hint = did_you_mean(name, DEFAULTS) or ": the govarchive settings are listed in the README"
            raise BadOption(f"unknown setting {name} in the environment{hint}")


# -- spider arguments ---------------------------------------------------------------------------------
def spider_arguments(spidercls: type) -> list[str]:
    """The ``-a`` names a spider takes: the named parameters of its ``__init__`` and its bases'."""
    names: list[str] = []
    for cls in spidercls.__mro__:
        if cls is scrapy.Spider or not issubclass(cls, scrapy.Spider) or "__init__" not in vars(cls):
            continue
        for parameter in inspect.signature(cls.__init__).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) \
                    and parameter.name != "self" and parameter.name not in names:
                names.append(parameter.name)
    return names


def check_spider_arguments(arguments: Iterable[str], spidercls: type) -> None:
    known = spider_arguments(spidercls)
    for name in arguments:
        if name not in known:
            hint = did_you_mean(name, known) or f": {getattr(spidercls, 'name', 'the spider')} takes {', '.join(known)}"
            raise BadOption(f"unknown spider argument -a {name}{hint}")


def quiet_level(verbose: bool, on_terminal: bool, overrides: Mapping[str, Any]) -> str | None:
    """The ``LOG_LEVEL`` a crawl run from a terminal gets: only warnings and errors above the progress
    display, unless ``-v``, a ``LOG_LEVEL`` or a ``LOG_FILE`` was asked for (then None: unchanged)."""
    if verbose or not on_terminal or "LOG_LEVEL" in overrides or overrides.get("LOG_FILE"):
        return None
    return logging.getLevelName(logging.WARNING)
