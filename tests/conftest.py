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
