"""A total row for a published table, so suppression can protect a small count from being worked out by
subtraction (it hides a second cell when one is hidden: secondary suppression)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl


def with_total_row(frame: pl.DataFrame, labels: Sequence[str], sums: Sequence[str],
                   computed: Mapping[str, pl.Expr] | None = None) -> pl.DataFrame:
    """``frame`` with an "All" row: ``labels`` columns read "All" (as text), ``sums`` are summed, and
    ``computed`` columns are worked out over the whole table (a rate from the summed counts); other columns
    are left empty."""
    computed = dict(computed or {})
    rows = frame.with_columns(pl.col(c).cast(pl.String) for c in labels)
    total = rows.select(
        *(pl.lit("All").alias(c) if c in labels else pl.col(c).sum() if c in sums else
          computed[c].alias(c) if c in computed else pl.lit(None).alias(c) for c in rows.columns)
    )  # fmt: skip
    return pl.concat([rows, total], how="vertical_relaxed")
