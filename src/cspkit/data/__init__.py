"""Step 0: the data. Ingest police.uk, partner and reference files into one DuckDB warehouse."""
