"""The dashboard's trend charts: drawn by the documents' own chart code (cspkit.report.charts),
served as images by a role-checked view, each with alt text and its data table."""

from __future__ import annotations

import polars as pl
from bs4 import BeautifulSoup
from django.urls import reverse

from cspkit.analysis.analyse import analyse_area, options_from_config
from cspkit.analysis.area import Period
from cspkit.analysis.seasonality import rolling_12
from cspkit.config import load_config
from cspkit.report.charts import trend_chart


def test_dashboard_shows_each_trend_chart_with_alt_text_and_data_table(clients, warehouse_assessment):
    config = load_config(warehouse_assessment.config_path)
    analysis = analyse_area(config.warehouse, "E06000056", Period.parse("2022-05", "2024-04"), options_from_config(config))
    asb = rolling_12(analysis.monthly.filter(pl.col("crime_type") == "Anti-social behaviour"))
    expected = trend_chart("ASB", asb["month"].to_list(), asb["count"].to_list(), asb["rolling_12_mean"].to_list(), "incidents")

    page = clients["viewer"].get(reverse("web:dashboard", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    images = html.select("img.app-chart")
    assert [img["src"] for img in images] == [
        reverse("web:chart", args=["cb", "recorded-crime"]), reverse("web:chart", args=["cb", "asb"]),
    ]
    assert images[1]["alt"] == expected.alt_text
    table = images[1].find_next_sibling("details").select_one("table")
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
    assert len(rows) == 24 and rows[-1][:2] == [asb["month"][-1].strftime("%Y-%m"), f"{asb['count'][-1]:,}"]

    image = clients["viewer"].get(images[1]["src"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_a_warehouse_the_dashboard_says_why_and_no_chart_is_served(clients, small_assessment):
    page = clients["viewer"].get(reverse("web:dashboard", args=["cb"])).content.decode()
    assert "Charts need an assessment.toml with a warehouse" in page
    assert clients["viewer"].get(reverse("web:chart", args=["cb", "asb"])).status_code == 404


def test_an_unknown_chart_is_not_found(clients, warehouse_assessment):
    assert clients["analyst"].get(reverse("web:chart", args=["cb", "no-such-chart"])).status_code == 404


def test_chart_data_tables_suppress_small_counts_as_the_documents_do(clients, warehouse_assessment):
    """The documents' suppression rule with the config's threshold; a changed assessment.toml is read again."""
    import os
    from pathlib import Path

    def counts() -> set[str]:
        html = BeautifulSoup(clients["viewer"].get(reverse("web:dashboard", args=["cb"])).content, "html.parser")
        return {tr.select("td")[0].get_text(strip=True) for tr in html.select("details table tbody tr")[:24]}

    assert not any(c.startswith("<") for c in counts())  # area-wide monthly counts are far above 5
    config = Path(warehouse_assessment.config_path)
    config.write_text(config.read_text(encoding="utf-8") + "[privacy]\nsuppression_threshold = 100000\n", encoding="utf-8")
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 10**9))
    assert counts() == {"<100000"}


def test_each_comparison_has_its_own_table_labelled_with_its_periods(clients, warehouse_assessment):
    """Three years of data give two comparisons (the latest 12 months against the previous 12, and
    against three years earlier): two tables, never one table mixing them under one heading."""
    from pathlib import Path

    from cspkit.web import library

    config = Path(warehouse_assessment.config_path)
    config.write_text(config.read_text(encoding="utf-8").replace('period_start = "2022-05"', 'period_start = "2021-05"'),
                      encoding="utf-8")
    library._config.cache_clear()
    expected = analyse_area(load_config(config).warehouse, "E06000056", Period.parse("2021-05", "2024-04")).change
    comparisons = expected.select("previous_period", "latest_period").unique(maintain_order=True).rows()
    assert len(comparisons) == 2

    html = BeautifulSoup(clients["viewer"].get(reverse("web:dashboard", args=["cb"])).content, "html.parser")
    heading = html.find("h2", string="Headline figures")
    tables = [t for t in heading.find_all_next("table") if "against" in t.caption.get_text()]
    assert len(tables) == 2
    for table, (previous, latest) in zip(tables, comparisons, strict=True):
        assert f"({latest}) against {previous}" in table.caption.get_text()
        headings = [th.get_text(strip=True) for th in table.select("thead th")]
        assert headings[1:3] == [f"Count, {previous}", f"Count, {latest}"]
        rows = expected.filter((pl.col("previous_period") == previous) & (pl.col("latest_period") == latest))
        shown = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in table.select("tbody tr")]
        assert [r[0] for r in shown] == rows["crime_type"].to_list()
        assert [r[1:3] for r in shown] == [[str(a), str(b)] for a, b in rows.select("previous_count", "latest_count").rows()]
