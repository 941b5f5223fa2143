"""Limits on numbers, ids and dates that come from outside (web, FHIR, command line).

Python's int is unbounded and its float overflows to infinity; SQLite and PostgreSQL
store 64-bit integers; ``date`` stops at year 9999.  Input past any of these must be
refused with a clear message at the edge, never reach a query or arithmetic and end in
a 500 or a traceback.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

# Largest id a database row can have (signed 64-bit).
MAX_ID = 2**63 - 1
# Dates anyone may filter or export by: well before the service existed, well after.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
# Longest run of digits accepted in a number; no answer or id needs more than 19.
MAX_DIGITS = 19
_ASCII_DIGITS = re.compile(r"[0-9]+")


class OutOfBounds(ValueError):
    """The input is well formed but outside what the service accepts."""


def whole_number(text: str, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """ASCII digits only (not '²' or other Unicode digits), within [minimum, maximum]."""
    text = text.strip()
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > MAX_DIGITS:
        raise OutOfBounds(f"{_shorten(text)!r} is not a whole number from {minimum} to {maximum}")
    number = int(text)
    if not minimum <= number <= maximum:
        raise OutOfBounds(f"{number} is outside {minimum} to {maximum}")
    return number


def record_id(text: str) -> int:
    """A row id: 1 to 2**63 - 1."""
    return whole_number(text, 1, MAX_ID)


def bounded_date(text: str) -> date:
    """An ISO date (YYYY-MM-DD) from EARLIEST_DATE to LATEST_DATE."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise OutOfBounds(f"{_shorten(text)!r} is not a date (YYYY-MM-DD)") from exc
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise OutOfBounds(
            f"{value.isoformat()} is outside {EARLIEST_DATE.isoformat()} to "
            f"{LATEST_DATE.isoformat()}"
        )
    return value


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise OutOfBounds(f"a number with {len(text.lstrip('-'))} digits is too large")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise OutOfBounds(f"the number {_shorten(text)} is too large")
    return value


def _json_constant(name: str) -> Any:
    raise OutOfBounds(f"{name} is not a number JSON allows")


def load_json(text: str | bytes) -> Any:
    """json.loads that refuses huge integers, infinite floats and NaN/Infinity (OutOfBounds)."""
    return json.loads(
        text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
    )


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
