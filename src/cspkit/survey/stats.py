"""Design-based statistics for weighted survey proportions, and the one wording of significance.

Weighted percentages are ratio estimators; their variance is estimated by Taylor linearisation
(single stage, with replacement, no strata), the method of R's survey package and samplics for a
simple weighted sample. Intervals are Wilson score intervals on the estimate's effective sample
size, so they stay inside 0-100% for small shares and widen by the design effect.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))
ALPHA = 0.05


def linearised_proportions(indicators: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted shares and their linearised standard errors, one per column of ``indicators``.

    ``indicators`` is respondents x answers (1 when the respondent gave that answer). The
    variance of the ratio sum(w y) / sum(w) is n/(n-1) * sum((w (y - p))^2) / sum(w)^2.
    """
    y = np.asarray(indicators, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    p, se = grouped_linearised(y, np.asarray(weights, dtype=float), np.ones((y.shape[0], 1), dtype=bool))[:2]
    return p[0], se[0]


def grouped_linearised(
    y: np.ndarray, w: np.ndarray, member: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`linearised_proportions` for many groups at once, from weighted sums.

    ``member`` is respondents x groups (True when the respondent is in the group). Returns
    p and se (groups x answers), and per group the base size, sum of weights and sum of squared
    weights. Expanding sum(w^2 (y - p)^2) = sum(w^2 y^2) - 2p sum(w^2 y) + p^2 sum(w^2) keeps this
    to a few matrix products, however many groups there are.
    """
    m = member.astype(float)
    w2 = w**2
    base_n = m.sum(0)
    total = m.T @ w
    total_sq = m.T @ w2
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (m.T @ (w[:, None] * y)) / total[:, None]
        squares = m.T @ (w2[:, None] * y**2) - 2 * p * (m.T @ (w2[:, None] * y)) + p**2 * total_sq[:, None]
        variance = (base_n / (base_n - 1))[:, None] * np.maximum(squares, 0) / total[:, None] ** 2
    variance[base_n < 2] = np.nan
    return p, np.sqrt(variance), base_n, total, total_sq


def effective_n(p: np.ndarray, se: np.ndarray, fallback: float) -> np.ndarray:
    """The sample size a simple random sample would need for this standard error:
    p(1-p)/se^2; the base's Kish effective size where that is undefined (p of 0 or 1)."""
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / se**2
    return np.where(np.isfinite(n_eff) & (n_eff > 0), n_eff, fallback)


def wilson_interval(p: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share ``p`` from ``n`` (possibly effective) observations."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def difference_test(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent shares (0-1) on effective sample sizes: the difference p1 - p2 and the
    two-sided p-value of the pooled two-proportion z test.

    Pooling under the null keeps the test honest when one share is 0 (its own standard error
    would be 0 and call any difference significant).
    """
    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    diff = p1 - p2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, 0.0)
    return diff, 2 * stats.norm.sf(np.abs(z))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, so a family of comparisons keeps a 5% chance of any false alarm."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    if valid.size == 0:
        return adjusted
    order = valid[np.argsort(p[valid])]
    m = order.size
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def rao_scott(rows: np.ndarray, columns: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Rao-Scott test of independence of two categorical answers in a weighted sample.

    Pearson's chi-square on the weighted table (scaled to the sample size) is divided by the
    mean (first order) or checked against an F distribution (second order, Satterthwaite) of
    the eigenvalues of the design-effect matrix, as R's ``svychisq``.
    """
    rows = np.asarray(rows)
    columns = np.asarray(columns)
    w = np.asarray(weights, dtype=float)
    row_levels, r_idx = np.unique(rows, return_inverse=True)
    col_levels, c_idx = np.unique(columns, return_inverse=True)
    n_r, n_c = row_levels.size, col_levels.size
    n = w.size
    nan = {"chi2": np.nan, "df": np.nan, "chi2_rao_scott": np.nan, "p_first_order": np.nan, "f": np.nan, "p_value": np.nan}
    if n_r < 2 or n_c < 2 or n < 3:
        return nan
    cell = r_idx * n_c + c_idx
    cells = n_r * n_c
    total = w.sum()
    p = np.bincount(cell, weights=w, minlength=cells) / total
    # Linearised covariance of the cell shares without an n x cells matrix: each respondent is in
    # one cell, so sum_i w_i^2 (e_i - p)(e_i - p)' = diag(s2) - s2 p' - p s2' + sum(w^2) p p'.
    s2 = np.bincount(cell, weights=w**2, minlength=cells)
    v = n / (n - 1) * (np.diag(s2) - np.outer(s2, p) - np.outer(p, s2) + np.sum(w**2) * np.outer(p, p)) / total**2

    row_d = np.repeat(np.eye(n_r), n_c, axis=0)
    col_d = np.tile(np.eye(n_c), (n_r, 1))
    x1 = np.column_stack([np.ones(cells), row_d[:, 1:], col_d[:, 1:]])
    x2 = np.column_stack([row_d[:, i] * col_d[:, j] for i in range(1, n_r) for j in range(1, n_c)])
    c_mat = x2 - x1 @ np.linalg.solve(x1.T @ x1, x1.T @ x2)
    inv_p = np.divide(1.0, p, out=np.zeros_like(p), where=p > 0)
    denominator = c_mat.T @ (inv_p[:, None] * c_mat) / n
    numerator = c_mat.T @ (inv_p[:, None] * v * inv_p[None, :]) @ c_mat
    try:
        delta = np.linalg.solve(denominator, numerator)
    except np.linalg.LinAlgError:  # an empty row or column of answers: use the pseudo-inverse
        delta = np.linalg.pinv(denominator) @ numerator
    table = (p * n).reshape(n_r, n_c)
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    chi2 = float(np.sum(np.divide((table - expected) ** 2, expected, out=np.zeros_like(table), where=expected > 0)))
    df = (n_r - 1) * (n_c - 1)
    trace = float(np.trace(delta))
    if trace <= 0:
        return nan
    d0 = trace**2 / float(np.trace(delta @ delta))
    f = chi2 / trace
    chi2_rs = chi2 / (trace / df)
    return {
        "chi2": chi2,
        "df": float(df),
        "chi2_rao_scott": chi2_rs,
        "p_first_order": float(stats.chi2.sf(chi2_rs, df)),
        "f": f,
        "p_value": float(stats.f.sf(f, d0, d0 * (n - 1))),
    }


def describe_difference(difference: float | None, p_value: float | None, comparable: bool = True, alpha: float = ALPHA) -> str:
    """The one wording of a comparison everywhere in cspkit's survey outputs.

    Only a difference whose (adjusted) p-value is below ``alpha`` is called real: "significantly
    higher" or "significantly lower" (or "significantly different" for a test with no direction,
    ``difference=None``); everything else is "no real difference", and a comparison with too
    small a base is not made at all.
    """
    if not comparable:
        return "base too small to compare"
    if p_value is None or np.isnan(p_value) or p_value >= alpha:
        return "no real difference"
    if difference is None:
        return "significantly different"
    return "significantly higher" if difference > 0 else "significantly lower"
