"""Step 2: the MoRiLE-style risk matrix.

- ``method``: the method file (criteria, levels, groups, rules), checked as a whole;
- ``register``: the issues register (candidate issues and the data that measures them);
- ``suggest`` and ``evidence``: data-suggested scores, and the adapter from ``cspkit.analysis``;
- ``scores``, ``matrix``: score records, their checks and the arithmetic (pure functions);
- ``store``: current scores and the append-only audit trail in the warehouse;
- ``workbook``: one scoring workbook per scorer, and its validated import;
- ``demo``: SYNTHETIC completed scores for the demo.
"""
