"""Benchmark: the national geography bundle (issue 11, items 1 and 9): package size it adds, and hot
spots for the largest district, Birmingham (E08000025, 640 LSOAs), from the bundled contiguity.

Run:  .venv/bin/python benchmarks/bench_geography.py [--shared ../shared/data] [--runs 5]

Size: the bundled national files against the plain baseline of shipping the ONS source file as it
is (the full-resolution BGC GeoParquet), and against the three Bedfordshire GeoJSONs the bundle
replaced (their size recorded in git history, read with ``git show``).

Speed, medians of ``--runs``, on a warehouse with the bundled reference tables and 12 months of
synthetic street crime in every Birmingham LSOA:
- ``cspkit analyse hotspots --weights queen`` end to end in a fresh process (start-up, warehouse,
  weights, counts, Gi*, permutation p-values, BH, printing), against ``python -c pass`` in the same run;
- in process, ``hotspot_table``, against the plain baseline an analyst would write: the district's
  polygons read from the ONS file, libpysal ``Queen.from_dataframe`` and esda ``G_Local(star=True,
  transform='B', permutations=999)``;
- the weights alone: ``area_weights`` from the bundled table, against libpysal's Queen from the file
  and against building queen contiguity at run time from polygons already in memory.
The target is under 2 s for the command.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "src" / "cspkit" / "data" / "reference"
BIRMINGHAM = "E08000025"
NATIONAL = "ons_geography/national/lsoa21_boundaries_ew_bgc.parquet"
BUNDLE = ("lsoa21_boundaries.parquet", "lsoa21_queen_contiguity.parquet", "wimd.csv.gz")
REPLACED = tuple(f"src/cspkit/data/reference/lsoa21_boundaries_{c}.geojson" for c in ("E06000032", "E06000055", "E06000056"))
REPLACED_AT = "06c9dee"  # the last main commit that held the three GeoJSONs


def sizes(shared: Path) -> None:
    bundle = {name: (REFERENCE / name).stat().st_size for name in BUNDLE}
    replaced = sum(int(subprocess.run(["git", "cat-file", "-s", f"{REPLACED_AT}:{p}"], cwd=REPO, check=True,
                                      capture_output=True, text=True).stdout) for p in REPLACED)
    source = (shared / NATIONAL).stat().st_size
    total = sum(bundle.values())
    print("| file | bytes |\n|---|---:|")
    for name, size in bundle.items():
        print(f"| {name} | {size:,} |")
    print(f"| bundle total | {total:,} |\n| three Bedfordshire GeoJSONs removed | {replaced:,} |")
    print(f"| net growth of the package | {total - replaced:,} |")
    print(f"| ONS source GeoParquet (plain baseline) | {source:,} |")
    print(f"bundle / source = {total / source:.2f}")


def _warehouse(path: Path) -> None:
    import numpy as np
    import polars as pl

    from cspkit.data import warehouse
    from cspkit.data.geography import load_reference_tables

    rng = np.random.default_rng(1)
    with warehouse.write(path) as con:
        load_reference_tables(con)
        lsoas = [r[0] for r in con.execute("SELECT lsoa21_code FROM lsoa WHERE lad_code = ?", [BIRMINGHAM]).fetchall()]
        rows = [(f"c{m}-{code}-{i}", date(2023, m, 1), code, BIRMINGHAM)
                for m in range(1, 13) for code in lsoas for i in range(int(rng.poisson(6)))]
        frame = pl.DataFrame(rows, schema=["crime_id", "month", "lsoa21_code", "lad_code"], orient="row").with_columns(
            pl.lit("bench-street.csv").alias("source_file"), pl.int_range(pl.len()).alias("source_row"),
            pl.lit("west-midlands").alias("force"), pl.lit("Burglary").alias("crime_type"),
            pl.col("lsoa21_code").alias("lsoa_code"))
        con.register("_rows", frame.to_arrow())
        con.execute("INSERT INTO street BY NAME SELECT * FROM _rows")
    print(f"Birmingham: {len(lsoas)} LSOAs, {len(rows):,} street rows over 12 months")


def _median(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _child(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def speed(shared: Path, runs: int) -> None:
    import geopandas
    from esda.getisord import G_Local
    from libpysal.weights import Queen

    from cspkit.analysis.analyse import open_scope
    from cspkit.analysis.area import Period
    from cspkit.analysis.hotspots import area_weights, hotspot_table, queen_weights

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.duckdb"
        _warehouse(path)
        period = Period.parse("2023-01", "2023-12")
        command = [str(Path(sys.executable).parent / "cspkit"), "analyse", "hotspots", "--area", BIRMINGHAM,
                   "--from", "2023-01", "--to", "2023-12", "--weights", "queen", "-w", str(path), "-f", "csv"]
        cli, python = [], []
        for _ in range(runs):  # interleaved, so load changes hit both alike
            cli.append(_child(command))
            python.append(_child([sys.executable, "-c", "pass"]))
        with open_scope(path, BIRMINGHAM, period) as scope:
            table = hotspot_table(scope, "queen")
            codes = table["lsoa21_code"].to_list()
            counts = table["count"].fill_null(0).to_numpy().astype(float)
            whole = _median(runs, lambda: hotspot_table(scope, "queen"))
            ours = _median(runs, lambda: area_weights(scope, "queen"))

        def read_polygons() -> geopandas.GeoDataFrame:
            return geopandas.read_parquet(shared / NATIONAL, filters=[("LSOA21CD", "in", codes)]).set_index("LSOA21CD")

        def libpysal_queen() -> Queen:
            return Queen.from_dataframe(read_polygons(), use_index=True, silence_warnings=True)

        polygons = read_polygons().loc[codes]
        geojson = [json.dumps(g.__geo_interface__) for g in polygons.geometry]
        plain = _median(runs, libpysal_queen)
        at_run_time = _median(runs, lambda: queen_weights(codes, geojson))
        esda = _median(runs, lambda: G_Local(counts, libpysal_queen(), transform="B", star=True, permutations=999, seed=1))
    cli_wall = statistics.median(w for w, _ in cli)
    cli_cpu = statistics.median(c for _, c in cli)
    base_wall = statistics.median(w for w, _ in python)
    base_cpu = statistics.median(c for _, c in python)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {runs} runs")
    print("| what | wall s | ratio |\n|---|---:|---:|")
    print(f"| `cspkit analyse hotspots --weights queen` (fresh process) | {cli_wall:.2f} (CPU {cli_cpu:.2f}) | "
          f"{cli_wall / base_wall:.1f}x wall, {cli_cpu / base_cpu:.1f}x CPU of `python -c pass` ({base_wall:.3f} s) |")
    print(f"| `hotspot_table` in process (weights, counts, Gi*, 999 permutations, BH) | {whole:.3f} | "
          f"{whole / esda:.2f}x the baseline below |")
    print(f"| plain baseline: libpysal Queen from the polygons file + esda G_Local, 999 permutations | {esda:.3f} | 1.0 |")
    print(f"| weights: `area_weights` from the bundled contiguity table | {ours:.3f} | 1.0 |")
    print(f"| weights: libpysal Queen from the polygons file (plain baseline) | {plain:.3f} | {plain / ours:.1f}x ours |")
    print(f"| weights: queen built at run time from polygons already in memory | {at_run_time:.3f} | "
          f"{at_run_time / ours:.1f}x ours |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes(args.shared)
    speed(args.shared, args.runs)


if __name__ == "__main__":
    main()
