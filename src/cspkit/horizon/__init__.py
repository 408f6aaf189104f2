"""Step 1: the horizon-scanning register (PESTELO).

- ``register``: entries, their checks, the section's table and emerging issues;
- ``files``: the register as TOML, CSV or XLSX;
- ``demo_register.toml``: a SYNTHETIC register for the demo.
"""
