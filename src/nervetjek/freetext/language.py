"""The Danish pipeline: spaCy's blank Danish tokenizer, sentence starts, and spelling repair.

Nothing is downloaded: `spacy.blank("da")` is the rule-based tokenizer shipped in the spaCy
wheel.  Each token's `norm_` is its lower-case form; a word the lexicon does not know but
that is close to a lexicon word (a misspelling such as "iskjas" or "følelsløs") gets that
lexicon word as its norm, so the rule matcher sees the word the person meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

# Split "ondt!!kan", "ikke-ryger", "type 2-diabetes" and "7/10," into words.
EXTRA_INFIXES = (
    r"(?<=[\wæøå])[!?;]+(?=[\wæøå])",
    r"(?<=[\wæøå])-(?=[\wæøå])",
    r"(?<=[a-zæøå])\.(?=[a-zæøå]{2,})",
)
SENTENCE_PUNCT = re.compile(r"^[.!?;:]+$")


def _mark_sentences(doc: Doc, starters: frozenset[str]) -> Doc:
    """Sentences end at . ! ? ; : and at line breaks; an abbreviation's dot before a
    capital letter ends one too ("4 mdr. Ryger"), and a capitalised word that usually
    opens a sentence starts one when the full stop is missing ("ondt i benet Hvis jeg")."""
    for i, token in enumerate(doc):
        if i == 0:
            token.is_sent_start = True
            continue
        previous = doc[i - 1]
        token.is_sent_start = bool(
            SENTENCE_PUNCT.match(previous.text)
            or "\n" in previous.whitespace_
            or "\n" in previous.text
            or (previous.text.endswith(".") and token.text[:1].isupper())
            or (token.text[:1].isupper() and not token.is_upper and token.lower_ in starters)
        )
    return doc


class SpellingRepair:
    """Maps unknown words to the nearest lexicon word (rapidfuzz), as data decides."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        known_words: Iterable[str],
        corrections: Mapping[str, str],
        min_length: int,
        min_score: float,
    ) -> None:
        self.vocabulary = sorted({w for w in vocabulary if len(w) >= min_length})
        self.exact = set(vocabulary) | set(known_words)
        self.corrections = dict(corrections)
        self.min_length = min_length
        self.min_score = min_score
        self._cache: dict[str, str] = {}

    def norm(self, word: str) -> str:
        if word in self.corrections:
            return self.corrections[word]
        if word in self.exact or len(word) < self.min_length or not word.isalpha():
            return word
        if word not in self._cache:
            best = process.extractOne(
                word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=self.min_score
            )
            self._cache[word] = best[0] if best else word
        return self._cache[word]

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.norm_ = self.norm(token.lower_)
        return doc


def build_pipeline(spelling: SpellingRepair, starters: Iterable[str] = ()) -> Language:
    nlp = spacy.blank("da")
    infixes = list(nlp.Defaults.infixes) + list(EXTRA_INFIXES)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    opening = frozenset(starters)

    def run(doc: Doc) -> Doc:
        return spelling(_mark_sentences(doc, opening))

    nlp.add_pipe(_register(run))
    return nlp


_COUNTER = iter(range(1_000_000))


def _register(function) -> str:
    """Register one pipeline's own component under a fresh name (spaCy needs a name)."""
    name = f"nervetjek_freetext_{next(_COUNTER)}"
    Language.component(name, func=function)
    return name
