"""One error type per family of failure, each able to say where the problem is.

The CLI and the web app turn these into messages in one place each; library code raises them
with the file, row and column filled in wherever they are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class CspkitError(Exception):
    """Base class: a message written for the person who supplied the input."""

    message: str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def place(self) -> str:
        """Where the problem is, e.g. ``street.csv, row 12, column 'Month'``."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class ConfigError(CspkitError):
    """The assessment config or a method/questionnaire/mapping file is wrong."""


class InputError(CspkitError):
    """A data file cannot be read as the format it claims to be."""


class WarehouseError(CspkitError):
    """The warehouse is missing, locked or lacks the tables a step needs."""


class AnalysisError(CspkitError):
    """An analysis cannot honestly produce a number (no data, too few months, unknown area)."""
