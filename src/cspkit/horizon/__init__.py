"""Step 1: the horizon-scanning register (PESTELO)."""
