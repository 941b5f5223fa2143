"""A small ConText (Harkema et al. 2009) for Danish, driven by context.yaml.

medspaCy's ConText would pull in a large dependency tree for one algorithm; negspacy
covers negation only.  The algorithm is short: find trigger words, give each a scope
(forward, backward or both; ended by a termination word, a new clause after a comma, the
sentence end or the window), and a mention inside a trigger's scope takes its kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc

from nervetjek.datafiles import package_yaml
from nervetjek.freetext.lexicon import PACKAGE, Entry, EntryMatcher
from nervetjek.freetext.patterns import compile_patterns, pattern_words

KINDS = ("negated", "uncertain", "historical", "other_person", "hypothetical", "question")


@dataclass(frozen=True)
class Trigger:
    kind: str
    direction: str
    window: int
    start: int
    end: int
    text: str
    words: frozenset[str]
    stop: frozenset[str]


@dataclass(frozen=True)
class Modifier:
    """A trigger that applies to one mention."""

    kind: str
    text: str
    inside: bool = False  # the trigger is among the mention's own words


def context_data() -> dict[str, Any]:
    return package_yaml(PACKAGE, "context.yaml")


def trigger_vocabulary() -> set[str]:
    data = context_data()
    words = set()
    for trigger in data["triggers"]:
        words |= pattern_words(trigger["pattern"])
    for termination in data["terminations"]:
        words |= pattern_words(termination)
    return {w for w in words if w and w != "?"}


class ContextReader:
    """Finds the triggers of one document and tells which apply to a mention."""

    def __init__(self, vocab) -> None:
        data = context_data()
        self.default_window = int(data["default_window"])
        self.specs = data["triggers"]
        entries = [
            Entry(spec["kind"], i, spec["pattern"], frozenset(pattern_words(spec["pattern"])))
            for i, spec in enumerate(self.specs)
        ]
        self.triggers = EntryMatcher(vocab, entries)
        self.terminations = Matcher(vocab)
        for i, pattern in enumerate(data["terminations"]):
            self.terminations.add(f"end{i}", compile_patterns(pattern))
        self.clause_words = frozenset(data["clause_after_comma"].split("|"))

    def read(self, doc: Doc, own: Iterable[tuple[int, int, frozenset[str]]]) -> DocContext:
        """The document's triggers.  A trigger inside a lexicon mention whose pattern names
        the trigger's words ("kan ikke mærke", "hvis jeg går") is part of that mention's
        meaning, not a trigger."""
        own = list(own)
        triggers = []
        for match in self.triggers(doc):
            norms = frozenset(t.norm_ for t in doc[match.start : match.end])
            if any(
                start <= match.start and match.end <= end and norms <= words
                for start, end, words in own
            ):
                continue
            spec = self.specs[match.entry.value]
            triggers.append(
                Trigger(
                    kind=spec["kind"],
                    direction=spec["direction"],
                    window=int(spec.get("window", self.default_window)),
                    start=match.start,
                    end=match.end,
                    text=doc[match.start : match.end].text,
                    words=norms,
                    stop=frozenset(spec.get("stop", "").split("|")) - {""},
                )
            )
        breaks = {start for _, start, _ in self.terminations(doc)}
        for token in doc[:-1]:
            if token.text == "," and doc[token.i + 1].norm_ in self.clause_words:
                breaks.add(token.i)
        return DocContext(doc, _dedupe(triggers), frozenset(breaks))


def _dedupe(triggers: list[Trigger]) -> list[Trigger]:
    """Of triggers of one kind that overlap, keep the longest ("ikke længere" over "ikke")."""
    kept: list[Trigger] = []
    for trigger in sorted(triggers, key=lambda t: (t.start - t.end, t.start)):
        if not any(
            k.kind == trigger.kind
            and k.direction == trigger.direction
            and k.start <= trigger.start
            and trigger.end <= k.end
            for k in kept
        ):
            kept.append(trigger)
    return sorted(kept, key=lambda t: t.start)


class DocContext:
    def __init__(self, doc: Doc, triggers: list[Trigger], breaks: frozenset[int]) -> None:
        self.doc = doc
        self.triggers = triggers
        self.breaks = breaks

    def modifiers(
        self, start: int, end: int, own_words: frozenset[str] = frozenset()
    ) -> list[Modifier]:
        """The triggers whose scope covers the mention doc[start:end].  A trigger inside
        the mention counts unless the mention's own pattern names its words."""
        sentence = self.doc[start].sent
        found = []
        for trigger in self.triggers:
            if trigger.start < sentence.start or trigger.end > sentence.end:
                continue
            if start <= trigger.start and trigger.end <= end:
                if not trigger.words <= own_words:
                    found.append(Modifier(trigger.kind, trigger.text, inside=True))
            elif self._reaches(trigger, start, end):
                found.append(Modifier(trigger.kind, trigger.text))
        return found

    def _reaches(self, trigger: Trigger, start: int, end: int) -> bool:
        if trigger.start < end and start < trigger.end:
            return True  # overlapping: "ikke noget med blæren", "for 5 år siden"
        if trigger.direction in ("forward", "both") and trigger.end <= start:
            return self._open(trigger, trigger.end, start)
        if trigger.direction in ("backward", "both") and trigger.start >= end:
            return self._open(trigger, end, trigger.start)
        return False

    def _open(self, trigger: Trigger, first: int, last: int) -> bool:
        """True when nothing between doc[first] and doc[last] ends the trigger's scope."""
        if last - first > trigger.window:
            return False
        between = range(first, last)
        if any(i in self.breaks for i in between):
            return False
        return not any(self.doc[i].norm_ in trigger.stop for i in between)
