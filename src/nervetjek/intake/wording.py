"""Answers in the person's own terms: durations in the largest fitting unit, body-map
regions grouped by side.  Used for every "because you answered" statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

# Days per unit for "how long": a month is 30 days and a year 365, which is exact
# enough for every duration rule in the triage policy (28 and 42 days).
DURATION_UNITS: dict[str, int] = {"days": 1, "weeks": 7, "months": 30, "years": 365}

_UNIT_WORDS = {
    "da": {
        "days": ("dag", "dage"),
        "weeks": ("uge", "uger"),
        "months": ("måned", "måneder"),
        "years": ("år", "år"),
    },
    "en": {
        "days": ("day", "days"),
        "weeks": ("week", "weeks"),
        "months": ("month", "months"),
        "years": ("year", "years"),
    },
}
YES_NO = {"da": ("Ja", "Nej"), "en": ("Yes", "No")}
_ABOUT = {"da": "cirka", "en": "about"}
_AND = {"da": "og", "en": "and"}
_SIDE_LEG = {
    "da": {"left": "venstre ben", "right": "højre ben"},
    "en": {"left": "the left leg", "right": "the right leg"},
}


def duration_parts(days: int) -> tuple[int, str]:
    """A number of days in the largest unit that fits exactly (14 -> 2 weeks)."""
    for unit in ("years", "months", "weeks"):
        size = DURATION_UNITS[unit]
        if days >= size and days % size == 0:
            return days // size, unit
    return days, "days"


def unit_word(number: int, unit: str, lang: str) -> str:
    one, many = _UNIT_WORDS[lang][unit]
    return one if number == 1 else many


def duration_text(days: int, lang: str) -> str:
    """14 -> "2 uger", 365 -> "1 år", 400 -> "cirka 1 år" (never "400 dage")."""
    number, unit = duration_parts(days)
    if unit == "days" and days >= DURATION_UNITS["weeks"]:
        # Not a whole number of any larger unit: round to the largest that fits.
        unit = next(u for u in ("years", "months", "weeks") if days >= DURATION_UNITS[u])
        number = round(days / DURATION_UNITS[unit])
        return f"{_ABOUT[lang]} {number} {unit_word(number, unit, lang)}"
    return f"{number} {unit_word(number, unit, lang)}"


def join_words(words: list[str], lang: str) -> str:
    """ "a, b og c" in Danish, "a, b and c" in English."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {_AND[lang]} {words[-1]}"


def regions_text(codes: Iterable[str], base_labels: Mapping[str, Callable], lang: str) -> str:
    """["lower_back", "right.calf", "right.toes"] -> "lænden, højre ben (læg og tæer)"."""
    unsided: list[str] = []
    sided: dict[str, list[str]] = {}
    for code in codes:
        side, _, name = code.rpartition(".")
        label = base_labels[name](lang).lower()
        if side:
            sided.setdefault(side, []).append(label)
        else:
            unsided.append(label)
    parts = unsided + [
        f"{_SIDE_LEG[lang][side]} ({join_words(labels, lang)})"
        for side, labels in sorted(sided.items(), key=lambda pair: pair[0] != "right")
    ]
    return ", ".join(parts)
