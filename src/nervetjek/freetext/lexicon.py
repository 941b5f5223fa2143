"""The lexicon (lexicon.yaml) compiled to spaCy Matchers: facts, regions, sides, symptom words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nervetjek.datafiles import package_yaml
from nervetjek.freetext.patterns import compile_patterns, pattern_words

PACKAGE = "nervetjek.freetext"


@dataclass(frozen=True)
class Entry:
    """One pattern string of the lexicon and what it states."""

    key: str
    value: Any
    pattern: str
    words: frozenset[str]  # the literal words it names (its own negation words included)
    past_only: bool = False  # states the fact only when put in the past


@dataclass(frozen=True)
class Match:
    entry: Entry
    start: int  # token index
    end: int


def lexicon_data() -> dict[str, Any]:
    return package_yaml(PACKAGE, "lexicon.yaml")


def _entries(data: dict[str, Any]) -> list[Entry]:
    entries = []
    for key, values in data["facts"].items():
        for value, patterns in (values or {}).items():
            entries += [Entry(key, value, p, frozenset(pattern_words(p))) for p in patterns]
    for key, patterns in data.get("past_mentions", {}).items():
        entries += [Entry(key, True, p, frozenset(pattern_words(p)), True) for p in patterns]
    for key, patterns in data["numbers"].items():
        entries += [Entry(key, None, p, frozenset(pattern_words(p))) for p in patterns]
    return entries


class EntryMatcher:
    """A spaCy Matcher whose every match names the lexicon entry it came from."""

    def __init__(self, vocab: Vocab, entries: list[Entry]) -> None:
        self.entries = entries
        self.matcher = Matcher(vocab)
        for i, entry in enumerate(entries):
            self.matcher.add(str(i), compile_patterns(entry.pattern))

    def __call__(self, doc: Doc) -> list[Match]:
        found = set()
        for match_id, start, end in self.matcher(doc):
            found.add((int(doc.vocab.strings[match_id]), start, end))
        return [Match(self.entries[i], start, end) for i, start, end in sorted(found, key=_order)]


def _order(item: tuple[int, int, int]) -> tuple[int, int, int]:
    return item[1], -item[2], item[0]


def fact_entries() -> list[Entry]:
    return _entries(lexicon_data())


def region_entries() -> list[Entry]:
    regions = lexicon_data()["regions"]
    return [
        Entry("locations", region, p, frozenset(pattern_words(p)))
        for region, patterns in regions.items()
        for p in patterns
    ]


def side_entries() -> list[Entry]:
    return [
        Entry("side", side, p, frozenset(pattern_words(p)))
        for side, p in lexicon_data()["sides"].items()
    ]


def vocabulary() -> set[str]:
    """Every word the lexicon and the context triggers name (spelling repair aims at these)."""
    words: set[str] = set()
    for entry in fact_entries() + region_entries() + side_entries():
        words |= entry.words
    words |= pattern_words(lexicon_data()["symptom_words"])
    return {w for w in words if w}
