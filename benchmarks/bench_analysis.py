"""Benchmark of the analysis step: one CSP's full analysis set, and peers over a national warehouse.

    .venv/bin/python benchmarks/bench_analysis.py [--rows 20000000] [--workdir /tmp/cspkit_bench] [--rebuild]

1. The real Central Bedfordshire demo (36 months of police.uk, 175 LSOAs) is ingested (not timed),
   then ``analyse_area`` computes the full set, Gi* with 999 conditional permutations, emerging hot
   spots (12 quarters) and the spatial point pattern test included; then, in another fresh process,
   each of those three spatial parts is timed alone (all crime). Baseline in the same run: pandas
   reading the area's street rows from the warehouse and counting them by category and month, the
   least a spreadsheet-style script does.
2. A synthetic national warehouse (about 33,800 LSOAs in 300 districts, ``--rows`` street rows over
   36 months) is built directly in DuckDB with SQL (``range`` and ``random``), then one district's
   peer comparison (k = 10 nearest of 300) and its full analysis set are timed. Baseline floor: one
   DuckDB ``GROUP BY lad_code, crime_type`` over the whole street table.

Each stage runs in a fresh process started from a small parent, so the peak memory reported (max
RSS, which Linux carries over from the parent) is that stage's own plus the interpreter's imports.
Wall and CPU seconds are both reported: on a shared machine CPU time is the steadier figure.
Goals: full set (with permutations and emerging hot spots) under 10 s for one CSP; peer comparison
under 30 s on ~20M rows.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from pathlib import Path

DEMO_ZIP = Path(__file__).resolve().parent.parent / "demo" / "police" / "bedfordshire-2021-05-to-2024-04.zip"
PERIOD = ("2021-05", "2024-04")
DISTRICTS = 300
LSOAS = 33_755
AGE_BANDS = [
    "Aged 15 years and under",
    "Aged 16 to 24 years",
    "Aged 25 to 34 years",
    "Aged 35 to 49 years",
    "Aged 50 to 64 years",
    "Aged 65 years and over",
]
#: Rough shares of police.uk categories nationally (ASB included), cumulated in the generator.
CATEGORIES = [
    ("Violence and sexual offences", 0.30),
    ("Anti-social behaviour", 0.17),
    ("Criminal damage and arson", 0.08),
    ("Other theft", 0.07),
    ("Shoplifting", 0.07),
    ("Vehicle crime", 0.07),
    ("Public order", 0.07),
    ("Burglary", 0.04),
    ("Drugs", 0.03),
    ("Other crime", 0.03),
    ("Bicycle theft", 0.015),
    ("Theft from the person", 0.015),
    ("Robbery", 0.01),
    ("Possession of weapons", 0.01),
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(target, *args) -> dict:
    """Run one stage in a fresh process; return its result with its own peak memory."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(target, args)


def build_demo(path: Path) -> None:
    from cspkit.data.police import ingest_police

    if not path.exists():
        ingest_police(path, [DEMO_ZIP])


def build_national(path: Path, rows: int) -> None:
    """A national-sized warehouse in one SQL pass per table (no CSVs)."""
    from cspkit.data import warehouse

    cases = []
    cumulative = 0.0
    for name, share in CATEGORIES[:-1]:
        cumulative += share
        cases.append(f"WHEN u < {cumulative:.4f} THEN '{name}'")
    crime_case = f"CASE {' '.join(cases)} ELSE '{CATEGORIES[-1][0]}' END"
    bands = ", ".join(f"('{b}', {i})" for i, b in enumerate(AGE_BANDS))
    with warehouse.write(path) as con:
        con.execute("SELECT setseed(0.42)")
        con.execute(f"""
            INSERT INTO lsoa
            SELECT printf('E01%06d', i), printf('LSOA %d', i), printf('E05%06d', i // 8), printf('Ward %d', i // 8),
                   printf('E07%06d', i % {DISTRICTS}), printf('District %d', i % {DISTRICTS}),
                   50.5 + (i % {DISTRICTS}) / {DISTRICTS} * 4 + random() * 0.3,
                   -3.5 + (i % 17) / 17 * 4 + random() * 0.3
            FROM range({LSOAS}) t(i)""")
        con.execute(f"""
            INSERT INTO population
            SELECT l.lsoa21_code, b.band,
                   (250 * (1 + 0.3 * sin(b.k + (l.lad_code[4:]::INT) % 7)) * (0.8 + 0.4 * random()))::INT
            FROM lsoa l CROSS JOIN (VALUES {bands}) b(band, k)""")
        con.execute("INSERT INTO households SELECT lsoa21_code, (sum(residents) / 2.4)::INT FROM population GROUP BY 1")
        con.execute("""INSERT INTO imd (lsoa21_code, imd_score)
                       SELECT lsoa21_code, 5 + ((lad_code[4:]::INT) % 40) + 20 * random() FROM lsoa""")
        con.execute("CREATE TEMP TABLE pick AS SELECT row_number() OVER (ORDER BY lsoa21_code) - 1 AS idx, * FROM lsoa")
        con.execute(f"""
            INSERT INTO street (source_file, source_row, force, crime_id, month, longitude, latitude, location,
                                lsoa_code, lsoa_name, crime_type, last_outcome_category, lsoa21_code, lad_code)
            SELECT strftime(m, '%Y-%m') || '-synthetic-street.csv', r::INT, 'synthetic',
                   CASE WHEN c <> 'Anti-social behaviour' THEN md5(r::VARCHAR) END, m,
                   p.longitude + (s % 40) * 0.0005, p.latitude + (s % 23) * 0.0005,
                   'On or near Street ' || (s % 40), p.lsoa21_code, p.lsoa21_name, c,
                   CASE WHEN c <> 'Anti-social behaviour' THEN 'Investigation complete; no suspect identified' END,
                   p.lsoa21_code, p.lad_code
            FROM (
                SELECT r, (hash(r) % {LSOAS})::INT AS idx, (hash(r * 7) % 1000)::INT AS s,
                       DATE '2021-05-01' + to_months((r % 36)::INT) AS m, {crime_case} AS c
                FROM (SELECT r, random() AS u FROM range({rows}) t(r))
            ) g JOIN pick p USING (idx)""")
        con.execute("DROP TABLE pick")


def stage_full_set(path: str, area: str) -> dict:
    from cspkit.analysis.analyse import analyse_area
    from cspkit.analysis.area import Period

    start, cpu = time.perf_counter(), time.process_time()
    result = analyse_area(path, area, Period.parse(*PERIOD))
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "tables": len(result.tables()),
        "notes": sorted(result.notes),
    }


def stage_change_tests(path: str, area: str) -> dict:
    """The tests of change (issue 13): the quasi-Poisson change table, the trend table with HAC errors and
    the seasonal index, each timed, against the exact Poisson test of the annual totals they replaced."""
    from cspkit.analysis.analyse import open_scope
    from cspkit.analysis.area import Period
    from cspkit.analysis.change import compare_counts
    from cspkit.analysis.comparisons import change_table, comparison_periods, trend_table
    from cspkit.analysis.seasonality import seasonal_index
    from cspkit.analysis.volumes import monthly_counts, period_totals, with_all_crime

    period = Period.parse(*PERIOD)
    with open_scope(path, area, period) as scope:
        monthly = with_all_crime(monthly_counts(scope), ["month"])
    out = {}
    start = time.perf_counter()
    import statsmodels.api  # noqa: F401 -- the lazy import the first model pays
    out["statsmodels_import"] = time.perf_counter() - start
    for name, compute in (
        ("change", lambda: change_table(monthly, period)),
        ("trend", lambda: trend_table(monthly)),
        ("seasonality", lambda: seasonal_index(monthly)),
    ):
        start = time.perf_counter()
        rows = compute().height
        out[name], out[f"{name}_rows"] = time.perf_counter() - start, rows
    start = time.perf_counter()
    for previous, latest in comparison_periods(period):
        before, after = dict(period_totals(monthly, previous).iter_rows()), dict(period_totals(monthly, latest).iter_rows())
        for crime_type in before.keys() | after.keys():
            compare_counts(before.get(crime_type, 0), after.get(crime_type, 0))
    out["exact_baseline"] = time.perf_counter() - start
    return out


def stage_spatial_parts(path: str, area: str) -> dict:
    """Each spatial part alone, in the order the full set runs them (so later parts reuse the draws)."""
    from cspkit.analysis.analyse import open_scope
    from cspkit.analysis.area import Period
    from cspkit.analysis.emerging import emerging_hotspots
    from cspkit.analysis.hotspots import hotspot_table
    from cspkit.analysis.sppt import where_crime_moved

    parts = {}
    with open_scope(path, area, Period.parse(*PERIOD)) as scope:
        for name, compute in (
            ("Gi* hot spots, 999 permutations", lambda: hotspot_table(scope)),
            ("emerging hot spots, 12 quarters", lambda: emerging_hotspots(scope)),
            ("spatial point pattern test, 200 resamples", lambda: where_crime_moved(scope)),
        ):
            start, cpu = time.perf_counter(), time.process_time()
            compute()
            parts[name] = (time.perf_counter() - start, time.process_time() - cpu)
    return parts


def stage_pandas_counts(path: str, area: str) -> dict:
    import duckdb
    import pandas  # noqa: F401 -- imported before the clock starts, as the analysis imports are

    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(path, read_only=True)
    frame = con.execute(
        "SELECT crime_type, month FROM street WHERE lad_code = ? AND month BETWEEN ? AND ?",
        [area, f"{PERIOD[0]}-01", f"{PERIOD[1]}-01"],
    ).df()
    counts = frame.groupby(["crime_type", "month"]).size()
    con.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "cells": len(counts),
    }


def stage_peers(path: str, area: str) -> dict:
    from cspkit.analysis.area import Period
    from cspkit.analysis.peers import peer_group, peer_position, peer_rates
    from cspkit.data import warehouse

    period = Period.parse(*PERIOD)
    start = time.perf_counter()
    with warehouse.read(path) as con:
        group = peer_group(con, [area], period, k=10)
        position = peer_position(peer_rates(con, group, [area], period))
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "peers": len(group) - 1, "categories": len(position)}


def stage_group_by_floor(path: str) -> dict:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(path, read_only=True)
    rows = con.execute("SELECT lad_code, crime_type, count(*) FROM street GROUP BY ALL").fetchall()
    con.close()
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "cells": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="street rows in the synthetic national warehouse")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cspkit_bench"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the warehouses even if present")
    parser.add_argument("--csp-only", action="store_true", help="only part 1 (no national warehouse)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    demo = args.workdir / "demo.duckdb"
    national = args.workdir / f"national_{args.rows}.duckdb"
    for path in (demo, national):
        if args.rebuild:
            path.unlink(missing_ok=True)

    _in_child(build_demo, demo)  # builds run in children too, so this process stays small
    full = _in_child(stage_full_set, str(demo), "E06000056")
    base = _in_child(stage_pandas_counts, str(demo), "E06000056")
    parts = _in_child(stage_spatial_parts, str(demo), "E06000056")
    print("1. One CSP (Central Bedfordshire, real police.uk, 36 months, 175 LSOAs)")
    print(
        f"   full analysis set: {full['seconds']:.2f} s wall, {full['cpu_seconds']:.2f} s CPU, peak {full['peak_mb']:.0f} MB, "
        f"{full['tables']} tables (not computed: {', '.join(full['notes']) or 'none'})"
    )
    print(
        f"   baseline pandas counts by category and month: {base['seconds']:.2f} s wall, {base['cpu_seconds']:.2f} s CPU, "
        f"peak {base['peak_mb']:.0f} MB"
    )
    print(
        f"   ratio full set / baseline: {full['seconds'] / base['seconds']:.1f}x wall, "
        f"{full['cpu_seconds'] / base['cpu_seconds']:.1f}x CPU  (goal: full set < 10 s)"
    )
    for name, (wall, cpu) in parts.items():
        print(f"   of which {name}: {wall:.2f} s wall, {cpu:.2f} s CPU ({wall / base['seconds']:.1f}x the baseline)")
    tests = _in_child(stage_change_tests, str(demo), "E06000056")
    print(
        f"   tests of change: change table {tests['change']:.2f} s ({tests['change_rows']} rows), trend table "
        f"{tests['trend']:.2f} s ({tests['trend_rows']} rows), seasonal index {tests['seasonality']:.2f} s, "
        f"statsmodels import {tests['statsmodels_import']:.2f} s; baseline exact Poisson test of the annual totals "
        f"{tests['exact_baseline']:.3f} s (change table / baseline {tests['change'] / tests['exact_baseline']:.0f}x)"
    )
    if args.csp_only:
        return

    if not national.exists():
        start = time.perf_counter()
        _in_child(build_national, national, args.rows)
        print(f"\n   (built synthetic national warehouse, {args.rows:,} street rows, in {time.perf_counter() - start:.0f} s)")
    area = "E07000007"
    peers = _in_child(stage_peers, str(national), area)
    floor = _in_child(stage_group_by_floor, str(national))
    national_full = _in_child(stage_full_set, str(national), area)
    print(f"\n2. Synthetic national warehouse ({args.rows:,} street rows, {DISTRICTS} districts, {LSOAS:,} LSOAs)")
    print(
        f"   peer comparison ({peers['peers']} peers, {peers['categories']} categories): {peers['seconds']:.2f} s, "
        f"peak {peers['peak_mb']:.0f} MB  (goal < 30 s)"
    )
    print(
        f"   floor: one DuckDB GROUP BY lad_code, crime_type over all rows: {floor['seconds']:.2f} s, "
        f"peak {floor['peak_mb']:.0f} MB; ratio {peers['seconds'] / floor['seconds']:.1f}x"
    )
    print(
        f"   full analysis set for one district incl. peers: {national_full['seconds']:.2f} s, "
        f"peak {national_full['peak_mb']:.0f} MB (not computed: {', '.join(national_full['notes']) or 'none'})"
    )


if __name__ == "__main__":
    main()
