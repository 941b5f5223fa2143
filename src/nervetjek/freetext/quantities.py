"""Numbers and time in Danish: "7 ud af 10", "en 9'er", "i 3 uger", "et halvt år", "siden i går".

The words and units are data (numbers.yaml); this module reads a number off a token and
finds how long the trouble has lasted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from nervetjek.freetext.amounts import numbers_data
from nervetjek.freetext.patterns import compile_patterns

SCORE = re.compile(r"^(\d{1,2})(?:/10|'er|’er|er)$")
DIGITS = re.compile(r"^\d{1,3}(?:[.,]5)?\.?$")


def number_of(token: Token) -> float | None:
    """The number a token writes: 3, "3,5", "7/10", "9'er", or a number word."""
    text = token.lower_
    if DIGITS.match(text):
        return float(text.rstrip(".").replace(",", "."))
    score = SCORE.match(text)
    if score:
        return float(score.group(1))
    value = numbers_data()["words"].get(token.norm_)
    return float(value) if value is not None else None


def is_score(token: Token) -> bool:
    """ "7/10" and "9'er" are pain scores by their form."""
    return bool(SCORE.match(token.lower_)) and not DIGITS.match(token.lower_)


def register_number_attribute() -> None:
    """Token._.ft_number: a number that is not "en"/"et" (those are mostly articles);
    Token._.ft_score: a pain score by its form."""
    if not Token.has_extension("ft_number"):
        Token.set_extension(
            "ft_number", getter=lambda t: number_of(t) is not None and t.norm_ not in ("en", "et")
        )
    if not Token.has_extension("ft_score"):
        Token.set_extension("ft_score", getter=is_score)


@dataclass(frozen=True)
class Duration:
    days: int
    start: int  # token span
    end: int
    ongoing: bool  # "i 3 uger" (so far), not "for 3 uger siden" (when it began)


class DurationFinder:
    def __init__(self, vocab) -> None:
        data = numbers_data()
        self.units = data["units"]
        self.short_units = set(data["short_units"])
        self.half = set(data["half"])
        self.ongoing_before = set(data["ongoing_before"])
        self.ongoing_after = set(data["ongoing_after"])
        self.not_after = set(data["not_duration_after"])
        self.onset_before = set(data["onset_words_before"])
        self.onset_after = set(data["onset_words_after"])
        self.named = Matcher(vocab)
        self.named_days: list[int] = []
        for i, item in enumerate(data["named_days"]):
            self.named.add(str(i), compile_patterns(item["pattern"]))
            self.named_days.append(int(item["days"]))

    def find(self, doc: Doc) -> list[Duration]:
        found = [d for token in doc if (d := self._counted(doc, token)) is not None]
        for match_id, start, end in self.named(doc):
            days = self.named_days[int(doc.vocab.strings[match_id])]
            found.append(Duration(days, start, end, ongoing=False))
        return sorted(found, key=lambda d: d.start)

    def tied_to_onset(self, doc: Doc, duration: Duration) -> bool:
        """ "har haft det i 4 mdr", "for 4 dage siden begyndte det": the trouble's own time."""
        before = doc[max(duration.start - 3, 0) : duration.start]
        after = doc[duration.end : duration.end + 3]
        return any(t.norm_ in self.onset_before for t in before) or any(
            t.norm_ in self.onset_after for t in after
        )

    def _unit(self, token: Token) -> tuple[str, int] | None:
        unit = token.lower_.rstrip(".") if token.lower_ not in self.units else token.lower_
        if unit in self.units:
            return unit, int(self.units[unit])
        return None

    def _counted(self, doc: Doc, token: Token) -> Duration | None:
        """A number (or "et halvt") followed by a unit: "3 uger", "en måneds tid", "et halvt år"."""
        unit = self._unit(token)
        if unit is None or token.i == 0:
            return None
        name, days_per_unit = unit
        before = doc[token.i - 1]
        start = token.i - 1
        if before.norm_ in self.half:
            amount = 0.5
            start -= 1 if token.i >= 2 and doc[token.i - 2].norm_ in ("et", "en") else 0
        else:
            amount = number_of(before)
            if amount is None:
                return None
        after = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if after is not None and after.norm_ in self.not_after:
            return None
        since = after is not None and after.norm_ == "siden"
        if name in self.short_units and not since:
            return None
        lead = doc[start - 1].norm_ if start > 0 else ""
        ongoing = not since and (
            lead in self.ongoing_before or (after is not None and after.norm_ in self.ongoing_after)
        )
        return Duration(round(amount * days_per_unit), start, token.i + 1, ongoing)
