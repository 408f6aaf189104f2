"""The web app's only door into the cspkit library.

Views never compute a risk score, an aggregate, a vote count or a survey estimate themselves:
they call these functions, which call the same library functions as the CLI and turn the results
into plain tables for the templates. Where a figure cannot be had (no warehouse linked, say),
``NotAvailable`` says why and the page shows that reason instead of a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from cspkit.config import AssessmentConfig, load_config
from cspkit.errors import AnalysisError, CspkitError
from cspkit.priorities import board as priorities_board
from cspkit.priorities.voting import Ballot as LibraryBallot
from cspkit.priorities.voting import count_votes as library_count_votes
from cspkit.risk.matrix import risk_results
from cspkit.risk.method import Criterion, Method, load_method
from cspkit.risk.register import IssueRegister, load_issues
from cspkit.risk.scores import Score as LibraryScore
from cspkit.risk.scores import score_problems
from cspkit.survey.questionnaire import Question, Questionnaire, QuestionType, load_questionnaire
from cspkit.survey.questionnaire import validate_answer as library_validate_answer
from cspkit.survey.redact import redact
from cspkit.survey.responses import SurveyResponses, responses_from_answers

if TYPE_CHECKING:
    from cspkit.web.models import Assessment


class NotAvailable(Exception):
    """What a page needs cannot be computed for this assessment; the message says why."""


class ConfigProblem(NotAvailable):
    """The assessment.toml linked to an assessment, or a method, register or questionnaire it names,
    cannot be read. Pages show it (``cspkit.web.errors``) instead of failing with a server error."""

    def __init__(self, slug: str, path: str, reason: str) -> None:
        super().__init__(f"The settings file linked to this assessment ({path}) cannot be used: {reason}")
        self.slug, self.path, self.reason = slug, path, reason


@dataclass(frozen=True)
class Table:
    """A table as the templates show it: column headings and rows of display text."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""


def table_from_frame(frame: pl.DataFrame, columns: dict[str, str] | None = None, title: str = "") -> Table:
    """Display text for a library result table; ``columns`` picks and renames (library name -> heading)."""
    names = columns or {c: c.replace("_", " ").capitalize() for c in frame.columns}
    picked = frame.select([c for c in names if c in frame.columns])
    return Table(
        columns=tuple(names[c] for c in picked.columns),
        rows=tuple(tuple(_cell(v) for v in row) for row in picked.iter_rows()),
        title=title,
    )


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{round(value, 2):,}"
    return str(value)


# --- the assessment's own files -------------------------------------------------------------


def assessment_config(assessment: Assessment) -> AssessmentConfig | None:
    """The assessment.toml the analyst linked to this assessment, if any (re-read when the file changes);
    ConfigProblem when it is missing or broken."""
    if not assessment.config_path:
        return None
    path = Path(assessment.config_path)
    try:
        return _config(path, path.stat().st_mtime_ns)
    except FileNotFoundError as exc:
        raise ConfigProblem(assessment.slug, assessment.config_path, "there is no such file") from exc
    except (CspkitError, OSError) as exc:
        raise ConfigProblem(assessment.slug, assessment.config_path, str(exc)) from exc


def check_config(assessment: Assessment) -> None:
    """ConfigProblem when the linked file, or the method, issue register or questionnaire it names,
    cannot be loaded; every assessment page checks this first (each load is cached, so it is cheap)."""
    scoring_method(assessment), issue_register(assessment), questionnaire(assessment)


def config_problem(assessment: Assessment) -> str | None:
    """Why the assessment's config path cannot be linked, or None: checked before the path is saved."""
    try:
        check_config(assessment)
    except ConfigProblem as exc:
        return str(exc)
    return None


def _load_named(assessment: Assessment, load: Callable[[Any], Any], section: str, key: str) -> Any:
    """A file the assessment.toml names (or the default), loaded; ConfigProblem when it cannot be."""
    try:
        return load(_configured(assessment, section, key))
    except CspkitError as exc:
        raise ConfigProblem(assessment.slug, assessment.config_path, str(exc)) from exc


def data_version(config: AssessmentConfig) -> tuple[int, int]:
    """Changes when the warehouse or the assessment.toml changes: the key every cached library result is kept under."""
    return config.warehouse.stat().st_mtime_ns, config.path.stat().st_mtime_ns


@lru_cache(maxsize=64)
def _config(path: Path, version: int) -> AssessmentConfig:
    return load_config(path)


def _configured(assessment: Assessment, section: str, key: str) -> str | Path | None:
    config = assessment_config(assessment)
    value = config.section(section).get(key) if config else None
    if value is None or not isinstance(value, str):
        return None
    return value if "/" not in value and not value.endswith(".toml") else config.resolve(value)


@lru_cache(maxsize=32)
def _method(path: str | Path | None) -> Method:
    return load_method(path)


@lru_cache(maxsize=32)
def _issues(path: str | Path | None) -> IssueRegister:
    return load_issues(path)


@lru_cache(maxsize=32)
def _questionnaire(path: str | Path | None, area: tuple[str, ...]) -> Questionnaire:
    return load_questionnaire(path, area)


# --- risk matrix (cspkit.risk) --------------------------------------------------------------


def scoring_method(assessment: Assessment) -> Method:
    return _load_named(assessment, _method, "risk", "method")


def issue_register(assessment: Assessment) -> IssueRegister:
    return _load_named(assessment, _issues, "risk", "issues")


@dataclass(frozen=True)
class Suggested:
    """A data-suggested level for one criterion of one issue (None for evidence without a level)."""

    value: float | None
    evidence: str


def suggested_scores(assessment: Assessment) -> dict[str, dict[str, Suggested]]:
    """issue id -> criterion id -> the data's suggestion, from the assessment's warehouse.

    The evidence is cspkit.risk's own (``evidence_for_config`` then ``suggest_all``), kept until
    the warehouse file changes. Without a linked assessment.toml and warehouse there is nothing
    to suggest, and the page says so by showing no suggestion.
    """
    config = assessment_config(assessment)
    if config is None or not config.warehouse.exists():
        return {}
    return _suggestions(*_suggestion_key(assessment, config))


def _suggestion_key(assessment: Assessment, config: AssessmentConfig) -> tuple:
    method, issues = _configured(assessment, "risk", "method"), _configured(assessment, "risk", "issues")
    return config.path, data_version(config), method, issues


@lru_cache(maxsize=8)
def _risk_evidence(config_path: Path, version: tuple[int, int], issues_file: str | Path | None) -> tuple:
    """cspkit.risk's evidence per issue (volume, rate, change, harm) from the warehouse."""
    from cspkit.risk.evidence import evidence_for_config

    return tuple(evidence_for_config(load_config(config_path), _issues(issues_file)))


@lru_cache(maxsize=8)
def _library_suggestions(
    config_path: Path, version: tuple[int, int], method_file: str | Path | None, issues_file: str | Path | None
) -> tuple:
    from cspkit.risk.suggest import suggest_all

    return tuple(suggest_all(list(_risk_evidence(config_path, version, issues_file)), _method(method_file)))


@lru_cache(maxsize=8)
def _suggestions(
    config_path: Path, version: tuple[int, int], method_file: str | Path | None, issues_file: str | Path | None
) -> dict[str, dict[str, Suggested]]:
    found: dict[str, dict[str, Suggested]] = {}
    for s in _library_suggestions(config_path, version, method_file, issues_file):
        for criterion_id in s.applies_to:
            before = found.setdefault(s.issue_id, {}).get(criterion_id)
            value = s.value if s.criterion == criterion_id else None
            found[s.issue_id][criterion_id] = Suggested(
                value if value is not None else (before.value if before else None),
                f"{before.evidence} {s.evidence}".strip() if before else s.evidence,
            )
    return found


def score_problem(
    assessment: Assessment, membership, issue_id: str, criterion: Criterion, value: float,
    suggestion: Suggested | None, reason: str,
) -> str | None:
    """What cspkit.risk says is wrong with one score (first problem), or None."""
    score = _library_score(membership.organisation, membership.user.get_username(), issue_id, criterion.id, value,
                           suggestion.value if suggestion else None, reason)
    problems = score_problems(score, scoring_method(assessment), issue_register(assessment))
    return problems[0][0].upper() + problems[0][1:] if problems else None


def _library_score(organisation: str, scorer: str, issue_id: str, criterion: str, value: float,
                   suggested: float | None, reason: str) -> LibraryScore:
    return LibraryScore(organisation=organisation, scorer=scorer, issue_id=issue_id, criterion=criterion,
                        value=float(value), suggested=suggested, reason=reason)


def library_scores(rows: Sequence[dict]) -> list[LibraryScore]:
    return [
        _library_score(r["organisation"], r["scorer"], r["issue_id"], r["criterion_id"], r["value"], r["suggested"], r["reason"])
        for r in rows
    ]


def round_frame(assessment: Assessment, rows: Sequence[dict]) -> pl.DataFrame:
    """The ranked risk matrix of these scores, by cspkit.risk.matrix.risk_results."""
    return risk_results(library_scores(rows), scoring_method(assessment), issue_register(assessment))


def round_results(assessment: Assessment, rows: Sequence[dict]) -> Table:
    method = scoring_method(assessment)
    frame = round_frame(assessment, rows)
    columns = {"rank": "Rank", "issue": "Issue", "risk_score": "Risk score"}
    columns.update({g.id: g.name for g in method.groups})
    columns.update({"n_scorers": "Scorers", "max_range": "Largest spread", "discuss_on": "Discuss (scorers disagree on)",
                    "class": "Class"})
    return table_from_frame(frame, columns)


# --- residents' survey (cspkit.survey) ------------------------------------------------------


def questionnaire(assessment: Assessment) -> Questionnaire:
    return _load_named(assessment, lambda path: _questionnaire(path, area_codes(assessment)), "survey", "questionnaire")


def validate_answer(question: Question, raw: object) -> str | list[str] | None:
    """cspkit.survey's check of one answer, as JSON-friendly values for the session."""
    try:
        value = library_validate_answer(question, raw)  # type: ignore[arg-type]
    except CspkitError as exc:
        raise ValueError(exc.message) from exc
    return list(value) if isinstance(value, tuple) else value


def stored_answer(question: Question, answer: str | list[str] | None) -> list[str]:
    """The rows one answer is stored as (long form); free text redacted by cspkit.survey first,
    and postcodes never stored (the survey library keeps only the area they resolve to)."""
    if answer in (None, "", []) or question.type == QuestionType.postcode:
        return []
    if question.type == QuestionType.free_text:
        return [redact(str(answer))]
    return list(answer) if isinstance(answer, list) else [str(answer)]


def question_kind(question: Question) -> str:
    if question.type == QuestionType.multiple:
        return "multiple"
    if question.closed:
        return "single"
    return "text" if question.type == QuestionType.free_text else "short"


def survey_responses(assessment: Assessment, submissions: Sequence[dict], times: Sequence) -> SurveyResponses:
    """Web answers in the survey library's own shape (the same path as an imported export)."""
    return responses_from_answers(submissions, questionnaire(assessment), wave=assessment.slug,
                                  submitted_at=times, source="web form")


def survey_analysis(assessment: Assessment, responses: SurveyResponses) -> Table:
    """Estimates for every closed question by cspkit.survey.analysis: weighted to the area's population
    by the ``[survey] weight_by`` variables when the assessment has a warehouse, otherwise unweighted
    (and labelled so)."""
    results, weighted_by = _survey_results(assessment, responses)
    config = assessment_config(assessment)
    if weighted_by:
        title = f"Weighted to the area's population by {', '.join(v.replace('_', ' ') for v in weighted_by)} ([survey] weight_by)"
    elif config is None or not config.warehouse.exists():
        title = "Unweighted (no warehouse linked for population weights)"
    else:
        title = "Unweighted ([survey] weight_by names nothing to weight by)"
    return table_from_frame(results.estimates, {
        "question": "Question", "answer": "Answer", "pct": "Per cent", "ci_low": "95% interval from", "ci_high": "to",
        "pct_unweighted": "Unweighted per cent", "base_n": "Answered", "small_base": "Small base",
    }, title=title)


def _survey_results(assessment: Assessment, responses: SurveyResponses) -> tuple[Any, tuple[str, ...]]:
    """cspkit.survey.analysis.analyse_configured of the responses, weighted as ``[survey] weight_by``
    says when a warehouse is linked; with the variables it was weighted by (none: unweighted)."""
    from cspkit.survey.analysis import analyse_configured
    from cspkit.survey.settings import survey_settings

    config = assessment_config(assessment)
    weighted = config is not None and config.warehouse.exists()
    # [survey] weight_by, trim and min_base, as the CLI and the report use them; the wards of the assessment's area
    settings = survey_settings(config, area_codes=area_codes(assessment))
    results = analyse_configured(responses, settings, config.warehouse if weighted else None,
                                 config.area_codes if config else ())
    return results, settings.weight_by if weighted else ()


_CONCERNS: dict[tuple, pl.DataFrame] = {}


def survey_concerns(assessment: Assessment, responses: Callable[[], SurveyResponses], version: tuple) -> pl.DataFrame:
    """Residents' concerns ranked by cspkit.survey (the ``concerns`` table of ``analyse_survey``).

    ``responses`` gives the accepted web responses; ``version`` changes whenever they change (the
    view passes the count and latest id of accepted responses), so the analysis runs once per change.
    """
    config = assessment_config(assessment)
    warehouse = data_version(config) if config is not None and config.warehouse.exists() else 0
    key = (assessment.pk, assessment.config_path, warehouse, *version)
    if key not in _CONCERNS:
        if len(_CONCERNS) >= 16:
            _CONCERNS.clear()
        _CONCERNS[key] = _survey_results(assessment, responses())[0].concerns
    return _CONCERNS[key]


# --- focus group (cspkit.priorities) --------------------------------------------------------


@dataclass(frozen=True)
class BoardEvidence:
    """The board's evidence per issue and, for each column left blank, why."""

    issues: tuple[priorities_board.IssueEvidence, ...]
    missing: tuple[str, ...] = ()


def board_evidence(
    assessment: Assessment, results: pl.DataFrame | None, results_missing: str = "",
    concerns: Callable[[], pl.DataFrame] | None = None,
) -> BoardEvidence:
    """The evidence board's inputs, assembled by cspkit.priorities.evidence.board_evidence (as the
    documents do) from what the web app holds: the round's risk results, the linked warehouse's
    analysis and risk evidence (kept until the warehouse file changes), residents' concerns from the
    accepted web survey responses, and the linked horizon-scanning register.

    ``results_missing`` says why there are no risk results; ``concerns`` gives the concerns table.
    """
    from cspkit.analysis.analyse import options_from_config
    from cspkit.priorities.evidence import board_evidence as library_board_evidence

    missing = [results_missing] if results is None and results_missing else []
    config = assessment_config(assessment)
    analysis, risk_evidence, alpha = None, None, 0.05
    if config is None or not config.warehouse.exists():
        missing.append("Incidents, rate, harm and tested change need an assessment.toml with a warehouse, "
                       "linked with 'cspkit serve --config' (or in Django admin).")
    else:
        version = data_version(config)
        try:
            analysis = _analysis(config.path, version)
            alpha = options_from_config(config).alpha
            issues_file = _configured(assessment, "risk", "issues")
            risk_evidence = {e.issue_id: e for e in _risk_evidence(config.path, version, issues_file)}
        except CspkitError as exc:
            missing.append(f"Incidents, rate, harm and tested change could not be computed: {exc}")
    concern_table = None
    if concerns is not None:
        try:
            concern_table = concerns()
        except CspkitError as exc:
            missing.append(f"Residents' concern rank could not be computed from the survey: {exc}")
        else:
            if concern_table.is_empty():
                missing.append("Residents' concern rank: the questionnaire has no concerns question, or no resident "
                               "has answered it yet.")
    else:
        missing.append("Residents' concern rank: no survey responses have been accepted yet.")
    horizon = None
    try:
        horizon = horizon_table(assessment)
    except CspkitError as exc:
        missing.append(f"Horizon scanning: the register could not be read: {exc}")
    if horizon is None and not any(m.startswith("Horizon") for m in missing):
        missing.append("Horizon scanning: no register is named in the assessment.toml ([horizon] register).")
    issues = library_board_evidence(
        issue_register(assessment), risk_results=results, risk_evidence=risk_evidence, analysis=analysis,
        concerns=concern_table, horizon=horizon, alpha=alpha,
    )
    return BoardEvidence(issues=tuple(issues), missing=tuple(missing))


def horizon_table(assessment: Assessment) -> pl.DataFrame | None:
    """The horizon-scanning register named in the assessment.toml, as cspkit.horizon's section table."""
    config = assessment_config(assessment)
    source = config.section("horizon").get("register") if config is not None else None
    if not source:
        return None
    from cspkit.horizon.register import demo_register_path

    path = demo_register_path() if source == "demo" else config.resolve(source)
    return _horizon(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _horizon(path: Path, version: int) -> pl.DataFrame:
    from cspkit.horizon.files import load_register
    from cspkit.horizon.register import horizon_section

    return horizon_section(load_register(path))


def evidence_board(evidence: Sequence[priorities_board.IssueEvidence]) -> Table:
    return table_from_frame(priorities_board.evidence_board(evidence), {
        "risk_rank": "Risk rank", "issue": "Issue", "risk_score": "Risk score", "harm": "Harm",
        "volume_12m": "Incidents (12 months)", "rate_per_1000": "Rate per 1,000", "change_1y_pct": "Change, latest year (%)",
        "change_3y_pct": "Change, 3 years (%)", "concern_rank": "Residents' concern rank",
        "knowledge_gap_class": "Class", "horizon": "Horizon scanning",
    })


def shortlist(assessment: Assessment, evidence: Sequence[priorities_board.IssueEvidence]) -> pl.DataFrame:
    """cspkit.priorities' suggested shortlist, by the assessment's own rule file when it names one."""
    return priorities_board.suggest_shortlist(evidence, priorities_board.configured_rule(assessment_config(assessment)))


@dataclass(frozen=True)
class VoteCount:
    tables: tuple[Table, ...]
    note: str


def count_votes(
    assessment: Assessment, ballots: Sequence[tuple[str, str, Sequence[str]]], candidates: Sequence[str]
) -> VoteCount:
    """Borda and Schulze by cspkit.priorities.voting; ballots are (organisation, voter, ranking)."""
    unit = "organisation" if assessment.vote_by == "organisation" else "person"
    result = library_count_votes(
        [LibraryBallot(organisation=o, voter=v, ranking=tuple(r)) for o, v, r in ballots], candidates, unit=unit,
        source="web votes",
    )
    names = {i.id: i.name for i in issue_register(assessment).issues}
    frame = result.table.with_columns(pl.col("issue").replace_strict(names, default=pl.col("issue")))
    table = table_from_frame(frame, {"issue": "Issue", "borda_points": "Borda points", "borda_rank": "Borda rank",
                                     "schulze_wins": "Schulze wins", "schulze_rank": "Schulze rank"},
                             title="Count of the ranked votes")
    winner = names.get(result.condorcet_winner, result.condorcet_winner) if result.condorcet_winner else None
    notes = [f"{names.get(w, w)}" for w in result.disagreements]
    note = " ".join(
        ([f"{winner} beats every other issue head to head (Condorcet winner)."] if winner else [])
        + (["Where Borda and Schulze disagree: " + "; ".join(notes)] if notes else ["Borda and Schulze agree."])
    )
    return VoteCount(tables=(table,), note=note)


# --- dashboard and documents (cspkit.analysis, cspkit.report) ------------------------------


def area_codes(assessment: Assessment) -> tuple[str, ...]:
    config = assessment_config(assessment)
    if config is not None:
        return config.area_codes
    return (assessment.area_code,) if assessment.area_code else ()


@lru_cache(maxsize=8)
def _boundaries(codes: tuple[str, ...]) -> tuple[str, Table] | None:
    from cspkit.data.geography import boundaries_geojson, bundled_boundaries

    frame = bundled_boundaries(codes)
    if not frame.height:
        return None
    table = Table(columns=("LSOA code", "LSOA name"), rows=tuple(frame.select("lsoa21_code", "lsoa21_name").iter_rows()))
    return boundaries_geojson(frame), table


def area_boundaries(assessment: Assessment) -> str | None:
    """The bundled LSOA boundaries of the assessment's districts as GeoJSON (None for an unknown area)."""
    found = _boundaries(area_codes(assessment))
    return found[0] if found else None


def map_areas(assessment: Assessment) -> Table | None:
    """The areas drawn on the map, as the table that is the map's text alternative."""
    found = _boundaries(area_codes(assessment))
    return found[1] if found else None


def headline_figures(assessment: Assessment) -> list[Table]:
    """Each comparison of cspkit.analysis (``analyse_area``: the latest 12 months against the previous
    12, and against three years earlier when the period is long enough) as its own table, its columns
    named by the periods compared, kept until the warehouse file changes."""
    config = assessment_config(assessment)
    if config is None or not config.warehouse.exists():
        raise NotAvailable("Headline figures need an assessment.toml with a warehouse, linked with "
                           "'cspkit serve --config' (or in Django admin).")
    frame = _analysis(config.path, data_version(config)).change
    if frame is None:
        raise NotAvailable("The analysis has no change table for this area and period.")
    areas = ", ".join(config.area_codes)
    tables = []
    for (previous, latest), rows in frame.group_by(["previous_period", "latest_period"], maintain_order=True):
        tables.append(table_from_frame(rows, {
            "crime_type": "Crime type", "previous_count": f"Count, {previous}", "latest_count": f"Count, {latest}",
            "pct_change": "Change (%)", "significant": "Real change by the test", "statement": "What the test says",
        }, title=f"The latest 12 months ({latest}) against {previous} ({areas})"))
    return tables


@lru_cache(maxsize=4)
def _analysis(config_path: Path, version: tuple[int, int]):
    """cspkit.analysis' result for the assessment's area and period, with its [analysis] settings
    (what ``cspkit assess`` computes), kept until the warehouse file changes."""
    from cspkit.analysis.analyse import analyse_area, options_from_config
    from cspkit.analysis.area import Period

    config = load_config(config_path)
    return analyse_area(config.warehouse, ",".join(config.area_codes), Period.parse(config.period_start, config.period_end),
                        options_from_config(config))


#: The dashboard's trend charts: key (in the chart's URL) -> the analysis series and its unit, as the
#: documents' headline figures keep them (recorded crime without ASB, and ASB, as separate series).
TREND_SERIES = {
    "recorded-crime": ("All crime (excluding anti-social behaviour)", "Recorded crime (excluding ASB)", "crimes"),
    "asb": ("Anti-social behaviour", "Anti-social behaviour incidents", "incidents"),
}


@dataclass(frozen=True)
class DashboardChart:
    """A chart on the dashboard: its image URL key, title, alt text and the data table behind it."""

    key: str
    title: str
    alt_text: str
    table: Table


def dashboard_charts(assessment: Assessment) -> list[DashboardChart]:
    """The monthly trend charts of the area (cspkit.report.charts.trend_chart, the documents' own
    chart), with their alt text and data tables; kept until the warehouse file changes."""
    config = assessment_config(assessment)
    if config is None or not config.warehouse.exists():
        raise NotAvailable("Charts need an assessment.toml with a warehouse, linked with "
                           "'cspkit serve --config' (or in Django admin).")
    charts = _trend_charts(config.path, data_version(config))
    if not charts:
        raise NotAvailable("The warehouse has no police.uk months for this area and period.")
    return [
        DashboardChart(key, chart.title, chart.alt_text, table_from_frame(data, {
            "month": "Month", "count": "Count", "rolling_12_month_mean": "12-month rolling mean",
        }, title=f"{chart.title}: data"))
        for key, (chart, data) in charts.items()
    ]


def chart_png(assessment: Assessment, key: str) -> bytes:
    """The PNG of one dashboard chart; NotAvailable when there is no such chart for this assessment."""
    config = assessment_config(assessment)
    if key not in TREND_SERIES or config is None or not config.warehouse.exists():
        raise NotAvailable("No such chart for this assessment.")
    found = _trend_charts(config.path, data_version(config)).get(key)
    if found is None:
        raise NotAvailable("No such chart for this assessment.")
    return found[0].png


@lru_cache(maxsize=4)
def _trend_charts(config_path: Path, version: tuple[int, int]) -> dict:
    """key -> (the chart, its data table with counts suppressed as the documents publish them)."""
    from cspkit.analysis.seasonality import rolling_12
    from cspkit.report.charts import trend_chart
    from cspkit.report.evidence import AssessmentEvidence

    analysis = _analysis(config_path, version)
    config = load_config(config_path)
    rule = AssessmentEvidence(csp_name="", area_name="", area_codes=(), period="", threshold=config.suppression_threshold)
    charts = {}
    for key, (series, label, unit) in TREND_SERIES.items():
        monthly = analysis.monthly.filter(pl.col("crime_type") == series)
        if not monthly.height:
            continue
        rolled = rolling_12(monthly.select("crime_type", "month", "count"))
        chart = trend_chart(
            f"{label} per month, {analysis.area.name}", rolled["month"].to_list(), rolled["count"].to_list(),
            rolled["rolling_12_mean"].to_list(), unit, config.suppression_threshold,
        )
        charts[key] = (chart, rule.publishable(chart.data, ["count"], pooled=["rolling_12_month_mean"]))
    return charts


def write_votes(path: Path, unit: str, candidates: Sequence[str], ballots: Sequence[tuple[str, str, Sequence[str]]]) -> Path:
    """The web's ballots as a votes file in cspkit.priorities' format (``load_votes`` reads it back)."""
    import tomli_w

    data = {
        "unit": unit,
        "candidates": list(candidates),
        "ballot": [{"organisation": o, "voter": v, "ranking": list(r)} for o, v, r in ballots],
    }
    path.write_text("# Ballots cast in the cspkit web app.\n" + tomli_w.dumps(data), encoding="utf-8")
    return path


def write_decision(path: Path, assessment: Assessment, decision: dict) -> Path:
    """The decision recorded in the web app as a decision file in cspkit.priorities' format."""
    import tomli_w

    names = {issue.id: issue.name for issue in issue_register(assessment).issues}
    data = {
        "meeting": "Partnership focus group (recorded in the cspkit web app)",
        "date": decision["date"],
        "priority": [{"issue": i, "title": names.get(i, i), "rationale": decision["rationale"]} for i in decision["priorities"]],
        "knowledge_gap": [
            {"issue": i, "title": names.get(i, i), "rationale": decision["rationale"],
             "how_we_will_learn": decision["how_we_will_learn"]}
            for i in decision["knowledge_gaps"]
        ],
    }
    path.write_text("# The decision recorded in the cspkit web app.\n" + tomli_w.dumps(data), encoding="utf-8")
    return path


def write_score_workbooks(folder: Path, assessment: Assessment, rows: Sequence[dict]) -> Path:
    """The web's submitted scores as completed scoring workbooks, one per scorer, exactly as a
    partner would return them: cspkit.risk's own workbook, filled in, read back by ``read_workbook``."""
    from openpyxl import load_workbook

    from cspkit.risk.workbook import REASON_COL, SCORE_COL, SCORES, Scorer, export_workbook

    config = assessment_config(assessment)
    has_data = config is not None and config.warehouse.exists()
    suggestions = _library_suggestions(*_suggestion_key(assessment, config)) if has_data else ()
    folder.mkdir(parents=True, exist_ok=True)
    by_scorer: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
    for row in rows:
        by_scorer.setdefault((row["organisation"], row["scorer"]), {})[(row["issue_id"], row["criterion_id"])] = row
    for (organisation, name), scores in by_scorer.items():
        scorer = Scorer(organisation=organisation, name=name)
        path = export_workbook(folder / f"{scorer.file_stem}.xlsx", scoring_method(assessment),
                               issue_register(assessment), suggestions, scorer)
        book = load_workbook(path)
        for cells in book[SCORES].iter_rows(min_row=2):
            score = scores.get((cells[0].value, cells[2].value))
            if score is not None:
                value = score["value"]
                cells[SCORE_COL - 1].value = int(value) if float(value).is_integer() else value
                cells[REASON_COL - 1].value = score["reason"] or None
        book.save(path)
    return folder


def build_documents(
    assessment: Assessment, folder: Path, progress: Callable[[int, str], None],
    votes: tuple[Sequence[str], Sequence[tuple[str, str, Sequence[str]]]] | None = None,
    scores: Sequence[dict] = (),
    decision: dict | None = None,
    survey: SurveyResponses | None = None,
) -> list[Path]:
    """Run ``cspkit assess`` (cspkit.report.pipeline.run_assessment) for the linked assessment.toml,
    writing the documents into ``folder``; each finished step moves the progress on.

    ``votes`` (candidates, ballots) are the focus group's ballots cast in the web app: they are
    written as a votes file beside the documents and used instead of the config's ``[priorities] votes``.
    ``scores`` (submitted in the web app) become completed scoring workbooks used instead of ``[risk] scores``,
    and the ``decision`` recorded there a decision file used instead of ``[priorities] decision``.
    ``survey`` (the residents' answers given on the web) is analysed instead of ``[survey] responses``.
    """
    config = assessment_config(assessment)
    if config is None:
        raise NotAvailable("Building documents needs an assessment.toml linked to this assessment "
                           "('cspkit serve --config', or Django admin).")
    from cspkit.report.pipeline import STEPS, run_assessment

    if votes is not None:
        unit = "organisation" if assessment.vote_by == "organisation" else "person"
        path = write_votes(folder / "votes-from-web.toml", unit, *votes)
        config = config.with_setting("priorities", "votes", str(path))
    if decision is not None:
        path = write_decision(folder / "decision-from-web.toml", assessment, decision)
        config = config.with_setting("priorities", "decision", str(path))
    if scores:
        books = write_score_workbooks(folder / "scores-from-web", assessment, scores)
        config = config.with_setting("risk", "scores", str(books))

    finished: list[str] = []

    def listener(step: str, status: str, detail: str) -> None:
        if status != "running":
            finished.append(step)
        note = f" ({detail})" if detail and status != "done" else ""
        progress(int(100 * len(finished) / len(STEPS)), f"{step}: {status}{note}")

    run = run_assessment(replace(config, output_dir=folder), listener, survey_responses=survey)
    failed = [step for step in run.steps if step.step == "Documents" and step.status != "done"]
    if failed or not run.outputs:
        raise AnalysisError(failed[0].detail if failed else "no documents were written")
    return list(run.outputs.values())
