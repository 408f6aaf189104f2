"""Step 2: the MoRiLE-style risk matrix."""
