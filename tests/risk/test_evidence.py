"""The adapter from the analysis module: figures per issue from a small warehouse, checked by hand and scipy."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from typer.testing import CliRunner

from cspkit.analysis.area import Period
from cspkit.analysis.harm import load_harm_weights
from cspkit.cli import app
from cspkit.config import load_config
from cspkit.data import warehouse
from cspkit.risk.evidence import evidence_for_config, evidence_table, gather_evidence, issue_evidence
from cspkit.risk.register import Issue, IssueRegister
from cspkit.risk.suggest import suggest_all

LAD = "E06000999"
LSOAS = ("E01999991", "E01999992")
PERIOD = Period.parse("2022-01", "2023-12")


def months() -> list[date]:
    return PERIOD.month_list()


@pytest.fixture
def small_warehouse(tmp_path):
    """1,000 residents; burglary doubles (60 -> 120 a year), ASB flat (240 a year), domestic abuse flat (36 a year)."""
    path = tmp_path / "w.duckdb"
    with warehouse.write(path) as con:
        for code in LSOAS:
            con.execute("INSERT INTO lsoa (lsoa21_code, lsoa21_name, ward_code, ward_name, lad_code, lad_name) "
                        "VALUES (?, ?, 'E05999999', 'Test ward', ?, 'Testshire')", [code, code, LAD])
            con.execute("INSERT INTO population VALUES (?, 'all ages', 500)", [code])
        rows = []
        for i, month in enumerate(months()):
            burglaries = 5 if i < 12 else 10
            for kind, n in (("Burglary", burglaries), ("Anti-social behaviour", 20)):
                for k in range(n):
                    rows.append([f"{month:%Y-%m}.csv", len(rows) + 1, "test", month, LSOAS[k % 2], kind, LSOAS[k % 2], LAD])
        con.executemany(
            "INSERT INTO street (source_file, source_row, force, month, lsoa_code, crime_type, lsoa21_code, lad_code) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.execute("CREATE TABLE partner_domestic_abuse (source_file VARCHAR, source_row INTEGER, date DATE, month DATE, "
                    "lsoa21_code VARCHAR, lad_code VARCHAR, person_key VARCHAR, location_key VARCHAR)")
        con.executemany(
            "INSERT INTO partner_domestic_abuse VALUES ('da.csv', ?, ?, ?, ?, ?, NULL, NULL)",
            [[n, m, m, LSOAS[0], LAD] for n, m in enumerate(m for m in months() for _ in range(3))],
        )
    return path


REGISTER = IssueRegister("t", "1", (
    Issue("burglary", "Burglary", crime_categories=("Burglary",)),
    Issue("asb", "ASB", crime_categories=("Anti-social behaviour",), partner_sources=("asb_council",)),
    Issue("domestic_abuse", "Domestic abuse", partner_sources=("domestic_abuse",)),
    Issue("cyber_fraud", "Cyber-crime and fraud"),
))


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")  # the reference fit
def test_gather_evidence_from_the_warehouse(small_warehouse, method) -> None:
    found = {e.issue_id: e for e in gather_evidence(small_warehouse, LAD, PERIOD, REGISTER)}
    burglary = found["burglary"]
    assert (burglary.annual_count, burglary.previous_count) == (120, 60)
    assert burglary.rate_per_1000 == pytest.approx(120.0)
    assert burglary.change_ratio == pytest.approx(2.0)
    # Tested on the monthly counts (5 a month, then 10): under-dispersed, so the Poisson scale stands.
    frame = pd.DataFrame({"y": [5] * 12 + [10] * 12, "latest": [0] * 12 + [1] * 12, "moy": [m.month for m in months()]})
    reference = smf.glm("y ~ latest + C(moy)", frame, family=sm.families.Poisson()).fit(scale=1.0)
    assert burglary.p_value == pytest.approx(reference.pvalues["latest"], rel=1e-6)
    assert burglary.p_value == pytest.approx(stats.binomtest(120, 180, 0.5).pvalue, rel=0.5)  # near the exact test
    assert burglary.compared == 3 and burglary.q_value == pytest.approx(min(1.0, burglary.p_value * 3 / 1), rel=1e-9)
    assert burglary.significant
    weight = load_harm_weights().weights["Burglary"]
    assert burglary.harm_index == pytest.approx(120 * weight)
    assert burglary.harm_share == pytest.approx(1.0)  # the only weighted category here; ASB has no harm weight
    asb = found["asb"]
    assert (asb.annual_count, asb.previous_count, asb.significant) == (240, 240, False)
    assert asb.harm_index is None
    assert "asb_council" in asb.note  # mapped but not loaded: said, not hidden
    da = found["domestic_abuse"]
    assert (da.data_maps, da.annual_count, da.previous_count) == (True, 36, 36)
    assert da.sources == ("partner:domestic_abuse",)
    assert not found["cyber_fraud"].data_maps
    assert evidence_table(list(found.values())).height == 4

    suggestions = {(s.issue_id, s.kind): s for s in suggest_all(found.values(), method)}
    assert suggestions[("burglary", "likelihood")].value == 5  # significant, ratio 2 >= 1.25
    assert suggestions[("asb", "likelihood")].value == 3
    assert suggestions[("cyber_fraud", "no data")].value == 1


def test_issue_evidence_sums_every_measure_before_testing() -> None:
    issue = Issue("theft", "Theft", crime_categories=("Bicycle theft", "Other theft"))
    counts = {"crime:Bicycle theft": (30, 20), "crime:Other theft": (70, 60)}
    found = issue_evidence(issue, counts, residents=2000, harm={"Bicycle theft": 10.0, "Other theft": 20.0},
                           total_harm=300.0, period_label="2023-01 to 2023-12")
    assert (found.annual_count, found.previous_count) == (100, 80)
    assert found.rate_per_1000 == pytest.approx(50.0)
    assert found.p_value == pytest.approx(stats.binomtest(100, 180, 0.5).pvalue)
    assert found.harm_index == 30.0 and found.harm_share == pytest.approx(0.1)


def test_issue_evidence_without_a_previous_year() -> None:
    issue = Issue("burglary", "Burglary", crime_categories=("Burglary",))
    found = issue_evidence(issue, {"crime:Burglary": (50, None)}, residents=None, harm={}, total_harm=None)
    assert found.data_maps and found.change_ratio is None and found.significant is None and found.rate_per_1000 is None


def test_evidence_for_config_reads_area_period_and_alpha(small_warehouse) -> None:
    config = small_warehouse.parent / "assessment.toml"
    config.write_text(
        f'[assessment]\narea_codes = ["{LAD}"]\nperiod_start = "2022-01"\nperiod_end = "2023-12"\n'
        f'warehouse = "{small_warehouse.name}"\n[analysis]\nalpha = 1e-12\n',
        encoding="utf-8",
    )
    found = {e.issue_id: e for e in evidence_for_config(load_config(config), REGISTER)}
    assert found["burglary"].annual_count == 120
    assert found["burglary"].significant is False  # p is about 1e-5: not below the configured alpha of 1e-12


def test_cli_suggest_and_demo_scores(small_warehouse) -> None:
    config = small_warehouse.parent / "assessment.toml"
    config.write_text(
        f'[assessment]\narea_codes = ["{LAD}"]\nperiod_start = "2022-01"\nperiod_end = "2023-12"\n'
        f'warehouse = "{small_warehouse.name}"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(app, ["risk", "suggest", "-c", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = {(s["issue_id"], s["kind"]): s for s in json.loads(result.output)}
    assert found[("burglary", "likelihood")]["suggested"] == 5
    assert found[("burglary", "volume")]["suggested"] == 5  # 120 per 1,000 residents
    assert found[("cyber_fraud", "no data")]["suggested"] == 1
    result = runner.invoke(app, ["risk", "demo-scores", "-c", str(config)])
    assert result.exit_code == 0, result.output
    ranked = json.loads(runner.invoke(app, ["risk", "results", "-c", str(config), "--format", "json"]).output)
    assert len(ranked) == 26 and ranked[0]["rank"] == 1
    audit = json.loads(runner.invoke(app, ["risk", "audit", "-c", str(config), "--format", "json"]).output)
    assert {a["source"] for a in audit} == {"synthetic demo scores"}


def test_gather_evidence_over_one_month_counts_that_month(small_warehouse) -> None:
    """A one-month assessment (a national month) gives figures for that month, untested, instead of failing."""
    found = {e.issue_id: e for e in gather_evidence(small_warehouse, LAD, Period.parse("2023-12", "2023-12"), REGISTER)}
    assert found["burglary"].annual_count == 10  # December 2023 alone
    assert found["burglary"].previous_count is None and found["burglary"].significant is None
    assert found["burglary"].period == Period.parse("2023-12", "2023-12").label()
