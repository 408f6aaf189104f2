"""SYNTHETIC survey responses from a known population, for tests, benchmarks and the demo.

A whole adult population is simulated from the real Census margins of the area (ward x age band,
with the district's sex split), each person with answers that depend on their age, sex and ward.
The true population percentages are therefore known exactly. Respondents are then drawn with
known response biases (older residents, women and a few wards answer more), as real
self-selected surveys do, so a test can check that weighting moves estimates toward the truth.
Nothing here is real: every file written says SYNTHETIC.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import tomli_w

from cspkit.data import warehouse
from cspkit.errors import ConfigError
from cspkit.survey.estimates import code_responses, estimates_table
from cspkit.survey.questionnaire import Question, Questionnaire, QuestionType
from cspkit.survey.responses import ANSWER_SCHEMA, RESPONDENT_SCHEMA, SurveyResponses
from cspkit.survey.weighting import age_band_code, band_start

SYNTHETIC_LABEL = "SYNTHETIC survey responses (not real residents)"

#: Where each default question's answers sit on its scale (0 = first option) for an average person.
_SCALE_CENTRE = {"safe_day": 0.9, "safe_dark": 1.9, "change": 2.3, "confidence": 2.0}
#: How common each default concern is (log-odds), so the synthetic ranking looks plausible.
_CONCERN_BASE = {
    "speeding": 0.3, "asb": -0.1, "drug_dealing": -0.5, "burglary": -0.6, "fly_tipping": -0.7,
    "vehicle_crime": -1.0, "drug_alcohol_use": -1.2, "violence": -1.4, "fraud_scams": -1.3,
    "criminal_damage": -1.6, "shoplifting": -2.0, "exploitation": -2.2, "domestic_abuse": -2.3,
    "street_drinking": -2.4, "robbery": -2.6, "sexual_offences": -2.8, "encampments": -2.5,
    "hate_crime": -3.0, "deliberate_fires": -3.2, "extremism": -3.4, "modern_slavery": -3.5,
}  # fmt: skip
_SINGLE_BASE = {"victim": {"no": 2.2, "crime": 0.0, "asb": 0.3, "both": -0.8}, "reported": {"all": 0.2, "some": 0.0, "no": 0.6}}
#: A question asked only of some respondents (the survey's routing).
_ASKED_IF = {"reported": ("victim", ("crime", "asb", "both"))}
_THEMES = {
    "police": [
        "More police on the streets, especially in the evenings",
        "Seeing police officers patrolling on foot would help",
        "A visible police presence in the town centre at night",
        "More PCSOs walking around and talking to residents",
    ],
    "lighting": [
        "Better street lighting on the path to the station",
        "The street lights are switched off too early, it is very dark walking home",
        "Brighter lighting in the park and the alleyways",
    ],
    "speeding": [
        "Speed cameras on the main road, cars race through the village",
        "Something done about speeding and dangerous driving near the school",
        "Traffic calming because drivers speed every night",
    ],
    "youth": [
        "More for young people to do in the evenings so they are not hanging around",
        "Groups of teenagers gather by the shops and are intimidating",
        "Youth clubs reopened, the kids have nowhere to go",
    ],
    "drugs": [
        "Stop the drug dealing near the park, it happens openly",
        "People dealing drugs from cars in the car park",
        "The smell of cannabis everywhere and dealers on bikes",
    ],
    "cctv": [
        "CCTV cameras in the town centre and the car parks",
        "More CCTV that actually works and is monitored",
    ],
}
_PERSONAL = [
    " Contact me on 07700 900{n:03d}.",
    " My email is resident{n}@example.com",
    " The car is AB{n2:02d} CDE and parks there every night.",
    " I live near LU5 4{n2:02d}QL... well near there.",
    " My name is Jane Example and I have reported it.",
]


@dataclass(frozen=True)
class ResponseBias:
    """How much more likely each group is to answer than the average resident."""

    age: dict[str, float] = field(default_factory=lambda: {"16-24": 0.35, "25-34": 0.6, "35-49": 0.9, "50-64": 1.4, "65+": 2.6})
    female: float = 1.25
    over_represented_areas: int = 4
    area_factor: float = 2.5
    partial_rate: float = 0.07
    prefer_not_rate: float = 0.03


@dataclass(frozen=True)
class SyntheticSurvey:
    """Respondents drawn from a simulated population whose true percentages are known."""

    responses: SurveyResponses
    truth: pl.DataFrame  # the estimates table computed on the whole simulated population
    over_represented: tuple[str, ...]
    wide: pl.DataFrame = field(repr=False)  # one row per respondent (for writing an export)


def population_cells(
    warehouse_con_or_path: duckdb.DuckDBPyConnection | str | Path,
    lad_codes: Sequence[str],
    questionnaire: Questionnaire,
    min_age: int = 16,
) -> pl.DataFrame:
    """area, age_band, sex, population: the real adult population of the area split into cells,
    using the questionnaire's codes (sex from the district split)."""
    if isinstance(warehouse_con_or_path, str | Path):
        with warehouse.read(warehouse_con_or_path) as con:
            return population_cells(con, lad_codes, questionnaire, min_age)
    con = warehouse_con_or_path
    area_q, age_q, sex_q = questionnaire.area_question, questionnaire.with_role("age_band"), questionnaire.with_role("sex")
    if area_q is None or age_q is None or sex_q is None:
        raise ConfigError("synthetic responses need area, age_band and sex questions", file=questionnaire.source)
    ward_area = {w: o.code for o in area_q.options for w in o.wards}
    rows = con.execute(
        """SELECT l.ward_code, p.age_band, sum(p.residents) FROM population p JOIN lsoa l USING (lsoa21_code)
           WHERE l.lad_code IN (SELECT unnest(?)) GROUP BY ALL""",
        [list(lad_codes)],
    ).fetchall()
    female, male = con.execute(
        "SELECT sum(females), sum(males) FROM lad WHERE lad_code IN (SELECT unnest(?))", [list(lad_codes)]
    ).fetchone()
    share = float(female) / (float(female) + float(male))
    age_code = {o.population: o.code for o in age_q.options if o.population}
    sex_code = {o.population: o.code for o in sex_q.options if o.population}
    cells = []
    for ward, band, residents in rows:
        band = age_band_code(band)
        if band_start(band) < min_age or ward not in ward_area:
            continue
        for sex, part in (("female", share), ("male", 1 - share)):
            cells.append(
                {"area": ward_area[ward], "age_band": age_code[band], "sex": sex_code[sex], "population": float(residents) * part}
            )
    if not cells:
        raise ConfigError(
            f"no adult population in the questionnaire's areas for {', '.join(lad_codes)}: its area question lists "
            "wards of another district, or the warehouse has no population for these districts "
            "(run 'cspkit ingest geography')",
            file=questionnaire.source,
        )
    return pl.DataFrame(cells).group_by("area", "age_band", "sex").agg(pl.col("population").sum()).sort("area", "age_band", "sex")


def generate_survey(
    cells: pl.DataFrame,
    questionnaire: Questionnaire,
    n: int = 700,
    seed: int = 2026,
    bias: ResponseBias | None = None,
    wave: str = "synthetic",
    population_size: int = 50_000,
) -> SyntheticSurvey:
    """Simulate the population in ``cells`` and draw ``n`` biased respondents from it.

    The simulated population has ``population_size`` people spread over the cells exactly in
    proportion to the real population, so its margins are the real margins (to rounding).
    """
    bias = bias or ResponseBias()
    rng = np.random.default_rng(seed)
    population = cells["population"].to_numpy()
    counts = np.round(population * population_size / population.sum()).astype(int)
    person_cell = np.repeat(np.arange(cells.height), counts)
    size = person_cell.size
    area, age, sex = (cells[c].to_numpy()[person_cell] for c in ("area", "age_band", "sex"))
    area_q, age_q, sex_q = questionnaire.area_question, questionnaire.with_role("age_band"), questionnaire.with_role("sex")
    areas = [o.code for o in area_q.options if o.wards]
    ages = [o.code for o in age_q.options if o.population]
    area_effect = dict(zip(areas, rng.normal(0, 0.5, len(areas)), strict=True))
    female = next(o.code for o in sex_q.options if o.population == "female")
    half = max(1, (len(ages) - 1) / 2)
    cell_x = np.column_stack([
        (np.array([ages.index(a) for a in cells["age_band"]]) - (len(ages) - 1) / 2) / half,
        (cells["sex"].to_numpy() == female).astype(float),
        np.array([area_effect[a] for a in cells["area"]]),
    ])  # fmt: skip
    covariates = cell_x[person_cell]
    answers: dict[str, np.ndarray] = {area_q.id: area, age_q.id: age, sex_q.id: sex}
    for question in questionnaire.questions:
        if question.id in answers or question.type in (QuestionType.free_text, QuestionType.postcode):
            continue
        answers[question.id] = _simulate(question, covariates, rng)
    for qid, (parent, codes) in _ASKED_IF.items():
        if qid in answers and parent in answers:
            asked = np.isin(answers[parent], codes)
            answers[qid] = np.where(asked, answers[qid], None) if answers[qid].ndim == 1 else answers[qid] * asked[:, None]

    truth_responses = _responses(questionnaire, answers, np.arange(size), wave, complete=np.ones(size, dtype=bool))
    ones = pl.DataFrame({"respondent_id": truth_responses.respondents["respondent_id"], "weight": np.ones(size)})
    truth = estimates_table(code_responses(truth_responses, questionnaire, ones), min_base=0).select(
        "question_id", "answer_code", "kind", pl.col("pct").alias("pct_true")
    )

    over = tuple(rng.choice(areas, size=min(bias.over_represented_areas, len(areas)), replace=False).tolist())
    propensity = np.array([bias.age.get(a, 1.0) for a in age])
    propensity *= np.where(covariates[:, 1] == 1, bias.female, 1.0)
    propensity *= np.where(np.isin(area, over), bias.area_factor, 1.0)
    chosen = rng.choice(size, size=n, replace=False, p=propensity / propensity.sum())

    sample = {qid: values[chosen] for qid, values in answers.items()}
    for role_q in (age_q, sex_q):
        masked = rng.random(n) < bias.prefer_not_rate
        sample[role_q.id] = np.where(masked, role_q.dont_know[0], sample[role_q.id]) if role_q.dont_know else sample[role_q.id]
    order = [q.id for q in questionnaire.questions if q.id in sample or q.type == QuestionType.free_text]
    partial = rng.random(n) < bias.partial_rate
    stop_at = rng.integers(1, len(order), size=n)
    text_q = next((q for q in questionnaire.questions if q.type == QuestionType.free_text), None)
    if text_q is not None:
        sample[text_q.id] = _free_text(n, sample, rng)
    for position, qid in enumerate(order):
        dropped = partial & (stop_at <= position)
        values = sample[qid]
        sample[qid] = values * ~dropped[:, None] if values.ndim == 2 else np.where(dropped, None, values)
    responses = _responses(questionnaire, sample, np.arange(n), wave, complete=~partial)
    responses = SurveyResponses(
        wave=wave,
        answers=responses.answers,
        respondents=responses.respondents,
        source="synthetic",
        label=SYNTHETIC_LABEL,
        rows_read=n,
    )
    return SyntheticSurvey(responses=responses, truth=truth, over_represented=over, wide=_wide(questionnaire, sample, partial))


def _simulate(question: Question, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Answers of every person to one closed question: codes (single) or a 0/1 matrix (multiple)."""
    codes = [c for c in question.codes if c not in question.dont_know and c not in question.exclusive]
    slopes = rng.normal(0, 0.6, size=(x.shape[1], len(codes)))
    size = x.shape[0]
    if question.type == QuestionType.multiple:
        base = np.array([_CONCERN_BASE.get(c, rng.normal(-1.5, 0.7)) for c in codes])
        chosen = rng.random((size, len(codes))) < 1 / (1 + np.exp(-(base + x @ slopes)))
        matrix = np.zeros((size, len(question.codes)))
        for j, code in enumerate(codes):
            matrix[:, question.codes.index(code)] = chosen[:, j]
        if question.max_choices is not None:
            excess = matrix.sum(1) > question.max_choices
            for i in np.flatnonzero(excess):
                picked = np.flatnonzero(matrix[i])
                matrix[i, rng.choice(picked, size=picked.size - question.max_choices, replace=False)] = 0
        none = [c for c in question.exclusive if c not in question.dont_know]
        if none:
            matrix[matrix.sum(1) == 0, question.codes.index(none[0])] = 1
        return matrix
    if question.type == QuestionType.likert:
        centre = _SCALE_CENTRE.get(question.id, rng.uniform(0.5, len(codes) - 1.5)) + x @ rng.normal(0, 0.5, x.shape[1])
        utility = -((np.arange(len(codes))[None, :] - centre[:, None]) ** 2) / 1.5
    else:
        base = _SINGLE_BASE.get(question.id, {})
        utility = np.array([base.get(c, rng.normal(0, 0.8)) for c in codes])[None, :] + x @ slopes
    probability = np.exp(utility - utility.max(1, keepdims=True))
    probability /= probability.sum(1, keepdims=True)
    picks = (probability.cumsum(1) > rng.random(size)[:, None]).argmax(1)
    result = np.array(codes, dtype=object)[picks]
    if question.dont_know:
        result = np.where(rng.random(size) < 0.04, question.dont_know[0], result)
    return result


def _free_text(n: int, sample: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    names = list(_THEMES)
    weights = np.array([0.3, 0.15, 0.2, 0.15, 0.12, 0.08])
    texts = np.empty(n, dtype=object)
    for i in range(n):
        if rng.random() > 0.55:
            continue
        theme = names[rng.choice(len(names), p=weights)]
        sentences = [str(rng.choice(_THEMES[theme]))]
        if rng.random() < 0.3:
            sentences.append(str(rng.choice(_THEMES[names[rng.choice(len(names), p=weights)]])))
        text = " ".join(sentence.rstrip(".") + "." for sentence in sentences)
        if rng.random() < 0.04:
            text += str(rng.choice(_PERSONAL)).format(n=i % 1000, n2=i % 100)
        texts[i] = text
    return texts


def _responses(
    questionnaire: Questionnaire, answers: dict[str, np.ndarray], people: np.ndarray, wave: str, complete: np.ndarray
) -> SurveyResponses:
    ids = np.array([f"R{i + 1:05d}" for i in people], dtype=object)
    frames = []
    for qid, values in answers.items():
        question = questionnaire[qid]
        if values.ndim == 2:
            rows, cols = np.nonzero(values)
            frames.append(
                pl.DataFrame({"respondent_id": ids[rows], "question_id": qid, "answer": np.array(question.codes)[cols]})
            )
        else:
            given = np.array([v is not None for v in values], dtype=bool)
            frames.append(pl.DataFrame({"respondent_id": ids[given], "question_id": qid, "answer": values[given].astype(str)}))
    answers_frame = pl.concat([f.cast(ANSWER_SCHEMA) for f in frames]) if frames else pl.DataFrame(schema=ANSWER_SCHEMA)
    respondents = pl.DataFrame({"respondent_id": ids, "submitted_at": None, "complete": complete}, schema=RESPONDENT_SCHEMA)
    return SurveyResponses(wave=wave, answers=answers_frame, respondents=respondents)


def _wide(questionnaire: Questionnaire, sample: dict[str, np.ndarray], partial: np.ndarray) -> pl.DataFrame:
    """One row per respondent, one column per question, answers as the labels residents saw."""
    columns: dict[str, list] = {}
    for question in questionnaire.questions:
        values = sample.get(question.id)
        if values is None:
            continue
        if values.ndim == 2:
            labels = [o.label for o in question.options]
            columns[question.id] = ["; ".join(labels[j] for j in np.flatnonzero(row)) or None for row in values]
        elif question.closed:
            columns[question.id] = [question.label(v) if v is not None else None for v in values]
        else:
            columns[question.id] = list(values)
    columns["_partial"] = list(partial)
    return pl.DataFrame(columns, strict=False)


def write_synthetic_export(
    directory: str | Path,
    survey: SyntheticSurvey,
    questionnaire: Questionnaire,
    seed: int = 2026,
    start: datetime = datetime(2026, 9, 1, 9, 0),
    duplicate_rate: float = 0.01,
) -> tuple[Path, Path]:
    """Write the survey as a SmartSurvey-style CSV export (UTF-8 with BOM) and its mapping file.

    Every row says SYNTHETIC in the "Data" column; about 1% of rows are repeated, as exports of
    re-submitted responses are, so the import's duplicate check has work to do.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    wide = survey.wide
    questions = [q for q in questionnaire.questions if q.id in wide.columns]
    header = ["UserID", "Started", "Ended", "Status", "IP Address", "Data", *[q.text for q in questions]]
    rows = []
    for i, record in enumerate(wide.iter_rows(named=True)):
        began = start + timedelta(minutes=int(rng.integers(0, 60 * 24 * 42)))
        ended = began + timedelta(minutes=int(rng.integers(3, 25)))
        status = "Partial" if record["_partial"] else "Completed"
        cells = [
            str(100000 + i),
            began.strftime("%d/%m/%Y %H:%M:%S"),
            ended.strftime("%d/%m/%Y %H:%M:%S"),
            status,
            "",
            "SYNTHETIC",
        ]
        rows.append(cells + ["" if record[q.id] is None else str(record[q.id]) for q in questions])
    repeats = rng.choice(len(rows), size=round(len(rows) * duplicate_rate), replace=False)
    rows += [rows[i] for i in sorted(repeats)]
    csv_path = directory / "synthetic_survey_smartsurvey.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    mapping = {
        "format": "smartsurvey",
        "label": SYNTHETIC_LABEL,
        "ignore": ["Data"],  # the SYNTHETIC marker column
        "questions": {
            q.id: {"column": q.text, "separator": ";"} if q.type == QuestionType.multiple else q.text for q in questions
        },
    }
    mapping_path = directory / "synthetic_survey_smartsurvey.mapping.toml"
    mapping_path.write_text(
        "# Mapping for the SYNTHETIC demo survey export written by 'cspkit survey generate-synthetic'.\n"
        + tomli_w.dumps(mapping),
        encoding="utf-8",
    )
    return csv_path, mapping_path


@dataclass(frozen=True)
class SyntheticExport:
    """The files of a SYNTHETIC survey export and what they were drawn from."""

    export: Path
    mapping: Path
    truth: Path
    survey: SyntheticSurvey


def write_demo_export(
    directory: str | Path,
    warehouse_con_or_path: duckdb.DuckDBPyConnection | str | Path,
    questionnaire: Questionnaire,
    lad_codes: Sequence[str],
    n: int = 700,
    seed: int = 2026,
) -> SyntheticExport:
    """The demo survey in one call: ``n`` SYNTHETIC responses drawn from the districts' real
    population, written as a SmartSurvey-style export with its mapping and the true percentages."""
    directory = Path(directory)
    survey = generate_survey(population_cells(warehouse_con_or_path, lad_codes, questionnaire), questionnaire, n=n, seed=seed)
    export, mapping = write_synthetic_export(directory, survey, questionnaire, seed=seed)
    truth = directory / "synthetic_survey_truth.csv"
    survey.truth.write_csv(truth)
    return SyntheticExport(export=export, mapping=mapping, truth=truth, survey=survey)
