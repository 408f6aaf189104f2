"""The emerging hot spot map and the point pattern sentence in a priority's section (hand-made evidence)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from cspkit.report import charts
from cspkit.report.assessment import build_assessment, data_tables

from .handmade import evidence


def _emerging(codes: list[str]) -> pl.DataFrame:
    categories = ["no pattern detected"] * len(codes)
    categories[:3] = ["intensifying hot spot", "new hot spot", "persistent cold spot"]
    return pl.DataFrame(
        {
            "lsoa21_code": codes,
            "steps": 12,
            "hot_steps": [12, 1, 0] + [0] * (len(codes) - 3),
            "cold_steps": [0, 0, 11] + [0] * (len(codes) - 3),
            "trend_tau": [0.8, 0.3, 0.0] + [0.0] * (len(codes) - 3),
            "trend_p_value": [0.001, 0.2, 0.9] + [1.0] * (len(codes) - 3),
            "classification": categories,
            "step": "quarter",
        }
    )


def test_emerging_map_colours_each_category_and_says_so() -> None:
    geo = evidence().boundaries
    codes = sorted(geo)[:5]
    table = _emerging(codes)
    chart = charts.emerging_map("m", {c: geo[c] for c in codes}, dict(zip(codes, table["classification"], strict=True)))
    assert "1 intensifying hot spot; 1 new hot spot; 1 persistent cold spot" in chart.alt_text
    assert chart.data.height == 5 and set(chart.data["category"]) == set(table["classification"])
    assert chart.png.startswith(b"\x89PNG")


def test_a_priority_section_shows_the_emerging_map_with_the_patterned_lsoas() -> None:
    ev = evidence()
    asb = ev.issues["asb"]
    ev.issues["asb"] = replace(asb, emerging=_emerging(sorted(ev.boundaries)))
    doc = build_assessment(ev)
    figure = next(f for f in doc.figures() if f.key == "asb_emerging_map")
    assert figure.caption == (
        "Anti-social behaviour: how hot and cold spots changed over 12 quarters (emerging hot spot analysis, by neighbourhood)"
    )
    assert figure.alt_text and figure.notes
    table = next(t for t in data_tables(doc) if t.key == "asb_emerging")
    assert len(table.rows) == 3  # only the LSOAs with a pattern
    assert list(table.columns) == ["LSOA", "Pattern", "Hot spot quarters", "Cold spot quarters", "Trend (Kendall's tau)"]


def _warehouse(tmp_path, months: int):
    from cspkit.data import warehouse

    from ..analysis.conftest import ALPHA, ALPHA_LSOAS, grid_geography, street_row, write_geography, write_street
    from ..analysis.conftest import months as month_list

    rows = [
        street_row(month, code, ALPHA, "Robbery", 6 if code == ALPHA_LSOAS[0] else 1)
        for month in month_list(date(2021, 1, 1), months)
        for code in ALPHA_LSOAS
    ]
    path = tmp_path / "w.duckdb"
    with warehouse.write(path) as con:
        write_geography(con, grid_geography())
        write_street(con, rows)
    return path


@pytest.mark.parametrize("months", [36, 24])
def test_with_spatial_change_adds_the_sentences_or_says_why_not(tmp_path, months: int) -> None:
    from cspkit.analysis.analyse import AnalysisOptions, open_scope
    from cspkit.analysis.area import Period
    from cspkit.report.spatial_change import with_spatial_change

    asb = evidence().issues["asb"]
    robbery = replace(asb, name="Robbery", sentences=(), provenance=(), lsoa=None)
    period = Period.parse("2021-01", "2023-12" if months == 36 else "2022-12")
    with open_scope(_warehouse(tmp_path, months), "E06000001", period) as scope:
        figures = with_spatial_change(robbery, scope, ["Robbery"], AnalysisOptions(permutations=199, sppt_samples=100))
    moved = [s for s in figures.sentences if s.startswith("Where robbery happened")]
    assert len(moved) == 1 and "6 of the 6 neighbourhoods (LSOAs) kept a similar share" in moved[0]
    if months == 36:
        # Six LSOAs cannot give a hot spot after the FDR correction: a sentence says so instead of a grey map.
        assert figures.emerging is None and not figures.not_shown
        assert any(s.startswith("How robbery hot spots changed over 12 quarters: no neighbourhood") for s in figures.sentences)
        assert len(figures.provenance) == 2
    else:
        assert figures.not_shown == (
            "Emerging hot spots not shown: emerging hot spots need at least 10 time steps; 2021-01 to 2022-12 has 8 whole "
            "quarters (use monthly steps).",
        )
