"""The committee report: the council form that takes the recommended priorities to scrutiny and the executive.

Header facts and the implications sections come from ``[committee]`` in assessment.toml; where a
setting is missing the report shows a bracketed placeholder for the officer to complete, so the
DOCX is ready to edit rather than silently incomplete.
"""

from __future__ import annotations

from typing import Any

from cspkit.analysis.wording import method_summary
from cspkit.report.assessment import document_text, headline_value
from cspkit.report.document import Bullets, Document, Paragraph, Table, sentence
from cspkit.report.evidence import AssessmentEvidence


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
                    *(("endorse the knowledge gap(s): " + "; ".join(g.title for g in gaps) + ";",) if gaps else ()),
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
        Paragraph(
            "The priorities were set through the partnership's five-step method, with every figure in the strategic "
            "assessment footnoted to its source:"
        ),
        Bullets(tuple(text[f"steps.{k}"] for k in ("horizon", "risk", "survey", "focus_group", "assessment"))),
        Paragraph(method_summary(ev.alpha)),
    )
    not_run = [s for s in ev.steps if s.status != "done" and s.step != "Documents"]
    for s in not_run:
        method.add(Paragraph(f"Step not run: {s.step}. {sentence(s.detail)}", style="notice"))

    ach = doc.section("Achievements against the previous priorities")
    if ev.previous is None:
        ach.add(Paragraph("Step not run: no previous priorities file was given.", style="notice"))
    else:
        for priority in ev.previous.priorities:
            ach.add(Paragraph(f"{priority.title}: " + " ".join(priority.achievements)))
        if ev.achievements is not None:
            for row in ev.achievements.iter_rows(named=True):
                if row["verdict"]:
                    ach.add(
                        Paragraph(f"{row['measure']}: {row['verdict']}", notes=(row["provenance"],) if row["provenance"] else ())
                    )

    doc.section("Issues for consideration").add(
        Bullets(tuple(f"{x.title}: {x.reason}" for x in ev.decision.considerations))
        if ev.decision and ev.decision.considerations
        else Paragraph("None recorded.")
    )

    rec = doc.section("Recommended priorities")
    for p in priorities:
        sub = rec.sub(p.title)
        sub.add(Paragraph(p.rationale))
        figures = ev.issues.get(p.issue_id)
        if figures is not None and figures.sentences:
            sub.add(Paragraph(figures.sentences[0], notes=figures.provenance[:1]))
    gap = doc.section("Knowledge gap")
    if gaps:
        for g in gaps:
            gap.sub(g.title).add(Paragraph(g.rationale), Paragraph(f"How the partnership will learn: {g.how_we_will_learn}"))
    else:
        gap.add(Paragraph("No knowledge gap was recorded."))

    options = text["committee.options" if priorities else "committee.options_undecided"]
    doc.section("Options for consideration").add(Bullets(tuple(options)))
    doc.section("Council priorities").add(
        Bullets(tuple(c.get("council_priorities", [])))
        if c.get("council_priorities")
        else Paragraph("[To complete: the council's own priorities these serve]")
    )
    implications = doc.section("Corporate implications")
    for key, heading in (("legal", "Legal"), ("financial", "Financial and risk"), ("equalities", "Equalities")):
        implications.sub(heading).add(Paragraph(_setting(c, key, f"{heading.lower()} implications")))
    doc.section("Conclusion and next steps").add(Paragraph(text["committee.next_steps"]))
    papers = list(c.get("background_papers", [])) or ["[To complete: background papers]"]
    doc.section("Appendices and background papers").add(
        Bullets((f"Appendix A: {ev.csp_name} strategic assessment ({ev.period}).", *papers))
    )
    if ev.headlines:
        doc.sections[-1].add(
            Table(
                key="committee_headlines",
                caption="Headline figures from the strategic assessment",
                columns=("Measure", ev.latest_heading),
                rows=tuple((h.label, headline_value(ev, h)) for h in ev.headlines),
                numeric=(False, True),
                notes=tuple(dict.fromkeys(h.provenance for h in ev.headlines)),
            )
        )
    return doc
