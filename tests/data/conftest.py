from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cspkit.data.geography import load_reference


@pytest.fixture(scope="session")
def reference_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding only the bundled reference tables (loaded once per session)."""
    path = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    load_reference(path)
    return path


@pytest.fixture
def warehouse_file(reference_warehouse: Path, tmp_path: Path) -> Path:
    """A fresh copy of the reference warehouse for one test."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(reference_warehouse, path)
    return path
