"""Strict validation of one person's answers against the item bank.

Strict means: ``false`` is not ``0``, ``"3"`` is not ``3``, ``3.0`` is not ``3``, unknown
keys are errors, and every problem names the key and what is allowed.  Validation never
raises anything but :class:`IntakeError`.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from nervetjek.intake.bank import Item, ItemBank, load_item_bank

# Lead questions whose follow-ups (items with ``ask_if: {yes: <lead>}``) describe the
# lead's own symptom: "the weakness came on suddenly" with "no weakness" contradicts
# itself.  Other follow-ups add something new (a whole leg swollen after "no swollen,
# red or warm calf" is not a contradiction), so they are not checked this way.
CONTRADICTING_LEADS = ("leg_weakness",)


@cache
def follow_ups() -> dict[str, str]:
    """Follow-up key -> its lead key, read off the item bank's ``ask_if``."""
    bank = load_item_bank()
    return {item.key: lead for lead in CONTRADICTING_LEADS for item in bank.follow_ups(lead)}


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class IntakeError(ValueError):
    """The answers do not fit the intake; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": "invalid_intake",
            "problems": [{"key": p.key, "message": p.message} for p in self.problems],
        }


def _describe(value: Any) -> str:
    kind = {
        bool: "true/false",
        int: "a number",
        float: "a decimal number",
        str: "text",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), "a value")
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, (list, dict)) else kind
    return shown if shown == kind else f"{shown} ({kind})"


def check_value(item: Item, value: Any, bank: ItemBank) -> list[str]:
    """What is wrong with one answer to one item (empty when it fits)."""
    match item.type:
        case "boolean":
            if not isinstance(value, bool):
                return [f"must be true or false, got {_describe(value)}"]
        case "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return [
                    f"must be a whole number from {item.minimum} to {item.maximum}, "
                    f"got {_describe(value)}"
                ]
            if not item.minimum <= value <= item.maximum:
                return [f"must be from {item.minimum} to {item.maximum}, got {value}"]
        case "choice":
            if not isinstance(value, str) or value not in item.options:
                allowed = ", ".join(f'"{o}"' for o in item.options)
                return [f"must be one of {allowed}, got {_describe(value)}"]
        case "text":
            if not isinstance(value, str):
                return [f"must be text, got {_describe(value)}"]
            if len(value) > item.max_length:
                return [f"must be at most {item.max_length} characters, got {len(value)}"]
        case "regions":
            return _check_regions(value, bank)
    return []


def _check_regions(value: Any, bank: ItemBank) -> list[str]:
    if not isinstance(value, list):
        return [f"must be a list of body-map regions, got {_describe(value)}"]
    problems, seen = [], set()
    for index, code in enumerate(value):
        where = f"item {index + 1}"
        if not isinstance(code, str):
            problems.append(f"{where} must be a region name, got {_describe(code)}")
        elif code in seen:
            problems.append(f"{where}: {code!r} is listed twice")
        elif code not in bank.region_labels:
            problems.append(f"{where}: {_region_hint(code, bank)}")
        seen.add(code if isinstance(code, str) else None)
    return problems


def _region_hint(code: str, bank: ItemBank) -> str:
    side, _, name = code.rpartition(".")
    if not side and f"left.{code}" in bank.region_labels:
        return f"{code!r} needs a side: use 'left.{code}' or 'right.{code}'"
    if side in bank.side_labels and name in bank.region_labels:
        return f"{code!r}: {name!r} has no side, use {name!r}"
    if side and side not in bank.side_labels:
        return f"{code!r}: the side must be 'left' or 'right', got {side!r}"
    names = ", ".join(sorted(bank.base_region_labels))
    return f"unknown region {code!r}; regions are {names} (sided ones as left.X or right.X)"


def split_case(record: Any, line_number: int) -> tuple[Any, Any]:
    """One line of a cases file: a vignette ({id, answers, ...}) or a bare intake with an
    optional id.  Returns (id, answers); the id is ``line-N`` when the line has none."""
    if isinstance(record, dict) and isinstance(record.get("answers"), dict):
        return record.get("id", f"line-{line_number}"), record["answers"]
    if isinstance(record, dict) and "id" in record:
        answers = {k: v for k, v in record.items() if k != "id"}
        return record["id"], answers
    return f"line-{line_number}", record


@cache
def _shipped_simple_checks() -> dict[str, tuple[type, Container[Any] | None]]:
    return simple_checks(load_item_bank())


def simple_checks(bank: ItemBank) -> dict[str, tuple[type, Container[Any] | None]]:
    """Per yes/no, number and choice item: the one type its answer must have (exactly:
    ``True`` is not ``1``) and the values allowed (None: any of that type).  Answers that
    pass this need no further check; any other answer is checked by `check_value`."""
    checks: dict[str, tuple[type, Container[Any] | None]] = {}
    for key, item in bank.items.items():
        if item.type == "boolean":
            checks[key] = (bool, None)
        elif item.type == "integer":
            checks[key] = (int, range(item.minimum, item.maximum + 1))
        elif item.type == "choice":
            checks[key] = (str, frozenset(item.options))
    return checks


def validate_answers(raw: Any, bank: ItemBank | None = None) -> dict[str, Any]:
    """Return the answers as a plain dict if they fit the intake, else raise IntakeError."""
    simple = _shipped_simple_checks() if bank is None else simple_checks(bank)
    bank = bank or load_item_bank()
    if not isinstance(raw, Mapping):
        raise IntakeError([Problem("(answers)", f"must be an object, got {_describe(raw)}")])
    problems: list[Problem] = []
    items = bank.items
    # Most answers are a yes/no, number or choice of the right type and range: those
    # pass in one comprehension, and only the others are checked one by one.
    unchecked = [
        k
        for k, v in raw.items()
        if (check := simple.get(k)) is None
        or v.__class__ is not check[0]
        or (check[1] is not None and v not in check[1])
    ]
    for key in unchecked:
        value = raw[key]
        item = items.get(key) if isinstance(key, str) else None
        if item is None:
            problems.append(Problem(str(key), "unknown key; see the intake schema for the keys"))
            continue
        if value is None:
            problems.append(Problem(key, "null is not an answer; leave the key out instead"))
            continue
        messages = check_value(item, value, bank)
        if messages:
            problems.extend(Problem(key, message) for message in messages)
    for follow_up, lead in follow_ups().items():
        if raw.get(follow_up) is True and raw.get(lead) is False:
            problems.append(
                Problem(
                    follow_up,
                    f"is true while {lead} is false; answer {lead} true, or leave {follow_up} out",
                )
            )
    if problems:
        raise IntakeError(problems)
    return dict(raw)
