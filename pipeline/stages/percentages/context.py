"""Whose figure it is when the sentence does not say: the paragraph's and the article's topic.

News writes a company's figures in runs of sentences that name it once ("Cadbury reported ...
Underlying profits rose 1% ... Drinks sales were up 2%") and refers back with "it", "its" or a
generic noun ("the company", "the group's factories"). Each sentence's topic is the organisation
in its subject noun phrase (or, for an economy, the place that modifies the subject: "The US
economy grew"); a percentage whose own clause names no owner takes, in order, the owner of the
previous percentage in its paragraph, else the latest topic before it. "its" and the generic
nouns take the latest organisation topic, never a place.
"""

from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.attrs import IS_SPACE
from spacy.tokens import Doc, Span, Token

from ..claim_spans import mention
from ..doc_index import deps, texts
from .cues import Cues
from .parse import SUBJECT_DEPS
from .reading import Reading
from .slots import RULE_SCORES

# Modifiers through which a place describes a subject noun: "US economy", "Japan's economy".
PLACE_MODIFIER_DEPS = {"compound", "poss", "amod", "nmod"}
# Clauses inside a noun phrase, whose names are not what the phrase is about.
CLAUSE_MODIFIER_DEPS = {"acl", "relcl", "advcl"}


@dataclass
class Discourse:
    """The topics of a document's sentences, in order, and each token's paragraph."""

    org_topics: list[Span] = field(default_factory=list)
    topics: list[Span] = field(default_factory=list)
    paragraph: list[int] = field(default_factory=list)
    org_starts: list[int] = field(default_factory=list)
    topic_starts: list[int] = field(default_factory=list)

    def add(self, org: Span | None, topic: Span | None) -> None:
        """Record a sentence's topics (sentences come in document order)."""
        if org is not None:
            self.org_topics.append(org)
            self.org_starts.append(org.start)
        if topic is not None:
            self.topics.append(topic)
            self.topic_starts.append(topic.start)

    @staticmethod
    def latest(spans: list[Span], starts: list[int], index: int) -> Span | None:
        """The last span in ``spans`` (document order) that starts before token ``index``."""
        pos = bisect_right(starts, index - 1)
        return spans[pos - 1] if pos else None

    def org_before(self, index: int) -> Span | None:
        """The latest organisation topic before token ``index``."""
        return self.latest(self.org_topics, self.org_starts, index)

    def topic_before(self, index: int) -> Span | None:
        """The latest topic (organisation or economy's place) before token ``index``."""
        return self.latest(self.topics, self.topic_starts, index)


def paragraphs(doc: Doc) -> list[int]:
    """A paragraph number for every token: a line break between tokens starts a new one."""
    numbers = []
    current = 0
    # A token's trailing whitespace is " " or nothing (spaCy makes other whitespace a token of
    # its own), so only space tokens hold line breaks; read from arrays, no Token per token.
    for word, space in zip(texts(doc), doc.to_array(IS_SPACE).tolist(), strict=True):
        if space and "\n" in word:
            current += 1
        numbers.append(current)
    return numbers


def first_entity(tokens: list[Token], owners: dict[int, Span], label: str) -> Span | None:
    """The first entity of ``label`` among ``tokens`` (document order)."""
    for token in tokens:
        if token.i in owners and owners[token.i].label_ == label:
            return owners[token.i]
    return None


def noun_phrase(noun: Token) -> list[Token]:
    """The tokens of a noun phrase in order, without its clauses ("the figure, announced by
    the agency," is about the figure, not the agency)."""
    tokens = [noun]
    stack = list(noun.children)
    while stack:
        token = stack.pop()
        if token.dep_ in CLAUSE_MODIFIER_DEPS:
            continue
        tokens.append(token)
        stack.extend(token.children)
    return sorted(tokens, key=lambda t: t.i)


def subject_place(subject: Token, owners: dict[int, Span], cues: Cues) -> Span | None:
    """The place that modifies an economy-type subject: "The US economy", "Japan's GDP"."""
    if subject.lower_ not in cues.public_measures and subject.lemma_.lower() not in cues.public_measures:
        return None
    for child in subject.children:
        if child.dep_ in PLACE_MODIFIER_DEPS and child.i in owners and owners[child.i].label_ == "GPE":
            return owners[child.i]
    return None


def sentence_topic(sent: Span, owners: dict[int, Span], cues: Cues) -> tuple[Span | None, Span | None]:
    """The organisation in a subject noun phrase of the sentence, and a place topic (an
    economy's); a sentence with no subject names (a headline) offers its first organisation."""
    labels, doc = deps(sent.doc), sent.doc
    subjects = [doc[i] for i in range(sent.start, sent.end) if labels[i] in SUBJECT_DEPS]
    for subject in subjects:
        found = first_entity(noun_phrase(subject), owners, "ORG")
        if found is not None:
            return found, found
    for subject in subjects:
        place = subject_place(subject, owners, cues)
        if place is not None:
            return None, place
    return None, None


def build_discourse(doc: Doc, owners: dict[int, Span], cues: Cues) -> Discourse:
    """Topics for every sentence, in order; the first organisation of the text starts the run."""
    discourse = Discourse(paragraph=paragraphs(doc))
    for sent in doc.sents:
        org, topic = sentence_topic(sent, owners, cues)
        if org is None and not discourse.topics:
            org = first_entity(list(sent), owners, "ORG")
            topic = topic or org
        discourse.add(org, topic)
    return discourse


def fill_context_subjects(readings: list[Reading], discourse: Discourse) -> None:
    """Give each percentage left without an owner one from its paragraph or the article."""
    previous: Reading | None = None
    for reading in readings:
        start = reading.ent.start
        if reading.owner is None:
            owner = None
            rule = "context_topic"
            if previous is not None and previous.owner is not None and \
                    previous.ent.sent.start == reading.ent.sent.start:
                owner, rule = previous.owner, "context_paragraph"     # "28% of bosses ..., another 11%"
                reading.owner_text = previous.owner_text
            if owner is None and reading.wants_organisation:
                owner = discourse.org_before(start)
                rule = "context_antecedent"
            if owner is None and previous is not None and previous.owner is not None and \
                    discourse.paragraph[previous.ent.start] == discourse.paragraph[start]:
                owner, rule = previous.owner, "context_paragraph"
                reading.owner_text = previous.owner_text
            if owner is None:
                owner = discourse.topic_before(start)
            if owner is not None:
                reading.owner = owner
                reading.fields["subject"] = mention(owner)
                if reading.owner_text is not None:
                    reading.fields["subject"]["text"] = reading.owner_text
                metric_rule = reading.rule.split(":")[0]
                reading.rule = f"{metric_rule}:{rule}"
                reading.score = round(RULE_SCORES[metric_rule] * RULE_SCORES[rule], 3)
        previous = reading
