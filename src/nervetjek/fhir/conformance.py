"""Does a QuestionnaireResponse fit its Questionnaire?  Does a Questionnaire hang together?

The fhir.resources models check structure only: they accept a linkId the questionnaire
does not have, a boolean answer to an integer question, or an enableWhen that points
nowhere.  These checks work on the plain JSON (so nothing is coerced: ``"true"`` is not
``true``) and return every problem as an :class:`Issue` with a FHIRPath to it.

A response fits when:

- every item's linkId exists in the questionnaire, under the same parent (groups hold
  their questions, questions hold no questions) and at most once per parent;
- display items are absent, groups carry no answers, non-repeating questions at most one;
- each answer has the value type of its question (boolean -> valueBoolean, integer ->
  valueInteger, choice -> valueCoding with a code from the answer options, text/string
  -> valueString);
- no question is answered while its enableWhen says it is disabled.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nervetjek.fhir.outcome import Issue

# Answer value element for each question type.
VALUE_ELEMENT = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "choice": "valueCoding",
    "open-choice": "valueCoding",
    "string": "valueString",
    "text": "valueString",
    "date": "valueDate",
    "dateTime": "valueDateTime",
}
ROOT = "QuestionnaireResponse"


@dataclass(frozen=True)
class Node:
    """One questionnaire item with its parent's linkId (None at the top)."""

    item: Mapping[str, Any]
    parent: str | None

    @property
    def type(self) -> str:
        return self.item.get("type", "")

    @property
    def link_id(self) -> str:
        return self.item["linkId"]


def index_questionnaire(questionnaire: Mapping[str, Any]) -> dict[str, Node]:
    nodes: dict[str, Node] = {}

    def walk(items: list[Mapping[str, Any]], parent: str | None) -> None:
        for item in items:
            nodes[item["linkId"]] = Node(item, parent)
            walk(item.get("item", []), item["linkId"])

    walk(questionnaire.get("item", []), None)
    return nodes


def _iter_items(items: list[Any], path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    for index, item in enumerate(items):
        yield item, f"{path}.item[{index}]"


# ------------------------------------------------------------------ questionnaire


def check_questionnaire(questionnaire: Mapping[str, Any]) -> list[Issue]:
    """Internal consistency of a Questionnaire: unique linkIds, enableWhen targets exist
    and compare with the right type and a real answer option, enableBehavior where needed."""
    issues: list[Issue] = []
    seen: dict[str, str] = {}

    def walk(items: list[Mapping[str, Any]], path: str) -> None:
        for item, where in _iter_items(items, path):
            link_id = item.get("linkId")
            if link_id in seen:
                issues.append(Issue("structure", f"linkId {link_id!r} is used twice", where))
            seen[link_id] = where
            walk(item.get("item", []), where)

    walk(questionnaire.get("item", []), "Questionnaire")
    nodes = index_questionnaire(questionnaire)
    for link_id, where in seen.items():
        item = nodes[link_id].item
        conditions = item.get("enableWhen", [])
        if len(conditions) > 1 and "enableBehavior" not in item:
            issues.append(
                Issue("invariant", f"{link_id!r}: several enableWhen need enableBehavior", where)
            )
        for number, condition in enumerate(conditions):
            issues.extend(_check_enable_when(condition, nodes, f"{where}.enableWhen[{number}]"))
        if item.get("answerOption") and item.get("type") not in ("choice", "open-choice"):
            issues.append(
                Issue("structure", f"{link_id!r}: answerOption on a {item.get('type')} item", where)
            )
    return issues


def _check_enable_when(
    condition: Mapping[str, Any], nodes: Mapping[str, Node], where: str
) -> list[Issue]:
    target = nodes.get(condition.get("question"))
    if target is None:
        return [
            Issue(
                "structure",
                f"enableWhen points at {condition.get('question')!r}, "
                "which is not an item of this questionnaire",
                where,
            )
        ]
    answer = [k for k in condition if k.startswith("answer")]
    if len(answer) != 1:
        return [Issue("structure", "enableWhen needs exactly one answer[x]", where)]
    element = answer[0]
    if condition.get("operator") == "exists":
        return (
            []
            if element == "answerBoolean"
            else [Issue("structure", "an 'exists' enableWhen takes answerBoolean", where)]
        )
    expected = "answer" + VALUE_ELEMENT.get(target.type, "?")[len("value") :]
    if element != expected:
        return [
            Issue(
                "value",
                f"enableWhen on {target.link_id!r} ({target.type}) must use "
                f"{expected}, not {element}",
                where,
            )
        ]
    if element == "answerCoding" and _option_for(target.item, condition[element]) is None:
        return [
            Issue(
                "code-invalid",
                f"enableWhen compares {target.link_id!r} with code "
                f"{condition[element].get('code')!r}, which is not one of its answer "
                "options",
                where,
            )
        ]
    return []


def _option_for(item: Mapping[str, Any], coding: Any) -> Mapping[str, Any] | None:
    if not isinstance(coding, Mapping):
        return None
    for option in item.get("answerOption", []):
        candidate = option.get("valueCoding", {})
        if candidate.get("code") == coding.get("code") and (
            coding.get("system") in (None, candidate.get("system"))
        ):
            return candidate
    return None


# ------------------------------------------------------------------ response


def check_response(response: Mapping[str, Any], questionnaire: Mapping[str, Any]) -> list[Issue]:
    """Every way ``response`` does not fit ``questionnaire`` (empty when it fits)."""
    nodes = index_questionnaire(questionnaire)
    issues: list[Issue] = []
    answered: dict[str, tuple[list[Any], str]] = {}
    _check_items(
        response.get("item", []), None, ROOT, nodes, questionnaire.get("id", "?"), issues, answered
    )
    issues.extend(_check_enabled(nodes, answered))
    return issues


def _check_items(
    items: list[Any],
    parent: str | None,
    path: str,
    nodes: Mapping[str, Node],
    questionnaire_id: str,
    issues: list[Issue],
    answered: dict[str, tuple[list[Any], str]],
) -> None:
    if not isinstance(items, list):
        issues.append(Issue("structure", "item must be a list", f"{path}.item"))
        return
    seen: set[str] = set()
    for item, where in _iter_items(items, path):
        if not isinstance(item, Mapping):
            issues.append(Issue("structure", "an item must be an object", where))
            continue
        link_id = item.get("linkId")
        node = nodes.get(link_id) if isinstance(link_id, str) else None
        if node is None:
            issues.append(
                Issue(
                    "not-found",
                    f"linkId {link_id!r} is not an item of Questionnaire {questionnaire_id!r}",
                    f"{where}.linkId",
                )
            )
            continue
        if node.parent != parent:
            place = f"inside {node.parent!r}" if node.parent else "at the top level"
            found = f"inside {parent!r}" if parent else "at the top level"
            issues.append(Issue("structure", f"{link_id!r} belongs {place}, but is {found}", where))
            continue
        if link_id in seen and not node.item.get("repeats"):
            issues.append(Issue("structure", f"{link_id!r} appears more than once", where))
            continue
        seen.add(link_id)
        answers = item.get("answer", [])
        children = item.get("item", [])
        if node.type == "display":
            issues.append(
                Issue(
                    "structure",
                    f"{link_id!r} is display text and takes no "
                    "answer; leave it out of the response",
                    where,
                )
            )
        elif node.type == "group":
            if answers:
                issues.append(
                    Issue(
                        "structure",
                        f"{link_id!r} is a group and takes no answer",
                        f"{where}.answer",
                    )
                )
            _check_items(children, link_id, where, nodes, questionnaire_id, issues, answered)
        else:
            if children:
                issues.append(
                    Issue(
                        "structure",
                        f"{link_id!r} is a question and holds no items",
                        f"{where}.item",
                    )
                )
            issues.extend(_check_answers(node, answers, where))
            if answers:
                answered[link_id] = (answers, where)


def _check_answers(node: Node, answers: Any, where: str) -> list[Issue]:
    if not isinstance(answers, list):
        return [Issue("structure", "answer must be a list", f"{where}.answer")]
    issues = []
    if len(answers) > 1 and not node.item.get("repeats"):
        issues.append(
            Issue(
                "structure",
                f"{node.link_id!r} takes one answer, got {len(answers)}",
                f"{where}.answer",
            )
        )
    expected = VALUE_ELEMENT.get(node.type)
    for number, answer in enumerate(answers):
        at = f"{where}.answer[{number}]"
        if not isinstance(answer, Mapping):
            issues.append(Issue("structure", "an answer must be an object", at))
            continue
        if answer.get("item"):
            issues.append(
                Issue("structure", f"answers to {node.link_id!r} hold no items", f"{at}.item")
            )
        values = [k for k in answer if k.startswith("value")]
        if values != [expected]:
            got = ", ".join(values) or "no value"
            issues.append(
                Issue(
                    "value",
                    f"{node.link_id!r} is {_a(node.type)} question: the "
                    f"answer must be {expected}, got {got}",
                    at,
                )
            )
            continue
        issues.extend(_check_value(node, answer[expected], f"{at}.{expected}"))
    return issues


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _check_value(node: Node, value: Any, at: str) -> list[Issue]:
    link_id = node.link_id
    if node.type == "boolean" and not isinstance(value, bool):
        return [Issue("value", f"{link_id!r} takes true or false, got {value!r}", at)]
    if node.type == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        return [Issue("value", f"{link_id!r} takes a whole number, got {value!r}", at)]
    if node.type in ("string", "text") and not isinstance(value, str):
        return [Issue("value", f"{link_id!r} takes text, got {value!r}", at)]
    if node.type in ("choice", "open-choice") and _option_for(node.item, value) is None:
        options = [o.get("valueCoding", {}) for o in node.item.get("answerOption", [])]
        allowed = ", ".join(str(o.get("code")) for o in options)
        system = options[0].get("system") if options else None
        shown = (value.get("system"), value.get("code")) if isinstance(value, Mapping) else value
        return [
            Issue(
                "code-invalid",
                f"{link_id!r}: {shown!r} is not an answer option; "
                f"codes are {allowed} (system {system})",
                at,
            )
        ]
    return []


# ------------------------------------------------------------------ enableWhen

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):  # Coding: compare by system and code
        return (value.get("system"), value.get("code"))
    return value


def _answer_values(answers: list[Any]) -> list[Any]:
    values = []
    for answer in answers:
        for key, value in answer.items():
            if key.startswith("value"):
                values.append(_comparable(value))
    return values


def condition_holds(condition: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> bool:
    """One enableWhen against the answers given (linkId -> answer values)."""
    values = answers.get(condition["question"], [])
    op = condition["operator"]
    target = next(v for k, v in condition.items() if k.startswith("answer"))
    if op == "exists":
        return bool(values) is target
    target = _comparable(target)
    if isinstance(target, tuple) and target[0] is None:  # a coding without a system
        values = [(None, v[1]) if isinstance(v, tuple) else v for v in values]
    if op == "!=":
        # R4: true when no answer equals the given one (so also when unanswered).
        return all(v != target for v in values)
    try:
        return any(_COMPARE[op](v, target) for v in values)
    except TypeError:
        return False


def is_enabled(item: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> bool:
    conditions = item.get("enableWhen")
    if not conditions:
        return True
    results = [condition_holds(c, answers) for c in conditions]
    return all(results) if item.get("enableBehavior") == "all" else any(results)


def _check_enabled(
    nodes: Mapping[str, Node], answered: Mapping[str, tuple[list[Any], str]]
) -> list[Issue]:
    values = {link_id: _answer_values(answers) for link_id, (answers, _) in answered.items()}
    issues = []
    for link_id, (_, where) in answered.items():
        item = nodes[link_id].item
        if not is_enabled(item, values):
            issues.append(
                Issue(
                    "business-rule",
                    f"{link_id!r} is answered, but its enableWhen disables it "
                    f"({_describe(item)}); leave it out",
                    where,
                )
            )
    return issues


def _describe(item: Mapping[str, Any]) -> str:
    parts = []
    for condition in item["enableWhen"]:
        target = next(v for k, v in condition.items() if k.startswith("answer"))
        if condition["operator"] == "exists":
            parts.append(f"{condition['question']} {'is' if target else 'is not'} answered")
        else:
            shown = target.get("code") if isinstance(target, Mapping) else json.dumps(target)
            parts.append(f"{condition['question']} {condition['operator']} {shown}")
    joiner = " and " if item.get("enableBehavior") == "all" else " or "
    return "asked when " + joiner.join(parts)
