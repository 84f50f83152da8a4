"""Names and their keys: the data classes of resolution (``Mention``, ``EntityRecord``), the name
lexicon, normalisation and the keys that say two surface forms name the same entity (see
``resolver`` for how they are used). Pure functions, no spaCy."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import MODELS_DIR

LEXICON_PATH = MODELS_DIR / "lexicons" / "name_variants.json"
RESOLVED_LABELS = ("ORG", "PERSON")
# Stages whose rule id names an entity (a gazetteer id), and the labels a gazetteer id is trusted
# for: the person pattern ids ("name_then_cjk") name patterns, not people.
GAZETTEER_STAGES = ("org_gazetteer",)
GAZETTEER_LABELS = ("ORG",)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Mention:
    """One entity mention in one document."""

    doc_id: str
    start: int
    end: int
    text: str
    label: str  # "ORG" or "PERSON"; other labels are ignored
    # gazetteer id when the gazetteer found it ("alibaba"); trusted for ORG only (GAZETTEER_LABELS)
    rule: str | None = None
    # other names the caller knows this mention goes by in this document: mentions with one of
    # these names link to it, and the names become aliases of its entity
    context_aliases: tuple[str, ...] = ()


@dataclass
class EntityRecord:
    """One real-world entity, as stored in ``entities.jsonl``."""

    id: str
    label: str
    name: str  # canonical name: the alias-table name, else the most complete form seen
    aliases: list[str]  # every surface form seen (sorted, unique)
    mention_count: int
    documents: list[str]  # doc ids (sorted, unique)
    first_seen: str | None
    last_seen: str | None
    key: str = ""  # the anchor the id is derived from ("rule:alibaba", "dai shan trudy", ...)
    rules: list[str] = field(default_factory=list)  # gazetteer ids seen (sorted, unique)
    merged_ids: list[str] = field(default_factory=list)  # ids of records merged into this one

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "name": self.name, "aliases": list(self.aliases),
                "mention_count": self.mention_count, "documents": list(self.documents),
                "first_seen": self.first_seen, "last_seen": self.last_seen, "key": self.key,
                "rules": list(self.rules), "merged_ids": list(self.merged_ids)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EntityRecord:
        return cls(id=d["id"], label=d["label"], name=d["name"], aliases=sorted(set(d.get("aliases", ()))),
                   mention_count=int(d.get("mention_count", 0)),
                   documents=sorted(set(d.get("documents", ()))), first_seen=d.get("first_seen"),
                   last_seen=d.get("last_seen"), key=d.get("key", ""),
                   rules=sorted(set(d.get("rules", ()))), merged_ids=list(d.get("merged_ids", ())))


def mention_from_claim(claim: Mapping[str, Any]) -> Mention:
    """A ``Mention`` from an entity claim record (``claims.jsonl``): ``rule`` is kept only when
    the gazetteer found the entity."""
    evidence, provenance = claim["evidence"], claim.get("provenance") or {}
    rule = provenance.get("rule") if provenance.get("stage") in GAZETTEER_STAGES else None
    return Mention(doc_id=evidence["doc_id"], start=evidence["start"], end=evidence["end"],
                   text=evidence["text"], label=claim["label"], rule=rule)


def entity_id(label: str, key: str) -> str:
    """The stable id of the entity with this label and anchor key."""
    return "ent_" + hashlib.sha256(f"{label}|{key}".encode()).hexdigest()[:20]


def records_from_jsonl(path: str | Path) -> list[EntityRecord]:
    """Current records of an append-only ``entities.jsonl``: a later line replaces an earlier one
    with the same id; records merged into another (its ``merged_ids``) are dropped."""
    latest: dict[str, EntityRecord] = {}
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    record = EntityRecord.from_dict(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    continue
                latest.pop(record.id, None)
                latest[record.id] = record
    merged = {old for r in latest.values() for old in r.merged_ids}
    return [r for r in latest.values() if r.id not in merged]


# --------------------------------------------------------------------------- lexicon


def _fold(word: str) -> str:
    return word.casefold().replace(".", "")


class NameLexicon:
    """The compiled ``name_variants.json`` (pass one to ``entity_key`` in loops: compiling a dict
    on every call is slower)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        terms: dict[str, list[str]] = {r["id"]: list(r.get("terms", ())) for r in data.get("records", ())}

        def words(name: str) -> frozenset[str]:
            return frozenset(_fold(t) for t in terms.get(name, ()))

        self.legal_suffixes = words("legal_suffix")
        self.group_words = words("group_word")
        self.unit_words = words("unit_word")
        self.completion_words = words("completion_word")
        self.honorifics = words("honorific")
        self.name_suffixes = words("name_suffix")
        self.connectors = words("connector")
        self.nickname_cue = _cue_regex(terms.get("nickname_cue", ()))
        self.aliases: list[dict[str, Any]] = [dict(a) for a in data.get("aliases", ())]
        self._keys: dict[tuple[str, str], str] = {}
        self._person_tokens: dict[str, tuple[str, ...]] = {}  # person_tokens, per name text

    @classmethod
    def load(cls, path: str | Path | None = None) -> NameLexicon:
        return cls(load_lexicon(path))


LexiconLike = NameLexicon | Mapping[str, Any] | None


def load_lexicon(path: str | Path | None = None) -> dict[str, Any]:
    """The lexicon file as a dict (default ``models/lexicons/name_variants.json``)."""
    return json.loads(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))


ALIAS_MAX_BYTES = 50_000_000
KEY_CACHE_SIZE = 8192  # names whose entity_key / person_tokens are cached (then emptied)


def load_alias_file(path: str | Path) -> list[dict[str, Any]]:
    """A user alias file: JSONL or a JSON list of ``{"name", "label", "aliases"}`` records (a JSON
    object with an ``aliases`` or ``records`` list is accepted too)."""
    from ..readers.sources import UnreadableFile, read_regular_file

    try:
        text = read_regular_file(path, max_bytes=ALIAS_MAX_BYTES).decode("utf-8-sig")
    except (UnreadableFile, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else "not UTF-8 text"
        raise ValueError(f"{path}: {reason}") from exc
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise ValueError(f"{path}: neither JSON nor JSONL ({exc})") from exc
    if isinstance(data, dict):  # one record (a one-line JSONL file), or a file with a list in it
        data = [data] if "name" in data else data.get("aliases", data.get("records", [data]))
    entries = [d for d in data if isinstance(d, dict) and "name" in d and "label" in d]
    if len(entries) != len(data):
        raise ValueError(f"{path}: every alias record needs a name and a label")
    return entries


@lru_cache(maxsize=1)
def default_lexicon() -> NameLexicon:
    return NameLexicon(load_lexicon())


def _as_lexicon(lexicon: LexiconLike) -> NameLexicon:
    if lexicon is None:
        return default_lexicon()
    if isinstance(lexicon, NameLexicon):
        return lexicon
    return NameLexicon(lexicon)


def _cue_regex(terms: Iterable[str]) -> re.Pattern[str]:
    """A regex matching one of the cues at the end of a text (then an optional opening quote)."""
    alternatives = []
    for term in terms:
        words = term.split()
        pattern = ""
        for i, word in enumerate(words):
            if word == "...":
                pattern += r"(?:[\w'’-]+\s+){0,4}"
                continue
            pattern += re.escape(word) + (r"\s+" if i < len(words) - 1 else "")
        alternatives.append(pattern)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")\s*[\"'“‘(]?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- keys

_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"',
                            "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "\u00a0": " "})
_SLASH = re.compile(r"\s*/\s*")
_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?<=\w)'s?$")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)$")
_EAST_ASIAN = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA")
_NAME_DOTS = "·・"


def normalise_text(text: str) -> str:
    """NFKC, straight quotes and hyphens, no spaces around "/", single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACE.sub(" ", _SLASH.sub("/", text)).strip()


def _bare(text: str) -> str:
    """Normalised text without a trailing possessive or bracketed remark."""
    text = normalise_text(text)
    stripped = _TRAILING_PAREN.sub("", text)
    text = stripped or text
    return _POSSESSIVE.sub("", text) or text


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def is_non_latin_name(text: str) -> bool:
    """Letters only (and name dots/spaces), none of them Latin: "戴珊", "马云"."""
    text = text.strip()
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(not (ch.isalpha() or ch in _NAME_DOTS or ch == " ") for ch in text):
        return False
    return not any(_is_latin(ch) for ch in letters)


def _is_east_asian_name(text: str) -> bool:
    """A full name written without spaces in CJK (or Hangul/kana): two letters or more."""
    text = text.strip()
    letters = [ch for ch in text if ch not in _NAME_DOTS]
    return (len(letters) >= 2 and " " not in text
            and all(any(s in unicodedata.name(ch, "") for s in _EAST_ASIAN) for ch in letters))


_ACRONYM = re.compile(r"(?:[A-Z]\.){2,8}|[A-Z][A-Z0-9&]{1,7}")


def is_acronym(text: str) -> bool:
    """An all-capitals short form: "TTG", "SCMP", "T.T.G."."""
    text = normalise_text(text)
    return bool(_ACRONYM.fullmatch(text)) and sum(ch.isupper() for ch in text) >= 2


def acronym_matches(acronym: str, name: str, lexicon: LexiconLike = None) -> bool:
    """Whether the acronym's letters are the initials of the name's words (all words, or without
    connectors such as "and"/"of", or without legal suffixes): "TTG" for "Taobao and Tmall Group"."""
    lex = _as_lexicon(lexicon)
    letters = re.sub(r"[^0-9A-Za-z]", "", acronym).casefold()
    if len(letters) < 2:
        return False
    words = re.findall(r"[^\W_]+", re.sub(r"'s\b", "", normalise_text(name)))
    if len(words) < 2:
        return False
    folded = [_fold(w) for w in words]
    variants = {
        tuple(words),
        tuple(w for w, f in zip(words, folded, strict=True) if f not in lex.connectors),
        tuple(w for w, f in zip(words, folded, strict=True) if f not in lex.legal_suffixes),
        tuple(w for w, f in zip(words, folded, strict=True)
              if f not in lex.connectors and f not in lex.legal_suffixes),
    }
    return any(letters == "".join(w[0] for w in ws).casefold() for ws in variants if ws)


def person_tokens(text: str, lexicon: LexiconLike = None) -> tuple[str, ...]:
    """A person's name tokens: case-folded, without honorifics, suffixes (Jr), dots and hyphens
    ("Mr. Louis Cha Leung-yung" -> louis, cha, leungyung). A CJK name is one token."""
    lex = _as_lexicon(lexicon)
    cached = lex._person_tokens.get(text)
    if cached is not None:
        return cached
    parts = [p for p in re.split(r"[\s,]+", _bare(text)) if p]
    while len(parts) > 1 and _fold(parts[0]) in lex.honorifics:
        parts.pop(0)
    while len(parts) > 1 and _fold(parts[-1]) in lex.name_suffixes:
        parts.pop()
    tokens = (p.casefold().replace(".", "").replace("-", "") for p in parts)
    found = tuple(t for t in tokens if any(ch.isalnum() for ch in t))
    if len(lex._person_tokens) >= KEY_CACHE_SIZE:  # a few MB at most: names repeat within a document
        lex._person_tokens.clear()
    lex._person_tokens[text] = found
    return found


def _org_tokens(text: str, lex: NameLexicon) -> list[str]:
    text = _bare(text).casefold().replace("&", " and ").replace(".", "").replace(",", " ")
    text = _SLASH.sub("/", text.replace("-", " "))
    tokens = text.split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return tokens


def _strip_org(tokens: list[str], lex: NameLexicon) -> list[str]:
    """Drop trailing legal suffixes (and a connector left before them), then a trailing group
    word unless the rest joins several names or ends in a unit word."""
    tokens = list(tokens)
    while len(tokens) > 1 and (tokens[-1] in lex.legal_suffixes or tokens[-1] in ("and", "&")):
        tokens.pop()
    if len(tokens) > 1 and tokens[-1] in lex.group_words:
        rest = _strip_org(tokens[:-1], lex)
        joins = any(t in ("and", "or", "plus") or "/" in t for t in rest)
        if joins or rest[-1] in lex.unit_words or rest[-1] in lex.group_words:
            return rest + [tokens[-1]]
        return rest
    return tokens


def entity_key(text: str, label: str, lexicon: LexiconLike = None) -> str:
    """The normalised key of a name: equal keys name the same entity.

    PERSON: the sorted set of name tokens ("Trudy Dai Shan" = "Trudy Shan Dai" = "dai shan trudy").
    ORG: case-folded, "&" = "and", no full stops, commas or hyphens, no spaces around "/", no
    leading "the", without legal suffixes and (see the module docstring) a trailing "Group"
    ("Alibaba Group Holding Ltd." = "alibaba"). Other labels: the normalised, case-folded text.
    """
    lex = _as_lexicon(lexicon)
    cached = lex._keys.get((label, text))
    if cached is not None:
        return cached
    if label == "PERSON":
        key = " ".join(sorted(set(person_tokens(text, lex))))
    elif label == "ORG":
        key = " ".join(_strip_org(_org_tokens(text, lex), lex))
    else:
        key = ""
    key = key or normalise_text(text).casefold()
    if len(lex._keys) >= KEY_CACHE_SIZE:  # emptied, not frozen full: a long run of new names
        lex._keys.clear()  # would otherwise keep 200,000 keys (~50 MB) it never asks for again
    lex._keys[(label, text)] = key
    return key


def is_cross_document_name(text: str, label: str, lexicon: LexiconLike = None) -> bool:
    """Whether this form alone may identify an entity across documents: every organisation form;
    a person's name of two tokens or more, or of two CJK characters or more (not "Ma")."""
    if label != "PERSON":
        return True
    return len(person_tokens(text, lexicon)) >= 2 or _is_east_asian_name(_bare(text))


def same_entity(a: str, b: str, label: str, lexicon: LexiconLike = None) -> bool:
    """Whether two names of one label name the same entity by name alone (no context): equal keys
    (a lone "Ma" equals only "Ma"), or for persons one's name tokens a subset of the other's with
    two tokens or more in common ("Trudy Dai" and "Trudy Dai Shan")."""
    lex = _as_lexicon(lexicon)
    if entity_key(a, label, lex) == entity_key(b, label, lex):
        return True
    if label == "PERSON":
        ta, tb = set(person_tokens(a, lex)), set(person_tokens(b, lex))
        return len(ta & tb) >= 2 and (ta <= tb or tb <= ta)
    return False


def _org_core(key: str, lex: NameLexicon) -> str:
    tokens = key.split()
    while len(tokens) > 1 and tokens[-1] in lex.completion_words:
        tokens.pop()
    return " ".join(tokens)
