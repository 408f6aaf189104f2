"""What an ingest did, per file and in total: every row read is loaded, quarantined or a duplicate."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from cspkit.output import OutputFormat, render_json, render_rows


@dataclass
class FileReport:
    """One input file. ``quarantined`` counts rows by reason (the text before any ': detail')."""

    source_file: str
    kind: str
    force: str | None = None
    month: str | None = None
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.loaded + self.quarantined_total + self.duplicates


@dataclass
class IngestReport:
    """All files of one run."""

    files: list[FileReport] = field(default_factory=list)

    def total(self) -> dict[str, Any]:
        reasons: Counter[str] = Counter()
        for f in self.files:
            reasons.update(f.quarantined)
        return {
            "files": len(self.files),
            "rows_read": sum(f.rows_read for f in self.files),
            "loaded": sum(f.loaded for f in self.files),
            "quarantined": sum(f.quarantined_total for f in self.files),
            "duplicates": sum(f.duplicates for f in self.files),
            "quarantined_by_reason": dict(reasons.most_common()),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [asdict(f) | {"quarantined_total": f.quarantined_total} for f in self.files],
            "total": self.total(),
        }

    def render(self, fmt: OutputFormat, stream=None) -> None:
        """Print the report: one row per file and a total row, or the whole report as JSON."""
        if fmt == OutputFormat.json:
            render_json(self.to_dict(), stream)
            return
        columns = ["file", "kind", "read", "loaded", "quarantined", "duplicates", "reasons"]
        rows = [
            [f.source_file, f.kind, f.rows_read, f.loaded, f.quarantined_total, f.duplicates, _reasons(f.quarantined)]
            for f in self.files
        ]
        total = self.total()
        rows.append(["TOTAL", f"{total['files']} files", total["rows_read"], total["loaded"], total["quarantined"],
                     total["duplicates"], _reasons(total["quarantined_by_reason"])])
        render_rows(columns, rows, fmt, title="Ingest report", stream=stream)


def _reasons(counts: dict[str, int]) -> str:
    return "; ".join(f"{reason} ({n})" for reason, n in counts.items())
