"""An assessment.toml edited to a district code that does not exist is refused before anything is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from cspkit.config import load_config
from cspkit.errors import ConfigError
from cspkit.report.pipeline import run_assessment


def test_unknown_district_code_stops_the_run_with_suggestions(tmp_path: Path) -> None:
    """It used to ingest every police file, then write documents for an area with no rows."""
    path = tmp_path / "assessment.toml"
    path.write_text(
        "[assessment]\narea_codes = ['E06000099']\nperiod_start = '2024-01'\nperiod_end = '2024-01'\n"
        "[sources.police]\npaths = ['police']\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"area_codes: unknown district 'E06000099': did you mean .*\(E07000099\)") as info:
        run_assessment(load_config(path))
    assert str(path) in str(info.value)
    assert not (tmp_path / "warehouse.duckdb").exists() and not (tmp_path / "output").exists()
