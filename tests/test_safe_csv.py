"""CSV exports that a spreadsheet cannot run as formulas (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from cspkit.safe_csv import FORMULA_PREFIXES, safe_csv


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_led_by_an_apostrophe(prefix: str) -> None:
    text = f"{prefix}SUM(A1:A9)"
    rows = list(csv.reader(io.StringIO(safe_csv(pl.DataFrame({"answer": [text]})), newline="")))
    assert rows == [["answer"], [f"'{text}"]]


def test_other_text_numbers_and_blanks_are_written_as_they_are() -> None:
    frame = pl.DataFrame({"answer": ["a=b", "More lights", None, "-12", "+3.5%", "-1,204"], "count": [-3, 0, 7, 1, 2, 3]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame))))
    assert rows == [["answer", "count"], ["a=b", "-3"], ["More lights", "0"], ["", "7"], ["-12", "1"], ["+3.5%", "2"],
                    ["-1,204", "3"]]


@pytest.mark.parametrize("text", ["-2+3", "+1-HYPERLINK(\"x\")", "-12 people", "=12", "@12"])
def test_arithmetic_after_a_sign_is_neutralised(text: str) -> None:
    rows = list(csv.reader(io.StringIO(safe_csv(pl.DataFrame({"answer": [text]})))))
    assert rows[1] == [f"'{text}"]
