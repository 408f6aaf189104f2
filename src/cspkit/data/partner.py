"""Partner data (council ASB, domestic abuse, fires, treatment...) loaded through a declared mapping.

Each source gets its own table ``partner_<source>``: the standard columns (source file and row,
date, month, LSOA 2021, district, pseudonymised person and location keys) plus the mapped columns.
Personal identifiers are replaced by keyed pseudonyms before anything is stored; a quarantined
row is stored with its identifiers already pseudonymised and any postcode cut to its sector.
A partner file is a full extract, so each ingest replaces the source's table.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from cspkit.data import warehouse
from cspkit.data.geography import LsoaLookup, LsoaPolygons, ensure_reference, harmonise
from cspkit.data.partner_mapping import ColumnSpec, PartnerMapping, load_mapping
from cspkit.data.police import normalise_header, read_csv_text
from cspkit.data.pseudonymise import pseudonymise_columns
from cspkit.data.report import FileReport, IngestReport
from cspkit.data.schema import PARTNER_STANDARD_COLUMNS, partner_table
from cspkit.errors import ConfigError, InputError

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "float": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
                "pseudonym": "VARCHAR"}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


# ---- reading -----------------------------------------------------------------------------------

def _cell_text(value) -> str | None:
    """An Excel cell as the text a CSV export would hold (dates in ISO form)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != datetime.min.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def read_xlsx(path: Path, sheet: str | None, header_row: int = 1) -> pl.DataFrame:
    """One sheet as text columns. Several sheets and no sheet named, or merged header cells: an InputError."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(f"not a readable XLSX workbook: {exc}", file=path) from exc
    if sheet is None:
        if len(book.sheetnames) > 1:
            raise InputError(f"the workbook has several sheets ({', '.join(book.sheetnames)}); name the one to read "
                             "with sheet = \"...\" in the source table of the mapping", file=path)
        sheet = book.sheetnames[0]
    if sheet not in book.sheetnames:
        raise InputError(f"no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})", file=path)
    ws = book[sheet]
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= header_row <= merged.max_row:
            raise InputError(f"merged header cells {merged.coord} in sheet {sheet!r}: unmerge them so each column "
                             "has its own header", file=path, row=header_row, column=merged.coord)
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    header = [_cell_text(v) for v in next(rows, ())]
    while header and header[-1] is None:
        header.pop()
    if not header:
        raise InputError(f"sheet {sheet!r} has no header row", file=path, row=header_row)
    if None in header:
        raise InputError(f"empty header cell in column {header.index(None) + 1} of sheet {sheet!r}", file=path,
                         row=header_row)
    records = []
    for values in rows:
        cells = [_cell_text(v) for v in values[: len(header)]]
        if any(c is not None for c in cells):
            records.append(cells + [None] * (len(header) - len(cells)))
    return pl.DataFrame(records, schema=dict.fromkeys(header, pl.String), orient="row")


def read_partner_file(path: Path, mapping: PartnerMapping) -> pl.DataFrame:
    """A CSV or XLSX partner file as text columns."""
    if not path.exists():
        raise InputError("no such file", file=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, mapping.sheet, mapping.header_row)
    if suffix not in (".csv", ".txt"):
        raise InputError("partner files must be CSV or XLSX", file=path)
    return read_csv_text(path.read_bytes(), str(path))


# ---- checking ----------------------------------------------------------------------------------

def _match_headers(frame: pl.DataFrame, mapping: PartnerMapping, file: Path) -> pl.DataFrame:
    """Rename the file's headers to the mapping's spelling (compared normalised); missing -> InputError."""
    wanted = [mapping.date_column, *mapping.identifier_columns, *[c.source for c in mapping.columns]]
    wanted += [c for c in (mapping.geography_column, mapping.latitude, mapping.longitude) if c]
    present = {normalise_header(h): h for h in frame.columns}
    renames = {}
    for header in dict.fromkeys(wanted):
        found = present.get(normalise_header(header))
        if found is None:
            raise InputError(f"missing column '{header}' named in the mapping (found: {', '.join(frame.columns)})",
                             file=file, column=header)
        renames[found] = header
    return frame.select([pl.col(old).alias(new) for old, new in renames.items()])


def _text(value: str) -> pl.Expr:
    return pl.lit(value, pl.String)


def _parse_date(column: str, formats: tuple[str, ...]) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    # ISO forms too: a date cell in a workbook arrives as YYYY-MM-DD text.
    attempts = [*formats, "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]
    return pl.coalesce([value.str.strptime(pl.Datetime, f, strict=False) for f in attempts]).dt.date()


def _typed(spec: ColumnSpec) -> pl.Expr:
    value = pl.col(spec.source).str.strip_chars()
    if spec.type == "integer":
        return value.str.replace_all(",", "").cast(pl.Int64, strict=False)
    if spec.type == "float":
        return value.str.replace_all(",", "").cast(pl.Float64, strict=False)
    if spec.type == "boolean":
        lower = value.str.to_lowercase()
        return pl.when(lower.is_in(list(_TRUE))).then(True).when(lower.is_in(list(_FALSE))).then(False)
    if spec.type == "date":
        return _parse_date(spec.source, spec.formats)
    return value


def _postcode_lookup(con: duckdb.DuckDBPyConnection, mapping: PartnerMapping) -> pl.DataFrame | None:
    """Postcode -> LSOA 2021 from the warehouse's postcode table and the mapping's directory file."""
    frames = [con.sql("SELECT postcode AS _pc, lsoa21_code AS _pc_lsoa FROM postcode").pl()]
    if mapping.postcode_directory is not None:
        if not mapping.postcode_directory.exists():
            raise ConfigError("postcode directory not found", file=mapping.postcode_directory)
        directory = pl.read_csv(mapping.postcode_directory, infer_schema=False)
        lower = {c.lower(): c for c in directory.columns}
        pc = next((lower[c] for c in ("pcds", "pcd", "pcd7", "pcd8", "postcode") if c in lower), None)
        lsoa = next((lower[c] for c in ("lsoa21", "lsoa21cd", "lsoa21_code") if c in lower), None)
        if pc is None or lsoa is None:
            raise ConfigError("postcode directory needs a postcode column (pcds) and an LSOA 2021 column (lsoa21)",
                              file=mapping.postcode_directory)
        frames.append(directory.select(pl.col(pc).str.to_uppercase().str.replace_all(r"\s", "").alias("_pc"),
                                       pl.col(lsoa).alias("_pc_lsoa")))
    lookup = pl.concat(frames).unique("_pc", keep="last")
    return lookup if lookup.height else None


def _postcode_sector(column: str) -> pl.Expr:
    """'LU5 4AB' -> 'LU5 4': enough to see a typo, too coarse to identify a home."""
    pc = pl.col(column).str.to_uppercase().str.replace_all(r"\s", "")
    return pl.when(pc.str.len_chars() >= 5).then(
        pl.concat_str([pc.str.slice(0, pc.str.len_chars() - 3), pc.str.slice(pc.str.len_chars() - 3, 1)],
                      separator=" ")).otherwise(_text("(short)"))


def _geography(frame: pl.DataFrame, mapping: PartnerMapping, con: duckdb.DuckDBPyConnection,
               lookup: LsoaLookup) -> tuple[pl.DataFrame, pl.Expr]:
    """Add lsoa21_code, lad_code (and ward_code); return the frame and the geography check expression."""
    kind, column = mapping.geography, mapping.geography_column
    if kind == "lsoa":
        code = pl.col(column).str.strip_chars().str.to_uppercase()
        out = harmonise(frame.with_columns(code.alias("lsoa_code"), pl.lit(None, pl.Float64).alias("_nolat"),
                                           pl.lit(None, pl.Float64).alias("_nolon")),
                        lookup, latitude="_nolat", longitude="_nolon").drop("lsoa_code", "_nolat", "_nolon")
        check = (pl.when(pl.col(column).is_not_null() & pl.col("lsoa21_code").is_null())
                 .then(pl.concat_str([_text("unknown LSOA code: "), pl.col(column)])))
        return out, check
    if kind == "postcode":
        pc = pl.col(column).str.to_uppercase().str.replace_all(r"\s", "")
        directory = _postcode_lookup(con, mapping)
        frame = frame.with_columns(pc.alias("_pc"))
        if directory is None:
            out = frame.with_columns(pl.lit(None, pl.String).alias("lsoa21_code"))
            missing = _text("postcode not resolved: no postcode directory loaded (load the ONS postcode directory "
                            "with 'cspkit ingest geography' or set postcode_directory in the mapping)")
        else:
            out = frame.join(directory, on="_pc", how="left", maintain_order="left").rename(
                {"_pc_lsoa": "lsoa21_code"})
            missing = pl.concat_str([_text("postcode not in the postcode directory: "), _postcode_sector(column)])
        out = out.join(lookup.lad.rename({"_lsoa21": "lsoa21_code", "_lad": "lad_code"}), on="lsoa21_code",
                       how="left", maintain_order="left").drop("_pc")
        check = (pl.when(pl.col(column).is_not_null() & ~pc.str.contains(POSTCODE.pattern))
                 .then(pl.concat_str([_text("not a valid postcode: "), _postcode_sector(column)]))
                 .when(pl.col(column).is_not_null() & pl.col("lsoa21_code").is_null()).then(missing))
        return out, check
    if kind == "ward":
        wards = con.sql("SELECT DISTINCT ward_code, ward_name, lad_code FROM lsoa").pl()
        if mapping.area:
            wards = wards.filter(pl.col("lad_code") == mapping.area)
        by_code = wards.select(pl.col("ward_code").alias("_w"), "ward_code", "lad_code")
        by_name = (wards.with_columns(pl.col("ward_name").str.to_lowercase().alias("_w"))
                   .filter(pl.col("_w").is_unique()).select("_w", "ward_code", "lad_code"))
        names = pl.concat([by_code, by_name]).unique("_w")
        key = pl.col(column).str.strip_chars()
        out = frame.with_columns(
            pl.when(key.str.contains(r"^[EW]05\d{6}$")).then(key).otherwise(key.str.to_lowercase()).alias("_w")
        ).join(names, on="_w", how="left", maintain_order="left").drop("_w").with_columns(
            pl.lit(None, pl.String).alias("lsoa21_code"))
        check = (pl.when(pl.col(column).is_not_null() & pl.col("ward_code").is_null())
                 .then(pl.concat_str([_text("unknown or ambiguous ward: "), pl.col(column)])))
        return out, check
    return _point_in_lsoa(frame, mapping, con, lookup)


def _point_in_lsoa(frame: pl.DataFrame, mapping: PartnerMapping, con: duckdb.DuckDBPyConnection,
                   lookup: LsoaLookup) -> tuple[pl.DataFrame, pl.Expr]:
    """Coordinates to the LSOA 2021 polygon that contains them (the boundaries held in the warehouse)."""
    lat = pl.col(mapping.latitude).str.strip_chars().cast(pl.Float64, strict=False)
    lon = pl.col(mapping.longitude).str.strip_chars().cast(pl.Float64, strict=False)
    frame = frame.with_columns(lat.alias("_lat"), lon.alias("_lon"))
    out = LsoaPolygons.from_warehouse(con).place(frame, lookup, "_lat", "_lon").drop("_lat", "_lon")
    given = pl.col(mapping.latitude).is_not_null() | pl.col(mapping.longitude).is_not_null()
    check = (pl.when(given & (lat.is_null() | lon.is_null()))
             .then(_text("unparseable coordinates"))
             .when(given & pl.col("lsoa21_code").is_null())
             .then(_text("coordinates outside the LSOA boundaries held (add boundaries with 'cspkit ingest geography')")))
    return out, check


def _first(checks: list[pl.Expr]) -> pl.Expr:
    return pl.coalesce(checks) if checks else pl.lit(None, pl.String)


def check_partner(frame: pl.DataFrame, mapping: PartnerMapping, file_label: str, key: bytes | None,
                  con: duckdb.DuckDBPyConnection, lookup: LsoaLookup) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to load, rows to quarantine) from a file's text columns. Identifiers are hashed first."""
    if mapping.needs_key and key is None:
        raise ConfigError("this mapping has personal identifier columns: a pseudonymisation key is required")
    frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("source_row"))
    keys = []
    if mapping.person_key:
        keys.append(pseudonymise_columns(frame, key, list(mapping.person_key), "person_key"))
    if mapping.location_key:
        keys.append(pseudonymise_columns(frame, key, list(mapping.location_key), "location_key"))
    hashed = [pseudonymise_columns(frame, key, [c.source], c.name) for c in mapping.columns if c.type == "pseudonym"]
    # From here on the raw identifier columns are gone: nothing below can store or print them. (A
    # geography column that is also part of a key, e.g. a postcode, stays until it is resolved to an
    # LSOA, and is only ever shown cut to its sector.)
    place = {c for c in (mapping.geography_column, mapping.latitude, mapping.longitude) if c}
    frame = frame.drop(*(mapping.identifier_columns - place)).with_columns(*keys, *hashed)
    for name in ("person_key", "location_key"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
    frame, geography_check = _geography(frame, mapping, con, lookup)
    typed = [_typed(c).alias(c.name) for c in mapping.columns if c.type != "pseudonym"]
    frame = frame.with_columns(_parse_date(mapping.date_column, mapping.date_formats).alias("date"), *typed)
    checks = [
        pl.when(pl.col(mapping.date_column).is_null()).then(_text(f"missing date ({mapping.date_column})")),
        pl.when(pl.col("date").is_null()).then(
            pl.concat_str([_text(f"unparseable date ({mapping.date_column}): "), pl.col(mapping.date_column)])),
        geography_check,
    ]
    for c in mapping.columns:
        if c.type not in ("string", "pseudonym"):
            checks.append(pl.when(pl.col(c.source).is_not_null() & pl.col(c.name).is_null()).then(
                pl.concat_str([_text(f"unparseable {c.type} in '{c.source}': "), pl.col(c.source)])))
    frame = frame.with_columns(_first(checks).alias("_reason"))
    shown = [c.source for c in mapping.columns if c.type != "pseudonym"] + [mapping.date_column]
    if mapping.geography == "postcode":
        shown_geo = [_postcode_sector(mapping.geography_column).alias("_geo")]
    else:
        shown_geo = [pl.col(c) for c in (mapping.geography_column, mapping.latitude, mapping.longitude) if c]
    raw = pl.concat_str([pl.col(c).fill_null("") for c in dict.fromkeys(shown)]
                        + [e.fill_null("") for e in shown_geo]
                        + [pl.col(c).fill_null("") for c in ("person_key", "location_key")]
                        + [pl.col(c.name).fill_null("") for c in mapping.columns if c.type == "pseudonym"],
                        separator=",")
    quarantine = frame.filter(pl.col("_reason").is_not_null()).select(
        pl.lit(file_label).alias("source_file"), "source_row", pl.lit(partner_table(mapping.source)).alias("kind"),
        raw.alias("raw_row"), pl.col("_reason").alias("reason"))
    extra = ["ward_code"] if mapping.geography == "ward" else []
    good = frame.filter(pl.col("_reason").is_null()).select(
        pl.lit(file_label).alias("source_file"), "source_row", "date", pl.col("date").dt.truncate("1mo").alias("month"),
        "lsoa21_code", "lad_code", "person_key", "location_key", *extra, *[c.name for c in mapping.columns])
    return good, quarantine


# ---- loading -----------------------------------------------------------------------------------

def _create_table(con: duckdb.DuckDBPyConnection, mapping: PartnerMapping) -> str:
    table = partner_table(mapping.source)
    columns = dict(PARTNER_STANDARD_COLUMNS)
    if mapping.geography == "ward":
        columns["ward_code"] = "VARCHAR"
    columns.update({c.name: DUCKDB_TYPES[c.type] for c in mapping.columns})
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns.items())})")
    return table


def ingest_partner(warehouse_path: str | Path, source: str, file: str | Path, mapping: PartnerMapping | str | Path,
                   key: bytes | None) -> IngestReport:
    """Load one partner extract into ``partner_<source>``, replacing the previous extract, in one transaction."""
    file = Path(file)
    if not isinstance(mapping, PartnerMapping):
        mapping = load_mapping(mapping, source)
    elif mapping.source != source:
        mapping = dataclasses.replace(mapping, source=source)
    raw = read_partner_file(file, mapping)
    frame = _match_headers(raw, mapping, file)
    label = file.name
    with warehouse.write(warehouse_path) as con:
        ensure_reference(con)
        lookup = LsoaLookup.from_warehouse(con)
        good, quarantine = check_partner(frame, mapping, label, key, con, lookup)
        table = _create_table(con, mapping)
        con.execute("DELETE FROM quarantine WHERE kind = ?", [table])
        con.execute("DELETE FROM ingest_log WHERE kind = ?", [table])
        for target, rows in ((table, good), ("quarantine", quarantine)):
            if rows.height:
                con.register("_rows", rows.to_arrow())
                con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM _rows")
                con.unregister("_rows")
        reasons = quarantine["reason"].str.split(": ").list.first().value_counts(sort=True)
        report = FileReport(label, table, rows_read=frame.height, loaded=good.height,
                            quarantined={r: n for r, n in reasons.iter_rows()},
                            ignored_columns=[c for c in raw.columns if c not in frame.columns])
        con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, 0, ?)",
            [label, table, hashlib.sha256(file.read_bytes()).hexdigest(), report.rows_read, report.loaded,
             report.quarantined_total, datetime.now(UTC).replace(tzinfo=None)],
        )
    return IngestReport([report])
