"""What each issue is measured by, in the documents' words: honest labels for the risk register.

An issue's figures come from police.uk categories or a partner source named in the issue register.
Readers must see which, whether the figures only stand in for the issue (a proxy), and when two
issues share the same figures, so one count is never presented as evidence for two things unawares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cspkit.risk.register import Issue

#: Abbreviations readers know in capitals, for partner source names such as "asb_council".
ACRONYMS = {"asb": "ASB", "nhs": "NHS", "ae": "A&E"}


def _spoken(source: str) -> str:
    return " ".join(ACRONYMS.get(word, word) for word in source.split("_"))


@dataclass(frozen=True)
class Measure:
    """The data behind one issue of the register."""

    issue_id: str
    name: str
    categories: tuple[str, ...] = ()
    partner_sources: tuple[str, ...] = ()
    proxy: str = ""
    shared_with: tuple[str, ...] = ()  # names of other issues measured by exactly the same figures

    @property
    def has_data(self) -> bool:
        return bool(self.categories or self.partner_sources)

    def source(self) -> str:
        """E.g. 'police.uk: Possession of weapons' or 'partner data: domestic abuse'."""
        parts = []
        if self.categories:
            parts.append("police.uk: " + ", ".join(self.categories))
        if self.partner_sources:
            parts.append("partner data: " + ", ".join(_spoken(s) for s in self.partner_sources))
        return "; ".join(parts) if parts else "no local data"

    def label(self) -> str:
        """The source, with "proxy" and any shared figures said in words."""
        text = self.source()
        if self.proxy:
            text += f" (proxy: {self.proxy})"
        if self.shared_with:
            text += f"; the same figures also measure {', '.join(self.shared_with)}"
        return text


def measures(issues: Iterable[Issue]) -> dict[str, Measure]:
    """Each issue's measure by issue id, with the other issues that reuse the same figures."""
    issues = list(issues)
    key = {i.id: (tuple(sorted(i.crime_categories)), tuple(sorted(i.partner_sources))) for i in issues}
    out = {}
    for issue in issues:
        shared = tuple(
            other.name for other in issues if other.id != issue.id and issue.has_data_mapping and key[other.id] == key[issue.id]
        )
        out[issue.id] = Measure(
            issue.id, issue.name, issue.crime_categories, issue.partner_sources, issue.proxy, shared_with=shared
        )
    return out
