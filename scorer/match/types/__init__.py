"""One module per rubric matcher type; each registers itself with scorer.match.registry."""
