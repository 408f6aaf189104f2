"""Importing the exports partnerships actually have, and refusing bad ones clearly."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from cspkit.errors import ConfigError, InputError
from cspkit.survey.importers import import_responses, parse_mapping, postcode_area_lookup
from cspkit.survey.questionnaire import parse_questionnaire
from cspkit.survey.responses import DROPPED

SAFE_DAY = "How safe do you feel during the day?"
CONCERNS = "Which issues concern you most?"
AREA = "Which ward do you live in?"
AGE = "Age"
IMPROVE = "What would make you feel safer?"

PLAIN_MAPPING = {
    "format": "plain",
    "ignore": ["Email"],
    "questions": {
        "safe_day": SAFE_DAY,
        "concerns": {"column": CONCERNS, "answers": {"Speeding cars": "speeding"}},
        "area": AREA,
        "age_band": AGE,
        "improve": IMPROVE,
    },
}


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def plain_rows() -> list[list[str]]:
    return [
        ["respondent_id", "submitted_at", "Email", SAFE_DAY, CONCERNS, AREA, AGE, IMPROVE],
        [
            "a1",
            "2026-09-01 10:00",
            "x@example.com",
            "Very safe",
            "Burglary;Speeding cars",
            "Ampthill",
            "65 or over",
            "More police",
        ],
        ["a2", "2026-09-01 11:00", "", "fairly safe", "Anti-social behaviour", "Flitwick", "25 to 34", ""],
        ["a3", "2026-09-01 12:00", "", "Fairly unsafe", "", "", "", ""],  # partial: stopped after one question
        [
            "a1",
            "2026-09-01 10:00",
            "x@example.com",
            "Very safe",
            "Burglary;Speeding cars",
            "Ampthill",
            "65 or over",
            "More police",
        ],
        ["a4", "2026-09-01 13:00", "", "", "", "", "", ""],  # no answers
        ["a5", "2026-09-01 14:00", "", "Very safe", "", "Potton", "16 to 24", "Call me on 07700 900123"],
    ]


def test_plain_csv(tmp_path: Path, questionnaire) -> None:
    path = write_csv(tmp_path / "plain.csv", plain_rows())
    responses = import_responses(path, questionnaire, parse_mapping(PLAIN_MAPPING, questionnaire), wave="2026")
    summary = responses.summary()
    assert summary["rows_read"] == 6
    assert summary["imported"] == 4
    assert summary["excluded_by_reason"] == {
        "duplicate: same respondent id and answers as an earlier row": 1,
        "no answers to any mapped question": 1,
    }
    assert summary["imported"] + summary["excluded"] == summary["rows_read"]
    a = responses.answers
    first = a.filter(pl.col("respondent_id") == "R00001")
    assert sorted(first.filter(pl.col("question_id") == "concerns")["answer"].to_list()) == ["burglary", "speeding"]
    assert first.filter(pl.col("question_id") == "area")["answer"].item() == "E05014394"
    assert first.filter(pl.col("question_id") == "age_band")["answer"].item() == "65+"
    assert responses.exclusions.filter(pl.col("reason").str.contains("duplicate"))["source_row"].to_list() == [5]
    # personal data: no email column anywhere, phone numbers redacted in free text
    stored = " ".join(a["answer"].to_list())
    assert "example.com" not in stored and "07700" not in stored and "[phone]" in stored
    # partial responses are kept and marked
    assert responses.respondents["complete"].to_list() == [True, True, False, True]


def test_duplicate_by_identical_answers_and_timestamp(tmp_path: Path, questionnaire) -> None:
    rows = plain_rows()[:3]
    rows.append(["b9", *rows[1][1:]])  # new id, same answers and time: a double submission
    responses = import_responses(
        write_csv(tmp_path / "d.csv", rows), questionnaire, parse_mapping(PLAIN_MAPPING, questionnaire), "w"
    )
    assert responses.summary()["excluded_by_reason"] == {"duplicate: identical answers and timestamp to an earlier row": 1}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_encodings(tmp_path: Path, questionnaire, encoding: str) -> None:
    rows = plain_rows()
    rows[1][-1] = "Café owners say it’s unsafe – more patrols"
    path = write_csv(tmp_path / "enc.csv", rows, encoding=encoding)
    responses = import_responses(path, questionnaire, parse_mapping(PLAIN_MAPPING, questionnaire), "w")
    assert responses.encoding == encoding
    text = responses.answers.filter(pl.col("question_id") == "improve")["answer"].to_list()
    assert "Café owners say it’s unsafe – more patrols" in text
    assert responses.answers.filter(pl.col("question_id") == "safe_day").height == 4  # BOM did not spoil the first header


def test_answer_outside_the_codes(tmp_path: Path, questionnaire) -> None:
    rows = plain_rows()
    rows[2][3] = "Quite safe"
    path = write_csv(tmp_path / "bad.csv", rows)
    mapping = parse_mapping(PLAIN_MAPPING, questionnaire)
    with pytest.raises(InputError, match="'Quite safe' is not one of the answers") as caught:
        import_responses(path, questionnaire, mapping, "w")
    assert (caught.value.file, caught.value.row, caught.value.column) == ("bad.csv", 3, SAFE_DAY)
    lenient = import_responses(path, questionnaire, mapping, "w", strict=False)
    dropped = lenient.exclusions.filter(pl.col("kind") == DROPPED)
    assert dropped.select("source_row", "column").rows() == [(3, SAFE_DAY)]
    assert lenient.summary()["answers_dropped"] == 1
    assert lenient.count == 4  # the response is kept without that answer


def test_mapped_column_missing(tmp_path: Path, questionnaire) -> None:
    rows = plain_rows()
    rows[0][3] = "How safe do you feel in the day?"
    with pytest.raises(InputError, match="closest column is 'How safe do you feel in the day") as caught:
        import_responses(write_csv(tmp_path / "m.csv", rows), questionnaire, parse_mapping(PLAIN_MAPPING, questionnaire), "w")
    assert caught.value.column == SAFE_DAY and caught.value.file == "m.csv"


def test_mapping_errors(questionnaire) -> None:
    with pytest.raises(ConfigError, match="not a question"):
        parse_mapping({"questions": {"shoe_size": "Shoe"}}, questionnaire, source="m.toml")
    with pytest.raises(ConfigError, match="not one of its codes"):
        parse_mapping({"questions": {"safe_day": {"column": "x", "answers": {"OK": "ok"}}}}, questionnaire)
    with pytest.raises(ConfigError, match="'format' must be one of"):
        parse_mapping({"format": "typeform", "questions": {"safe_day": "x"}}, questionnaire)


@pytest.mark.parametrize(("content", "message"), [(b"", "the file is empty"), (b"respondent_id,How safe\n", "no responses")])
def test_empty_files(tmp_path: Path, questionnaire, content: bytes, message: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        import_responses(path, questionnaire, parse_mapping(PLAIN_MAPPING, questionnaire), "w")
    assert caught.value.file == "empty.csv"


def surveymonkey_rows() -> list[list[str]]:
    header = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        SAFE_DAY,
        CONCERNS,
        "",
        "",
        "",
        AREA,
    ]
    options = [
        "",
        "",
        "",
        "",
        "",
        "",
        "Response",
        "Burglary",
        "Drug dealing",
        "Speeding and dangerous driving",
        "Other (please specify)",
        "Response",
    ]
    meta = [["1101", "9", "09/01/2026 10:00:00 AM", "09/01/2026 10:05:00 AM", "10.0.0.1", ""],
            ["1102", "9", "09/01/2026 11:00:00 AM", "09/01/2026 11:05:00 AM", "10.0.0.2", ""],
            ["1103", "9", "09/01/2026 12:00:00 PM", "", "10.0.0.3", ""]]  # fmt: skip
    answers = [
        ["Very safe", "Burglary", "", "Speeding and dangerous driving", "", "Sandy"],
        ["Very unsafe", "", "Drug dealing", "", "Loud music", "Potton"],
        ["Neither safe nor unsafe", "", "", "", "", ""],
    ]
    data = [m + a for m, a in zip(meta, answers, strict=True)]
    return [header, options, *data]


SM_MAPPING = {
    "format": "surveymonkey",
    "questions": {"safe_day": SAFE_DAY, "concerns": CONCERNS, "area": AREA},
    "ignore": [f"{CONCERNS} / Other (please specify)"],  # the questionnaire has no 'Other' concern
}


def check_surveymonkey(responses) -> None:
    a = responses.answers
    concerns = a.filter(pl.col("question_id") == "concerns").sort("respondent_id", "answer")
    assert concerns.select("respondent_id", "answer").rows() == [
        ("R00001", "burglary"),
        ("R00001", "speeding"),
        ("R00002", "drug_dealing"),
    ]
    assert responses.count == 3
    assert "10.0.0.1" not in " ".join(a["answer"].to_list())


def test_surveymonkey_csv(tmp_path: Path, questionnaire) -> None:
    path = write_csv(tmp_path / "sm.csv", surveymonkey_rows())
    check_surveymonkey(import_responses(path, questionnaire, parse_mapping(SM_MAPPING, questionnaire), "w"))


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_surveymonkey_xlsx(tmp_path: Path, questionnaire) -> None:
    path = write_xlsx(tmp_path / "sm.xlsx", surveymonkey_rows())
    check_surveymonkey(import_responses(path, questionnaire, parse_mapping(SM_MAPPING, questionnaire), "w"))


def test_microsoft_forms_xlsx(tmp_path: Path, questionnaire) -> None:
    from datetime import datetime

    rows = [
        ["ID", "Start time", "Completion time", "Email", "Name", SAFE_DAY, CONCERNS],
        [
            1,
            datetime(2026, 9, 1, 10),
            datetime(2026, 9, 1, 10, 4),
            "anonymous",
            "",
            "Fairly safe",
            "Burglary;Fraud, scams and online crime;",
        ],
        [2, datetime(2026, 9, 1, 11), datetime(2026, 9, 1, 11, 4), "anonymous", "", "Very safe", "None of these;"],
    ]
    mapping = parse_mapping({"format": "msforms", "questions": {"safe_day": SAFE_DAY, "concerns": CONCERNS}}, questionnaire)
    responses = import_responses(write_xlsx(tmp_path / "forms.xlsx", rows), questionnaire, mapping, "w")
    concerns = responses.answers.filter(pl.col("question_id") == "concerns")
    assert sorted(concerns["answer"].to_list()) == ["burglary", "fraud_scams", "none"]
    assert responses.respondents["submitted_at"].to_list()[0] == datetime(2026, 9, 1, 10, 4)


def test_smartsurvey_csv_with_status(tmp_path: Path, questionnaire) -> None:
    rows = [
        ["UserID", "Started", "Ended", "Status", SAFE_DAY, AREA],
        ["7", "01/09/2026 10:00:00", "01/09/2026 10:09:00", "Completed", "Very safe", "Sandy"],
        ["8", "01/09/2026 10:00:00", "", "Partial", "Very safe", ""],
    ]
    mapping = parse_mapping({"format": "smartsurvey", "questions": {"safe_day": SAFE_DAY, "area": AREA}}, questionnaire)
    responses = import_responses(write_csv(tmp_path / "ss.csv", rows), questionnaire, mapping, "w")
    assert responses.respondents["complete"].to_list() == [True, False]


def test_postcode_resolved_then_dropped(tmp_path: Path) -> None:
    import tomllib

    from cspkit.survey.questionnaire import DEFAULT_QUESTIONNAIRE, fill_area

    raw = fill_area(tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")), ("E06000056",), "q.toml")
    raw["questions"].append({"id": "postcode", "text": "Postcode", "type": "postcode"})
    q = parse_questionnaire(raw)
    onspd = write_csv(
        tmp_path / "onspd.csv", [["pcds", "lsoa21cd", "other"], ["LU5 4QL", "E01015555", "x"], ["SG19 1AA", "E01099999", "y"]]
    )
    lookup = postcode_area_lookup(onspd, {"E01015555": "E05014394"}, q)
    assert lookup == {"LU5 4QL": "E05014394"}
    rows = [
        ["id", SAFE_DAY, "Postcode"],
        ["1", "Very safe", "lu54ql"],
        ["2", "Very safe", "SG19 1AA"],
        ["3", "Very safe", "nonsense"],
    ]
    mapping = parse_mapping({"questions": {"safe_day": SAFE_DAY, "postcode": "Postcode"}, "ignore": ["id"]}, q)
    responses = import_responses(write_csv(tmp_path / "p.csv", rows), q, mapping, "w", postcode_areas=lookup, strict=False)
    a = responses.answers
    assert a.filter(pl.col("question_id") == "area").rows() == [("R00001", "area", "E05014394")]
    assert a.filter(pl.col("question_id") == "postcode").height == 0
    assert "LU5" not in " ".join(a["answer"].to_list())
    assert any("1 used to fill in the area, 1 not found" in n for n in responses.notes)
    assert responses.exclusions.select("source_row", "reason").rows() == [(4, "not a full UK postcode")]
    with pytest.raises(InputError, match="lacks column"):
        postcode_area_lookup(write_csv(tmp_path / "bad.csv", [["postcode", "lsoa"], ["a", "b"]]), {}, q)


def test_surveymonkey_single_choice_with_other_column(tmp_path: Path, questionnaire) -> None:
    rows = [
        ["Respondent ID", SAFE_DAY, ""],
        ["", "Response", "Other (please specify)"],
        ["1", "Very safe", ""],
        ["2", "Fairly safe", "depends where"],
    ]
    export = write_csv(tmp_path / "sm1.csv", rows)
    raw = {"format": "surveymonkey", "questions": {"safe_day": SAFE_DAY}}
    mapping = parse_mapping(raw, questionnaire)
    with pytest.raises(InputError, match=r"column C, '.*/ Other \(please specify\)': question 'safe_day' has no 'Other'"):
        import_responses(export, questionnaire, mapping, "w")  # the text "depends where" would be lost unnoticed
    ignoring = parse_mapping({**raw, "ignore": [f"{SAFE_DAY} / Other (please specify)"]}, questionnaire)
    responses = import_responses(export, questionnaire, ignoring, "w")
    assert responses.answers["answer"].to_list() == ["very_safe", "fairly_safe"]


def test_partials_and_repeats_classified_by_what_they_are_each_with_its_file_row(tmp_path: Path, questionnaire) -> None:
    rows = [
        ["UserID", "Ended", "Status", SAFE_DAY, AREA],
        ["11", "01/09/2026 10:00:00", "Completed", "Very safe", "Sandy"],      # row 2: kept
        ["11", "01/09/2026 10:30:00", "Partial", "Fairly safe", ""],           # row 3: a partial reusing 11's id
        ["12", "", "Partial", "Very unsafe", ""],                               # row 4: partial, completed at row 5
        ["12", "01/09/2026 11:00:00", "Completed", "Very unsafe", "Potton"],   # row 5: kept, supersedes row 4
        ["13", "01/09/2026 12:00:00", "Completed", "Fairly safe", "Sandy"],    # row 6: kept
        ["13", "01/09/2026 12:05:00", "Completed", "Very safe", "Sandy"],      # row 7: a second, different response
        ["11", "01/09/2026 10:00:00", "Completed", "Very safe", "Sandy"],      # row 8: a copy of row 2
        ["14", "", "Partial", "Fairly unsafe", ""],                              # row 9: a partial, kept
    ]  # fmt: skip
    mapping = parse_mapping({"format": "smartsurvey", "questions": {"safe_day": SAFE_DAY, "area": AREA}}, questionnaire)
    responses = import_responses(write_csv(tmp_path / "ss.csv", rows), questionnaire, mapping, "w")
    assert responses.respondents.select("source_row", "complete").rows() == [(2, True), (5, True), (6, True), (9, False)]
    assert responses.exclusions.sort("source_row").select("source_row", "reason", "same_as_row").rows() == [
        (3, "partial resubmission: same respondent id as an earlier row, which is kept", 2),
        (4, "superseded: a partial response whose respondent id completed the survey in a later row", 5),
        (7, "resubmission: same respondent id as an earlier complete row with different answers; the first is kept", 6),
        (8, "duplicate: same respondent id and answers as an earlier row", 2),
    ]
    assert responses.summary()["duplicates"] == 1
    counts = responses.answer_counts.filter(pl.col("question_id") == "safe_day").row(0, named=True)
    assert (counts["read"], counts["stored"], counts["in_excluded_rows"]) == (8, 4, 4)
