"""Partner ingestion through mappings: the shipped examples, pseudonymisation and bad input."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from cspkit.data import warehouse
from cspkit.data.partner import ingest_partner
from cspkit.data.partner_mapping import load_mapping, parse_mapping
from cspkit.data.pseudonymise import load_key, normalise_identifier, pseudonym
from cspkit.errors import ConfigError, InputError

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "cspkit" / "data" / "mappings"
KEY = b"test-key-for-cspkit-0123456789"
EXAMPLES = {
    "domestic_abuse": "domestic_abuse.SYNTHETIC.csv",
    "council_asb": "council_asb.SYNTHETIC.csv",
    "deliberate_fires": "deliberate_fires.SYNTHETIC.xlsx",
    "drug_alcohol_treatment": "drug_alcohol_treatment.SYNTHETIC.csv",
}


def _ingest(warehouse_file, source, file=None, mapping=None):
    return ingest_partner(warehouse_file, source, file or MAPPINGS / EXAMPLES[source],
                          mapping or MAPPINGS / f"{source}.mapping.toml", KEY)


@pytest.mark.parametrize("source", sorted(EXAMPLES))
def test_every_example_loads_and_adds_up(warehouse_file, source):
    report = _ingest(warehouse_file, source)
    rows = report.files[0]
    assert rows.balanced and rows.rows_read >= 500
    _, stored = warehouse.query(warehouse_file, f"""SELECT count(*), count(lad_code), min(month), max(month)
        FROM partner_{source}""")
    count, with_area, first, last = stored[0]
    assert count == rows.loaded and with_area == count
    assert (first.isoformat(), last.isoformat()) == ("2021-05-01", "2024-04-01")


def test_domestic_abuse_victims_are_pseudonymised_and_repeats_countable(warehouse_file):
    _ingest(warehouse_file, "domestic_abuse")
    source = pl.read_csv(MAPPINGS / EXAMPLES["domestic_abuse"])
    victims = source.group_by("Victim Ref", "Victim DOB").len()
    _, stored = warehouse.query(warehouse_file, """SELECT count(DISTINCT person_key),
        count(*) FILTER (WHERE n > 1) FROM (SELECT person_key, count(*) n FROM partner_domestic_abuse
        GROUP BY person_key)""")
    assert stored[0] == (victims.height, victims.filter(pl.col("len") > 1).height)
    first = source.row(0, named=True)
    expected = hmac.new(KEY, f"{first['Victim Ref']}|{first['Victim DOB']}".upper().encode(), hashlib.sha256).hexdigest()
    assert warehouse.query(warehouse_file, "SELECT person_key FROM partner_domestic_abuse WHERE source_row = 1")[1] == [
        (expected,)]


def test_no_raw_identifier_reaches_the_warehouse_file(warehouse_file, tmp_path):
    # Bad rows too: they go to quarantine, which must hold pseudonyms only.
    source = pl.read_csv(MAPPINGS / EXAMPLES["domestic_abuse"], infer_schema=False)
    broken = source.with_columns(pl.when(pl.int_range(pl.len()) < 5).then(pl.lit("not a date"))
                                 .otherwise(pl.col("Incident Date")).alias("Incident Date"))
    file = tmp_path / "da.csv"
    broken.write_csv(file)
    report = _ingest(warehouse_file, "domestic_abuse", file)
    assert report.files[0].quarantined == {"unparseable date (Incident Date)": 5}
    asb = _ingest(warehouse_file, "council_asb")
    assert asb.files[0].quarantined == {"postcode not in the postcode directory": 12}
    content = warehouse_file.read_bytes()
    for column in ("Victim Ref", "Victim DOB", "Incident Ref"):
        for value in source[column].head(50).to_list():
            assert value.encode() not in content, f"{column} value {value} found in the warehouse"
    addresses = pl.read_csv(MAPPINGS / EXAMPLES["council_asb"])
    for value in [*addresses["Address"].head(50).to_list(), *addresses["Postcode"].head(50).to_list(),
                  *addresses["Case Number"].head(50).to_list()]:
        assert value.encode() not in content
        assert value.replace(" ", "").encode() not in content


def test_identifiers_are_normalised_before_hashing():
    assert normalise_identifier(" ab 12 ") == "AB12"
    assert pseudonym(KEY, "ab 12") == pseudonym(KEY, "AB12 ")
    assert pseudonym(KEY, "ab 12") != pseudonym(b"another-key-0123456789", "ab 12")
    assert pseudonym(KEY, None, "") is None


def test_a_key_is_required(monkeypatch, tmp_path):
    monkeypatch.delenv("CSPKIT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigError, match="no pseudonymisation key"):
        load_key()
    key_file = tmp_path / "secret.key"
    key_file.write_text("short")
    with pytest.raises(ConfigError, match="at least 16"):
        load_key(key_file=key_file)
    key_file.write_text("a-long-enough-secret-value\n")
    assert load_key(key_file=key_file) == b"a-long-enough-secret-value"
    monkeypatch.setenv("CSPKIT_PSEUDONYM_KEY", "from-the-environment-123")
    assert load_key(key_file=key_file) == b"from-the-environment-123"


def test_reingesting_a_source_replaces_it(warehouse_file):
    _ingest(warehouse_file, "drug_alcohol_treatment")
    _ingest(warehouse_file, "drug_alcohol_treatment")
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM partner_drug_alcohol_treatment")[1] == [(1100,)]
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM ingest_log WHERE kind LIKE 'partner_%'")[1] == [(1,)]


def test_missing_mapped_column_names_file_and_column(warehouse_file, tmp_path):
    file = tmp_path / "asb.csv"
    pl.read_csv(MAPPINGS / EXAMPLES["council_asb"]).drop("Category").write_csv(file)
    with pytest.raises(InputError) as caught:
        _ingest(warehouse_file, "council_asb", file)
    assert caught.value.column == "Category" and caught.value.file == file


def test_postcodes_without_a_directory_are_quarantined(warehouse_file, tmp_path):
    mapping = (MAPPINGS / "council_asb.mapping.toml").read_text().replace(
        'postcode_directory = "postcode_directory.SYNTHETIC.csv"', "")
    (tmp_path / "asb.toml").write_text(mapping)
    report = _ingest(warehouse_file, "council_asb", mapping=tmp_path / "asb.toml")
    assert report.files[0].loaded == 0
    assert list(report.files[0].quarantined) == ["postcode not resolved"]


def test_workbook_with_several_sheets_needs_a_sheet_name(warehouse_file, tmp_path):
    mapping = (MAPPINGS / "deliberate_fires.mapping.toml").read_text().replace('sheet = "Incidents"', "")
    (tmp_path / "fires.toml").write_text(mapping)
    with pytest.raises(InputError, match=r"several sheets \(Incidents, Notes\)"):
        _ingest(warehouse_file, "deliberate_fires", mapping=tmp_path / "fires.toml")


def test_workbook_with_merged_header_cells_is_an_error(warehouse_file, tmp_path):
    file = tmp_path / "fires.xlsx"
    shutil.copyfile(MAPPINGS / EXAMPLES["deliberate_fires"], file)
    book = openpyxl.load_workbook(file)
    book["Incidents"].merge_cells("E1:F1")
    book.save(file)
    with pytest.raises(InputError, match="merged header cells E1:F1") as caught:
        _ingest(warehouse_file, "deliberate_fires", file)
    assert caught.value.row == 1 and caught.value.column == "E1:F1"


def test_bad_values_are_quarantined_with_their_reason(warehouse_file, tmp_path):
    rows = pl.read_csv(MAPPINGS / EXAMPLES["drug_alcohol_treatment"], infer_schema=False).head(4).with_columns(
        pl.Series("Days in Treatment", ["12", "many", "30", "40"]),
        pl.Series("Ward", ["Dunstable South", "Dunstable South", "Nowhere Ward", None]),
    )
    file = tmp_path / "treatment.csv"
    rows.write_csv(file)
    report = _ingest(warehouse_file, "drug_alcohol_treatment", file).files[0]
    assert (report.loaded, report.quarantined) == (2, {"unparseable integer in 'Days in Treatment'": 1,
                                                       "unknown or ambiguous ward": 1})
    # A row with no geography is loaded (area unknown), as police.uk rows with no location are.
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM partner_drug_alcohol_treatment WHERE ward_code IS NULL"
                           )[1] == [(1,)]


def test_mapping_errors_name_the_mapping(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nname = "x"\n[date]\ncolumn = "D"\nformat = "%d/%m/%Y"\n[geography]\ntype = "county"\n')
    with pytest.raises(ConfigError, match="geography") as caught:
        load_mapping(bad)
    assert caught.value.file == bad
    with pytest.raises(ConfigError, match="source name"):
        parse_mapping({"source": {"name": "Bad Name"}})


def test_cli_partner_from_config_with_key_from_environment(warehouse_file, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cspkit.cli import app

    shutil.copyfile(MAPPINGS / EXAMPLES["drug_alcohol_treatment"], tmp_path / "treatment.csv")
    shutil.copyfile(MAPPINGS / "drug_alcohol_treatment.mapping.toml", tmp_path / "treatment.toml")
    (tmp_path / "assessment.toml").write_text(f"""
[assessment]
name = "Test"
csp_name = "Test CSP"
area_codes = ["E06000056"]
period_start = "2021-05"
period_end = "2024-04"
warehouse = "{warehouse_file.as_posix()}"
output_dir = "output"

[sources.partner.treatment]
file = "treatment.csv"
mapping = "treatment.toml"
""")
    runner = CliRunner()
    monkeypatch.delenv("CSPKIT_PSEUDONYM_KEY", raising=False)
    failed = runner.invoke(app, ["ingest", "partner", "treatment", "--config", str(tmp_path)])
    assert failed.exit_code == 2 and "no pseudonymisation key" in failed.output
    monkeypatch.setenv("CSPKIT_PSEUDONYM_KEY", KEY.decode())
    result = runner.invoke(app, ["ingest", "partner", "treatment", "--config", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"loaded": 1100' in result.stdout
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM partner_treatment")[1] == [(1100,)]
