"""The package as pyproject.toml declares it: every folder of code or data is a package setuptools finds,
and every data file is package data, so an install ships everything and warns about nothing (a folder
Python can import but the configuration leaves out is what setuptools warns about)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]
TOP = ("govarchive", "spiders", "pipelines")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folders_with_files() -> set[str]:
    found = set()
    for top in TOP:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(".".join(path.parent.relative_to(ROOT).parts))
    return found


def test_every_folder_of_the_package_is_found():
    config = _config()
    assert isinstance(config.get("packages"), dict), "find packages ([tool.setuptools.packages.find]), do not list them"
    found = set(find_namespace_packages(where=str(ROOT), include=config["packages"]["find"]["include"]))
    missing = _folders_with_files() - found
    assert not missing, f"folders setuptools would warn about (not packages): {sorted(missing)}"
    assert all(name.split(".")[0] in TOP for name in found), found  # never tests/, bench/, docs/


def test_every_data_file_is_package_data():
    data = _config()["package-data"]
    unshipped = []
    for top in TOP:
        for path in (ROOT / top).rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            package = ".".join(path.parent.relative_to(ROOT).parts)
            if not any(fnmatch.fnmatch(path.name, pattern) for pattern in data.get(package, [])):
                unshipped.append(str(path.relative_to(ROOT)))
    assert not unshipped, f"files an install would leave out: {unshipped}"
