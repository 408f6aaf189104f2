"""Benchmark of ``cspkit assess``: the full demo assessment, from the police.uk zip to every document.

    .venv/bin/python benchmarks/bench_assess.py [--workdir /tmp/cspkit_bench_assess] [--keep-warehouse]

The demo config (36 months of real police.uk data for Central Bedfordshire, 700 synthetic survey
responses, 10 synthetic scorers, synthetic horizon register, votes, decision and previous plan) is
copied to a fresh folder and run with a new warehouse, so the police ingest is timed too
(``--keep-warehouse`` reuses the one from an earlier run and skips it).

Reported per step: wall time and CPU time (this process and its worker processes), because on a
shared machine wall time also measures everyone else's load. Baseline in the same run: the least a
hand-made script does for one chart in a document: pandas reads the area's street rows from the
warehouse, counts them by month, draws one matplotlib chart and saves one python-docx file holding it.
Goal: the whole assessment under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "demo"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def prepare(workdir: Path, keep_warehouse: bool) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("assessment.toml", "votes.toml", "decision.toml", "previous_priorities.toml"):
        shutil.copy(DEMO / name, workdir / name)
    config = workdir / "assessment.toml"
    text = config.read_text(encoding="utf-8").replace('paths = ["police"]', f'paths = ["{DEMO / "police"}"]')
    text = text.replace('"../src/', f'"{DEMO.parent / "src"}/')  # the partner example files shipped in the package
    config.write_text(text, encoding="utf-8")
    if not keep_warehouse:
        for stale in workdir.glob("warehouse.duckdb*"):
            stale.unlink()
    shutil.rmtree(workdir / "output", ignore_errors=True)
    return config


def run_cspkit(config_path: Path) -> tuple[list[tuple[str, str, float, float]], float, float]:
    from cspkit.config import load_config
    from cspkit.report.pipeline import run_assessment

    steps: list[tuple[str, str, float, float]] = []
    started: dict[str, tuple[float, float]] = {}

    def listener(step: str, status: str, detail: str) -> None:
        if status == "running":
            started[step] = (time.perf_counter(), _cpu())
        else:
            wall0, cpu0 = started[step]
            steps.append((step, status, time.perf_counter() - wall0, _cpu() - cpu0))

    wall0, cpu0 = time.perf_counter(), _cpu()
    run = run_assessment(load_config(config_path), listener)
    failed = [s for s in run.steps if s.status == "failed"]
    if failed:
        raise SystemExit(f"a step failed: {failed}")
    return steps, time.perf_counter() - wall0, _cpu() - cpu0


def run_baseline(warehouse: Path, out: Path) -> tuple[float, float]:
    import duckdb
    import matplotlib

    matplotlib.use("Agg")
    import docx
    import matplotlib.pyplot as plt

    wall0, cpu0 = time.perf_counter(), _cpu()
    con = duckdb.connect(str(warehouse), read_only=True)
    frame = con.execute(
        "SELECT s.month, s.crime_type FROM street s JOIN lsoa l USING (lsoa21_code) WHERE l.lad_code = 'E06000056'"
    ).df()
    con.close()
    monthly = frame.groupby("month").size()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(monthly.index, monthly.values, width=25)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    plt.close(fig)
    document = docx.Document()
    document.add_heading("Crime per month", level=1)
    buffer.seek(0)
    document.add_picture(buffer)
    document.save(str(out / "baseline.docx"))
    return time.perf_counter() - wall0, _cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cspkit_bench_assess"))
    parser.add_argument("--keep-warehouse", action="store_true")
    args = parser.parse_args()
    config = prepare(args.workdir, args.keep_warehouse)
    steps, wall, cpu = run_cspkit(config)
    base_wall, base_cpu = run_baseline(args.workdir / "warehouse.duckdb", args.workdir / "output")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'step':<18} {'status':<8} {'wall s':>8} {'cpu s':>8}")
    for step, status, step_wall, step_cpu in steps:
        print(f"{step:<18} {status:<8} {step_wall:>8.1f} {step_cpu:>8.1f}")
    print(f"{'total':<18} {'':<8} {wall:>8.1f} {cpu:>8.1f}")
    print(f"baseline (one chart in one DOCX): wall {base_wall:.2f} s, cpu {base_cpu:.2f} s")
    print(f"ratio to baseline: wall {wall / base_wall:.0f}x, cpu {cpu / base_cpu:.0f}x")
    print(f"peak memory (this process): {peak:.0f} MB")
    print(f"goal: under 60 s wall on 2 cores -> {'met' if wall < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
