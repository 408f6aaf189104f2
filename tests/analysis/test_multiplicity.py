"""The one Benjamini-Hochberg correction, against statsmodels on any p-values, ties and untested rows included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from cspkit.analysis.multiplicity import bh_q_values

_p = st.one_of(st.none(), st.sampled_from([0.0, 0.001, 0.01, 0.05, 0.5, 1.0]), st.floats(0, 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(_p, max_size=40))
def test_q_values_equal_statsmodels(p_values: list[float | None]) -> None:
    q = bh_q_values(p_values)
    tested = [i for i, v in enumerate(p_values) if v is not None]
    assert np.isnan(q[[i for i in range(len(p_values)) if i not in tested]]).all()
    if tested:
        reference = multipletests([p_values[i] for i in tested], method="fdr_bh")[1]
        np.testing.assert_allclose(q[tested], reference, rtol=1e-12, atol=1e-300)  # subnormals round apart
