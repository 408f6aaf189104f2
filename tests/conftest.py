"""Shared fixtures: paths to the real data bundled with the repo and in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def demo_police_zip() -> Path:
    return DEMO / "police" / "bedfordshire-2021-05-to-2024-04.zip"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present beside the repo")
    return SHARED_DATA
