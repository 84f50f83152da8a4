"""Numbers from a pipeline config, as the config text states them.

thinc's config parser reads some decimals one bit off ("0.7" becomes 0.7000000000000001, "0.95"
0.9500000000000001). An assembled pipeline reads ``models/config.cfg`` once and takes the factory
defaults as Python literals; a packaged one (``newsclaims package``) reads its written config
again, so the same setting could differ in the last bit and the claims' scores with it. Stages
round float settings on the way in, which gives the same value on both paths.
"""

SCORE_DIGITS = 6


def config_score(value: float) -> float:
    """A score setting rounded to ``SCORE_DIGITS`` decimals (drops the parser's stray last bit)."""
    return round(float(value), SCORE_DIGITS)
