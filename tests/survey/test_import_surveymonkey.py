"""A council's own SurveyMonkey export, in its own wording: every tick arrives, or the import says why not.

The export is shaped like a real SurveyMonkey "all responses" download: two header rows, the
platform's own columns first, and a multiple choice question whose text is only above its first
column, with one column per option (the option's label in row 2, the label again in each ticked
cell). Ticks are counted independently from the written CSV with the csv module.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from cspkit.errors import InputError
from cspkit.survey.importers import import_responses, parse_mapping

SAFE = "Generally, how safe do you feel in your neighbourhood during the day?"
CONCERN = "Which of these issues concern you most where you live? (tick up to five)"
PLATFORM = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1"]
#: The council's wording of ten concerns -> the questionnaire's code. The first six match the
#: questionnaire's labels once case and punctuation are ignored; the last four need the mapping.
OWN_WORDING = {
    "Anti social behaviour": "asb",
    "BURGLARY": "burglary",
    "Drug dealing.": "drug_dealing",
    "Speeding & dangerous driving": "speeding",
    "Fly tipping and litter": "fly_tipping",
    "Hate crime!": "hate_crime",
    "Knife crime and violence": "violence",
    "Drinking or drug taking in public places": "drug_alcohol_use",
    "Scams (phone, doorstep, online)": "fraud_scams",
    "Graffiti and vandalism": "criminal_damage",
}
NEEDS_MAPPING = list(OWN_WORDING)[6:]
SAFE_ANSWERS = ["Very safe", "Fairly safe", "Neither safe nor unsafe", "Fairly unsafe", "Very unsafe"]


def write_export(path: Path, respondents: int = 700, seed: int = 12) -> Path:
    rng = random.Random(seed)
    labels = list(OWN_WORDING)
    top = [*PLATFORM, SAFE, CONCERN] + [""] * (len(labels) - 1)
    second = [""] * len(PLATFORM) + ["Response", *labels]
    rows = [top, second]
    for n in range(respondents):
        ticked = set(rng.sample(labels, rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])))
        ended = f"09/{2 + n // 600:02d}/2026 {10 + n % 600 // 60}:{n % 60:02d}:00"  # one a minute
        rows.append([
            str(114000000 + n), "4061", "09/02/2026 09:00:00", ended, "192.0.2.1", "",
            "", "", "", rng.choice(SAFE_ANSWERS), *[label if label in ticked else "" for label in labels],
        ])  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def ticks_in_file(path: Path) -> Counter[str]:
    """Ticks per option column, counted straight from the CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    start = rows[0].index(CONCERN)
    labels = rows[1][start:start + len(OWN_WORDING)]
    return Counter(labels[i] for row in rows[2:] for i, cell in enumerate(row[start:start + len(labels)]) if cell)


def test_every_tick_of_a_multiple_choice_in_the_councils_wording_arrives(tmp_path: Path, questionnaire) -> None:
    export = write_export(tmp_path / "council.csv")
    in_file = ticks_in_file(export)
    raw = {
        "format": "surveymonkey",
        "questions": {
            "safe_day": SAFE,
            "concerns": {"column": CONCERN, "answers": {text: OWN_WORDING[text] for text in NEEDS_MAPPING}},
        },
    }
    responses = import_responses(export, questionnaire, parse_mapping(raw, questionnaire), "2026")

    stored = responses.answers.filter(pl.col("question_id") == "concerns")
    assert stored.height == sum(in_file.values()) > 1000
    by_code = Counter(stored["answer"].to_list())
    assert by_code == Counter({OWN_WORDING[label]: n for label, n in in_file.items()})  # each column to its own option
    counts = responses.answer_counts.filter(pl.col("question_id") == "concerns").row(0, named=True)
    assert counts == {"question_id": "concerns", "read": sum(in_file.values()), "stored": sum(in_file.values()),
                      "in_excluded_rows": 0, "dropped": 0}
    total = f"{sum(in_file.values()):,}"
    assert responses.summary()["ticks_by_question"]["concerns"] == f"{total} read, {total} stored"


def test_an_option_column_that_matches_no_answer_stops_the_import_listing_every_one(tmp_path: Path, questionnaire) -> None:
    export = write_export(tmp_path / "council.csv", respondents=40)
    raw = {"format": "surveymonkey", "questions": {"safe_day": SAFE, "concerns": CONCERN}}
    with pytest.raises(InputError) as caught:
        import_responses(export, questionnaire, parse_mapping(raw, questionnaire), "2026")
    message = caught.value.message
    assert message.startswith("4 columns of the export are not mapped")
    listed = re.findall(r"column ([A-Z]+), '[^']*/ ([^']*)'", message)
    assert listed == [("Q", NEEDS_MAPPING[0]), ("R", NEEDS_MAPPING[1]), ("S", NEEDS_MAPPING[2]), ("T", NEEDS_MAPPING[3])]
    assert '[questions.concerns] answers = { "Knife crime and violence" = "violence" }' in message
    assert f'ignore = ["{CONCERN} / Graffiti and vandalism"]' in message

    ignoring = {**raw, "ignore": [f"{CONCERN} / {text}" for text in NEEDS_MAPPING]}  # the analyst says so: imports
    responses = import_responses(export, questionnaire, parse_mapping(ignoring, questionnaire), "2026")
    assert set(responses.answers.filter(pl.col("question_id") == "concerns")["answer"]) <= {
        OWN_WORDING[label] for label in list(OWN_WORDING)[:6]
    }


def test_a_question_the_mapping_leaves_out_stops_the_import(tmp_path: Path, questionnaire) -> None:
    export = write_export(tmp_path / "council.csv", respondents=20)
    raw = {"format": "surveymonkey", "questions": {"safe_day": SAFE}}
    with pytest.raises(InputError, match=r"10 columns of the export are not mapped") as caught:
        import_responses(export, questionnaire, parse_mapping(raw, questionnaire), "2026")
    assert caught.value.message.endswith(
        "  - columns K to T, 'Which of these issues concern you most where you live? (tick up to five)' (10 columns): "
        'map it in [questions] as QUESTION_ID = "Which of these issues concern you most where you live? (tick up to '
        'five)", or list it in ignore = ["Which of these issues concern you most where you live? (tick up to five)"]')


def test_other_please_specify_maps_to_an_other_option(tmp_path: Path) -> None:
    from cspkit.survey.questionnaire import parse_questionnaire

    q = parse_questionnaire({
        "questionnaire": {"id": "t", "title": "T", "version": "1"},
        "questions": [{"id": "concerns", "text": "Concerns", "type": "multiple", "options": [
            {"code": "burglary", "label": "Burglary"}, {"code": "other", "label": "Other"}]}],
    })  # fmt: skip
    rows = [["Respondent ID", "Concerns", ""], ["", "Burglary", "Other (please specify)"],
            ["1", "Burglary", "noisy neighbours"], ["2", "", "parking"]]  # fmt: skip
    path = tmp_path / "sm.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    mapping = parse_mapping({"format": "surveymonkey", "questions": {"concerns": "Concerns"}}, q)
    responses = import_responses(path, q, mapping, "w")
    assert responses.answers.select("respondent_id", "answer").rows() == [
        ("R00001", "burglary"), ("R00001", "other"), ("R00002", "other"),
    ]
