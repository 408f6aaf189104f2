"""Benchmark: police.uk ingest against a pandas baseline and the bare DuckDB and Polars readers.

Generates (or reuses) a synthetic national archive (benchmarks/generate_national.py), then runs,
each in its own subprocess so its peak memory (ru_maxrss) is its own:

- cspkit: ``ingest_police`` into a fresh warehouse (all checks, harmonisation, quarantine, log);
- pandas: ``read_csv`` of each file, ``concat`` per kind, ``to_parquet`` (the plain baseline);
- duckdb: ``read_csv`` (all text) of each kind's files -> Parquet, no checks;
- polars: ``scan_csv`` (all text) of each kind's files -> ``sink_parquet``, no checks;
- demo: ``ingest_police`` of the real Bedfordshire archive (36 months, three kinds of file).

The faster of duckdb and polars is the floor. Wall time and CPU time (user + system of the
child) are both reported: on a shared machine CPU time is the steadier comparison.
Goals (issue 2): cspkit >= 3x faster than pandas, within 1.5x of the floor, peak memory < 1 GB,
demo archive in under 15 s.

    python benchmarks/bench_ingest.py [--street-rows 20000000] [--months 36] [--data DIR] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo" / "police" / "bedfordshire-2021-05-to-2024-04.zip"
KINDS = ("street", "outcomes", "stop-and-search")

CSPKIT = """
import sys
from cspkit.data.police import ingest_police
report = ingest_police(sys.argv[1], [sys.argv[2]])
print(report.total()["rows_read"])
"""
PANDAS = f"""
import glob, sys
import pandas as pd
rows = 0
for kind in {KINDS!r}:
    frames = [pd.read_csv(f) for f in sorted(glob.glob(sys.argv[2] + f"/*/*-{{kind}}.csv"))]
    frame = pd.concat(frames, ignore_index=True)
    frame.to_parquet(sys.argv[1] + f"-{{kind}}.parquet")
    rows += len(frame)
print(rows)
"""
DUCKDB = f"""
import sys
import duckdb
con = duckdb.connect()
rows = 0
for kind in {KINDS!r}:
    src = f"read_csv('{{sys.argv[2]}}/*/*-{{kind}}.csv', all_varchar = true, header = true)"
    con.execute(f"COPY (SELECT * FROM {{src}}) TO '{{sys.argv[1]}}-{{kind}}.parquet' (FORMAT parquet)")
    rows += con.execute(f"SELECT count(*) FROM '{{sys.argv[1]}}-{{kind}}.parquet'").fetchall()[0][0]
print(rows)
"""
POLARS = f"""
import glob, sys
import polars as pl
rows = 0
for kind in {KINDS!r}:
    files = sorted(glob.glob(sys.argv[2] + f"/*/*-{{kind}}.csv"))
    pl.scan_csv(files, infer_schema=False).sink_parquet(sys.argv[1] + f"-{{kind}}.parquet")
    rows += pl.scan_parquet(sys.argv[1] + f"-{{kind}}.parquet").select(pl.len()).collect().item()
print(rows)
"""


def run(name: str, code: str, target: str, source: str) -> dict:
    """Run one method in a fresh interpreter; wall time, rows and that process's peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, target, source], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if status != 0:
        raise SystemExit(f"{name} failed:\n{err}")
    rows = int(out.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime
    result = {"method": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "rows": rows,
              "rows_per_s": round(rows / seconds), "peak_rss_mb": round(usage.ru_maxrss / 1024)}
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--street-rows", type=int, default=20_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--data", type=Path, help="archive folder to reuse (generated if missing)")
    parser.add_argument("--skip-pandas", action="store_true", help="skip the (slow, memory-hungry) pandas baseline")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cspkit-bench-"))
    data = args.data or work / "archive"
    if not data.exists():
        # In a child process: a forked child's ru_maxrss starts from its parent's size, so the
        # parent must stay small for the peak memory of each measured method to be its own.
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_national.py"), str(data),
                        "--street-rows", str(args.street_rows), "--months", str(args.months)], check=True)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    results = [run("cspkit", CSPKIT, str(work / "national.duckdb"), str(data))]
    if not args.skip_pandas:
        results.append(run("pandas", PANDAS, str(work / "pandas"), str(data)))
    results.append(run("duckdb", DUCKDB, str(work / "duckdb"), str(data)))
    results.append(run("polars", POLARS, str(work / "polars"), str(data)))
    demo = run("demo (Bedfordshire, real)", CSPKIT, str(work / "demo.duckdb"), str(DEMO))
    by = {r["method"]: r for r in results}
    floor = min(by["duckdb"]["seconds"], by["polars"]["seconds"])
    cpu_floor = min(by["duckdb"]["cpu_seconds"], by["polars"]["cpu_seconds"])
    summary = {
        "archive_rows": by["cspkit"]["rows"],
        "cspkit_vs_floor": round(by["cspkit"]["seconds"] / floor, 2),
        "cspkit_vs_floor_cpu": round(by["cspkit"]["cpu_seconds"] / cpu_floor, 2),
        "cspkit_peak_rss_mb": by["cspkit"]["peak_rss_mb"],
        "demo_seconds": demo["seconds"],
    }
    if "pandas" in by:
        summary["pandas_vs_cspkit"] = round(by["pandas"]["seconds"] / by["cspkit"]["seconds"], 2)
        summary["pandas_vs_cspkit_cpu"] = round(by["pandas"]["cpu_seconds"] / by["cspkit"]["cpu_seconds"], 2)
    print("\nmethod                      seconds  CPU seconds      rows/s   peak RSS MB")
    for r in [*results, demo]:
        print(f"{r['method']:<26} {r['seconds']:>8} {r['cpu_seconds']:>12} {r['rows_per_s']:>11} {r['peak_rss_mb']:>13}")
    print("\n" + json.dumps(summary, indent=2))
    print(f"goals: >=3x pandas: {summary.get('pandas_vs_cspkit', 'skipped')}; <=1.5x floor: "
          f"{summary['cspkit_vs_floor']}; <1 GB: {summary['cspkit_peak_rss_mb']} MB; demo <15 s: {demo['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps({"results": [*results, demo], "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
