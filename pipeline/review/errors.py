"""The review's error, importable without loading spaCy or Jinja2 (the CLI maps it to exit 2)."""


class ReviewError(ValueError):
    """A review that cannot be written as asked (an --out folder that is not a review site)."""
