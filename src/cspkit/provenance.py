"""Provenance: where every published number came from, so anyone can re-derive it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from cspkit import __version__


@dataclass(frozen=True)
class Provenance:
    """The sources, area, period and method behind one figure or table."""

    method: str
    sources: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    period: str = ""
    software: str = field(default=f"cspkit {__version__}")

    def footnote(self) -> str:
        """One sentence for a document footnote."""
        parts = [self.method]
        if self.area_codes:
            parts.append(f"area {', '.join(self.area_codes)}")
        if self.period:
            parts.append(f"period {self.period}")
        if self.sources:
            shown = ", ".join(self.sources[:3])
            more = len(self.sources) - 3
            parts.append(f"sources {shown}" + (f" and {more} more" if more > 0 else ""))
        parts.append(self.software)
        return "; ".join(parts) + "."

    def to_dict(self) -> dict:
        return asdict(self)
