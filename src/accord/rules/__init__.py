"""Decision rules: winning coalitions, winsets, power indices and procedures."""
