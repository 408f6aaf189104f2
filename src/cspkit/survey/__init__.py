"""Step 3: the residents' survey: import, weighting and analysis."""
