"""Step 4: the evidence board and the focus group's decision."""
