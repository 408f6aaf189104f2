"""Partnerships other than the demo's, on real police.uk rows: each started with ``cspkit init``.

Oxford (Thames Valley) and the joint Welsh partnership of Merthyr Tydfil and Rhondda Cynon Taf (South
Wales) run over January 2024, the national month bundled in demo/police; one month is fewer than most
steps need, so the documents must name the month and ask the committee only for what was decided.
Bedford runs end to end over 12 months of the bundled Bedfordshire archive, every document written.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from cspkit.config import load_config
from cspkit.new_assessment import start_assessment
from cspkit.report.assessment import build_assessment
from cspkit.report.committee import build_committee_report
from cspkit.report.pipeline import AssessmentRun, run_assessment
from cspkit.report.render_html import render_html

from .conftest import DEMO

pytestmark = pytest.mark.slow  # three real assessments, about 60 s together on an idle 2-core machine

NATIONAL_MONTH = DEMO / "police" / "england-wales-2024-01-street-except-bedfordshire.zip"
BEDFORDSHIRE = DEMO / "police" / "bedfordshire-2021-05-to-2024-04.zip"
ENGLAND = "The Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007 (SI 2007/1830)"
WALES = "The Crime and Disorder (Formulation and Implementation of Strategy) (Wales) Regulations 2007 (SI 2007/3076)"


def _configure(folder: Path, area: str | list[str], start: str, end: str, police: Path, extra: str = "\n") -> Path:
    """``cspkit init`` for the area, then the period, the download and the demo's SYNTHETIC inputs."""
    path = start_assessment(folder, area).path
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'period_start = "[0-9-]+"', f'period_start = "{start}"', text)
    text = re.sub(r'period_end = "[0-9-]+"', f'period_end = "{end}"', text)
    text = text.replace('paths = ["police"]', f'paths = ["{police}"]')
    text = text.replace("# [survey]\n", '[survey]\nresponses = "synthetic"\nsynthetic_responses = 300\n')
    text += '\n[risk]\nscores = "synthetic"\n\n[horizon]\nregister = "demo"\n' + extra
    path.write_text(text, encoding="utf-8")
    return path


def _text(document) -> str:
    """A document model's words, as the HTML rendering shows them."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", render_html(document), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _one_month(tmp_path: Path, area: str | list[str]) -> tuple[AssessmentRun, str, str]:
    run = run_assessment(load_config(_configure(tmp_path, area, "2024-01", "2024-01", NATIONAL_MONTH)), documents=False)
    return run, _text(build_assessment(run.evidence)), _text(build_committee_report(run.evidence))


def _check_one_month(run: AssessmentRun, assessment: str, committee: str) -> None:
    status = {s.step: s.status for s in run.steps}
    for step in ("Police data", "Reference data", "Analysis", "Survey", "Horizon scanning", "Evidence board"):
        assert status[step] == "done", run.steps
    # labels name the real month, never a year the data do not cover
    for text in (assessment, committee):
        assert "Latest 12 months" not in text and "in the latest 12 months" not in text
        assert "against the previous 12 (1 year)" not in text  # no change test described where none ran
    assert "Headline figures" in assessment and "January 2024" in assessment
    assert run.evidence.latest_heading == "January 2024"
    # no decision was recorded: the committee is not asked to endorse priorities
    assert "endorse the priorities" not in committee and "endorse the recommended" not in committee
    assert "has not yet agreed its priorities" in committee
    assert "ask the partnership to agree its priorities" in committee
    # the step summary never names a test as both computed and not computed
    summary = next(s.detail for s in run.steps if s.step == "Analysis")
    computed, _, skipped = summary.partition(" (not computed: ")
    named = set(computed.split("; ")[-1].split(", "))
    not_run = set(run.state["analysis"].notes)
    for name, label in (("change", "tested change"), ("trends", "trend"), ("seasonality", "seasonality"),
                        ("hotspots", "hot spots"), ("harm", "harm"), ("peer_group", "peers")):
        assert not (label in named and name in not_run), summary
    assert "change:" in skipped and "tested change" not in computed
    assert "trend" not in computed.split("; ")[-1]  # one month: the trend table holds only "no test" rows
    for text in (assessment, committee):
        assert "Bedfordshire" not in text


def test_an_english_district_outside_bedfordshire(tmp_path: Path) -> None:
    run, assessment, committee = _one_month(tmp_path, "Oxford")
    _check_one_month(run, assessment, committee)
    assert run.evidence.area_name == "Oxford"
    assert ENGLAND in assessment and "3076" not in assessment
    assert "mean IMD score" in run.state["analysis"].provenance["peer_group"].method
    assert run.evidence.survey is not None and run.evidence.survey.synthetic  # the synthetic survey for Oxford's wards
    wards = set(run.state["survey"].estimates.filter(run.state["survey"].estimates["question_id"] == "area")["answer"])
    assert {"Carfax & Jericho", "Headington"} <= wards


def test_a_joint_welsh_partnership(tmp_path: Path) -> None:
    run, assessment, committee = _one_month(tmp_path, ["Merthyr Tydfil", "Rhondda Cynon Taf"])
    _check_one_month(run, assessment, committee)
    assert run.evidence.area_name == "Merthyr Tydfil and Rhondda Cynon Taf"
    assert WALES in assessment and "SI 2007/1830" not in assessment
    assert WALES in committee and "SI 2007/1830" not in committee  # the background papers init wrote
    # England's IMD does not cover Wales: the peers are matched without it, and the method says so
    peers = run.state["analysis"].provenance["peer_group"].method
    assert "IMD score" not in peers.split(";")[0] and "England's IMD covers England only" in peers
    assert "WIMD 2019" in next(s.detail for s in run.steps if s.step == "Reference data")
    estimates = run.state["survey"].estimates
    districts = {a.rsplit(" (", 1)[1] for a in estimates.filter(estimates["question_id"] == "area")["answer"]}
    assert districts == {"Merthyr Tydfil)", "Rhondda Cynon Taf)"}


def test_bedford_end_to_end_has_no_central_bedfordshire_text(tmp_path: Path) -> None:
    """12 months of the real Bedfordshire archive for Bedford (E06000055), the demo's SYNTHETIC focus group."""
    for name in ("votes.toml", "decision.toml", "previous_priorities.toml"):
        shutil.copy(DEMO / name, tmp_path / name)
    extra = (  # only Bedfordshire Police loaded: no other district could be a peer
        '\n[analysis]\npeer_count = 0\n\n[priorities]\nvotes = "votes.toml"\ndecision = "decision.toml"\n'
        'previous = "previous_priorities.toml"\n'
    )
    run = run_assessment(load_config(_configure(tmp_path, "E06000055", "2023-05", "2024-04", BEDFORDSHIRE, extra)))
    assert all(s.status == "done" for s in run.steps if s.step != "Partner data"), run.steps
    assert run.evidence.area_name == "Bedford" and run.evidence.latest_heading == "Latest 12 months"
    texts = {
        "strategic-assessment.html": run.outputs["strategic-assessment.html"].read_text(encoding="utf-8"),
        **{
            name: "\n".join(p.text for p in docx.Document(str(run.outputs[name])).paragraphs)
            for name in ("strategic-assessment.docx", "committee-report.docx")
        },
        **{
            name: " ".join(page.extract_text() for page in PdfReader(run.outputs[name]).pages)
            for name in ("strategic-assessment.pdf", "committee-report.pdf")
        },
    }
    for name, text in texts.items():
        assert "Central Bedfordshire" not in text, name
        assert "Bedford Community Safety Partnership" in re.sub(r"\s+", " ", text), name
    assert "Bedford Council" in texts["committee-report.pdf"]  # the cover, from the council name init wrote
    assert "endorse the recommended community safety priorities and knowledge gap" in texts["committee-report.docx"]
