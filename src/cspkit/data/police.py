"""police.uk ingestion: every row of every file loaded, quarantined with its reason, or counted as a duplicate.

Each CSV is read by Polars as text (nothing is guessed), checked with vectorised expressions, put on
the 2021 LSOA boundaries and written by Polars as Parquet beside the DuckDB file (appending to
DuckDB's own tables cost half the run). Files are taken in (kind, force, month) order and cut into
batches of about 150,000 rows; each batch is read (plain files of one header by one Polars call),
hashed, checked and written as one Parquet file per kind and force, holding all the batch's months
of that force. Two batches are worked on at once, one per core, and at most three are in memory,
so memory stays bounded whatever the archive size. A month ingested again is removed from the
older file that holds it (the file is rewritten without it). New and rewritten files are written
under temporary names and renamed into place only after the quarantine and ingest_log rows commit
in one DuckDB transaction, so a failure midway leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import threading
import tomllib
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from itertools import accumulate, count, islice
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from cspkit.data import warehouse
from cspkit.data.encoding import to_utf8
from cspkit.data.geography import UK_LATITUDE, UK_LONGITUDE, LsoaLookup, LsoaPolygons, ensure_reference, harmonise
from cspkit.data.police_files import PoliceFile, discover
from cspkit.data.report import FileReport, IngestReport
from cspkit.errors import InputError

_DATA = resources.files("cspkit.data")
COLUMNS: dict[str, dict[str, dict]] = tomllib.loads((_DATA / "police_columns.toml").read_text("utf-8"))
LABELS: dict[str, dict[str, dict[str, str]]] = tomllib.loads((_DATA / "police_labels.toml").read_text("utf-8"))

DUPLICATE = "duplicate Crime ID"
#: Rows checked and written together (estimated from file sizes): few Parquet files, bounded memory.
BATCH_ROWS = 150_000
#: Bytes per row of a police.uk CSV, about (to cut batches before reading the files).
BYTES_PER_ROW = 200
#: Batches read, checked and written at once: one per core.
WORKERS = 2
#: DuckDB's row group size: the unit its inserts are parallelised over.
ROW_GROUP = 122_880
#: DuckDB's own buffer limit during an ingest; it writes row groups to disk beyond it.
DUCKDB_MEMORY = "300MB"
#: Parquet compression of the police rows: none (their strings are dictionary-encoded already; lz4
#: saved about 15% of the space for a fifth of the write time).
COMPRESSION = "uncompressed"

Progress = Callable[[int, int, str], None]
_PLACING = threading.Lock()


def normalise_header(header: str) -> str:
    """Header as compared: trimmed, lower case, '-' and '_' as spaces, spaces collapsed."""
    return re.sub(r"\s+", " ", header.strip().lower().replace("-", " ").replace("_", " "))


def map_headers(headers: list[str], table: str, file: str) -> tuple[dict[str, str], list[str]]:
    """{header as published: column name} and the headers we do not use; missing required -> InputError."""
    renames, ignored, missing = _header_names(tuple(headers), table)
    if missing:
        raise InputError(f"missing required column '{missing}' (found: {', '.join(headers)})", file=file, column=missing)
    return dict(renames), list(ignored)


@cache
def _header_names(headers: tuple[str, ...], table: str) -> tuple[tuple, tuple, str | None]:
    """Renames, ignored headers and the first missing required header (cached: an archive repeats its headers)."""
    known: dict[str, str] = {}
    for name, spec in COLUMNS[table].items():
        for label in [spec["header"], name, *spec.get("aliases", [])]:
            known.setdefault(normalise_header(label), name)
    renames: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        name = known.get(normalise_header(header))
        if name is None or name in renames.values():
            ignored.append(header)
        else:
            renames[header] = name
    missing = next((spec["header"] for name, spec in COLUMNS[table].items()
                    if spec["required"] and name not in renames.values()), None)
    return tuple(renames.items()), tuple(ignored), missing


def read_csv_text(data: bytes, file: str) -> pl.DataFrame:
    """All columns as text; an empty or unreadable file is an InputError naming the file."""
    data = to_utf8(data, file)
    if not data.strip():
        raise InputError("empty file (no header row)", file=file)
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, raise_if_empty=True)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise InputError(f"not a readable CSV file: {reason}", file=file) from exc


def _truncated_last_row(data: bytes, n_columns: int) -> bool:
    """True when the file ends mid-row: no final newline and fewer fields than the header."""
    tail = data.rstrip(b"\r")
    if tail.endswith(b"\n"):
        return False
    last_line = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    return len(next(csv.reader([last_line]), [])) < n_columns


def _first_failure(checks: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The number of the first failing check, else null (cheap: no text is built for good rows)."""
    chain = None
    for number, (condition, _) in enumerate(checks):
        chain = pl.when(condition).then(number) if chain is None else chain.when(condition).then(number)
    return chain.otherwise(None).cast(pl.Int8)


def _reason_text(checks: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The reason text of the check numbered in ``_failed`` (evaluated on the bad rows only)."""
    chain = None
    for number, (_, reason) in enumerate(checks):
        hit = pl.col("_failed") == number
        chain = pl.when(hit).then(reason) if chain is None else chain.when(hit).then(reason)
    return chain.otherwise(pl.lit(None, pl.String))


def _text(s: str) -> pl.Expr:
    return pl.lit(s, dtype=pl.String)


def _coordinate_checks() -> list[tuple[pl.Expr, pl.Expr]]:
    lon, lat = pl.col("longitude"), pl.col("latitude")
    shown = pl.concat_str([lon.fill_null(""), lat.fill_null("")], separator=",")
    outside = ~(pl.col("_lon").is_between(*UK_LONGITUDE) & pl.col("_lat").is_between(*UK_LATITUDE))
    return [
        (lon.is_null() != lat.is_null(), pl.concat_str([_text("incomplete coordinates: "), shown])),
        ((lon.is_not_null() & pl.col("_lon").is_null()) | (lat.is_not_null() & pl.col("_lat").is_null()),
         pl.concat_str([_text("unparseable coordinates: "), shown])),
        (pl.col("_lon").is_not_null() & outside, pl.concat_str([_text("coordinates outside the UK: "), shown])),
    ]


def _month_checks() -> list[tuple[pl.Expr, pl.Expr]]:
    raw = pl.col("month").str.strip_chars()
    # One check for both: a month equal to the file's is well formed, so the pattern is only
    # needed to word the reason of the rows that fail (reason texts are built for bad rows only).
    return [
        (raw.is_null(), _text("missing Month")),
        (raw != pl.col("_file_month"),
         pl.when(raw.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$"))
         .then(pl.concat_str([_text("Month is not the file's month: "), raw]))
         .otherwise(pl.concat_str([_text("unparseable Month: "), raw]))),
    ]


def _required(column: str, header: str) -> tuple[pl.Expr, pl.Expr]:
    return pl.col(column).is_null(), _text(f"missing {header}")


def _boolean(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().replace_strict({"true": True, "false": False}, default=None,
                                                             return_dtype=pl.Boolean)


def _previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


BOOLEAN_COLUMNS = ("part_of_a_policing_operation", "outcome_linked_to_object_of_search",
                   "removal_of_more_than_just_outer_clothing")


def _checks(table: str) -> list[tuple[pl.Expr, pl.Expr]]:
    """The row checks of one kind of file, in the order their reasons are reported."""
    truncated = (pl.col("_truncated"), _text("truncated row: the file ends mid-row"))
    if table == "street":
        return [truncated, *_month_checks(), _required("crime_type", "Crime type"), *_coordinate_checks()]
    if table == "outcomes":
        return [truncated, *_month_checks(), _required("crime_id", "Crime ID"),
                _required("outcome_type", "Outcome type"), *_coordinate_checks()]
    written = pl.col("date").str.slice(0, 7)
    checks = [
        truncated,
        _required("type", "Type"),
        _required("date", "Date"),
        (pl.col("_date").is_null(), pl.concat_str([_text("unparseable Date: "), pl.col("date")])),
        ((written != pl.col("_file_month")) & (written != pl.col("_previous_month")),
         pl.concat_str([_text("Date is not in the file's month or the month before: "), pl.col("date")])),
        *_coordinate_checks(),
    ]
    for column in BOOLEAN_COLUMNS:
        checks.append((pl.col(column).is_not_null() & _boolean(column).is_null(),
                       pl.concat_str([_text(f"not True or False in {column}: "), pl.col(column)])))
    return checks


def _parsed(table: str) -> list[pl.Expr]:
    """Typed helper columns (``_lon``, ``_lat``, ``_date``) beside the published text."""
    parsed = [pl.col("longitude").cast(pl.Float64, strict=False).alias("_lon"),
              pl.col("latitude").cast(pl.Float64, strict=False).alias("_lat")]
    if table == "stop_search":
        parsed.append(pl.coalesce(
            pl.col("date").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_zone="UTC"),
            pl.col("date").str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False).dt.replace_time_zone("UTC"),
        ).alias("_date"))
    return parsed


def _labelled(column: str, table: str) -> pl.Expr:
    mapping = LABELS.get(table, {}).get(column)
    return pl.col(column).replace(mapping) if mapping else pl.col(column)


def _typed(table: str, placed: bool = True) -> list[pl.Expr]:
    """Good rows in the warehouse table's columns and types."""
    common = ["source_file", "source_row", "force", "month"]
    geo = [pl.col("_lon").alias("longitude"), pl.col("_lat").alias("latitude")]
    if table == "stop_search":
        text = ["type", "policing_operation", "gender", "age_range", "self_defined_ethnicity",
                "officer_defined_ethnicity", "legislation", "object_of_search"]
        area = [pl.col(c) if placed else pl.lit(None, pl.String).alias(c) for c in ("lsoa21_code", "lad_code")]
        return [*common, *text, _labelled("outcome", table), pl.col("_date").dt.replace_time_zone(None).alias("date"),
                *[_boolean(c).alias(c) for c in BOOLEAN_COLUMNS], *geo, *area]
    text = ["crime_id", "reported_by", "falls_within", "location", "lsoa_code", "lsoa_name"]
    extra = (["crime_type", "last_outcome_category", "context"] if table == "street" else ["outcome_type"])
    return [*common, *text, *[_labelled(c, table) for c in extra], *geo, "lsoa21_code", "lad_code"]


def prepare_file(pf: PoliceFile, data: bytes, index: int) -> tuple[pl.DataFrame, FileReport]:
    """Read one file into the standard columns it has (as text) and its index in ``_file``.

    The file-level facts are added per batch (:func:`with_file_facts`): per-file work is what
    dominates an archive of many small files.
    """
    raw = read_csv_text(data, pf.source_file)
    renames, ignored = map_headers(raw.columns, pf.table, pf.source_file)
    frame = raw.select(*[pl.col(header).alias(name) for header, name in renames.items()],
                       pl.lit(index, pl.Int32).alias("_file"))
    if _truncated_last_row(data, len(raw.columns)):
        frame = frame.with_columns((pl.int_range(1, pl.len() + 1) == pl.len()).alias("_truncated"))
    return frame, _file_report(pf, frame.height, ignored)


def _file_report(pf: PoliceFile, rows_read: int, ignored: Iterable[str]) -> FileReport:
    return FileReport(pf.source_file, pf.table, pf.force, pf.month.strftime("%Y-%m"), rows_read=rows_read,
                      ignored_columns=list(ignored))


def with_file_facts(frame: pl.DataFrame, table: str, reports: list[FileReport]) -> pl.DataFrame:
    """Row numbers, missing optional columns and each row's file facts, for a batch of prepared files.

    Each file's rows are one run of ``_file`` (files are added whole), so the facts are each file's
    values repeated over its run: no look-up per row.
    """
    runs = frame.get_column("_file").rle()
    indexes = runs.struct.field("value").to_list()
    if len(set(indexes)) != len(indexes):
        raise ValueError("a file's rows are not together in the batch")
    lengths = runs.struct.field("len").to_numpy()
    positions = np.repeat(np.arange(len(indexes)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    batch = [reports[i] for i in indexes]
    months = [date.fromisoformat(r.month + "-01") for r in batch]

    def fact(name: str, values: list, dtype: pl.DataType) -> pl.Series:
        return pl.Series(name, values, dtype).gather(positions)

    missing = [pl.lit(None, pl.String).alias(c) for c in COLUMNS[table] if c not in frame.columns]
    truncated = pl.col("_truncated").fill_null(False) if "_truncated" in frame.columns else pl.lit(False)
    return frame.with_columns(
        *missing,
        pl.Series("source_row", np.arange(1, frame.height + 1) - starts, pl.Int32),
        fact("source_file", [r.source_file for r in batch], pl.String),
        fact("force", [r.force for r in batch], pl.String),
        fact("_month_date", months, pl.Date),
        fact("_file_month", [r.month for r in batch], pl.String),
        fact("_previous_month", [_previous_month(m).strftime("%Y-%m") for m in months], pl.String),
        truncated.alias("_truncated"),
    )


@dataclass
class CheckedBatch:
    """Rows to load and rows to quarantine (duplicates included, with reason ``duplicate Crime ID``)."""

    good: pl.DataFrame
    quarantine: pl.DataFrame


def check_batch(frame: pl.DataFrame, table: str, lookup: LsoaLookup, reports: list[FileReport],
                polygons: LsoaPolygons | None = None, dropped: Collection[int] = ()) -> CheckedBatch:
    """Check prepared rows of one kind (from one or more files) and add the outcome to the files' reports.

    Stop-and-search rows have coordinates but no LSOA: with ``polygons`` they are placed in the LSOA
    2021 polygon that contains them (only where boundaries are held; elsewhere the area is NULL).
    Files whose index is in ``dropped`` (replaced by a later download in the same run) are checked
    and reported, but none of their rows is returned.
    """
    frame = with_file_facts(frame, table, reports).with_columns(_parsed(table))
    checks = _checks(table)
    if table == "stop_search" and polygons is not None:
        with _PLACING:  # one shapely tree, shared by the worker threads
            frame = polygons.place(frame, lookup, "_lat", "_lon")
    elif table != "stop_search":
        frame = harmonise(frame.with_columns(pl.col("lsoa_code").str.strip_chars()), lookup,
                          latitude="_lat", longitude="_lon")
        checks.append((pl.col("lsoa_code").is_not_null() & pl.col("lsoa21_code").is_null(),
                       pl.concat_str([_text("unknown LSOA code: "), pl.col("lsoa_code")])))
    # A Crime ID is one crime: one row with it in a file is loaded, the others are duplicates.
    # (Outcomes repeat a Crime ID legitimately, one row per suspect or outcome event: not deduplicated.)
    checks.append((pl.lit(False), _text(DUPLICATE)))
    frame = frame.with_columns(_first_failure(checks[:-1]).alias("_failed"))
    if table == "street":
        frame = frame.with_columns(
            pl.when(~_kept_of_its_crime_id()).then(pl.lit(len(checks) - 1, pl.Int8)).otherwise(pl.col("_failed")).alias("_failed")
        )
    good = frame.filter(pl.col("_failed").is_null()).drop("month", strict=False).rename({"_month_date": "month"})
    quarantine = frame.filter(pl.col("_failed").is_not_null()).select(
        "source_file", "source_row", pl.lit(table).alias("kind"),
        pl.concat_str([pl.col(c).fill_null("") for c in COLUMNS[table]], separator=",").alias("raw_row"),
        _reason_text(checks).alias("reason"), "_file",
    )
    for index, n in good.group_by("_file").len().iter_rows():
        reports[index].loaded += n
    by_reason = quarantine.group_by("_file", pl.col("reason").str.split(": ").list.first()).len()
    for index, reason, n in by_reason.sort("len", descending=True).iter_rows():
        if reason == DUPLICATE:
            reports[index].duplicates += n
        else:
            reports[index].quarantined[reason] = reports[index].quarantined.get(reason, 0) + n
    if dropped:
        good = good.filter(~pl.col("_file").is_in(list(dropped)))
        quarantine = quarantine.filter(~pl.col("_file").is_in(list(dropped)))
    return CheckedBatch(good.select(_typed(table, placed="lsoa21_code" in good.columns)), quarantine.drop("_file"))


#: The outcome police.uk prints when a force's system sent none; a repeat of the Crime ID often has the real one.
NO_STATUS = "Status update unavailable"


def _kept_of_its_crime_id() -> pl.Expr:
    """True for the street row loaded for its Crime ID in its file (and for rows without a Crime ID or that
    failed a check): the first row with a real outcome, or the first row when none has one.

    A repeated Crime ID in one street file is the same crime printed twice, once often with
    "Status update unavailable" and once with what happened; keeping the first row would lose the outcome.
    """
    passed = pl.col("_failed").is_null() & pl.col("crime_id").is_not_null()  # failed rows do not compete
    outcome = pl.col("last_outcome_category").str.strip_chars()
    no_outcome = outcome.is_null() | outcome.is_in(["", NO_STATUS])
    # One sortable number per row: rows with a real outcome first, then in file order.
    preference = pl.when(passed).then(no_outcome.cast(pl.Int64) * (1 << 32) + pl.col("source_row").cast(pl.Int64))
    return ~passed | (preference == preference.min().over("_file", "crime_id"))


def _by_force(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """The rows of each force, in order of first appearance (slices, not copies, when each force's rows are together)."""
    runs = frame.get_column("force").rle()
    forces = runs.struct.field("value").to_list()
    if len(set(forces)) != len(forces):  # a force's rows are not together: gather them
        return [(force, part) for (force,), part in frame.partition_by("force", as_dict=True).items()]
    lengths = runs.struct.field("len").to_list()
    starts = [0, *accumulate(lengths)][:-1]
    return [(force, frame.slice(start, n)) for force, start, n in zip(forces, starts, lengths, strict=True)]


class Partitions:
    """This run's changes to the Parquet files, staged as ``*.parquet.tmp`` and put in place by :meth:`publish`.

    New rows go to new files, one per kind and force for each batch written (a batch holds many
    months of a force, as files are read in kind, force, month order). A month ingested again is
    removed from the older file that holds it: that file is rewritten without it (or deleted when
    nothing is left), and the rewrite is only put in place by :meth:`publish`.
    """

    def __init__(self, warehouse_path: str | Path) -> None:
        self.warehouse_path = Path(warehouse_path)
        self.run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        self.staged: list[tuple[Path, Path]] = []  # (temporary, final); appended to by worker threads
        self.numbers = count()
        self.removed: list[Path] = []
        for leftover in warehouse.partitions_dir(warehouse_path).glob("*/*/*.parquet.tmp"):
            leftover.unlink()  # from a run that was killed

    def _temporary(self, final: Path) -> Path:
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(final.name + ".tmp")
        self.staged.append((temporary, final))
        return temporary

    def stage(self, table: str, good: pl.DataFrame) -> None:
        """Write one new file per force of the batch (each holds all the batch's months of that force)."""
        for force, part in _by_force(good):
            final = warehouse.partition_file(self.warehouse_path, table, force, f"{self.run}-{next(self.numbers):05d}")
            part.write_parquet(self._temporary(final), compression=COMPRESSION)

    def replace(self, keys: Iterable[tuple[str, str, date]]) -> None:
        """Stage the removal of these (kind, force, month)s from the files that hold them now."""
        by_table: dict[str, set[tuple[str, date]]] = {}
        for table, force, month in keys:
            by_table.setdefault(table, set()).add((force, month))
        for table, replaced in by_table.items():
            files = [f for force in sorted({force for force, _ in replaced})
                     for f in sorted(warehouse.partition_folder(self.warehouse_path, table, force).glob("*.parquet"))]
            if not files:
                continue
            held = (pl.scan_parquet(files, include_file_paths="_path").group_by("_path", "force", "month")
                    .agg(pl.len()).collect())
            for (path,), months in held.partition_by("_path", as_dict=True).items():
                gone = [m for f, m in months.select("force", "month").iter_rows() if (f, m) in replaced]
                if not gone:
                    continue
                path = Path(path)
                if len(gone) == months.height:
                    self.removed.append(path)
                else:
                    (pl.scan_parquet(path).filter(~pl.col("month").is_in(gone))
                     .sink_parquet(self._temporary(path), compression=COMPRESSION))

    def publish(self) -> None:
        """Put this run's files in place and delete the files whose every month was replaced."""
        for temporary, final in self.staged:
            os.replace(temporary, final)
        self.staged.clear()
        for path in self.removed:
            path.unlink(missing_ok=True)
        self.removed.clear()

    def discard(self) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged.clear()
        self.removed.clear()


def check_frames(frames: Iterable[tuple[str, pl.DataFrame]], lookup: LsoaLookup, reports: list[FileReport],
                 polygons: LsoaPolygons | None = None, partitions: Partitions | None = None,
                 dropped: Collection[int] = ()) -> list[tuple[str, pl.DataFrame]]:
    """Check prepared files, each kind's frames as one batch, and return the rows for DuckDB.

    Good rows are written to ``partitions`` (Parquet files, by the calling thread) or, without
    them, returned for their table; the quarantined rows are always returned, for the thread that
    owns the DuckDB connection. Empty frames are left out.
    """
    by_table: dict[str, list[pl.DataFrame]] = {}
    for table, frame in frames:
        by_table.setdefault(table, []).append(frame)
    rows: list[tuple[str, pl.DataFrame]] = []
    for table, parts in by_table.items():
        checked = check_batch(pl.concat(parts, how="diagonal"), table, lookup, reports, polygons, dropped)
        if partitions is None:
            rows.append((table, checked.good))
        else:
            partitions.stage(table, checked.good)
        rows.append(("quarantine", checked.quarantine))
    return [(table, frame) for table, frame in rows if frame.height]


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame to a DuckDB table, by column name."""
    if frame.height:
        # Row-group-sized record batches let DuckDB scan and write the insert on several threads.
        arrow = frame.to_arrow()
        arrow = pa.Table.from_batches(arrow.to_batches(max_chunksize=ROW_GROUP), schema=arrow.schema)
        con.register("_batch", arrow)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _batch")
        con.unregister("_batch")


def _forget(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str, date]]) -> None:
    """Remove what earlier runs stored of these (kind, force, month)s from DuckDB: a newer download replaces it.

    Their Parquet rows are removed by :meth:`Partitions.replace`.
    """
    if not keys:
        return
    con.register("_replaced", pa.table({"kind": [k[0] for k in keys], "force": [k[1] for k in keys],
                                        "month": [k[2] for k in keys]}))
    for table in warehouse.PARTITIONED:
        con.execute(f"""DELETE FROM {warehouse.base_table(con, table)} t USING _replaced r
                        WHERE r.kind = '{table}' AND t.force = r.force AND t.month = r.month""")
    con.execute("""DELETE FROM quarantine q USING ingest_log l, _replaced r
                   WHERE l.kind = r.kind AND l.force = r.force AND l.month = r.month
                   AND q.kind = l.kind AND q.source_file = l.source_file""")
    con.execute("DELETE FROM ingest_log l USING _replaced r WHERE l.kind = r.kind AND l.force = r.force AND l.month = r.month")
    con.unregister("_replaced")


def _batches(files: list[PoliceFile], order: list[int], batch_rows: int) -> list[list[int]]:
    """The files' indexes in ``order``, cut into batches of about ``batch_rows`` rows (estimated from sizes)."""
    batches: list[list[int]] = [[]]
    rows = 0
    for index in order:
        if rows >= batch_rows:
            batches.append([])
            rows = 0
        batches[-1].append(index)
        rows += max(files[index].size // BYTES_PER_ROW, 1)
    return [b for b in batches if b]


@dataclass
class _Checked:
    """One batch done by a worker: its files, their sha256 and the rows for DuckDB."""

    indexes: list[int]
    digests: dict[int, str]
    held: list[tuple[str, pl.DataFrame]]


def _plain_rows(data: bytes) -> int | None:
    """Rows of a file that Polars can read together with others, else None (read it on its own).

    Plain means: no quote character (so no field spans lines), every line ended by one newline (CRLF
    or LF throughout), at least one row. Its rows are then its lines after the header (a blank line
    is a row of nulls, read alone or together; :func:`_read_together` checks the total).
    """
    if not data.endswith(b"\n") or b'"' in data or data.startswith(b"\n"):
        return None
    # numpy counts without holding the GIL (the worker threads count at once)
    lines = int(np.count_nonzero(np.frombuffer(data, np.uint8) == ord("\n")))
    if lines < 2 or (b"\r" in data and data.count(b"\r") != lines):
        return None
    return lines - 1


def _read_together(group: list[tuple[PoliceFile, bytes, int, int]]) -> tuple[pl.DataFrame, list[FileReport]] | None:
    """Plain files of one kind with the same header, read by one Polars call; None if that fails."""
    try:
        raw = pl.scan_csv([data for _, data, _, _ in group], infer_schema=False).collect()
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError):
        return None  # read again file by file: the error then names the file
    counts = [rows for _, _, _, rows in group]
    if raw.height != sum(counts):
        return None
    first = group[0][0]
    renames, ignored = map_headers(raw.columns, first.table, first.source_file)
    indexes = np.repeat(np.array([index for _, _, index, _ in group], dtype=np.int32), counts)
    frame = raw.select(*[pl.col(header).alias(name) for header, name in renames.items()],
                       pl.Series("_file", indexes, pl.Int32))
    reports = [_file_report(pf, rows, ignored) for pf, _, _, rows in group]
    return frame, reports


def _check_files(files: list[PoliceFile], indexes: list[int], reports: list[FileReport], reference: Future,
                 partitions: Partitions, dropped: Collection[int]) -> _Checked:
    """Read, hash, check and write one batch of files (on a worker thread: no DuckDB here).

    Plain files (:func:`_plain_rows`) of the same kind and header are read by one Polars call
    (each call has a fixed cost that dominates archives of small files); any other file, or a group
    whose joint read fails, is read on its own by :func:`prepare_file`. ``reference`` gives the
    (LsoaLookup, LsoaPolygons) to check with: the files are read while the main thread loads them.
    """
    digests = {}
    frames: list[tuple[str, pl.DataFrame]] = []
    groups: dict[tuple[str, bytes], list[tuple[PoliceFile, bytes, int, int]]] = {}
    alone: list[tuple[int, bytes]] = []
    for index in indexes:
        pf = files[index]
        data = pf.read()
        digests[index] = hashlib.sha256(data).hexdigest()
        data = to_utf8(data, pf.source_file)
        rows = _plain_rows(data)
        if rows is None:
            alone.append((index, data))
        else:
            groups.setdefault((pf.table, data[:data.index(b"\n")]), []).append((pf, data, index, rows))
    for group in groups.values():
        together = _read_together(group) if len(group) > 1 else None
        if together is None:
            alone.extend((index, data) for _, data, index, _ in group)
        else:
            frame, group_reports = together
            for (_, _, index, _), report in zip(group, group_reports, strict=True):
                reports[index] = report
            frames.append((group[0][0].table, frame))
    for index, data in sorted(alone):
        frame, reports[index] = prepare_file(files[index], data, index)
        frames.append((files[index].table, frame))
    lookup, polygons = reference.result()
    return _Checked(indexes, digests, check_frames(frames, lookup, reports, polygons, partitions, dropped))


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[PoliceFile], partitions: Partitions,
                 progress: Progress | None = None, batch_rows: int = BATCH_ROWS) -> IngestReport:
    """Check police.uk files: good rows staged in ``partitions``, the rest and the log on ``con``.

    Files are read in (kind, force, month) order and cut into batches, so that a batch holds many
    months of few forces and is written as few Parquet files. ``WORKERS`` batches are read, hashed,
    checked and written at once (Polars and hashlib release the GIL); this thread puts their
    quarantined rows into DuckDB, in order, and at most ``WORKERS + 1`` batches are in memory.
    The report lists the files in the order given. Of several files with the same kind, force and
    month, the last given wins: the others are checked and reported, but their rows are not stored.
    """
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    winner = {pf.key: index for index, pf in enumerate(files)}  # the last file given of each key
    keys = sorted(winner, key=lambda k: winner[k])
    order = sorted(range(len(files)), key=lambda i: (files[i].table, files[i].force, files[i].month, i))
    reports: list[FileReport] = [None] * len(files)  # type: ignore[list-item]  # filled by the workers
    digests: dict[int, str] = {}
    dropped = {index for index, pf in enumerate(files) if winner[pf.key] != index}
    reference: Future = Future()  # (LsoaLookup, LsoaPolygons), once loaded
    batches = iter(_batches(files, order, batch_rows))
    done = 0
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        def submit(batch: list[int]) -> Future:
            return pool.submit(_check_files, files, batch, reports, reference, partitions, dropped)

        running = deque(submit(batch) for batch in islice(batches, WORKERS + 1))
        try:
            # While the workers read the first files: the reference tables, and what this run replaces.
            ensure_reference(con)
            reference.set_result((LsoaLookup.from_warehouse(con), LsoaPolygons.from_warehouse(con)))
            earlier = {tuple(r) for r in con.execute("SELECT kind, force, month FROM ingest_log").fetchall()}
            partitions.replace(keys)
            _forget(con, [k for k in keys if k in earlier])
            while running:
                checked = running.popleft().result()
                following = next(batches, None)
                if following is not None:
                    running.append(submit(following))
                for table, frame in checked.held:
                    insert(con, table, frame)
                digests.update(checked.digests)
                for index in checked.indexes:
                    done += 1
                    if progress:
                        progress(done, len(files), files[index].source_file)
        except BaseException as exc:
            if not reference.done():
                reference.set_exception(exc)  # workers waiting for it stop
            for future in running:  # the pool then waits for the batches already being checked
                future.cancel()
            raise
    now = datetime.now(UTC).replace(tzinfo=None)
    insert(con, "ingest_log", pl.DataFrame([
        {"source_file": files[i].source_file, "kind": files[i].table, "force": files[i].force,
         "month": files[i].month, "sha256": digests[i], "rows_read": reports[i].rows_read,
         "loaded": reports[i].loaded, "quarantined": reports[i].quarantined_total,
         "duplicates": reports[i].duplicates, "ingested_at": now}
        for i in sorted(winner.values())
    ]))
    return IngestReport(files=reports)


def ingest_police(warehouse_path: str | Path, paths: Iterable[str | Path], progress: Progress | None = None,
                  batch_rows: int = BATCH_ROWS) -> IngestReport:
    """Ingest police.uk downloads (zips, folders, CSVs) into the warehouse, all or nothing."""
    return ingest_police_files(warehouse_path, discover(paths), progress, batch_rows)


def ingest_police_files(warehouse_path: str | Path, files: list[PoliceFile], progress: Progress | None = None,
                        batch_rows: int = BATCH_ROWS) -> IngestReport:
    """Ingest police.uk files already found (e.g. the members of an archive that an assessment needs), all or nothing."""
    partitions = Partitions(warehouse_path)
    try:
        with warehouse.write(warehouse_path) as con:
            report = ingest_files(con, files, partitions, progress, batch_rows)
        partitions.publish()
    finally:
        partitions.discard()
    return report
