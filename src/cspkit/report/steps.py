"""The body of each ``cspkit assess`` step: call the module that owns the step, keep what the documents need.

Every function takes the config and the run, fills the run's evidence (and ``run.state`` for what a
later step needs), and returns one line saying what it used. :class:`StepSkipped` means "no input".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from cspkit.config import AssessmentConfig
from cspkit.data import warehouse
from cspkit.errors import ConfigError, CspkitError
from cspkit.report.evidence import HorizonEvidence, RiskEvidence, SurveyEvidence
from cspkit.report.pipeline import AssessmentRun, StepSkipped
from cspkit.survey.estimates import CAUTION_BASE

#: The risk register issue whose partner sources give the assessment's substance-misuse section.
SUBSTANCE_ISSUE = "substance_misuse"

DEMO_SEED = 2026


def _period(config: AssessmentConfig):
    from cspkit.analysis.area import Period

    return Period.parse(config.period_start, config.period_end)


def _months_present(config: AssessmentConfig) -> set[str]:
    if not config.warehouse.exists():
        return set()
    with warehouse.read(config.warehouse) as con:
        if not warehouse.table_exists(con, "street") or not warehouse.table_exists(con, "lsoa"):
            return set()
        rows = con.execute(
            "SELECT DISTINCT strftime(month, '%Y-%m') FROM street WHERE lad_code IN (SELECT unnest(?))", [list(config.area_codes)]
        ).fetchall()
    return {r[0] for r in rows}


def police_data(config: AssessmentConfig, run: AssessmentRun) -> str:
    """Ingest the configured police.uk downloads when the warehouse lacks months of the period."""
    wanted = {f"{m:%Y-%m}" for m in _period(config).month_list()}
    missing = wanted - _months_present(config)
    if not missing:
        return f"the warehouse already holds all {len(wanted)} months; nothing ingested"
    paths = [config.resolve(p) for p in config.section("sources").get("police", {}).get("paths", [])]
    if not paths:
        raise StepSkipped(f"{len(missing)} months are missing and [sources.police] names no download to ingest")
    from cspkit.data.geography import ensure_reference
    from cspkit.data.police import ingest_police

    with warehouse.write(config.warehouse) as con:
        ensure_reference(con)  # ingest harmonises LSOAs through the reference lookup
    report = ingest_police(config.warehouse, paths)
    total = report.total()
    return (
        f"police.uk: {total['files']} files, {total['rows_read']:,} rows read, {total['loaded']:,} loaded, "
        f"{total['quarantined']:,} quarantined, {total['duplicates']:,} duplicates"
    )


def reference_data(config: AssessmentConfig, run: AssessmentRun) -> str:
    """Load the bundled reference tables if the warehouse lacks them; keep the area's name and LSOA boundaries."""
    from cspkit.data.geography import boundaries as area_boundaries
    from cspkit.data.geography import ensure_reference

    with warehouse.write(config.warehouse) as con:
        ensure_reference(con)
    with warehouse.read(config.warehouse) as con:
        area = con.execute(
            "SELECT string_agg(DISTINCT lad_name, ', ') FROM lsoa WHERE lad_code IN (SELECT unnest(?))", [list(config.area_codes)]
        ).fetchall()[0][0]  # fetchone leaves the result open, and DuckDB 2 refuses the next query
        places = con.execute("SELECT lsoa21_code, lsoa21_name, ward_name FROM lsoa WHERE list_contains(?, lad_code)",
                             [list(config.area_codes)]).fetchall()
        boundaries = area_boundaries(con, config.area_codes).rows()
    run.evidence.area_name = area or run.evidence.area_name
    run.evidence.boundaries = {code: _geometry(text) for code, text in boundaries}
    run.evidence.wards = {code: ward for code, _, ward in places}
    run.evidence.places = {code: f"{name} ({ward} ward)" if ward else name for code, name, ward in places}
    return (
        f"bundled ONS geography, Census 2021 population and {'WIMD 2019' if config.country == 'Wales' else 'IMD 2025'}; "
        f"{len(boundaries)} LSOA boundaries for {run.evidence.area_name}"
    )


def _geometry(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value.get("geometry", value) if value.get("type") == "Feature" else value


def partner_data(config: AssessmentConfig, run: AssessmentRun) -> str:
    """Load each ``[sources.partner.<source>]`` file through its mapping, identifiers pseudonymised on the way in."""
    from cspkit.data.partner import ingest_partner
    from cspkit.data.pseudonymise import load_key

    sources = config.section("sources").get("partner", {})
    if not sources:
        raise StepSkipped("no partner sources are configured in [sources.partner]")
    key = load_key(config.pseudonym_key_env, config.pseudonym_key_file)
    done = []
    for name, source in sources.items():
        for setting in ("file", "mapping"):
            if setting not in source:
                raise ConfigError(f"[sources.partner.{name}] needs '{setting}'", file=config.path, column=setting)
        report = ingest_partner(config.warehouse, name, config.resolve(source["file"]), config.resolve(source["mapping"]), key)
        total = report.total()
        if source.get("synthetic", False):
            run.evidence.synthetic_partner_sources.append(name.replace("_", " "))
        done.append(f"{name}: {total['loaded']:,} loaded, {total['quarantined']:,} quarantined")
    return "; ".join(done)


def analysis(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.analysis.analyse import analyse_area, open_scope, options_from_config
    from cspkit.analysis.context import rate_context
    from cspkit.analysis.profile import area_profile
    from cspkit.report import gather

    options = options_from_config(config)
    result = analyse_area(config.warehouse, ",".join(config.area_codes), _period(config), options)
    run.state["analysis"] = result
    run.state["analysis_options"] = options
    run.evidence.alpha = options.alpha
    run.evidence.area_name = result.area.name
    run.evidence.headlines = gather.headlines(result)
    run.evidence.changes = result.change
    run.evidence.hotspots = result.hotspots
    run.evidence.stop_search = stop_search_evidence(config, result.period)
    with open_scope(config.warehouse, ",".join(config.area_codes), _period(config)) as scope:
        run.evidence.profile = area_profile(scope)
        periods = dict.fromkeys(p for p in (run.evidence.profile.crime_period, result.peer_period) if p is not None)
        run.evidence.rate_contexts = [(p, rate_context(scope.con, scope.area, p)) for p in periods]
        run.evidence.partner_profiles = partner_profiles(config, scope)
    return (
        f"{result.monthly['crime_type'].n_unique()} police.uk categories over {result.period.months} months, "
        f"{result.denominators.residents:,} residents; " + _computed(result)
    )


#: The analyses the step summary names, in the order it names them.
_SUMMARISED = {"change": "tested change", "trends": "trend", "seasonality": "seasonality", "hotspots": "hot spots",
               "harm": "harm", "peer_group": "peers"}  # fmt: skip


def _ran(table: pl.DataFrame | None) -> bool:
    """A table was computed and, where rows say which test they used, at least one row was tested."""
    if table is None:
        return False
    return "method" not in table.columns or bool((table["method"] != "no test").any())


#: Readable names for the analysis notes' keys (the document never shows an internal identifier).
_NOTE_NAMES = {"yearly": "yearly totals", "emerging_hotspots": "emerging hot spots", "sppt": "where crime moved",
               "sppt_summary": "where crime moved", "latest_outcomes": "latest outcomes",
               "repeat_victims": "repeat victims", "repeat_partner_locations": "repeat locations",
               "coverage": "coverage"} | _SUMMARISED  # fmt: skip


def _note_name(key: str) -> str:
    """``repeat_victims:asb`` -> "repeat victims (asb)"; an unlisted key loses its underscores."""
    name, _, source = key.partition(":")
    label = _NOTE_NAMES.get(name, name.replace("_", " "))
    return f"{label} ({source})" if source else label


def _computed(result: Any) -> str:
    """Which analyses ran and which did not (with why): never one named as both, each reason said once."""
    done = [label for name, label in _SUMMARISED.items() if _ran(getattr(result, name))]
    reasons: dict[str, list[str]] = {}
    for key, reason in result.notes.items():
        names = reasons.setdefault(reason, [])
        if _note_name(key) not in names:
            names.append(_note_name(key))
    skipped = "; ".join(f"{', '.join(names)}: {reason}" for reason, names in reasons.items())
    return (", ".join(done) if done else "counts and rates only") + (
        f" (not computed: {skipped})" if skipped else ""
    )


def partner_profiles(config: AssessmentConfig, scope: Any) -> dict[str, Any]:
    """The profile of each configured partner source with rows in the area, titled as its mapping titles it."""
    from cspkit.analysis.partner_profile import partner_profile
    from cspkit.data.partner_mapping import load_mapping

    profiles = {}
    for name, source in config.section("sources").get("partner", {}).items():
        title = load_mapping(config.resolve(source["mapping"]), name).title if "mapping" in source else ""
        if (profile := partner_profile(scope, name, title)) is not None:
            profiles[name] = profile
    return profiles


def stop_search_evidence(config: AssessmentConfig, period: Any) -> pl.DataFrame | None:
    """Searches by self-defined ethnicity in the latest 12 months against the Census 2021 population,
    for the equalities implications; None without stop-and-search rows for the area."""
    from cspkit.analysis.stop_search import census_ethnicity, disproportionality, searches_by_group

    latest = period.latest_year()
    with warehouse.read(config.warehouse) as con:
        if not warehouse.table_exists(con, "stop_search"):
            return None
        searches = searches_by_group(con, config.area_codes, latest.start, latest.end)
    if not searches["searches"].sum():
        return None
    note = (
        f"police.uk stop and search, self-defined ethnicity, searches placed in the area's LSOAs; {latest.label()}; "
        "Census 2021 TS021 ethnic group by local authority (ONS, Open Government Licence v3.0); "
        "ratio interval by Katz's log method."
    )
    return disproportionality(searches, census_ethnicity(config.area_codes)).with_columns(pl.lit(note).alias("provenance"))


def _register(config: AssessmentConfig):
    from cspkit.risk.register import load_issues

    issues = config.section("risk").get("issues")
    return load_issues(config.resolve(issues) if issues else None)


_NO_SCORES = 'no risk scores: set [risk] scores to a folder of completed workbooks (or "synthetic" for the demo)'


def risk_matrix(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.risk.evidence import evidence_for_config
    from cspkit.risk.matrix import heatmap, risk_results
    from cspkit.risk.method import BUNDLED_METHODS, load_method
    from cspkit.risk.suggest import suggest_all

    section = config.section("risk")
    method_name = section.get("method")
    method = load_method(method_name if method_name is None or method_name in BUNDLED_METHODS else config.resolve(method_name))
    register = _register(config)
    run.state["register"] = register
    run.evidence.issue_names = {i.id: i.name for i in register.issues}
    try:
        evidence = evidence_for_config(config, register)
    except CspkitError:
        if not section.get("scores"):  # nothing to score: the Analysis step already says why the data fall short
            raise StepSkipped(_NO_SCORES) from None
        raise
    run.state["risk_evidence"] = {e.issue_id: e for e in evidence}
    suggestions = suggest_all(evidence, method)
    scores_from = section.get("scores")
    synthetic = scores_from == "synthetic"
    if synthetic:
        from cspkit.risk.demo import DEMO_SCORERS, synthetic_scores

        scores = synthetic_scores(method, register, suggestions, seed=int(section.get("seed", DEMO_SEED)))
        scorers = len(DEMO_SCORERS)
    elif scores_from:
        from cspkit.risk.workbook import read_workbook

        folder = config.resolve(scores_from)
        books = sorted(folder.glob("*.xlsx"))
        if not books:
            raise StepSkipped(f"no completed scoring workbooks in {folder}")
        scores = [s for book in books for s in read_workbook(book, method, register).scores]
        scorers = len(books)
    else:
        raise StepSkipped(_NO_SCORES)
    results = risk_results(scores, method, register)
    run.state["risk_results"] = results
    table = results.rename({"class": "knowledge_gap_class"})
    beside = ", ".join(method.group(g).name.lower() for g in method.beside_groups)
    run.evidence.risk = RiskEvidence(
        table=table,
        heat=heatmap(results, method),
        row_label=method.group(method.heatmap.row_group).name,
        column_label=method.group(method.heatmap.column_group).name,
        method=f"{method.name} (version {method.version}). {method.description} Shown beside the risk score: {beside}.",
        scorers=scorers,
        synthetic=synthetic,
        provenance=(
            f"Risk matrix, method {method.label}; {scorers} scorers; aggregation {method.aggregation}"
            + ("; SYNTHETIC demo scores" if synthetic else "")
            + "."
        ),
    )
    return f"{method.label}: {len(register.issues)} issues, {scorers} scorers" + (" (SYNTHETIC demo scores)" if synthetic else "")


def horizon_scanning(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.horizon.files import load_register
    from cspkit.horizon.register import horizon_section

    source = config.section("horizon").get("register")
    if not source:
        raise StepSkipped("no horizon-scanning register: set [horizon] register")
    path = Path(__file__).parents[1] / "horizon" / "demo_register.toml" if source == "demo" else config.resolve(source)
    register = load_register(path)
    table = horizon_section(register)
    run.state["horizon"] = table
    run.evidence.horizon = HorizonEvidence(
        table=table,
        synthetic=register.synthetic,
        provenance=f"Horizon-scanning register '{register.title}'"
        + (" (SYNTHETIC demo entries)" if register.synthetic else "")
        + ".",
    )
    return f"{table.height} entries from {path.name}" + (" (SYNTHETIC)" if register.synthetic else "")


def survey(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.survey.analysis import analyse_configured
    from cspkit.survey.settings import survey_settings

    section = config.section("survey")
    given = run.state.get("survey_responses")
    source = section.get("responses")
    if given is None and not source:
        raise StepSkipped("no survey responses: set [survey] responses")
    settings = survey_settings(config)
    questionnaire = settings.questionnaire
    synthetic = given is None and source == "synthetic"
    if given is not None:
        responses = given
    elif synthetic:
        from cspkit.survey.synthetic import generate_survey, population_cells

        cells = population_cells(config.warehouse, list(config.area_codes), questionnaire)
        responses = generate_survey(
            cells, questionnaire, n=int(section.get("synthetic_responses", 700)), seed=int(section.get("seed", DEMO_SEED))
        ).responses
    else:
        from cspkit.survey.importers.importer import import_responses
        from cspkit.survey.importers.mapping import load_mapping

        mapping = section.get("mapping")
        if not mapping:
            raise ConfigError("[survey] responses needs a [survey] mapping file", file=config.path)
        responses = import_responses(
            config.resolve(source), questionnaire, load_mapping(config.resolve(mapping), questionnaire),
            wave=str(section.get("wave", "current")),
        )
    results = analyse_configured(responses, settings, config.warehouse, config.area_codes)
    run.state["survey"] = results
    run.evidence.survey = survey_evidence(results, synthetic)
    return (
        f"{results.respondents} responses"
        + (" (SYNTHETIC)" if synthetic else "")
        + f", design effect {results.weighting.design_effect:.2f}"
    )


def survey_evidence(results: Any, synthetic: bool) -> SurveyEvidence:
    """The survey's tables in the shape the documents use (the survey module computed every figure)."""
    demographics = {"area", "age_band", "sex"}
    estimates = results.estimates.filter(~pl.col("question_id").is_in(list(demographics))).select(
        "question",
        "answer",
        pl.col("pct").alias("weighted_pct"),
        "ci_low",
        "ci_high",
        pl.col("pct_unweighted").alias("unweighted_pct"),
        pl.col("base_n").alias("base"),
        base_note(pl.col("base_n"), pl.col("small_base")),
    )
    concerns = results.concerns.select(
        "rank",
        pl.col("risk_issue").alias("issue_id"),
        "concern",
        pl.col("pct").alias("share_pct"),
        "ci_low",
        "ci_high",
    )
    themes = None
    if results.themes.height:
        themes = results.themes.select(
            pl.col("label").alias("theme"),
            pl.col("weighted_share").alias("share_pct"),
            pl.concat_str(
                [pl.format("“{}”", pl.col(c)) for c in ("quote_1", "quote_2", "quote_3")], separator=" ", ignore_nulls=True
            ).alias("quotes"),
        )
    w = results.weighting
    headline = []
    for qid in ("safe_day", "safe_dark"):
        rows = results.estimates.filter((pl.col("question_id") == qid) & (pl.col("kind") == "net"))
        if rows.height:
            r = rows.row(0, named=True)
            half = (r["ci_high"] - r["ci_low"]) / 2
            question = r["question"] if r["question"].endswith("?") else r["question"] + ":"
            headline.append(
                f"{question} {r['pct']:.0f}% {r['answer'].lower()} (weighted; 95% interval {r['ci_low']:.0f}% to "
                f"{r['ci_high']:.0f}%, a margin of about ±{half:.1f} points; {r['base_n']} answered)."
            )
    return SurveyEvidence(
        responses=results.respondents,
        estimates=estimates,
        concerns=concerns,
        themes=themes,
        weighting=(
            f"Responses were weighted by {', '.join(v.replace('_', ' ') for v in w.variables) or 'nothing'} "
            "to the Census 2021 population (raking); "
            f"design effect {w.design_effect:.2f}, effective sample size {w.effective_sample_size:.0f}. "
            "Intervals allow for the weighting."
        ),
        synthetic=synthetic,
        provenance=results.provenance.footnote(),
        headline=tuple(headline),
        differences=survey_differences(results),
    )


def survey_differences(results: Any) -> pl.DataFrame:
    """Where a group's headline answer differs from everyone else's by more than chance.

    From the survey module's breakdowns (two-proportion tests, Holm-adjusted within each
    breakdown): headline ("net") measures only, and for a breakdown of two groups one side only,
    the other being its mirror image.
    """
    questions = dict(results.estimates.select("question_id", "question").unique().iter_rows())
    breakdowns = results.breakdowns
    pairs = breakdowns.group_by("variable").agg(pl.col("group_code").n_unique().alias("groups")).filter(pl.col("groups") == 2)
    real = breakdowns.filter((pl.col("kind") == "net") & pl.col("verdict").str.starts_with("significantly"))
    shown = pl.concat([
        real.filter(~pl.col("variable").is_in(pairs["variable"].implode())),
        real.filter(pl.col("variable").is_in(pairs["variable"].implode()))
        .unique(subset=["variable", "question_id", "answer_code"], keep="first", maintain_order=True),
    ])
    return shown.sort("p_adjusted").select(
        pl.concat_str(pl.col("variable").str.slice(0, 1).str.to_uppercase(),
                      pl.col("variable").str.slice(1).str.replace_all("_", " ")).alias("breakdown"),
        "group",
        pl.col("question_id").replace_strict(questions, default=pl.col("question_id")).alias("question"),
        pl.col("answer").alias("measure"),
        pl.col("pct").alias("group_pct"),
        "ci_low",
        "ci_high",
        pl.col("pct_rest").alias("rest_pct"),
        "difference",
        "verdict",
        pl.col("base_n").alias("base"),
        base_note(pl.col("base_n"), pl.lit(False)),
    )


def base_note(base: pl.Expr, small: pl.Expr) -> pl.Expr:
    """The flag shown beside a survey figure whose base is small: below the survey's minimum it is not
    compared at all; below CAUTION_BASE it is shown, but the reader is told to treat it with caution."""
    return (
        pl.when(small).then(pl.lit("too few answers: not compared"))
        .when(base < CAUTION_BASE).then(pl.lit(f"small base (under {CAUTION_BASE}): treat with caution"))
        .otherwise(pl.lit("")).alias("base_note")
    )  # fmt: skip


def evidence_board(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.priorities.board import configured_rule, evidence_board, suggest_shortlist
    from cspkit.priorities.evidence import board_evidence, issue_tests, unmatched_concerns
    from cspkit.report.measures import measures

    register = run.state.get("register") or _register(config)
    run.evidence.issue_names = {i.id: i.name for i in register.issues}
    run.evidence.measures = measures(register.issues)
    run.evidence.substance_sources = next((tuple(i.partner_sources) for i in register.issues if i.id == SUBSTANCE_ISSUE), ())
    survey = run.state.get("survey") if run.evidence.survey is not None else None
    concerns = survey.concerns if survey is not None else None
    alpha = getattr(run.state.get("analysis_options"), "alpha", 0.05)
    if run.state.get("analysis") is not None:  # one family: the board and the priorities' sections agree
        run.state["issue_tests"] = issue_tests(run.state["analysis"], register.issues, alpha, config.suppression_threshold)
    issues = board_evidence(
        register,
        risk_results=run.state.get("risk_results"),
        risk_evidence=run.state.get("risk_evidence", {}),
        analysis=run.state.get("analysis"),
        concerns=concerns,
        horizon=run.state.get("horizon"),
        alpha=alpha,
        tests=run.state.get("issue_tests"),
    )
    rule = configured_rule(config)
    run.evidence.board = evidence_board(issues)
    run.evidence.shortlist = suggest_shortlist(issues, rule)
    run.evidence.shortlist_rule = rule.describe()
    run.state["board_issues"] = issues
    unmatched = unmatched_concerns(concerns, issues)
    note = (
        f"; residents' concerns mapped to ids not in the issue register (not shown on the board): {', '.join(unmatched)}"
        if unmatched
        else ""
    )
    return f"{len(issues)} candidate issues; {run.evidence.shortlist.height} suggested by the shortlist rule{note}"


def decision(config: AssessmentConfig, run: AssessmentRun) -> str:
    from cspkit.priorities.achievements import load_previous, measure_changes
    from cspkit.priorities.decision import load_decision, load_votes
    from cspkit.priorities.voting import count_votes

    section = config.section("priorities")
    known = set(run.evidence.issue_names) or None
    used = []
    if section.get("votes"):
        votes = load_votes(config.resolve(section["votes"]), known)
        run.evidence.votes = count_votes(votes.ballots, votes.candidates, votes.unit, source=str(votes.source))
        run.evidence.votes_synthetic = votes.synthetic
        used.append(f"{len(votes.ballots)} ballots" + (" (SYNTHETIC)" if votes.synthetic else ""))
    if section.get("decision"):
        run.evidence.decision = load_decision(config.resolve(section["decision"]), known)
        used.append(f"decision of {run.evidence.decision.date}" + (" (SYNTHETIC)" if run.evidence.decision.synthetic else ""))
    if section.get("previous"):
        plan = load_previous(config.resolve(section["previous"]))
        run.evidence.previous = plan
        run.evidence.achievements = measure_changes(plan, _measure_changes(config, run, plan).get)
        used.append(f"previous plan {plan.period}" + (" (SYNTHETIC)" if plan.synthetic else ""))
    _priority_figures(config, run)
    if not used:
        raise StepSkipped("no votes, decision or previous priorities: set [priorities] votes, decision and previous")
    from cspkit.report.claims import unsourced_claims

    problems = unsourced_claims(run.evidence)
    if problems:
        used.append(f"{len(problems)} claims in the decision without data behind them: " + "; ".join(problems))
    return "; ".join(used)


def _measure_changes(config: AssessmentConfig, run: AssessmentRun, plan: Any) -> dict:
    """Each previous-plan measure's change over the period, by the analysis module's test (police or partner
    data), the plan's measures tested together."""
    from cspkit.report import gather

    analysis_result = run.state.get("analysis")
    if analysis_result is None:
        return {}
    series = {m: found for p in plan.priorities for m in p.measures if (found := _measure_series(config, run, m))}
    alpha = getattr(run.state.get("analysis_options"), "alpha", 0.05)
    return gather.series_changes(series, analysis_result, alpha, config.suppression_threshold) if series else {}


def _measure_series(config: AssessmentConfig, run: AssessmentRun, measure: Any) -> tuple[Any, str] | None:
    """A previous-plan measure's monthly counts and their provenance; None without data."""
    from cspkit.analysis.analyse import open_scope
    from cspkit.report import gather

    analysis_result = run.state["analysis"]
    if measure.source == "police":
        crime_types = set(analysis_result.monthly["crime_type"])
        present = [c for c in (measure.categories or sorted(crime_types)) if c in crime_types]
        if not present:
            return None
        return gather.issue_monthly(analysis_result, present, measure.label), analysis_result.provenance["monthly"].footnote()
    source = measure.source.removeprefix("partner:")
    with open_scope(config.warehouse, ",".join(config.area_codes), _period(config)) as scope:
        monthly = gather.partner_monthly(scope, [source], measure.label)
        if monthly is None:
            return None
        return monthly, scope.provenance(f"partner data ({source}): incidents by month", f"partner_{source}").footnote()


def _priority_figures(config: AssessmentConfig, run: AssessmentRun) -> None:
    """The analysis figures of each agreed priority and knowledge gap that police or partner data measure; before
    the focus group has decided, those of the evidence board's suggested shortlist, for it to weigh."""
    from cspkit.analysis.analyse import open_scope
    from cspkit.report import gather
    from cspkit.report.spatial_change import with_spatial_change

    analysis_result = run.state.get("analysis")
    register = run.state.get("register")
    decided = run.evidence.decision
    shortlist = run.evidence.shortlist
    if analysis_result is None or register is None or (decided is None and shortlist is None):
        return
    options = run.state.get("analysis_options")
    by_id = {i.id: i for i in register.issues}
    if decided is not None:
        wanted = [p.issue_id for p in decided.priorities] + [g.issue_id for g in decided.knowledge_gaps]
    else:
        wanted = shortlist["issue_id"].to_list()
    with open_scope(config.warehouse, ",".join(config.area_codes), _period(config)) as scope:
        for issue_id in wanted:
            issue = by_id.get(issue_id)
            if issue is None:
                continue
            figures = None
            if issue.crime_categories:
                figures = gather.issue_figures(
                    analysis_result, issue.id, issue.name, issue.crime_categories, options.alpha, scope, options.hotspot_weights,
                    tested_together=run.state.get("issue_tests", ()), threshold=config.suppression_threshold,
                    settings=options.permutation_settings,
                )
            if figures is None and issue.partner_sources:
                figures = gather.partner_figures(
                    analysis_result, scope, issue.id, issue.name, issue.partner_sources, options.alpha, options.hotspot_weights,
                    options.permutation_settings, threshold=config.suppression_threshold,
                )
            police = [c for c in issue.crime_categories if c in set(analysis_result.monthly["crime_type"])]
            if figures is not None and police:
                figures = with_spatial_change(figures, scope, police, options)
            if figures is not None:
                run.evidence.issues[issue.id] = figures


def documents(config: AssessmentConfig, run: AssessmentRun) -> str:
    """Build both document models once and render them; the two PDFs lay out in worker processes
    (WeasyPrint's layout is the slowest part) while the DOCX files are written here."""
    from concurrent.futures import ProcessPoolExecutor

    import weasyprint  # noqa: F401  imported before the workers fork, so each inherits it instead of importing it again

    from cspkit.report.assessment import build_assessment, data_tables
    from cspkit.report.committee import build_committee_report
    from cspkit.report.render_docx import render_docx
    from cspkit.report.render_html import html_to_pdf, render_html
    from cspkit.safe_csv import write_safe_csv

    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    assessment = build_assessment(run.evidence)
    committee = build_committee_report(run.evidence)
    html = render_html(assessment)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pdfs = {
            "strategic-assessment.pdf": pool.submit(html_to_pdf, html, out / "strategic-assessment.pdf"),
            "committee-report.pdf": pool.submit(html_to_pdf, render_html(committee), out / "committee-report.pdf"),
        }
        (out / "strategic-assessment.html").write_text(html, encoding="utf-8")
        run.outputs["strategic-assessment.html"] = out / "strategic-assessment.html"
        run.outputs["strategic-assessment.docx"] = render_docx(assessment, out / "strategic-assessment.docx")
        run.outputs["committee-report.docx"] = render_docx(committee, out / "committee-report.docx")
        tables = out / "tables"
        tables.mkdir(exist_ok=True)
        for table in data_tables(assessment):
            frame = pl.DataFrame([list(row) for row in table.rows], schema=list(table.columns), orient="row")
            write_safe_csv(frame, tables / f"{table.key}.csv")  # quotes of residents' text: never run as formulas
        for name, future in pdfs.items():
            run.outputs[name] = future.result()
    run.state["documents"] = {"assessment": assessment, "committee": committee}
    return f"{len(run.outputs)} documents and {len(list(tables.glob('*.csv')))} data tables in {out}"
