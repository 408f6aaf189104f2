"""Benchmark: how long the ``cspkit`` command takes to start (issue 12, item 6).

Run:  .venv/bin/python benchmarks/bench_cli_startup.py [--runs 15]

Each command runs ``--runs`` times in a fresh process, interleaved with two baselines in the same
run: ``python -c pass`` (the interpreter alone) and ``python -c "import typer"`` (the CLI framework
alone, the floor for any Typer command). The median wall and CPU (user + system of the child) are
reported with each command's ratio to ``python -c pass``. The targets are medians under 0.3 s for
``cspkit --help`` and 0.6 s for ``cspkit sql "select 1"`` on an idle machine, and under 1 s for
``cspkit init`` (a new folder each run, a joint partnership named by name: issue 11, item 9); on a shared machine
the CPU column is the steadier figure, as wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "w.duckdb"
        import duckdb

        duckdb.connect(str(warehouse)).close()
        commands = {  # each the command line of run number i
            "python -c pass": lambda i: [sys.executable, "-c", "pass"],
            "python -c 'import typer'": lambda i: [sys.executable, "-c", "import typer"],
            "cspkit --help": lambda i: [str(BIN / "cspkit"), "--help"],
            'cspkit sql "select 1"': lambda i: [str(BIN / "cspkit"), "sql", "select 1", "--warehouse", str(warehouse)],
            "cspkit init DIR --area 'Merthyr Tydfil,Rhondda Cynon Taf'": lambda i: [
                str(BIN / "cspkit"), "init", str(Path(tmp) / f"init{i}"), "--area", "Merthyr Tydfil,Rhondda Cynon Taf"
            ],
        }  # fmt: skip
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for i in range(args.runs):
            for name, argv in commands.items():  # interleaved, so load changes hit every command alike
                times[name].append(_timed(argv(i)))
    base = statistics.median(w for w, _ in times["python -c pass"])
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.runs} runs")
    print("| command | wall s | CPU s | wall / python -c pass |\n|---|---:|---:|---:|")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {wall / base:.1f} |")


if __name__ == "__main__":
    main()
