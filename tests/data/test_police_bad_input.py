"""Every bad-input case of the ingest: a clear error naming the file, or quarantined rows with reasons."""

from __future__ import annotations

import pytest
from tests.data.helpers import SEARCH_HEADER, STREET_HEADER, csv_bytes, search_row, street_row, write_file

from cspkit.data import warehouse
from cspkit.data.police import ingest_police
from cspkit.errors import InputError

NAME = "2021-05-bedfordshire-street.csv"


def _ingest(warehouse_file, folder):
    report = ingest_police(warehouse_file, [folder])
    for f in report.files:
        assert f.balanced
    return report


def _quarantine(warehouse_file):
    _, rows = warehouse.query(warehouse_file, "SELECT source_row, reason, raw_row FROM quarantine ORDER BY source_row")
    return rows


def test_missing_required_column_names_file_and_column(warehouse_file, tmp_path):
    header = [h for h in STREET_HEADER if h != "Crime type"]
    write_file(tmp_path / "in", NAME, csv_bytes(header, [street_row()[:9] + street_row()[10:]]))
    with pytest.raises(InputError) as caught:
        ingest_police(warehouse_file, [tmp_path / "in"])
    assert caught.value.column == "Crime type"
    assert NAME in str(caught.value.file)


def test_renamed_and_restyled_headers_are_recognised(warehouse_file, tmp_path):
    header = ["crime_id", " MONTH ", "Reported by", "Falls within", "Long", "Lat", "Location", "LSOA code",
              "LSOA name", "Crime type", "Last outcome category", "Context"]
    write_file(tmp_path / "in", NAME, csv_bytes(header, [street_row()]))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.total()["loaded"] == 1
    _, rows = warehouse.query(warehouse_file, "SELECT longitude, latitude FROM street")
    assert rows == [(-0.472054, 52.301536)]


def test_extra_column_is_reported_not_silently_used(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, csv_bytes([*STREET_HEADER, "Notes"], [[*street_row(), "x"]]))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.files[0].ignored_columns == ["Notes"]


def test_empty_file_is_an_error(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, b"")
    with pytest.raises(InputError, match="empty file") as caught:
        ingest_police(warehouse_file, [tmp_path / "in"])
    assert NAME in str(caught.value.file)


def test_header_only_file_reads_zero_rows(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, []))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.total()["rows_read"] == 0


def test_truncated_last_row_is_quarantined(warehouse_file, tmp_path):
    content = csv_bytes(STREET_HEADER, [street_row("a1"), street_row("a2")])
    write_file(tmp_path / "in", NAME, content[:-40])  # cut mid-row, no final newline
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.files[0].loaded == 1
    assert report.files[0].quarantined == {"truncated row": 1}
    assert _quarantine(warehouse_file)[0][:2] == (2, "truncated row: the file ends mid-row")


def test_unterminated_quote_is_an_error_naming_the_file(warehouse_file, tmp_path):
    content = csv_bytes(STREET_HEADER, [street_row()]) + b'"abc,2021-05,"Bedf'
    write_file(tmp_path / "in", NAME, content)
    with pytest.raises(InputError, match="not a readable CSV") as caught:
        ingest_police(warehouse_file, [tmp_path / "in"])
    assert NAME in str(caught.value.file)


def test_binary_file_is_not_csv(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="not a CSV text file"):
        ingest_police(warehouse_file, [tmp_path / "in"])


def test_html_page_saved_as_csv_is_an_error(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, b"<html><body>Service unavailable</body></html>\n")
    with pytest.raises(InputError, match="missing required column"):
        ingest_police(warehouse_file, [tmp_path / "in"])


def test_windows_1252_text_is_decoded(warehouse_file, tmp_path):
    row = street_row(location="On or near Caf\u00e9 Street")
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, [row], encoding="cp1252"))
    _ingest(warehouse_file, tmp_path / "in")
    _, rows = warehouse.query(warehouse_file, "SELECT location FROM street")
    assert rows == [("On or near Caf\u00e9 Street",)]


def test_bom_is_stripped_so_the_first_header_matches(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, b"\xef\xbb\xbf" + csv_bytes(STREET_HEADER, [street_row()]))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.total()["loaded"] == 1


def test_bad_months_are_quarantined_with_reasons(warehouse_file, tmp_path):
    rows = [street_row("m1", month="2021-05"), street_row("m2", month="May 2021"), street_row("m3", month="2021-06"),
            street_row("m4", month="")]
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, rows))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.files[0].loaded == 1
    assert report.files[0].quarantined == {"unparseable Month": 1, "Month is not the file's month": 1,
                                           "missing Month": 1}
    reasons = [r[1] for r in _quarantine(warehouse_file)]
    assert reasons == ["unparseable Month: May 2021", "Month is not the file's month: 2021-06", "missing Month"]


def test_bad_coordinates_are_quarantined_but_no_location_is_loaded(warehouse_file, tmp_path):
    rows = [
        street_row("c1", lon="", lat="", lsoa=""),                # no location: a real incident, loaded
        street_row("c2", lon="-0.47x", lat="52.30"),              # unparseable
        street_row("c3", lon="0", lat="0"),                       # outside the UK
        street_row("c4", lon="-0.47", lat=""),                    # half a coordinate
    ]
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, rows))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.files[0].loaded == 1
    assert report.files[0].quarantined == {"unparseable coordinates": 1, "coordinates outside the UK": 1,
                                           "incomplete coordinates": 1}
    _, loaded = warehouse.query(warehouse_file, "SELECT crime_id, lsoa21_code, lad_code FROM street")
    assert loaded == [("c1", None, None)]


def test_unknown_lsoa_code_is_quarantined(warehouse_file, tmp_path):
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, [street_row(lsoa="E01999999")]))
    _ingest(warehouse_file, tmp_path / "in")
    assert _quarantine(warehouse_file)[0][1] == "unknown LSOA code: E01999999"


def test_duplicate_crime_ids_keep_the_first_and_count_the_rest(warehouse_file, tmp_path):
    rows = [street_row("d1", location="first"), street_row("d1", location="second"), street_row("d1"),
            street_row("", crime_type="Anti-social behaviour"), street_row("", crime_type="Anti-social behaviour")]
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, rows))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert (report.files[0].loaded, report.files[0].duplicates, report.files[0].quarantined_total) == (3, 2, 0)
    _, loaded = warehouse.query(warehouse_file, "SELECT crime_id, location FROM street ORDER BY source_row")
    assert loaded[0] == ("d1", "first")
    assert [r[0] for r in loaded[1:]] == [None, None]  # ASB rows have no Crime ID and are never duplicates


def test_a_repeated_crime_id_keeps_the_row_with_a_real_outcome(warehouse_file, tmp_path):
    """As in Bedfordshire's 2021-2024 street files (53 of 184 repeats): the same crime printed twice, one row
    "Status update unavailable" and one with the outcome, in either order."""
    no_status = "Status update unavailable"
    rows = [street_row("d1", location="first", outcome=no_status),
            street_row("d1", location="second", outcome="Unable to prosecute suspect"),
            street_row("d2", location="first", outcome="Offender given a caution"),
            street_row("d2", location="second", outcome=no_status),
            street_row("d3", location="first", outcome=no_status), street_row("d3", location="second", outcome=no_status),
            street_row("d4", location="first", outcome=no_status),
            street_row("d4", location="bad", lon="west", outcome="Local resolution")]  # quarantined: never kept
    write_file(tmp_path / "in", NAME, csv_bytes(STREET_HEADER, rows))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert (report.files[0].loaded, report.files[0].duplicates, report.files[0].quarantined_total) == (4, 3, 1)
    _, loaded = warehouse.query(warehouse_file, "SELECT crime_id, location, last_outcome_category FROM street ORDER BY 1")
    assert loaded == [("d1", "second", "Unable to prosecute suspect"), ("d2", "first", "Offender given a caution"),
                      ("d3", "first", no_status), ("d4", "first", no_status)]
    duplicates = [r[0] for r in _quarantine(warehouse_file) if r[1] == "duplicate Crime ID"]
    assert len(duplicates) == 3


def test_stop_and_search_dates(warehouse_file, tmp_path):
    rows = [search_row("2021-05-03T10:00:00+00:00"), search_row("2021-04-30T23:41:00+00:00"),
            search_row("2021-03-01T10:00:00+00:00"), search_row("yesterday"), search_row(removal="maybe")]
    write_file(tmp_path / "in", "2021-05-bedfordshire-stop-and-search.csv", csv_bytes(SEARCH_HEADER, rows))
    report = _ingest(warehouse_file, tmp_path / "in")
    assert report.files[0].loaded == 2
    assert report.files[0].quarantined == {"Date is not in the file's month or the month before": 1,
                                           "unparseable Date": 1,
                                           "not True or False in removal_of_more_than_just_outer_clothing": 1}
    _, loaded = warehouse.query(warehouse_file, "SELECT strftime(month, '%Y-%m'), outcome FROM stop_search")
    assert loaded == [("2021-05", "Arrest"), ("2021-05", "Arrest")]


def test_old_stop_and_search_labels_are_harmonised(warehouse_file, tmp_path):
    rows = [search_row(outcome="Nothing found - no further action")]
    write_file(tmp_path / "in", "2021-05-bedfordshire-stop-and-search.csv", csv_bytes(SEARCH_HEADER, rows))
    _ingest(warehouse_file, tmp_path / "in")
    assert warehouse.query(warehouse_file, "SELECT outcome FROM stop_search")[1] == [("A no further action disposal",)]


def test_file_name_that_is_not_police_uk_is_an_error(warehouse_file, tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_bytes(csv_bytes(STREET_HEADER, [street_row()]))
    with pytest.raises(InputError, match=r"not a police\.uk file name"):
        ingest_police(warehouse_file, [path])
