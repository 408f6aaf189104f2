"""Benjamini-Hochberg q-values: the one correction for many tests at once, used by change, trend and Gi*.

When 14 crime types (or 175 neighbourhoods) are each tested at 5%, some pass by luck alone. A result
counts as real when its q-value is below alpha, which keeps the expected share of false alarms among
the results called significant at alpha. Plain numpy, so a command that only needs the correction does
not pay for importing scipy.stats.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bh_q_values(p_values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """q-values in the input's order; an untested entry (None or NaN) stays NaN and is not counted."""
    p = np.array([np.nan if v is None else v for v in p_values], dtype=float)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if tested.size:
        order = tested[np.argsort(p[tested], kind="stable")]
        scaled = p[order] * tested.size / np.arange(1, tested.size + 1)
        q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q
