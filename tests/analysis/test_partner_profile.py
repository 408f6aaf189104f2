"""Partner profiles: records, people and breakdowns of a partner source, counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cspkit.analysis.analyse import open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.partner_profile import partner_profile

from .conftest import ALPHA, ALPHA_LSOAS, BETA_LSOAS, months, street_row

PERIOD = Period(date(2022, 1, 1), date(2023, 12, 1))


def _partner(con) -> None:
    """2022: 10 records (6 women, 4 men); 2023: 20 records (15 women, 5 men), 4 of them one person's, two
    placed in the district only (no LSOA); a Beta record and a 2021 record are outside."""
    con.execute("""CREATE TABLE partner_victims (source_file VARCHAR, source_row INTEGER, date DATE, month DATE,
                   lsoa21_code VARCHAR, lad_code VARCHAR, person_key VARCHAR, location_key VARCHAR, ward_code VARCHAR,
                   victim_sex VARCHAR, incident_ref VARCHAR, days BIGINT)""")
    rows = []
    for i in range(10):
        rows.append((date(2022, 3, 1), ALPHA_LSOAS[i % 6], ALPHA, f"p{i}", "Female" if i < 6 else "Male", 10))
    for i in range(20):
        lsoa = None if i < 2 else ALPHA_LSOAS[i % 6]
        person = "repeat" if i < 4 else f"q{i}"
        rows.append((date(2023, 5, 1), lsoa, ALPHA, person, "Female" if i < 15 else "Male", 20 + i))
    rows.append((date(2023, 5, 1), BETA_LSOAS[0], "E06000002", "beta", "Female", 1))
    rows.append((date(2021, 5, 1), ALPHA_LSOAS[0], ALPHA, "old", "Female", 1))
    for k, (month, lsoa, lad, person, sex, days) in enumerate(rows):
        con.execute("INSERT INTO partner_victims VALUES ('v.csv', ?, ?, ?, ?, ?, ?, NULL, 'E05000001', ?, ?, ?)",
                    [k + 2, month, month, lsoa, lad, person, sex, f"ref{k}", days])


@pytest.fixture
def partner_warehouse(build_warehouse) -> Path:
    street = [street_row(m, code, ALPHA, "Burglary", 1) for m in months(date(2021, 1, 1), 36) for code in ALPHA_LSOAS]
    return build_warehouse(street, extra=_partner)


def test_profile_counts_by_hand(partner_warehouse: Path) -> None:
    with open_scope(partner_warehouse, ALPHA, PERIOD) as scope:
        profile = partner_profile(scope, "victims", "Victims of the test")
    assert profile is not None and profile.title == "Victims of the test"
    assert (profile.records, profile.records_previous) == (20, 10)
    assert (profile.people, profile.repeat_people) == (17, 1)  # 16 single people and one seen four times
    sex = {r["value"]: r for r in profile.breakdowns["victim_sex"].iter_rows(named=True)}
    assert (sex["Female"]["previous_12"], sex["Female"]["latest_12"]) == (6, 15)
    assert sex["Male"]["latest_pct"] == pytest.approx(25.0)
    assert set(profile.breakdowns) == {"victim_sex"}  # a reference per record and the ward code are not profiles
    assert profile.medians["days"] == pytest.approx(29.5)  # median of 20..39


def test_a_ward_area_counts_only_its_own_lsoas(partner_warehouse: Path) -> None:
    """Rows placed only in the district cannot be given to one ward: a ward's profile leaves them out."""
    with open_scope(partner_warehouse, "E05000001", PERIOD) as scope:
        profile = partner_profile(scope, "victims")
    in_w1 = sum(1 for i in range(2, 20) if i % 6 < 3)
    assert profile is not None and profile.records == in_w1


def test_no_table_or_no_rows_is_no_profile(partner_warehouse: Path) -> None:
    with open_scope(partner_warehouse, ALPHA, PERIOD) as scope:
        assert partner_profile(scope, "absent") is None
    with open_scope(partner_warehouse, "E05000002", Period(date(2021, 1, 1), date(2021, 12, 1))) as scope:
        assert partner_profile(scope, "victims") is None  # ward W2 in 2021: none of the source's rows
