"""The archive's WARC files: which files make an archive, and where each one lies.

One answer for crawl, import, verify, reindex, merge, the viewer and the exports:

- every file in ``<archive>/warc/`` named ``*.warc.gz``, ``*.warc``, ``*.arc.gz`` or ``*.arc``: the crawl's
  own files and copies of imported ones (``govarchive import`` copies by default);
- every file ``govarchive import --in-place`` recorded in ``warc/in-place.tsv`` (its name in the index,
  a tab, the absolute path where it lies), read where it is;
- ``NAME.open`` is a file a crawl is writing (or a killed crawl left); ``NAME.invalid`` one recovery found
  no whole record in. Neither is a finished file.

A file's *name* is what ``captures.warc_file`` holds; it is unique in the archive. A file imported under
a name the archive already uses for other bytes gets ``STEM-2.warc.gz`` (``-3``…).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
OPEN_SUFFIX = ".open"
INVALID_SUFFIX = ".invalid"
IN_PLACE_LIST = "in-place.tsv"
IN_PLACE_HEADER = ("# WARC files imported with `govarchive import --in-place`: their name in index.db, a tab, "
                   "where the file lies\n")
CHUNK = 1 << 20


class PlacementError(ValueError):
    """A file could not be added to the archive (the copy differs from its source, the name is unusable)."""


def warc_suffix(name: str) -> str | None:
    """The WARC or ARC suffix ``name`` ends with (``.warc.gz``…), None when it has none."""
    lower = name.lower()
    return next((name[-len(s):] for s in WARC_SUFFIXES if lower.endswith(s)), None)


def is_warc_name(name: str) -> bool:
    return warc_suffix(name) is not None


@dataclass(frozen=True)
class WarcFile:
    """One finished file of the archive: its name in the index and where its bytes are."""

    name: str
    path: Path
    in_place: bool = False


@dataclass(frozen=True)
class Placed:
    """How an imported file joined the archive."""

    file: WarcFile
    how: str  # "copied", "already in the archive", "recorded in place", "already recorded in place"
    source: Path

    def describe(self) -> str:
        renamed = f" as {self.file.name}" if self.file.name != self.source.name else ""
        if self.how == "copied":
            return f"copied into warc/{renamed}"
        if self.how == "already in the archive":
            return f"already in the archive{renamed} (the same bytes)"
        return f"{self.how}{renamed}"


class ArchiveWarcs:
    """The WARC files of the archive whose folder of WARC files is ``warc_dir``."""

    def __init__(self, warc_dir: Path | str) -> None:
        self.warc_dir = Path(warc_dir)

    # -- reading -------------------------------------------------------------------------------
    def in_place(self) -> dict[str, Path]:
        """Files recorded with ``--in-place``: name -> where the file lies (it may have gone since)."""
        listing = self.warc_dir / IN_PLACE_LIST
        found: dict[str, Path] = {}
        try:
            lines = listing.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return found
        for line in lines:
            name, sep, where = line.partition("\t")
            if sep and not line.startswith("#") and name.strip() and where.strip():
                found.setdefault(name.strip(), Path(where.strip()))
        return found

    def local(self) -> list[Path]:
        """The finished files in ``warc/`` itself, by name (names of ours start with their creation time)."""
        try:
            entries = list(os.scandir(self.warc_dir))
        except FileNotFoundError:
            return []
        return sorted((Path(e.path) for e in entries if is_warc_name(e.name) and e.is_file()), key=lambda p: p.name)

    def files(self) -> list[WarcFile]:
        """Every finished file of the archive: those in ``warc/`` and those recorded in place, by name.
        An in-place file that is not there any more is left out (``verify`` names it)."""
        found = {p.name: WarcFile(p.name, p) for p in self.local()}
        for name, path in self.in_place().items():
            if name not in found and path.is_file():
                found[name] = WarcFile(name, path, in_place=True)
        return [found[name] for name in sorted(found)]

    def paths(self) -> list[Path]:
        return [f.path for f in self.files()]

    def path(self, name: str) -> Path | None:
        """Where the finished file ``name`` lies (None: no such file)."""
        local = self.warc_dir / name
        if local.is_file() and is_warc_name(name):
            return local
        where = self.in_place().get(name)
        return where if where is not None and where.is_file() else None

    def open(self, name: str) -> BinaryIO:
        """The file a ``captures`` row names, for reading: ``warc/NAME``, ``warc/NAME.open`` while its crawl
        still writes it (its records up to the last write are whole), or where an in-place import lies. A
        file renamed between two tries is found by the next."""
        for path in (self.warc_dir / name, self.warc_dir / (name + OPEN_SUFFIX)):
            try:
                return open(path, "rb")
            except FileNotFoundError:
                continue
        where = self.in_place().get(name)
        if where is not None:
            return open(where, "rb")
        return open(self.warc_dir / name, "rb")

    def open_files(self) -> list[Path]:
        """Files a crawl is writing, or that a killed crawl left (``NAME.open``)."""
        return self._with_suffix(OPEN_SUFFIX)

    def invalid_files(self) -> list[Path]:
        """Files recovery found no whole record in (``NAME.invalid``)."""
        return self._with_suffix(INVALID_SUFFIX)

    def _with_suffix(self, suffix: str) -> list[Path]:
        try:
            entries = list(os.scandir(self.warc_dir))
        except FileNotFoundError:
            return []
        return sorted(Path(e.path) for e in entries
                      if e.name.endswith(suffix) and is_warc_name(e.name[: -len(suffix)]) and e.is_file())

    def taken(self, name: str) -> bool:
        """Whether ``name`` is used by a file of the archive (finished, being written, invalid, in place)."""
        return any((self.warc_dir / (name + end)).exists() for end in ("", OPEN_SUFFIX, INVALID_SUFFIX)) \
            or name in self.in_place()

    # -- adding imported files -------------------------------------------------------------------
    def add_copy(self, source: Path, name: str) -> Placed:
        """Copy ``source`` into ``warc/`` as ``name`` (or ``STEM-2…`` when the archive has other bytes under
        that name); the copy is compared with the source before it takes its name. A file whose bytes the
        archive already holds under one of those names is not copied again."""
        source = Path(source)
        if self._inside(source):
            return Placed(WarcFile(source.name, source), "already in the archive", source)
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        for candidate in self._names(name):
            existing = self.warc_dir / candidate
            if existing.is_file() and same_bytes(existing, source):
                return Placed(WarcFile(candidate, existing), "already in the archive", source)
            if not self.taken(candidate):
                _copy_verified(source, existing)
                return Placed(WarcFile(candidate, existing), "copied", source)
        raise AssertionError("unreachable")  # pragma: no cover - _names never ends

    def add_in_place(self, source: Path, name: str) -> Placed:
        """Record ``source`` in ``warc/in-place.tsv`` under ``name`` (or ``STEM-2…``), where it lies."""
        source = Path(source).resolve()
        if any(ch in str(source) for ch in "\t\r\n"):
            raise PlacementError(f"{source}: a path with a tab or a line break cannot be recorded in place; "
                                 "rename it, or import it without --in-place")
        if self._inside(source):
            return Placed(WarcFile(source.name, source), "already in the archive", source)
        listed = self.in_place()
        for known, where in listed.items():
            if where == source:
                return Placed(WarcFile(known, source, True), "already recorded in place", source)
        candidate = next(n for n in self._names(name) if not self.taken(n))
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        _write_list(self.warc_dir / IN_PLACE_LIST, {**listed, candidate: source})
        return Placed(WarcFile(candidate, source, True), "recorded in place", source)

    def _inside(self, source: Path) -> bool:
        return source.resolve().parent == self.warc_dir.resolve() and is_warc_name(source.name)

    @staticmethod
    def _names(name: str) -> Iterator[str]:
        suffix = warc_suffix(name) or ""
        stem = name[: len(name) - len(suffix)]
        yield name
        number = 2
        while True:
            yield f"{stem}-{number}{suffix}"
            number += 1


def archive_name(name: str, fmt: str, compressed: bool) -> str:
    """The name an imported file gets: its own when it ends like a WARC or ARC file, else with the suffix
    its bytes call for; characters a name in a list or a path cannot hold are replaced."""
    clean = "".join("_" if ch in "\t\r\n/\\" else ch for ch in name).lstrip(".") or "imported"
    if is_warc_name(clean):
        return clean
    return clean + f".{fmt}" + (".gz" if compressed else "")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and file_digest(a) == file_digest(b)


def _copy_verified(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` through a temporary name; the copy is read back and compared (SHA-256)
    before it takes its name, so a file in ``warc/`` is always whole."""
    partial = target.with_name(f".{target.name}.importing")
    partial.unlink(missing_ok=True)
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, open(partial, "xb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if file_digest(partial) != digest.hexdigest():
            raise PlacementError(f"the copy in warc/ differs from {source} (a disk or memory error): nothing "
                                 "was imported from it; try again")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _sync_dir(target.parent)


def _write_list(path: Path, entries: dict[str, Path]) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", encoding="utf-8") as fh:
        fh.write(IN_PLACE_HEADER)
        for name in sorted(entries):
            fh.write(f"{name}\t{entries[name]}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
