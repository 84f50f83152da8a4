"""The spaCy components newsclaims adds to a pretrained pipeline, one module per stage.

Each module registers its factory with ``@Language.factory`` (and in the package's
``spacy_factories`` entry points); ``models/config.cfg`` names them. ``claim_spans`` is how claim
stages hand claims to the store; ``tokenizer`` adjusts the pretrained tokenizer.
"""
