"""Scoring against gold: gold readers and entity/alias scores (``scorer``), claim matching and
slot scores (``claim_scoring``)."""
