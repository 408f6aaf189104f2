"""The dashboard (map with its table alternative) and document builds as background jobs."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cspkit.web import jobs, library
from cspkit.web.models import DocumentJob


def _bundled() -> dict:
    """Central Bedfordshire's polygons as the bundle holds them: LSOA code -> GeoJSON geometry."""
    from cspkit.data.geography import bundled_boundaries

    return {code: json.loads(geometry) for code, geometry in
            bundled_boundaries(["E06000056"]).select("lsoa21_code", "geometry").iter_rows()}


@pytest.fixture
def fake_report(monkeypatch, settings, tmp_path):
    """Stands in for cspkit.report's build so the job machinery is tested on its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    calls = []

    def build(assessment, folder, progress, **web_inputs):
        calls.append(assessment.slug)
        progress(50, "Writing the strategic assessment")
        (folder / "strategic-assessment.docx").write_bytes(b"PK docx")
        (folder / "committee-report.pdf").write_bytes(b"%PDF-1.7")
        return [folder / "strategic-assessment.docx", folder / "committee-report.pdf"]

    monkeypatch.setattr(library, "build_documents", build)
    return calls


def test_dashboard_map_has_a_table_alternative_of_the_same_areas(clients, assessment):
    page = clients["viewer"].get(reverse("web:dashboard", args=["cb"]))
    html = BeautifulSoup(page.content, "html.parser")
    assert html.select_one("#lsoa-map")["data-geojson"] == reverse("web:boundaries", args=["cb"])
    assert "Contains OS data © Crown copyright and database right" in html.select_one("#lsoa-map").find_next("p").text
    codes = {tr.th.get_text(strip=True) for tr in html.select("details table tbody tr")}
    assert codes == set(_bundled()) and len(codes) == 175
    assert not html.select("script[src^=http]") and not html.select("link[href^=http]")  # no web tiles or CDNs


def test_boundaries_are_the_bundled_polygons(clients, assessment):
    response = clients["viewer"].get(reverse("web:boundaries", args=["cb"]))
    assert response["Content-Type"] == "application/geo+json"
    features = json.loads(response.content)["features"]
    assert {f["properties"]["LSOA21CD"]: f["geometry"] for f in features} == _bundled()
    assert all(f["properties"]["LSOA21NM"].startswith("Central Bedfordshire") for f in features)


def test_area_that_is_no_district_has_no_map(clients, assessment):
    """Every district's boundaries are bundled; a code that is no district is named as the problem, with no map."""
    assessment.area_code = "E06000999"  # no such district
    assessment.save()
    response = clients["analyst"].get(reverse("web:dashboard", args=["cb"]))
    page = response.content.decode()
    assert response.status_code == 503 and "lsoa-map" not in page and "unknown district" in page and "E06000999" in page
    assert clients["viewer"].get(reverse("web:boundaries", args=["cb"])).status_code == 503


def test_rebuild_runs_in_the_background_and_offers_downloads(clients, assessment, fake_report):
    response = clients["analyst"].post(reverse("web:build", args=["cb"]))
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("web:job", args=["cb", job.pk])
    waiting = clients["viewer"].get(response["Location"])
    assert waiting["Refresh"] == "5" and "Waiting to start" in waiting.content.decode()
    assert "Refresh" not in clients["viewer"].get(response["Location"] + "?auto=off")
    # A second request while one waits does not queue another build.
    clients["analyst"].post(reverse("web:build", args=["cb"]))
    assert DocumentJob.objects.count() == 1

    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.outputs) == ("done", 100, ["strategic-assessment.docx", "committee-report.pdf"])
    finished = clients["viewer"].get(reverse("web:job", args=["cb", job.pk]))
    assert "Refresh" not in finished
    link = BeautifulSoup(finished.content, "html.parser").find("a", string="Download committee-report.pdf")
    download = clients["viewer"].get(link["href"])
    assert download["Content-Disposition"] == 'attachment; filename="committee-report.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF-1.7"
    assert fake_report == ["cb"]


def test_failed_build_says_why(clients, assessment, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def broken(assessment, folder, progress, **web_inputs):
        raise library.NotAvailable("The committee report template is missing.")

    monkeypatch.setattr(library, "build_documents", broken)
    clients["analyst"].post(reverse("web:build", args=["cb"]))
    jobs.run_pending()
    job = DocumentJob.objects.get()
    assert job.status == "failed"
    page = clients["analyst"].get(reverse("web:job", args=["cb", job.pk])).content.decode()
    assert "The committee report template is missing." in page


def test_only_listed_outputs_can_be_downloaded(clients, assessment, fake_report):
    clients["analyst"].post(reverse("web:build", args=["cb"]))
    jobs.run_pending()
    job = DocumentJob.objects.get()
    for name in ("secret_key", "..", "strategic-assessment.docx.bak"):
        assert clients["viewer"].get(f"/a/cb/documents/{job.pk}/{name}").status_code == 404


def test_jobs_are_claimed_once(assessment, members, fake_report):
    DocumentJob.objects.create(assessment=assessment, requested_by=members["analyst"].user)
    first = jobs.claim_next()
    assert first is not None and first.status == "running"
    assert jobs.claim_next() is None


def test_another_assessment_s_job_is_not_found(clients, assessment, other_assessment, members, fake_report):
    other = DocumentJob.objects.create(assessment=other_assessment, requested_by=members["analyst"].user)
    assert clients["analyst"].get(reverse("web:job", args=["cb", other.pk])).status_code == 404


def test_ballots_cast_on_the_web_reach_cspkit_assess_as_a_votes_file(clients, small_assessment, members, monkeypatch, settings,
                                                                     tmp_path):
    """The build runs cspkit.report's pipeline with [priorities] votes pointing at the web's ballots."""
    from types import SimpleNamespace

    from cspkit.priorities.decision import load_votes
    from cspkit.report import pipeline

    settings.MEDIA_ROOT = tmp_path / "media"
    seen = {}

    def run_assessment(config, listener, survey_responses=None):
        seen["votes"] = load_votes(config.section("priorities")["votes"])
        seen["survey"] = survey_responses
        listener("Documents", "done", "")
        out = config.output_dir / "strategic-assessment.html"
        out.write_text("<h1>SA</h1>", encoding="utf-8")
        return SimpleNamespace(steps=[SimpleNamespace(step="Documents", status="done", detail="")], outputs={"a": out})

    monkeypatch.setattr(pipeline, "run_assessment", run_assessment)
    clients["scorer"].post(reverse("web:vote", args=["cb"]), {"asb": "1", "burglary": "2"})
    clients["scorer2"].post(reverse("web:vote", args=["cb"]), {"burglary": "1", "cyber_fraud": "2"})
    clients["analyst"].post(reverse("web:build", args=["cb"]))
    jobs.run_pending()
    job = DocumentJob.objects.get()
    assert (job.status, job.outputs) == ("done", ["strategic-assessment.html"])
    votes = seen["votes"]
    assert votes.unit == "organisation"
    assert [(b.organisation, b.ranking) for b in votes.ballots] == [
        ("Bedfordshire Police", ("asb", "burglary")), ("Bedfordshire Fire and Rescue", ("burglary", "cyber_fraud"))
    ]
    assert set(votes.candidates) == {"asb", "burglary", "cyber_fraud"}
    assert seen["survey"] is None  # no resident has answered on the web here


def test_web_scores_become_workbooks_that_cspkit_risk_reads_back(clients, small_assessment, tmp_path):
    from tests.web.test_scoring import score_round

    from cspkit.risk.workbook import read_workbook
    from cspkit.web.views.scoring import submitted_scores

    score_round(clients["scorer"], "cb", 1)
    score_round(clients["scorer2"], "cb", 3)
    rows = submitted_scores(small_assessment)
    folder = library.write_score_workbooks(tmp_path / "books", small_assessment, rows)
    method, register = library.scoring_method(small_assessment), library.issue_register(small_assessment)
    read = [s for book in sorted(folder.glob("*.xlsx")) for s in read_workbook(book, method, register).scores]
    assert sorted((s.organisation, s.issue_id, s.criterion, s.value) for s in read) == sorted(
        (r["organisation"], r["issue_id"], r["criterion_id"], r["value"]) for r in rows
    )
    assert len(read) == 2 * 3 * len(method.criteria)
