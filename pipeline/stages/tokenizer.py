"""Tokenizer tweak: full-width (CJK) punctuation splits tokens like its ASCII twin.

English tokenizer rules do not know "（" or "，", so "Li Bo（李博）said" stays one token and
the name cannot be found. The characters come from ``[tokenizer] fullwidth_punctuation``.
"""

import re

from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex


def split_on_punctuation(nlp: Language, characters: str) -> None:
    """Make each of ``characters`` a prefix, suffix and infix of ``nlp``'s tokenizer."""
    if not characters:
        return
    char_class = "[" + re.escape(characters) + "]"
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex([*nlp.Defaults.prefixes, char_class]).search
    tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, char_class]).search
    tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, char_class]).finditer
