"""The small pattern language of the lexicon and trigger files, compiled to spaCy Matcher patterns.

A pattern is words separated by spaces; every word is matched against a token's `norm_`
(its lower-case form, or the lexicon word a misspelling was corrected to):

    word        exactly this word
    word*       any word starting with `word` (brænd* = brænder, brændende, brændt)
    a|b*|c      any of the alternatives
    word?       the word may be missing
    ...         up to three words of anything inside the sentence
    ....        up to seven words of anything inside the sentence
    _           one word of anything, or none
    #           a number (3, 7/10, 9'er, tre: see quantities.py)
    x / y z     whole alternatives: "x", or "y z"

A hyphenated word ("b12-mangel") is matched as the tokenizer splits it (b12, -, mangel).
"""

from __future__ import annotations

import re
from typing import Any

SENTENCE_ENDS = [".", "!", "?", ";"]
GAP = {"TEXT": {"NOT_IN": SENTENCE_ENDS}, "OP": "{0,3}"}
LONG_GAP = {"TEXT": {"NOT_IN": SENTENCE_ENDS}, "OP": "{0,7}"}
SPECIAL = ("...", "....", "_", "#")
ANY_ONE = {"TEXT": {"NOT_IN": SENTENCE_ENDS}, "OP": "?"}


def _alternative(word: str) -> dict[str, Any]:
    options = word.split("|")
    exact = [o for o in options if not o.endswith("*")]
    prefixes = [o[:-1] for o in options if o.endswith("*")]
    if not prefixes:
        return {"NORM": {"IN": exact}} if len(exact) > 1 else {"NORM": exact[0]}
    parts = [re.escape(o) + "$" for o in exact] + [re.escape(p) for p in prefixes]
    return {"NORM": {"REGEX": "^(?:" + "|".join(parts) + ")"}}


def alternatives(text: str) -> list[str]:
    """The whole alternatives of a pattern string ("x / y z" -> ["x", "y z"])."""
    return [part.strip() for part in text.split(" / ") if part.strip()]


def _words(text: str) -> list[str]:
    words = []
    for word in text.lower().split():
        if "-" in word.strip("-") and word not in SPECIAL:
            parts = word.split("-")
            for i, part in enumerate(parts):
                words.extend(["-", part] if i else [part])
        else:
            words.append(word)
    return words


def compile_patterns(text: str) -> list[list[dict[str, Any]]]:
    """The Matcher token patterns for one lexicon pattern string."""
    return [compile_pattern(part) for part in alternatives(text)]


def compile_pattern(text: str) -> list[dict[str, Any]]:
    """One Matcher token pattern for one pattern without whole alternatives."""
    tokens: list[dict[str, Any]] = []
    for word in _words(text):
        if word == "...":
            tokens.append(dict(GAP))
        elif word == "....":
            tokens.append(dict(LONG_GAP))
        elif word == "_":
            tokens.append(dict(ANY_ONE))
        elif word == "#":
            tokens.append({"_": {"ft_number": True}})
        elif word.endswith("?") and len(word) > 1:
            tokens.append({**_alternative(word[:-1]), "OP": "?"})
        else:
            tokens.append(_alternative(word))
    if not tokens or "OP" in tokens[0]:
        raise ValueError(f"pattern {text!r} must start with a word")
    return tokens


def pattern_words(text: str) -> set[str]:
    """The plain words a pattern names (the vocabulary misspellings are corrected to)."""
    words = set()
    for part in alternatives(text):
        for word in _words(part):
            for option in word.rstrip("?").split("|"):
                if option not in SPECIAL and option != "-" and not option.endswith("*"):
                    words.add(option)
    return words
