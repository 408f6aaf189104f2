"""Suppression on hand-worked tables, and a property test that no hidden count can be worked out
by subtraction from the totals shown (checked by brute force over what the markers allow)."""

from itertools import product

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cspkit.analysis.suppression import suppress_table, suppression_masks
from cspkit.errors import InputError


def test_primary_only_without_totals() -> None:
    frame = pl.DataFrame({"ward": ["A", "B", "C"], "count": [0, 3, 12]})
    shown = suppress_table(frame, ["count"])
    assert shown["count"].to_list() == ["0", "<5", "12"]
    assert shown["ward"].to_list() == ["A", "B", "C"]


def test_row_with_total_needs_a_second_hidden_cell() -> None:
    # Burglary 3, Robbery 9, Theft 20, total 32: hiding only the 3 would let 32 - 9 - 20 reveal it.
    frame = pl.DataFrame({"area": ["X"], "burglary": [3], "robbery": [9], "theft": [20], "total": [32]})
    shown = suppress_table(frame, ["burglary", "robbery", "theft"], total_column="total")
    assert shown.row(0) == ("X", "<5", "*", "20", "32")


def test_hand_worked_table_with_total_row_and_column() -> None:
    frame = pl.DataFrame(
        {
            "ward": ["W1", "W2", "W3", "Total"],
            "a": [2, 10, 8, 20],
            "b": [7, 6, 12, 25],
            "total": [9, 16, 20, 45],
        }
    )
    shown = suppress_table(frame, ["a", "b"], total_row=-1, total_column="total")
    # W1's 2 is primary. Rows first: row W1 (2, 7 | 9) hides the 7. Columns: column a (2, 10, 8 | 20)
    # hides its smallest shown cell, 8; column b (7, 6, 12 | 25) hides 6. Second pass: row W2 (10, 6 | 16)
    # now has one hidden cell, so hides 10; row W3 (8, 12 | 20) hides 12. Totals stay shown.
    assert shown["a"].to_list() == ["<5", "*", "*", "20"]
    assert shown["b"].to_list() == ["*", "*", "*", "25"]
    assert shown["total"].to_list() == ["9", "16", "20", "45"]


def test_small_total_is_itself_suppressed() -> None:
    frame = pl.DataFrame({"a": [1, 0], "b": [2, 0], "total": [3, 0]})
    shown = suppress_table(frame, ["a", "b"], total_column="total")
    assert shown.row(0) == ("<5", "<5", "<5")


def test_rates_follow_their_counts_and_small_bases_are_marked() -> None:
    frame = pl.DataFrame({"lsoa": ["A", "B", "C"], "count": [4, 8, 30], "rate": [2.667, 5.333, 20.0]})
    shown = suppress_table(frame, ["count"], derived={"rate": "count"})
    assert shown["rate"].to_list() == ["*", "5.3 (u)", "20.0"]


def test_bad_counts_are_errors() -> None:
    with pytest.raises(InputError, match="no column 'missing'"):
        suppress_table(pl.DataFrame({"a": [1]}), ["missing"])
    with pytest.raises(InputError, match="not among the counts"):
        suppress_table(pl.DataFrame({"a": [1], "b": [2], "r": [0.5]}), ["a"], derived={"r": "b"})
    with pytest.raises(InputError, match="no blanks"):
        suppress_table(pl.DataFrame({"a": [1, None]}), ["a"])


def _line_domain(is_primary: bool, limit: int, threshold: int) -> list[int]:
    return list(range(1, threshold)) if is_primary else [0, *range(threshold, limit + 1)]


def _recoverable(values, primary, secondary, cells, total, threshold) -> bool:
    """Brute force: can a reader pin any hidden cell of this line to one value?"""
    hidden = primary | secondary
    members = [*cells, total]
    hidden_cells = [c for c in members if hidden[c]]
    if not hidden_cells:
        return False
    if hidden[total]:
        return len(hidden_cells) == 1
    target = values[total] - sum(values[c] for c in cells if not hidden[c])
    domains = [_line_domain(primary[c], target, threshold) for c in hidden_cells]
    solutions = [combo for combo in product(*domains) if sum(combo) == target]
    return any(len({s[i] for s in solutions}) <= 1 for i in range(len(hidden_cells)))


small_counts = st.integers(0, 14).map(lambda v: v if v % 3 else min(v, 4))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data(), st.sampled_from([3, 5]))
def test_no_hidden_count_can_be_recovered_by_subtraction(rows: int, cols: int, data, threshold: int) -> None:
    body = np.array(data.draw(st.lists(small_counts, min_size=rows * cols, max_size=rows * cols))).reshape(rows, cols)
    table = np.zeros((rows + 1, cols + 1), dtype=int)
    table[:rows, :cols] = body
    table[:rows, cols] = body.sum(axis=1)
    table[rows, :] = table[:rows, :].sum(axis=0)
    primary, secondary = suppression_masks(table, threshold, total_row=rows, total_column=cols)
    # Every count from 1 to threshold - 1 is hidden as primary; nothing else is primary.
    assert ((table > 0) & (table < threshold) == primary).all()
    assert not (primary & secondary).any()
    lines = [([(i, j) for j in range(cols)], (i, cols)) for i in range(rows + 1)]
    lines += [([(i, j) for i in range(rows)], (rows, j)) for j in range(cols + 1)]
    for cells, total in lines:
        assert not _recoverable(table, primary, secondary, cells, total, threshold), (table, primary, secondary)
    # And the display agrees with the masks.
    frame = pl.DataFrame(table[:, :cols].tolist(), schema=[f"c{j}" for j in range(cols)], orient="row").with_columns(
        pl.Series("total", table[:, cols])
    )
    shown = suppress_table(frame, [f"c{j}" for j in range(cols)], threshold, total_row=-1, total_column="total")
    for i, j in zip(*np.nonzero(primary), strict=True):
        assert shown[int(i), int(j)] == f"<{threshold}"
    for i, j in zip(*np.nonzero(secondary), strict=True):
        assert shown[int(i), int(j)] == "*"


def _gi_star_z(x: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Getis-Ord Gi* by its textbook formula (each unit its own neighbour), for the attack below."""
    n = len(x)
    w = neighbours + np.eye(n)
    mean, sd = x.mean(), x.std()
    w_sum, w_sq = w.sum(axis=1), (w**2).sum(axis=1)
    return (w @ x - mean * w_sum) / (sd * np.sqrt((n * w_sq - w_sum**2) / (n - 1)))


def test_z_scores_beside_hidden_counts_are_left_out_because_they_give_the_counts_away() -> None:
    """The attack in issue 13: every hidden count is solved from the z-scores printed to two decimals."""
    rng = np.random.default_rng(3)
    n = 30
    counts = rng.poisson(6, n)
    counts[[2, 9, 17]] = [1, 3, 4]
    neighbours = np.zeros((n, n))
    for i in range(n - 1):
        neighbours[i, i + 1] = neighbours[i + 1, i] = 1
    z = _gi_star_z(counts.astype(float), neighbours)
    frame = pl.DataFrame({"lsoa": [f"L{i:02d}" for i in range(n)], "count": counts, "gi_z": np.round(z, 2)})
    hidden = [i for i, c in enumerate(counts) if 0 < c < 5]
    # Unprotected, the z column gives the hidden counts away: of the 64 ways to fill the three "<5"
    # cells, only the true one reproduces the printed z-scores.
    fits = []
    for candidate in product(range(1, 5), repeat=len(hidden)):
        trial = counts.astype(float)
        trial[hidden] = candidate
        if (np.round(_gi_star_z(trial, neighbours), 2) == frame["gi_z"].to_numpy()).all():
            fits.append(candidate)
    assert fits == [tuple(counts[hidden])]
    published = suppress_table(frame, ["count"], pooled=["gi_z"])
    assert "gi_z" not in published.columns
    assert suppress_table(frame.filter(~pl.col("count").is_between(1, 4)), ["count"], pooled=["gi_z"]).columns == frame.columns


def test_ranked_tables_put_hidden_rows_last_in_code_order() -> None:
    """Between a rate of 2.5 and one of 1.7 per 1,000, a hidden count among 1,500 residents could only be 3."""
    frame = pl.DataFrame(
        {"lsoa": ["E4", "E1", "E3", "E2"], "count": [10, 3, 2, 8], "residents": [2000, 1500, 1000, 4700]}
    ).with_columns((pl.col("count") / pl.col("residents") * 1000).alias("rate")).sort("rate", descending=True)
    published = suppress_table(frame.drop("residents"), ["count"], derived={"rate": "count"}, ranked=True)
    assert published["lsoa"].to_list() == ["E4", "E2", "E1", "E3"]  # shown by rate, then hidden by code
    assert published["rate"].to_list()[2:] == ["*", "*"]


def test_a_difference_of_two_counts_is_hidden_with_either() -> None:
    frame = pl.DataFrame({"before": [3, 40, 50], "after": [120, 2, 60], "change": ["+117", "-38", "+10"]})
    published = suppress_table(frame, ["before", "after"], derived={"change": ("before", "after")})
    assert published["change"].to_list() == ["*", "*", "+10"]
