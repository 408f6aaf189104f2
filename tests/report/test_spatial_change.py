"""The emerging hot spot map and the point pattern sentence in a priority's section (hand-made evidence)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

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
