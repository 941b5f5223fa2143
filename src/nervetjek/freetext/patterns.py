"""The small pattern language of the lexicon and trigger files, compiled to spaCy Matcher patterns.

A pattern is words separated by spaces; every word is matched against a token's `norm_`
(its lower-case form, or the lexicon word a misspelling was corrected to):

    word        exactly this word
    word*       any word starting with `word` (brænd* = brænder, brændende, brændt)
    *word*      any word containing `word` (*rygsmert* = graviditetsrygsmerter)
    a|b*|c      any of the alternatives
    word?       the word may be missing
    ...         up to three words inside the clause (not across . ! ? ; or "men")
    ....        up to eight words inside the clause
    _           one word of anything, or none
    #           a number (3, 7/10, 9'er, tre: see quantities.py)
    #score      a pain score by its form (7/10, 9'er)
    x / y z     whole alternatives: "x", or "y z"

A hyphenated word ("b12-mangel") is matched as the tokenizer splits it (b12, -, mangel).
"""

from __future__ import annotations

import re
from typing import Any

SENTENCE_ENDS = [".", "!", "?", ";"]
# A gap stays inside one clause: it does not cross a sentence end or "men" (but).
CLAUSE_ENDS = {"NORM": {"NOT_IN": [*SENTENCE_ENDS, "men"]}}
GAP = {**CLAUSE_ENDS, "OP": "{0,3}"}
LONG_GAP = {**CLAUSE_ENDS, "OP": "{0,8}"}
SPECIAL = ("...", "....", "_", "#", "#score")
ANY_ONE = {**CLAUSE_ENDS, "OP": "?"}


def _regex(option: str) -> str:
    """`ord*` -> words starting with "ord"; `*ord*` -> words containing it; else the word."""
    body = re.escape(option.strip("*"))
    start = ".*" if option.startswith("*") else ""
    end = "" if option.endswith("*") else "$"
    return start + body + end


def _alternative(word: str) -> dict[str, Any]:
    options = word.split("|")
    if not any("*" in o for o in options):
        return {"NORM": {"IN": options}} if len(options) > 1 else {"NORM": options[0]}
    return {"NORM": {"REGEX": "^(?:" + "|".join(_regex(o) for o in options) + ")"}}


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
        elif word == "#score":
            tokens.append({"_": {"ft_score": True}})
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
                if option not in SPECIAL and option != "-" and "*" not in option:
                    words.add(option)
    return words
