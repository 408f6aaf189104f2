"""CSV files that are safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, so text a resident typed could run as one on the
analyst's machine (CSV or formula injection; OWASP). Such text cells are written with a leading
apostrophe, which spreadsheets show as plain text. Numbers are left alone, whether a number column
or text that is just a signed number ("-12", "+3.5%", "-1,204"): they are never formulas, while
"-2+3" is.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = r"^[+-]\d[\d,]*(\.\d+)?%?$"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell that starts with a formula prefix led by an apostrophe."""

    def formula(name: str) -> pl.Expr:
        starts = pl.any_horizontal(pl.col(name).str.starts_with(prefix) for prefix in FORMULA_PREFIXES)
        return starts & ~pl.col(name).str.contains(_SIGNED_NUMBER)

    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(formula(name)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name) for name in text
    )


def safe_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV text, formula prefixes neutralised."""
    return neutralise_formulas(frame).write_csv()


def write_safe_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write the frame as a CSV file, formula prefixes neutralised."""
    path.write_text(safe_csv(frame), encoding="utf-8")
    return path
