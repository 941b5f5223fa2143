"""Danish text -> intake-v1 facts, each with the words it came from and the cue that decided it.

Steps: tokens (language.py) -> lexicon mentions (lexicon.py) -> context of each mention
(context.py) -> numbers and time (quantities.py) -> body regions and sides -> one value
per key, by the safety rules:

* a warning sign stated as present is never dropped: any present mention makes it true
  (a "yes" the person confirms), whatever else the text says;
* a warning sign read as absent is returned as false but listed in `to_confirm`: the
  flow must let the person confirm it before its question is skipped;
* uncertain, hypothetical, questioned, past and other people's mentions give no fact
  (past mentions do for facts about the past; relatives' for family history).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from nervetjek.freetext.context import (
    ContextReader,
    DocContext,
    Modifier,
    context_data,
    trigger_vocabulary,
)
from nervetjek.freetext.language import SpellingRepair, build_pipeline
from nervetjek.freetext.lexicon import (
    Entry,
    EntryMatcher,
    Match,
    fact_entries,
    lexicon_data,
    region_entries,
    side_entries,
    vocabulary,
)
from nervetjek.freetext.patterns import compile_patterns
from nervetjek.freetext.quantities import (
    Duration,
    DurationFinder,
    is_score,
    number_of,
    numbers_data,
    register_number_attribute,
)
from nervetjek.intake import load_item_bank

BLOCKING = {"uncertain", "hypothetical", "question"}
NUMBER_LIMITS = {"age": (0, 120), "pain_intensity": (0, 10)}


@dataclass(frozen=True)
class Span:
    """Where a fact was read: the words, their character offsets, and the deciding cue."""

    key: str
    value: Any
    text: str
    start: int
    end: int
    cue: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "cue": self.cue,
        }


@dataclass(frozen=True)
class Reading:
    text: str
    facts: dict[str, Any]
    spans: tuple[Span, ...]
    to_confirm: frozenset[str]  # warning signs read from the text: the person confirms them
    unused: tuple[Span, ...] = field(default=())  # mentions that gave no fact, and why


@dataclass(frozen=True)
class Outcome:
    key: str
    value: Any  # None: no fact (blocked)
    start: int
    end: int
    cue: str


def warning_keys() -> frozenset[str]:
    bank = load_item_bank()
    return frozenset(k for k, item in bank.items.items() if item.section == "red_flags")


class Reader:
    """Builds the pipeline and matchers once; `read(text)` is then cheap."""

    def __init__(self) -> None:
        data = lexicon_data()
        register_number_attribute()
        numbers = numbers_data()
        known = vocabulary() | trigger_vocabulary() | set(numbers["words"]) | set(numbers["units"])
        spelling = SpellingRepair(known, (), data["corrections"], min_length=5, min_score=88)
        starters = context_data()["sentence_starters"].split("|")
        self.nlp: Language = build_pipeline(spelling, starters)
        self.facts = EntryMatcher(self.nlp.vocab, fact_entries())
        self.regions = EntryMatcher(self.nlp.vocab, region_entries())
        self.sides = EntryMatcher(self.nlp.vocab, side_entries())
        self.context = ContextReader(self.nlp.vocab)
        self.durations = DurationFinder(self.nlp.vocab)
        self.history_keys = frozenset(data["history_keys"])
        self.family_keys = frozenset(data["family_keys"])
        self.own_time_keys = frozenset(data["own_time_keys"]) | self.history_keys
        self.negated_choice = data["negated_choice"]
        self.subsumes = {k: set(v) for k, v in data["subsumes"].items()}
        self.derived = data["derived"]
        self.symptom_words = compile_patterns(data["symptom_words"])
        self.measure_words = set(numbers["measure_words"])
        self.warning = warning_keys()
        self.regions_not_from = frozenset(data["regions_not_from"])
        self.recent_limits = data["recent_limits_days"]
        self.negation_needs = {k: set(v.split("|")) for k, v in data["negation_needs"].items()}
        self.age_alone = Matcher(self.nlp.vocab)
        self.age_alone.add("age", compile_patterns(numbers["age_alone"]))
        self.age_alone_min = numbers["age_alone_min"]

    def read(self, text: str) -> Reading:
        doc = self.nlp(text)
        matches = self._fact_matches(doc) + self._age_alone(doc)
        regions = _longest(self.regions(doc))
        context = self.context.read(
            doc, ((m.start, m.end, m.entry.words) for m in matches + regions)
        )
        durations = self.durations.find(doc)
        outcomes = [self._recent(doc, self._outcome(doc, context, m), durations) for m in matches]
        outcomes += self._duration(doc, context, outcomes, durations)
        facts, used = self._decide([o for o in outcomes if o.value is not None])
        locations, region_spans = self._locations(doc, context, outcomes, regions)
        if locations:
            facts["locations"] = locations
        self._derive(facts)
        spans = [_span(doc, o) for o in used] + region_spans
        unused = [_span(doc, o) for o in outcomes if o.value is None]
        return Reading(
            text=text,
            facts=facts,
            spans=tuple(sorted(spans, key=lambda s: (s.start, s.key))),
            to_confirm=frozenset(k for k in facts if k in self.warning),
            unused=tuple(unused),
        )

    # -- mentions -------------------------------------------------------------------
    def _fact_matches(self, doc: Doc) -> list[Match]:
        """Lexicon matches; of overlapping matches of one key the longest is kept, and a
        specific key's match replaces a general key's match inside it."""
        matches = self.facts(doc)
        kept: list[Match] = []
        for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
            if any(_covers(k, match) and _same_or_general(k, match, self.subsumes) for k in kept):
                continue
            kept.append(match)
        return sorted(kept, key=lambda m: (m.start, m.end))

    def _age_alone(self, doc: Doc) -> list[Match]:
        """ "72 år." as a sentence of its own is the person's age."""
        entry = Entry("age", None, "# år", frozenset({"år"}))
        found = []
        for _, start, end in self.age_alone(doc):
            rest = [t for t in doc[end : doc[start].sent.end] if not t.is_punct]
            number = number_of(doc[start])
            if doc[start].is_sent_start and not rest and number and number >= self.age_alone_min:
                found.append(Match(entry, start, end))
        return found

    def _outcome(self, doc: Doc, context: DocContext, match: Match) -> Outcome:
        entry = match.entry
        modifiers = context.modifiers(match.start, match.end, entry.words)
        if entry.value is False:
            # An explicit "no" pattern ("stofskiftet er normalt") is not turned into a yes
            # by a negation outside its own words.
            modifiers = [m for m in modifiers if m.kind != "negated" or m.inside]
        value = entry.value if entry.value is not None else self._number(doc, match)
        status = self._status(entry, modifiers)
        if value is None or status is None:
            return Outcome(entry.key, None, match.start, match.end, _cue(modifiers, "no number"))
        if status == "negated":
            if not self._negation_holds(doc, match):
                return Outcome(entry.key, None, match.start, match.end, "negates a part only")
            value = self._negate(entry.key, value)
            return Outcome(entry.key, value, match.start, match.end, status_cue(modifiers))
        return Outcome(entry.key, value, match.start, match.end, entry.pattern)

    def _recent(self, doc: Doc, outcome: Outcome, durations: list[Duration]) -> Outcome:
        """A "recent" fact with a longer time than its limit in the same sentence is too old."""
        limit = self.recent_limits.get(outcome.key)
        if limit is None or outcome.value is not True:
            return outcome
        sentence = doc[outcome.start].sent
        if any(d.days > limit for d in durations if sentence.start <= d.start < sentence.end):
            return Outcome(outcome.key, None, outcome.start, outcome.end, "too long ago")
        return outcome

    def _status(self, entry: Entry, modifiers: list[Modifier]) -> str | None:
        """ "stated" or "negated", or None when the mention states no fact."""
        kinds = {m.kind for m in modifiers}
        if entry.value is None:  # a number: "ingen feber, 8/10" does not negate the score
            kinds.discard("negated")
        if kinds & BLOCKING:
            return None
        if ("other_person" in kinds) != (entry.key in self.family_keys):
            return None
        past = "historical" in kinds
        if past and not (entry.key in self.history_keys or entry.past_only):
            return None
        if entry.past_only and not past:
            return None
        return "negated" if "negated" in kinds else "stated"

    def _negation_holds(self, doc: Doc, match: Match) -> bool:
        needs = self.negation_needs.get(match.entry.key)
        return needs is None or any(t.norm_ in needs for t in doc[match.start : match.end])

    def _negate(self, key: str, value: Any) -> Any:
        if isinstance(value, bool):
            return not value
        return self.negated_choice.get(key, {}).get(value)

    def _number(self, doc: Doc, match: Match) -> int | None:
        """The number an age or pain mention names, if it is in range and measures nothing else."""
        tokens = [t for t in doc[match.start : match.end] if t._.ft_number or is_score(t)]
        if not tokens:
            return None
        token = tokens[0]
        after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
        if after in self.measure_words and not (match.entry.key == "age" and after == "år"):
            return None
        value = number_of(token)
        low, high = NUMBER_LIMITS[match.entry.key]
        if value is None or not low <= value <= high or value != int(value):
            return None
        return int(value)

    # -- time -----------------------------------------------------------------------
    def _duration(
        self, doc: Doc, context: DocContext, outcomes: list[Outcome], durations: list[Duration]
    ) -> list[Outcome]:
        """How long the trouble has lasted: the first "so far" duration ("i 3 uger"), else the
        first "since" ("for 4 dage siden"); durations of other things ("influenza for 2
        uger siden", "sår i 3 uger") and of ages are left out."""
        facts = [o for o in outcomes if o.value is not None]
        ages = [o for o in facts if o.key == "age"]
        candidates = []
        for duration in durations:
            if any(a.start <= duration.start < a.end for a in ages):
                continue
            kinds = {m.kind for m in context.modifiers(duration.start, duration.end)}
            if kinds & (BLOCKING | {"other_person"}):
                continue
            onset = self.durations.tied_to_onset(doc, duration)
            if "historical" in kinds and not onset:  # "havde helvedesild for 5 år siden"
                continue
            if not onset and self._nearest_key(doc, duration, facts) in self.own_time_keys:
                continue
            candidates.append(duration)
        if not candidates:
            return []
        best = min(candidates, key=lambda d: (not d.ongoing, d.start))
        return [Outcome("duration_days", best.days, best.start, best.end, "time")]

    @staticmethod
    def _nearest_key(doc: Doc, duration: Duration, facts: list[Outcome]) -> str | None:
        sentence = doc[duration.start].sent
        near = [
            (min(abs(o.start - duration.end), abs(duration.start - o.end)), o.key)
            for o in facts
            if sentence.start <= o.start < sentence.end and o.key != "age"
        ]
        return min(near)[1] if near else None

    # -- decisions ------------------------------------------------------------------
    def _decide(self, outcomes: list[Outcome]) -> tuple[dict[str, Any], list[Outcome]]:
        by_key: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_key[outcome.key].append(outcome)
        facts: dict[str, Any] = {}
        used: list[Outcome] = []
        for key, found in by_key.items():
            values = {_hashable(o.value) for o in found}
            if key in self.warning and True in values:
                facts[key] = True
                used += [o for o in found if o.value is True]
            elif len(values) == 1:
                facts[key] = found[0].value
                used += found
            elif key in ("age", "duration_days", "pain_intensity"):
                facts[key] = found[0].value
                used.append(found[0])
        return facts, used

    def _derive(self, facts: dict[str, Any]) -> None:
        for rule in self.derived:
            if all(facts.get(k) == v for k, v in rule["when"].items()):
                for key, value in rule["then"].items():
                    facts.setdefault(key, value)

    # -- where ----------------------------------------------------------------------
    def _locations(
        self, doc: Doc, context: DocContext, outcomes: list[Outcome], regions: list[Match]
    ) -> tuple[list[str], list[Span]]:
        sides = self.sides(doc)
        blocked = [
            o
            for o in outcomes
            if o.value is None or o.value is False or o.key in self.regions_not_from
        ]
        anchored = self._anchored_sentences(doc, outcomes)
        found: dict[str, Span] = {}
        for match in regions:
            if doc[match.start].sent.start not in anchored:
                continue
            if any(o.start <= match.start and match.end <= o.end for o in blocked):
                continue
            kinds = {m.kind for m in context.modifiers(match.start, match.end, match.entry.words)}
            if kinds:
                continue
            for region in self._sided(doc, match, sides):
                found.setdefault(
                    region,
                    _span(doc, Outcome("locations", region, match.start, match.end, "region")),
                )
        order = load_item_bank().regions
        regions = sorted(found, key=order.index)
        return regions, [found[r] for r in regions]

    def _sided(self, doc: Doc, match: Match, sides: list[Match]) -> list[str]:
        """The side named last before the region (or in it); else one right after it
        ("mellem 3. og 4. tå på højre fod")."""
        region = match.entry.value
        if "." not in _contract_region(region):
            return [region]
        before = [s for s in sides if s.start < match.end]
        after = [s for s in sides if match.end + 1 <= s.start <= match.end + 2]
        if after and (match.end >= len(doc) or doc[match.end].norm_ not in ("på", "i")):
            after = []
        if not before and not after:
            return []
        side = before[-1].entry.value if before else after[0].entry.value
        chosen = ["left", "right"] if side == "both" else [side]
        return [f"{s}.{region}" for s in chosen]

    def _anchored_sentences(self, doc: Doc, outcomes: list[Outcome]) -> set[int]:
        """Sentences about the trouble: a symptom word, or a present fact that is not history."""
        anchored = {
            doc[o.start].sent.start
            for o in outcomes
            if o.value not in (None, False) and o.key not in self.own_time_keys
        }
        matcher = Matcher(doc.vocab)
        matcher.add("symptom", self.symptom_words)
        anchored |= {doc[start].sent.start for _, start, _ in matcher(doc)}
        return anchored


def _contract_region(region: str) -> str:
    return region if region == "lower_back" else f"left.{region}"


def _covers(outer: Match, inner: Match) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _same_or_general(outer: Match, inner: Match, subsumes: dict[str, set[str]]) -> bool:
    return outer.entry.key == inner.entry.key or inner.entry.key in subsumes.get(
        outer.entry.key, ()
    )


def _longest(matches: list[Match]) -> list[Match]:
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
        if not any(k.start < match.end and match.start < k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _cue(modifiers: list[Modifier], fallback: str) -> str:
    return ", ".join(f"{m.kind}: {m.text}" for m in modifiers) or fallback


def status_cue(modifiers: list[Modifier]) -> str:
    return next((m.text for m in modifiers if m.kind == "negated"), "negated")


def _span(doc: Doc, outcome: Outcome) -> Span:
    span = doc[outcome.start : outcome.end]
    return Span(outcome.key, outcome.value, span.text, span.start_char, span.end_char, outcome.cue)


@cache
def reader() -> Reader:
    return Reader()


def read(text: str) -> Reading:
    """Read one Danish text.  The pipeline is built once per process."""
    return reader().read(text)


@dataclass(frozen=True)
class Segment:
    """A piece of the person's text and the facts read from it (none: plain text)."""

    text: str
    facts: tuple[tuple[str, Any], ...]  # (key, value) pairs


def marked(text: str) -> list[Segment]:
    """The text cut into plain and understood pieces, for showing it with marks."""
    if not text:
        return []
    spans = sorted(read(text).spans, key=lambda s: (s.start, -s.end))
    # Overlapping spans (a region inside a symptom's words) join into one mark.
    joined: list[tuple[int, int, list[tuple[str, Any]]]] = []
    for span in spans:
        fact = (span.key, span.value)
        if joined and span.start < joined[-1][1]:
            start, end, facts = joined[-1]
            joined[-1] = (start, max(end, span.end), [*facts, fact])
        else:
            joined.append((span.start, span.end, [fact]))
    segments: list[Segment] = []
    place = 0
    for start, end, facts in joined:
        if start > place:
            segments.append(Segment(text[place:start], ()))
        unique = tuple({(key, repr(value)): (key, value) for key, value in facts}.values())
        segments.append(Segment(text[start:end], unique))
        place = end
    if place < len(text):
        segments.append(Segment(text[place:], ()))
    return segments
