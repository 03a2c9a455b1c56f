"""Shared fixtures: all offline; the demo web runs on 127.0.0.1, port 0."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def demo_web():
    from govarchive.demo import DemoWeb

    with DemoWeb(port=0) as web:
        yield web


@pytest.fixture
def samples() -> Path:
    """The real samples beside the project (../shared/samples); tests using them skip without it."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is not present")
    return SAMPLES


@pytest.fixture(scope="session")
def demo_archive(demo_web, tmp_path_factory) -> Path:
    """An archive of one crawl of the demo web (phase 1, the demo's "today"), shared by the browsing,
    export and status tests. Treat it as read-only: copy it before changing anything."""
    from helpers import crawl

    archive = tmp_path_factory.mktemp("demo-archive")
    crawl(demo_web.base_url, archive)
    return archive
