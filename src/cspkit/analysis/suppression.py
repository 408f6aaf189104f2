"""Small-number suppression for every published table.

Primary suppression hides counts from 1 to ``threshold - 1`` (shown as ``"<5"``). Secondary
suppression then hides further cells (shown as ``"*"``) wherever a shown total would let a reader
work a hidden count out: every row or column with a shown total has either no hidden cell or at
least two, and no hidden cell is pinned to one value by the line's total and what the markers say
("<5" is 1 to 4; "*" is 0 or at least 5). Protection is per line, as a reader subtracts; it does not
defend against solving the whole table as a linear system. Rates and other figures derived from a
hidden count are hidden with it, and rates from small bases are marked.

Some figures are computed from every row's counts together: a Getis-Ord z-score uses the row's
neighbours and the whole table's mean and spread, a rolling mean spans twelve rows. Beside a hidden
count such a figure, to two decimals, lets the count be solved for (81 of 83 hidden LSOA counts were,
from their z-scores), and hiding it on the hidden rows alone is not enough, as the other rows' values
use the hidden count too. These are declared ``pooled`` and are left out of a table that hides any count.
And in a table ranked by a derived figure, a hidden row's position between two shown rows brackets
its figure, so ``ranked`` tables list the rows with a hidden count last, in their first column's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from cspkit.errors import InputError

SECONDARY = "*"
#: Mark on rates computed from fewer incidents than the small-base limit.
UNRELIABLE = " (u)"


def suppression_masks(
    values: np.ndarray, threshold: int = 5, total_row: int | None = None, total_column: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary masks for a matrix of counts whose totals sit at ``total_row``/``total_column``.

    Lines are the rows (when there is a total column) and the columns (when there is a total row);
    a line's total is the cell in the total column or row.
    """
    values = np.asarray(values, dtype=np.int64)
    primary = (values > 0) & (values < threshold)
    if threshold <= 1:
        return primary, np.zeros_like(primary)
    hidden = primary.copy()
    lines = _lines(values.shape, total_row, total_column)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if _exposed(values, primary, hidden, cells, total, threshold):
                _hide_one_more(values, hidden, cells, total)
                changed = True
    return primary, hidden & ~primary


def _lines(shape: tuple[int, int], total_row: int | None, total_column: int | None) -> list[tuple[list, tuple]]:
    rows, cols = shape
    lines = []
    if total_column is not None:
        for i in range(rows):
            lines.append(([(i, j) for j in range(cols) if j != total_column], (i, total_column)))
    if total_row is not None:
        for j in range(cols):
            lines.append(([(i, j) for i in range(rows) if i != total_row], (total_row, j)))
    return lines


def _exposed(values, primary, hidden, cells, total, threshold) -> bool:
    """True if a reader could recover a hidden cell of this line from what is shown."""
    members = [*cells, total]
    hidden_cells = [c for c in members if hidden[c]]
    if not hidden_cells:
        return False
    if len(hidden_cells) == 1:
        return True
    if hidden[total]:
        return False
    target = int(values[total]) - sum(int(values[c]) for c in cells if not hidden[c])
    domains = [_domain(primary[c], target, threshold) for c in hidden_cells]
    for i in range(len(domains)):
        others = _sumset([d for j, d in enumerate(domains) if j != i], target)
        feasible = [v for v in domains[i] if others[target - v]]
        if len(feasible) <= 1:
            return True
    return False


def _domain(is_primary: bool, target: int, threshold: int) -> list[int]:
    """What a reader knows a hidden cell can be: "<t" is 1..t-1; "*" is 0 or t and above."""
    if is_primary:
        return [v for v in range(1, threshold) if v <= target]
    return [0, *range(threshold, target + 1)]


def _sumset(domains: list[list[int]], limit: int) -> np.ndarray:
    """Which totals 0..limit the cells with these domains can reach together."""
    reach = np.zeros(limit + 1, dtype=bool)
    reach[0] = True
    for domain in domains:
        step = np.zeros_like(reach)
        for v in domain:
            if v <= limit:
                step[v:] |= reach[: limit + 1 - v]
        reach = step
    return reach


def _hide_one_more(values, hidden, cells, total) -> None:
    """Hide the smallest shown non-zero cell of the line (a zero, then the total, only if none is left)."""
    shown = [c for c in cells if not hidden[c]]
    nonzero = [c for c in shown if values[c] > 0]
    if nonzero:
        hidden[min(nonzero, key=lambda c: values[c])] = True
    elif shown:
        hidden[shown[0]] = True
    else:
        hidden[total] = True


def suppress_table(
    frame: pl.DataFrame,
    count_columns: Sequence[str],
    threshold: int = 5,
    total_row: int | None = None,
    total_column: str | None = None,
    derived: Mapping[str, str | Sequence[str]] | None = None,
    small_base: int | None = 10,
    decimals: int = 1,
    pooled: Sequence[str] = (),
    ranked: bool = False,
) -> pl.DataFrame:
    """A copy of ``frame`` for publication, with counts and derived figures as display strings.

    ``count_columns``: the counts to protect (``total_column`` among them or not). ``total_row``: the
    index of a row holding column totals (e.g. ``-1``), if any. ``derived``: rate, share or difference
    columns mapped to the count column (or columns) they come from; each is hidden where any of its
    counts is hidden and marked ``" (u)"`` where its first count is under ``small_base``; a derived
    column already formatted as text keeps its text. ``pooled``: figures computed from every row's
    counts together (z-scores, rolling means), dropped when any count is hidden. ``ranked``: the row
    order ranks a derived figure, so rows with a hidden count move to the end. Other columns pass
    through unchanged.
    """
    columns = list(dict.fromkeys([*count_columns, *([total_column] if total_column else [])]))
    sources = {rate: [source] if isinstance(source, str) else list(source) for rate, source in (derived or {}).items()}
    for column in [*columns, *sources, *pooled]:
        if column not in frame.columns:
            raise InputError(f"no column {column!r} in the table to suppress", column=column)
    for rate, counts in sources.items():
        for source in counts:
            if source not in columns:
                raise InputError(f"{rate!r} derives from {source!r}, which is not among the counts to suppress", column=rate)
    values = frame.select(columns).to_numpy()
    if frame.select(columns).null_count().sum_horizontal()[0] or (values < 0).any():
        raise InputError("counts to suppress must be whole numbers >= 0 with no blanks")
    row_index = None if total_row is None else range(frame.height)[total_row]
    col_index = None if total_column is None else columns.index(total_column)
    primary, secondary = suppression_masks(values, threshold, row_index, col_index)
    out = frame.with_columns(
        pl.Series(
            name,
            [
                f"<{threshold}" if primary[i, j] else SECONDARY if secondary[i, j] else f"{int(values[i, j]):,}"
                for i in range(frame.height)
            ],
            dtype=pl.String,
        )
        for j, name in enumerate(columns)
    )
    hidden = primary | secondary
    for rate, counts in sources.items():
        js = [columns.index(source) for source in counts]
        out = out.with_columns(
            pl.Series(
                rate,
                [
                    SECONDARY
                    if hidden[i, js].any()
                    else None
                    if value is None
                    else value
                    if isinstance(value, str)
                    else f"{value:,.{decimals}f}" + (UNRELIABLE if small_base and values[i, js[0]] < small_base else "")
                    for i, value in enumerate(frame[rate].to_list())
                ],
                dtype=pl.String,
            )
        )
    row_hidden = hidden.any(axis=1)
    if row_hidden.any():
        out = out.drop(*pooled)
    if ranked and row_hidden.any():
        first = out.columns[0]
        out = pl.concat([out.filter(pl.Series(~row_hidden)), out.filter(pl.Series(row_hidden)).sort(first)])
    return out
