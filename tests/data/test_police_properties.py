"""Property: for any mix of good and bad rows, read = loaded + quarantined + duplicates, row for row."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.data.helpers import STREET_HEADER, csv_bytes, street_row

from cspkit.data import warehouse
from cspkit.data.geography import LsoaLookup
from cspkit.data.police import check_frames, prepare_file
from cspkit.data.police_files import PoliceFile
from cspkit.data.report import FileReport

# kind of row -> (row, expected fate); fates: loaded, quarantined
VARIANTS = {
    "good": (lambda i: street_row(f"id{i}"), "loaded"),
    "asb": (lambda i: street_row("", crime_type="Anti-social behaviour"), "loaded"),
    "no_location": (lambda i: street_row(f"id{i}", lon="", lat="", lsoa=""), "loaded"),
    "old_lsoa": (lambda i: street_row(f"id{i}", lsoa="E01028041"), "loaded"),
    "bad_month": (lambda i: street_row(f"id{i}", month="2021-13"), "quarantined"),
    "other_month": (lambda i: street_row(f"id{i}", month="2020-01"), "quarantined"),
    "bad_coordinates": (lambda i: street_row(f"id{i}", lon="west"), "quarantined"),
    "outside_uk": (lambda i: street_row(f"id{i}", lon="10.0", lat="45.0"), "quarantined"),
    "unknown_lsoa": (lambda i: street_row(f"id{i}", lsoa="E01999999"), "quarantined"),
    "no_crime_type": (lambda i: street_row(f"id{i}", crime_type=""), "quarantined"),
}
rows_strategy = st.lists(st.tuples(st.sampled_from(sorted(VARIANTS)), st.integers(0, 5)), max_size=40)


@pytest.fixture(scope="module")
def lookup(reference_warehouse):
    with warehouse.read(reference_warehouse) as con:
        return LsoaLookup.from_warehouse(con)


def _expected(rows):
    """Independent count: a good row whose Crime ID was already loaded in the file is a duplicate."""
    loaded = quarantined = duplicates = 0
    seen = set()
    for variant, i in rows:
        row, fate = VARIANTS[variant]
        crime_id = row(i)[0]
        if fate == "quarantined":
            quarantined += 1
        elif crime_id and crime_id in seen:
            duplicates += 1
        else:
            seen.add(crime_id)
            loaded += 1
    return loaded, quarantined, duplicates


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(rows_strategy, min_size=1, max_size=3))
def test_every_row_is_loaded_quarantined_or_a_duplicate(lookup, files):
    reports: list[FileReport] = []
    frames = []
    for number, rows in enumerate(files):
        # Same month and kind in every file of the batch: duplicates must still be counted per file.
        pf = PoliceFile(f"f{number}/2021-05-bedfordshire-street.csv", "street", "bedfordshire", date(2021, 5, 1),
                        lambda: b"")
        data = csv_bytes(STREET_HEADER, [VARIANTS[v][0](i) for v, i in rows])
        frame, report = prepare_file(pf, data, len(reports))
        reports.append(report)
        frames.append(("street", frame))
    inserted: dict[str, int] = {}
    for table, stored in check_frames(frames, lookup, reports):  # the real checks; the rows DuckDB would get
        inserted[table] = inserted.get(table, 0) + stored.height
    for rows, report in zip(files, reports, strict=True):
        assert report.rows_read == len(rows)
        assert (report.loaded, report.quarantined_total, report.duplicates) == _expected(rows)
        assert report.balanced
    assert inserted.get("street", 0) == sum(r.loaded for r in reports)
    assert inserted.get("quarantine", 0) == sum(r.quarantined_total + r.duplicates for r in reports)
