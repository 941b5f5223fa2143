"""LIX readability (Björnsson 1968), the Scandinavian standard.

LIX = words / sentences + 100 * long words / words, where a long word has more than six
letters.  Under 40 is easy (children's and popular texts), 40-50 medium (newspapers).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖöÄä]+(?:[-'][A-Za-zÆØÅæøåÉéÜüÖöÄä]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)|\n\s*\n")
LONG_WORD = 6


def lix(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([m for m in _SENTENCE_END.finditer(text.strip() + " ")]))
    long_words = sum(1 for word in words if len(word.replace("-", "")) > LONG_WORD)
    return len(words) / sentences + 100.0 * long_words / len(words)
