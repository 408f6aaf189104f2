"""Benchmark: 10,000 survey responses to 30 questions imported, weighted and fully analysed.

Run:  .venv/bin/python benchmarks/bench_survey.py [--n 10000]

The export is SYNTHETIC (drawn from Central Bedfordshire's real Census margins by
``cspkit.survey.synthetic``), written as a SmartSurvey-style CSV. Two stages are timed, each in a
fresh process so its peak memory (max RSS) is its own:

- baseline: pandas ``read_csv`` plus an unweighted ``value_counts`` per question (what a quick
  spreadsheet analysis does);
- cspkit: import with the mapping (duplicates, codes, redaction), rake to area x age x sex, and
  ``analyse_survey`` (estimates with intervals, breakdowns with tests, Rao-Scott, concerns, themes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXTRA_ITEMS = 19  # the default questionnaire has 11 questions; 19 agreement items make 30


def questionnaire_with_30_questions(directory: Path) -> Path:
    """The default questionnaire plus agreement items, written as a TOML file."""
    import tomli_w

    from cspkit.survey.questionnaire import DEFAULT_QUESTIONNAIRE

    raw = tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    scale = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree", "Strongly disagree"]
    for i in range(1, EXTRA_ITEMS + 1):
        raw["questions"].append({
            "id": f"agree_{i:02d}",
            "text": f"Statement {i}: how much do you agree or disagree?",
            "type": "likert",
            "dont_know": ["dont_know"],
            "options": [{"code": f"s{k}", "label": label} for k, label in enumerate(scale)]
            + [{"code": "dont_know", "label": "Don't know"}],
            "nets": [{"code": "agree", "label": "Agree", "codes": ["s0", "s1"]}],
        })  # fmt: skip
    path = directory / "questionnaire30.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def prepare(directory: Path, n: int) -> tuple[Path, Path, Path, Path]:
    """Build a reference warehouse and the synthetic export (not timed)."""
    sys.path.insert(0, str(REPO / "tests" / "survey"))
    from conftest import CB, fill_reference  # the real Census extracts the survey tests use
    from cspkit.data import warehouse
    from cspkit.survey.questionnaire import load_questionnaire
    from cspkit.survey.synthetic import generate_survey, population_cells, write_synthetic_export

    store = directory / "warehouse.duckdb"
    with warehouse.write(store) as con:
        fill_reference(con)
    q_path = questionnaire_with_30_questions(directory)
    questionnaire = load_questionnaire(q_path)
    assert len(questionnaire.questions) == 30
    cells = population_cells(store, [CB], questionnaire)
    survey = generate_survey(cells, questionnaire, n=n, seed=2026, population_size=max(50_000, 5 * n))
    export, mapping = write_synthetic_export(directory, survey, questionnaire, duplicate_rate=0.01)
    return store, q_path, export, mapping


def baseline(export: str, questions: list[str]) -> dict[str, float]:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(export, encoding="utf-8-sig")
    counts = {q: frame[q].value_counts(normalize=True) for q in questions}
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "tables": len(counts), "rows": len(frame)}


def pipeline(store: str, q_path: str, export: str, mapping: str) -> dict[str, float]:
    from cspkit.survey.analysis import analyse_survey
    from cspkit.survey.importers import import_responses, load_mapping
    from cspkit.survey.questionnaire import load_questionnaire
    from cspkit.survey.weighting import population_margins

    start = time.perf_counter()
    questionnaire = load_questionnaire(q_path)
    responses = import_responses(export, questionnaire, load_mapping(mapping, questionnaire), wave="bench")
    imported = time.perf_counter()
    margins = population_margins(store, ["E06000056"], questionnaire)
    results = analyse_survey(responses, questionnaire, margins)
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "import_seconds": imported - start,
        "weight_and_analyse_seconds": done - imported,
        "respondents": responses.count,
        "duplicates": responses.summary()["duplicates"],
        "estimate_rows": results.estimates.height,
        "breakdown_rows": results.breakdowns.height,
        "themes": results.themes.height,
        "design_effect": results.weighting.design_effect,
    }


def _peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: reset by exec, unlike getrusage's ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measured(target, args, queue) -> None:
    result = target(*args)
    result["peak_rss_mib"] = _peak_rss_mib()
    queue.put(result)


def in_fresh_process(target, *args) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measured, args=(target, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="respondents (default 10,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        t0 = time.perf_counter()
        store, q_path, export, mapping = prepare(directory, args.n)
        print(f"prepared SYNTHETIC export of {args.n:,} responses x 30 questions in {time.perf_counter() - t0:.1f} s (not timed)")
        with mapping.open("rb") as handle:
            columns = list(tomllib.load(handle)["questions"].values())
        texts = [c if isinstance(c, str) else c["column"] for c in columns]
        base = in_fresh_process(baseline, str(export), texts)
        ours = in_fresh_process(pipeline, str(store), str(q_path), str(export), str(mapping))
    print(f"baseline (pandas read_csv + value_counts): {base['seconds']:.2f} s, peak RSS {base['peak_rss_mib']:.0f} MiB")
    print(
        f"cspkit (import + rake + full analysis):    {ours['seconds']:.2f} s, peak RSS {ours['peak_rss_mib']:.0f} MiB"
        f"  [import {ours['import_seconds']:.2f} s, weight and analyse {ours['weight_and_analyse_seconds']:.2f} s]"
    )
    print(
        f"ratio: {ours['seconds'] / base['seconds']:.1f}x the time, {ours['peak_rss_mib'] / base['peak_rss_mib']:.1f}x the memory"
    )
    print(
        f"respondents {ours['respondents']:,} (duplicates removed {ours['duplicates']}), estimates {ours['estimate_rows']:,}, "
        f"breakdown rows {ours['breakdown_rows']:,}, themes {ours['themes']}, design effect {ours['design_effect']:.2f}"
    )


if __name__ == "__main__":
    main()
