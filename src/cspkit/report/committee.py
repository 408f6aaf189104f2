"""The committee report: the council form that takes the recommended priorities to scrutiny and the executive.

Header facts and the implications sections come from ``[committee]`` in assessment.toml; where a
setting is missing the report shows a bracketed placeholder for the officer to complete, so the
DOCX is ready to edit rather than silently incomplete.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from cspkit.analysis.wording import method_summary
from cspkit.report import summary
from cspkit.report.assessment import document_text, headline_table
from cspkit.report.document import Bullets, Document, Paragraph, Section, Table, sentence
from cspkit.report.equalities import equalities_section
from cspkit.report.evidence import AssessmentEvidence
from cspkit.report.glossary import add_glossary
from cspkit.report.numbering import number_paragraphs
from cspkit.report.plain import with_plain_dates


def _setting(committee: dict[str, Any], key: str, what: str) -> str:
    value = committee.get(key)
    if value is None or value == "":
        return f"[To complete: {what}]"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def build_committee_report(ev: AssessmentEvidence) -> Document:
    """The committee report as one document model (rendered to DOCX and PDF)."""
    c = ev.committee
    text = document_text(ev)
    title = _setting(c, "title", "report title") if c.get("title") else f"{ev.csp_name} strategic assessment and priorities"
    doc = Document(
        title=title,
        subtitle=f"Report to {_setting(c, 'committee', 'committee name')}",
        cover=[
            ("Council", _setting(c, "council", "council name")),
            ("Committee", _setting(c, "committee", "committee name")),
            ("Date of meeting", _setting(c, "date", "meeting date")),
            ("Report title", title),
            ("Report of", _setting(c, "report_of", "executive member")),
            ("Responsible director", _setting(c, "responsible_director", "responsible director")),
            ("Key decision", _setting(c, "key_decision", "whether this is a key decision")),
            ("Report author", _setting(c, "author", "report author, with contact details")),
        ],
        notice=ev.synthetic_notice(),
        author=str(c.get("author", "")),
        page_per_section=False,
    )
    priorities = ev.decision.priorities if ev.decision else ()
    purpose = text["committee.purpose" if priorities else "committee.purpose_undecided"]
    doc.section("Purpose of the report").add(Paragraph(purpose))

    gaps = ev.decision.knowledge_gaps if ev.decision else ()
    recs = doc.section("Recommendations")
    if priorities:
        recs.add(
            Paragraph("The committee is asked to:"),
            Bullets(
                (
                    "note the findings of the strategic assessment;",
                    "endorse the recommended priorities: " + "; ".join(p.title for p in priorities) + ";",
                    *((f"endorse the knowledge {'gaps' if len(gaps) > 1 else 'gap'}: " + "; ".join(g.title for g in gaps) + ";",)
                      if gaps else ()),
                    "note that the partnership plan will set actions and measures for each priority.",
                )
            ),
        )
    else:
        recs.add(
            Paragraph(
                "Step not run: the focus group's decision was not recorded, so there are no recommended priorities.",
                style="notice",
            )
        )

    doc.section("The partnership and its statutory duty").add(Paragraph(text["committee.partnership"]))

    method = doc.section("Methodology")
    method.add(
        Paragraph(text["committee.method"]),
        Bullets(tuple(text[f"steps.{k}"] for k in ("horizon", "risk", "survey", "focus_group", "assessment"))),
        Paragraph(method_summary(ev.alpha)),
    )
    not_run = [s for s in ev.steps if s.status != "done" and s.step != "Documents"]
    for s in not_run:
        method.add(Paragraph(f"Step not run: {s.step}. {sentence(s.detail)}", style="notice"))

    _key_findings(doc.section("Key findings"), ev)
    _achievements(doc.section("Achievements against the previous priorities"), ev)

    doc.section("Issues for consideration").add(
        Bullets(tuple(f"{x.title}: {x.reason}" for x in ev.decision.considerations))
        if ev.decision and ev.decision.considerations
        else Paragraph("None recorded.")
    )

    rec = doc.section("Recommended priorities")
    if not priorities:
        rec.add(Paragraph("None yet: the partnership has not agreed its priorities (see the options below)."))
    for p in priorities:
        sub = rec.sub(p.title)
        sub.add(Paragraph(summary.priority_case(ev, p.issue_id, p.title)))
        if p.issue_id in ev.measures:
            sub.add(Paragraph(f"It is measured by {ev.measures[p.issue_id].label()}."))
        sub.add(Paragraph(f"In the partnership's words: {p.rationale}"))
    gap = doc.section("Knowledge gap")
    if gaps:
        for g in gaps:
            gap.sub(g.title).add(
                Paragraph(summary.priority_case(ev, g.issue_id, g.title)),
                Paragraph(g.rationale),
                Paragraph(f"How the partnership will learn: {g.how_we_will_learn}"),
            )
    else:
        gap.add(Paragraph("No knowledge gap was recorded."))

    options = text["committee.options" if priorities else "committee.options_undecided"]
    doc.section("Options for consideration").add(Bullets(tuple(options)))
    _council_priorities(doc.section("Council priorities"), c)
    implications = doc.section("Corporate implications")
    for key, heading in (("legal", "Legal"), ("financial", "Financial and risk")):
        implications.sub(heading).add(Paragraph(_setting(c, key, f"{heading.lower()} implications")))
    equalities_section(implications.sub("Equalities"), ev, _setting(c, "equalities", "equalities implications"))
    doc.section("Conclusion and next steps").add(
        Paragraph(text["committee.next_steps" if priorities else "committee.next_steps_undecided"])
    )
    papers = list(c.get("background_papers", [])) or ["[To complete: background papers]"]
    doc.section("Appendices and background papers").add(
        Bullets((f"Appendix A: {ev.csp_name} strategic assessment ({ev.period}).", *papers))
    )
    add_glossary(doc)
    number_paragraphs(doc)
    return with_plain_dates(doc)


def _key_findings(section: Section, ev: AssessmentEvidence) -> None:
    """The summary's findings that matter to the committee, with the headline table in the body."""
    notable = summary.notable_changes(ev)
    if notable is not None and notable.height:
        section.add(*(Paragraph(summary.change_sentence(ev, r)) for r in notable.head(4).iter_rows(named=True)))
        section.add(summary.changes_table(ev, notable.head(4)))
    if ev.survey is not None and ev.survey.concerns.height:
        section.add(*(Paragraph(s) for s in summary.concern_sentences(ev)[:2]))
    if ev.headlines:
        section.add(headline_table(ev, key="committee_headlines"))


def _achievements(section: Section, ev: AssessmentEvidence) -> None:
    """One achievement per line under each previous priority, then how its measures moved, in plain words."""
    if ev.previous is None:
        section.add(Paragraph("Step not run: no previous priorities file was given.", style="notice"))
        return
    for priority in ev.previous.priorities:
        if priority.achievements:
            section.add(Paragraph(f"{priority.title}: what was done."), Bullets(priority.achievements))
    if ev.achievements is None:
        return
    measured = ev.achievements.filter(pl.col("before").is_not_null())
    lines = [
        f"{r['measure']} "
        f"{summary.Change('the period', r['before'], r['after'], r['change_pct'], bool(r['significant'])).phrase()}."
        for r in measured.iter_rows(named=True)
    ]
    if lines:
        section.add(Paragraph("How the previous plan's measures changed over the period:"), Bullets(tuple(lines)))
        section.add(
            Table(
                key="committee_measures",
                caption="The previous plan's measures: first year and latest year of the period",
                columns=("Measure", "First year", "Latest year", "Change", "Real change"),
                rows=tuple(
                    (r["measure"], ev.count(r["before"]), ev.count(r["after"]), summary.pct(r["change_pct"]),
                     summary.real(r["significant"]))
                    for r in measured.iter_rows(named=True)
                ),
                numeric=(False, True, True, True, False),
                notes=tuple(dict.fromkeys(n for n in measured["provenance"].to_list() if n)),
            )
        )


def _council_priorities(section: Section, c: dict[str, Any]) -> None:
    """Each council priority with one line on how the partnership's priorities serve it.

    ``council_priorities`` entries are either names or tables ``{priority = "...", served_by = "..."}``."""
    entries = c.get("council_priorities") or []
    if not entries:
        section.add(Paragraph("[To complete: the council's own priorities these serve]"))
        return
    lines = []
    for entry in entries:
        if isinstance(entry, dict):
            how = entry.get("served_by") or "[To complete: how the partnership's priorities serve it]"
            lines.append(f"{entry.get('priority', '[To complete: priority]')}: {how}")
        else:
            lines.append(f"{entry}: [To complete: how the partnership's priorities serve it]")
    section.add(Paragraph("The recommended priorities serve the council's own priorities:"), Bullets(tuple(lines)))
