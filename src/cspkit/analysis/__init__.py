"""Step 5 evidence: volumes, rates, tested change, hotspots, repeats, harm, peers."""
