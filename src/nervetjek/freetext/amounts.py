"""An amount typed in a form's number box: "45 år", "45-årig", "3 uger", "2 mdr.", "½ år".

A box holds a number and at most a few words, so this reads them without spaCy (which is
slow to load), against the same number words and time units (numbers.yaml) as the
free-text reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nervetjek.bounds import MAX_DIGITS
from nervetjek.datafiles import package_yaml

PACKAGE = "nervetjek.freetext"

# Numbers, "½", words (with a dot that may end an abbreviation: "mdr.") and any other sign
# on its own, so that nothing typed is skipped unseen.
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)?|½|[^\W\d_]+\.?|\S")
# ASCII digits only, and few enough that float() stays exact and finite.
_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}(?:[.,][0-9]{{1,6}})?")
# "45-årig": the hyphen joins a number to its word; a leading "-5" stays a sign of its own.
_JOINING_HYPHEN = re.compile(r"(?<=[0-9½])-(?=[^\W\d_])")
# "et halvt år", "en uge": the article in front of a number word is not a second number.
_ARTICLES = ("en", "et")


def numbers_data() -> dict[str, Any]:
    return package_yaml(PACKAGE, "numbers.yaml")


@dataclass(frozen=True)
class TypedAmount:
    """A number and the words typed after it (lower case, without a final dot)."""

    amount: float
    words: tuple[str, ...]


def read_amount(text: str) -> TypedAmount | None:
    """The amount a person typed, or None when the text does not start with one.

    "45 år gammel" -> 45 ("år", "gammel"); "et halvt år" -> 0.5 ("år",);
    "1½ år" -> 1.5 ("år",); "2 mdr." -> 2 ("mdr",); "tre" -> 3 (); "ca 3" -> None.
    """
    tokens = _TOKEN.findall(_JOINING_HYPHEN.sub(" ", text.casefold()))
    if tokens and tokens[-1] == ".":
        tokens.pop()  # "45 år." ends a sentence
    data = numbers_data()
    words, half = data["words"], set(data["half"])
    if len(tokens) > 1 and tokens[0] in _ARTICLES and (tokens[1] in half or tokens[1] in words):
        tokens = tokens[1:]
    if not tokens:
        return None
    first, rest = tokens[0], tokens[1:]
    if first in half:
        amount = 0.5
    elif first in words:
        amount = float(words[first])
    elif _NUMBER.fullmatch(first):
        amount = float(first.replace(",", "."))
        if rest and rest[0] == "½" and amount.is_integer():
            amount, rest = amount + 0.5, rest[1:]
    else:
        return None
    return TypedAmount(amount, tuple(word.removesuffix(".") for word in rest))


def days_per_unit(word: str) -> int | None:
    """Days in one of a time unit written in Danish ("uger" -> 7, "mdr" -> 30), else None.

    Hours and minutes count 0 days here, as they do in the free text.
    """
    units = numbers_data()["units"]
    for spelling in (word, word + "."):
        if spelling in units:
            return int(units[spelling])
    return None


def age_words() -> frozenset[str]:
    """Words a person may write after their age: "45 år gammel"."""
    return frozenset(numbers_data()["age_words"])
