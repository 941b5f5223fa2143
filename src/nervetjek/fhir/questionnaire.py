"""FHIR R4 Questionnaires generated from the item bank (never maintained by hand).

Four questionnaires: the whole intake (``intake``) and one per validated instrument
(``dn4``, ``mnsi``, ``s-lanss``).  Danish is the primary language; English travels in the
translation extension on ``_text``.

Intake layout: one ``group`` per questionnaire page (linkId ``page.<page id>``) holding
that page's questions, whose linkIds are the intake-v1 keys.  Help texts are ``display``
children with the SDC ``help`` item control.  The body map is a repeating ``choice`` with
one answer option per region code (``lower_back``, ``left.calf``, ...).

Conditional questions: the item bank asks a question unless its ``ask_if`` condition is
known to be false (an unanswered question never hides another).  Where that maps onto
FHIR ``enableWhen`` exactly, it is translated; "unanswered" becomes an ``exists = false``
alternative.  Where it does not map (an "and" of alternatives, an age range, body-map
rules such as "on both sides"), the item is left always enabled rather than guessed, and
the untranslated condition is recorded on the item in the extension
``EXT_ASK_IF_NOT_EXPRESSED`` so a reader can see why.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

from nervetjek.datafiles import package_yaml
from nervetjek.fhir.codes import (
    CANONICAL,
    EXT_ASK_IF_NOT_EXPRESSED,
    EXT_ITEM_CONTROL,
    EXT_ITEM_WEIGHT,
    EXT_MAX_VALUE,
    EXT_MIN_VALUE,
    EXT_ORDINAL_VALUE,
    EXT_TRANSLATION,
    EXT_UNIT,
    PROFILE_SDC_QUESTIONNAIRE,
    SYSTEM_ITEM_CONTROL,
    SYSTEM_REGION,
    SYSTEM_UCUM,
    choice_system,
    load_terminology,
)
from nervetjek.instruments import load_instruments
from nervetjek.intake import Item, ItemBank, Text, load_item_bank

INTAKE = "intake"
# Questionnaire id -> instrument id in instruments.yaml and the item bank.
INSTRUMENT_QUESTIONNAIRES = {"dn4": "DN4", "mnsi": "MNSI", "s-lanss": "S-LANSS"}
QUESTIONNAIRE_IDS = (INTAKE, *INSTRUMENT_QUESTIONNAIRES)

PUBLISHER = "Nervetjek"
PAGE_PREFIX = "page."

# UCUM codes for the item bank's units (keyed by the English unit text).
_UCUM = {"years": ("a", "år"), "days": ("d", "dage")}

# FHIR item type for each item-bank type.  "text" is FHIR's multi-line string.
_FHIR_TYPE = {
    "boolean": "boolean",
    "integer": "integer",
    "choice": "choice",
    "regions": "choice",
    "text": "text",
}


class UnknownQuestionnaireError(KeyError):
    """No questionnaire with that id."""


def canonical_url(questionnaire_id: str) -> str:
    return f"{CANONICAL}/Questionnaire/{questionnaire_id}"


def questionnaire_version(bank: ItemBank | None = None) -> str:
    return str((bank or load_item_bank()).version)


def page_link_id(page_id: str) -> str:
    return PAGE_PREFIX + page_id


def translation(english: str) -> dict[str, Any]:
    """The ``_text``-style element carrying the English translation of a Danish text."""
    return {
        "extension": [
            {
                "url": EXT_TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": "en"},
                    {"url": "content", "valueString": english},
                ],
            }
        ]
    }


def _text(text: Text, field: str = "text") -> dict[str, Any]:
    return {field: text.da, f"_{field}": translation(text.en)}


def _item_control(code: str) -> dict[str, Any]:
    return {
        "url": EXT_ITEM_CONTROL,
        "valueCodeableConcept": {"coding": [{"system": SYSTEM_ITEM_CONTROL, "code": code}]},
    }


def _display_item(link_id: str, text: Text, control: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id, **_text(text), "type": "display"}
    if control:
        item["extension"] = [_item_control(control)]
    return item


def _coding(system: str, code: str, display: Text) -> dict[str, Any]:
    return {"system": system, "code": code, **_text(display, "display")}


# ------------------------------------------------------------------ enableWhen


class _NotExpressible(Exception):
    """An ask_if condition that flat enableWhen cannot say exactly."""


def _answer_value(bank: ItemBank, key: str, value: Any) -> dict[str, Any]:
    item = bank[key]
    if item.type == "boolean":
        return {"answerBoolean": value}
    if item.type == "integer":
        return {"answerInteger": value}
    if item.type == "choice":
        return {"answerCoding": {"system": choice_system(key), "code": value}}
    raise _NotExpressible(f"cannot compare {key!r} ({item.type})")


def _absent(key: str) -> dict[str, Any]:
    return {"question": key, "operator": "exists", "answerBoolean": False}


def _alternatives(spec: Any, named: Mapping[str, Any], bank: ItemBank) -> list[dict[str, Any]]:
    """enableWhen entries whose "any" means exactly: ``spec`` is not known to be false.

    A leaf such as ``{yes: K}`` is unknown when K is unanswered, so it becomes
    "K = true, or K has no answer".  Raises _NotExpressible when only an "all" of
    alternatives (or a form enableWhen has no operator for) would do.
    """
    ((form, arg),) = spec.items()
    match form:
        case "yes" | "no":
            return [_equals(bank, arg, form == "yes"), _absent(arg)]
        case "answered":
            return [{"question": arg, "operator": "exists", "answerBoolean": True}]
        case "unanswered":
            return [_absent(arg)]
        case "is":
            key, value = arg
            return [_equals(bank, key, value), _absent(key)]
        case "differs":
            # R4 defines "!=" on an unanswered question differently across versions of
            # the spec and renderers; the explicit "no answer" alternative makes it exact
            # either way.
            key, value = arg
            return [
                {"question": key, "operator": "!=", **_answer_value(bank, key, value)},
                _absent(key),
            ]
        case "cmp":
            key, op, value = arg
            operator = {"==": "="}.get(op, op)
            return [
                {"question": key, "operator": operator, **_answer_value(bank, key, value)},
                _absent(key),
            ]
        case "region":
            # Any chosen location in the list, on either side.  "=" on a repeating
            # question is true when any of its answers is equal.
            codes = [code for code in bank.regions if code.rpartition(".")[2] in arg]
            return [
                {
                    "question": "locations",
                    "operator": "=",
                    "answerCoding": {"system": SYSTEM_REGION, "code": code},
                }
                for code in codes
            ] + [_absent("locations")]
        case "any":
            found: list[dict[str, Any]] = []
            for part in arg:
                for entry in _alternatives(part, named, bank):
                    if entry not in found:
                        found.append(entry)
            return found
        case "ref":
            return _alternatives(named[arg], named, bank)
    # all (an "and" of "or"s), between (a range or no answer), not, at_least,
    # only_regions and both_sides (body-map rules across sides) have no flat form.
    raise _NotExpressible(form)


def _equals(bank: ItemBank, key: str, value: Any) -> dict[str, Any]:
    return {"question": key, "operator": "=", **_answer_value(bank, key, value)}


def _all_of(spec: Any, named: Mapping[str, Any], bank: ItemBank) -> list[dict[str, Any]] | None:
    """An "all" whose parts each reduce to one entry can use enableBehavior "all"."""
    ((form, arg),) = spec.items()
    if form != "all":
        return None
    entries = []
    for part in arg:
        alternatives = _alternatives(part, named, bank)
        if len(alternatives) != 1:
            return None
        entries.append(alternatives[0])
    return entries


def enable_when(key: str, bank: ItemBank | None = None) -> dict[str, Any]:
    """The enableWhen fields for one intake item ({} when it is always enabled)."""
    bank = bank or load_item_bank()
    raw = _raw_items()[key]
    spec = raw.get("ask_if")
    if spec is None:
        return {}
    named = package_yaml("nervetjek.intake", "items.yaml").get("conditions", {})
    try:
        entries = _alternatives(spec, named, bank)
        behavior = "any"
    except _NotExpressible:
        entries = _all_of(spec, named, bank)
        behavior = "all"
        if entries is None:
            return {"_not_expressed": spec}
    if len(entries) == 1:
        return {"enableWhen": entries}
    return {"enableWhen": entries, "enableBehavior": behavior}


@cache
def _raw_items() -> dict[str, Any]:
    raw = package_yaml("nervetjek.intake", "items.yaml")
    return {entry["key"]: entry for entry in raw["items"]}


def _describe_condition(spec: Any) -> str:
    """A compact, stable rendering of a condition for the not-expressed extension."""
    if isinstance(spec, Mapping):
        return "{" + ", ".join(f"{k}: {_describe_condition(v)}" for k, v in spec.items()) + "}"
    if isinstance(spec, list):
        return "[" + ", ".join(_describe_condition(v) for v in spec) + "]"
    return str(spec)


# ------------------------------------------------------------------ items


def _unit_extension(unit: Text) -> dict[str, Any]:
    code, _ = _UCUM[unit.en]
    return {
        "url": EXT_UNIT,
        "valueCoding": {"system": SYSTEM_UCUM, "code": code, "display": unit.da},
    }


def _question(item: Item, bank: ItemBank) -> dict[str, Any]:
    question: dict[str, Any] = {
        "linkId": item.key,
        **_text(item.text),
        "type": _FHIR_TYPE[item.type],
    }
    codes = load_terminology().items.get(item.key)
    if codes:
        question["code"] = [c.as_fhir() for c in codes]
    extensions: list[dict[str, Any]] = []
    if item.type == "integer":
        extensions.append({"url": EXT_MIN_VALUE, "valueInteger": item.minimum})
        extensions.append({"url": EXT_MAX_VALUE, "valueInteger": item.maximum})
        if item.unit is not None:
            extensions.append(_unit_extension(item.unit))
    if item.type == "regions":
        extensions.append(_item_control("check-box"))
    elif item.type == "choice":
        extensions.append(_item_control("radio-button"))  # few options: show them all
    conditional = enable_when(item.key, bank)
    if "_not_expressed" in conditional:
        extensions.append(
            {
                "url": EXT_ASK_IF_NOT_EXPRESSED,
                "valueString": "Nervetjek asks this question only when "
                f"{_describe_condition(conditional['_not_expressed'])} is not known to be "
                "false; enableWhen cannot express that exactly, so it is always enabled here.",
            }
        )
    else:
        question.update(conditional)
    if extensions:
        question["extension"] = extensions
    if item.type == "choice":
        question["answerOption"] = [
            {"valueCoding": _coding(choice_system(item.key), value, label)}
            for value, label in item.options.items()
        ]
    elif item.type == "regions":
        question["repeats"] = True
        question["answerOption"] = [
            {"valueCoding": _coding(SYSTEM_REGION, code, label)}
            for code, label in bank.region_labels.items()
        ]
    elif item.type == "text":
        question["maxLength"] = item.max_length
    if item.help is not None:
        question["item"] = [_display_item(f"{item.key}.help", item.help, "help")]
    return question


def _intake_items(bank: ItemBank) -> list[dict[str, Any]]:
    groups = []
    for page in bank.pages:
        children = []
        if page.intro is not None:
            children.append(_display_item(f"{page_link_id(page.id)}.intro", page.intro))
        children.extend(_question(item, bank) for item in page.items)
        groups.append(
            {
                "linkId": page_link_id(page.id),
                **_text(page.title),
                "type": "group",
                "item": children,
            }
        )
    return groups


_INTAKE_TITLE = Text(
    da="Nervetjek: gener i benet fra nerverne",
    en="Nervetjek: leg nerve symptoms",
)
_INTAKE_DESCRIPTION = Text(
    da="Spørgsmål om gener i ben og fødder: advarselstegn, hvor det sidder, hvordan det "
    "føles, forløb og helbred. Svarene giver vejledning om, hvor hurtigt man bør søge hjælp. "
    "Det er ikke en diagnose.",
    en="Questions about symptoms in the legs and feet: warning signs, where it is, what it "
    "feels like, course and health. The answers give guidance on how soon to seek help. "
    "It is not a diagnosis.",
)


def _base(questionnaire_id: str, name: str, title: Text, description: Text) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id,
        "meta": {"profile": [PROFILE_SDC_QUESTIONNAIRE]},
        "language": "da",
        "url": canonical_url(questionnaire_id),
        "version": questionnaire_version(),
        "name": name,
        **_text(title, "title"),
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": PUBLISHER,
        **_text(description, "description"),
    }


# ------------------------------------------------------------------ instruments


def _weight_extensions(weight: int) -> list[dict[str, Any]]:
    # SDC names the score itemWeight; R4 core and LHC-Forms read ordinalValue.  Same value.
    return [
        {"url": EXT_ITEM_WEIGHT, "valueDecimal": weight},
        {"url": EXT_ORDINAL_VALUE, "valueDecimal": weight},
    ]


_YES = Text(da="Ja", en="Yes")
_NO = Text(da="Nej", en="No")


def _instrument_items(instrument_id: str, bank: ItemBank) -> list[dict[str, Any]]:
    definition = load_instruments()[instrument_id]
    terminology = load_terminology()
    items = []
    for number, (item, use) in bank.instrument_items(instrument_id).items():
        scored = definition.scored_items.get(number)
        weight = scored[2] if scored else 0  # unscored items are asked but count 0
        yes_weight, no_weight = (weight, 0) if use.scores_on else (0, weight)
        options = []
        for coding, label, points in (
            (terminology.yes, _YES, yes_weight),
            (terminology.no, _NO, no_weight),
        ):
            options.append(
                {
                    "valueCoding": {
                        "system": coding.system,
                        "code": coding.code,
                        **_text(label, "display"),
                    },
                    "extension": _weight_extensions(points),
                }
            )
        items.append(
            {
                "linkId": item.key,
                "prefix": f"{number}.",
                **_text(item.text),
                "type": "choice",
                "extension": [_item_control("radio-button")],
                "answerOption": options,
            }
        )
    return items


def _instrument_questionnaire(questionnaire_id: str, bank: ItemBank) -> dict[str, Any]:
    instrument_id = INSTRUMENT_QUESTIONNAIRES[questionnaire_id]
    definition = load_instruments()[instrument_id]
    cutoffs_da = "; ".join(
        f"{c.at_least} point eller mere: {c.label.da}" for c in definition.cutoffs
    )
    cutoffs_en = "; ".join(f"{c.at_least} points or more: {c.label.en}" for c in definition.cutoffs)
    description = Text(
        da=f"{definition.purpose.da} Højst {definition.max_score} point. {cutoffs_da}.",
        en=f"{definition.purpose.en} At most {definition.max_score} points. {cutoffs_en}.",
    )
    name = "Nervetjek" + instrument_id.replace("-", "")  # NervetjekDN4, ...SLANSS
    resource = _base(questionnaire_id, name, definition.name, description)
    resource["copyright"] = definition.citation
    resource["item"] = _instrument_items(instrument_id, bank)
    return resource


# ------------------------------------------------------------------ public


@cache
def _build(questionnaire_id: str) -> dict[str, Any]:
    bank = load_item_bank()
    if questionnaire_id == INTAKE:
        resource = _base(INTAKE, "NervetjekIntake", _INTAKE_TITLE, _INTAKE_DESCRIPTION)
        resource["item"] = _intake_items(bank)
        return resource
    if questionnaire_id in INSTRUMENT_QUESTIONNAIRES:
        return _instrument_questionnaire(questionnaire_id, bank)
    raise UnknownQuestionnaireError(questionnaire_id)


def build_questionnaire(questionnaire_id: str = INTAKE) -> dict[str, Any]:
    """The Questionnaire resource (a fresh copy, safe to change)."""
    return copy.deepcopy(_build(questionnaire_id))


def find_questionnaire(reference: str) -> str | None:
    """The questionnaire id a QuestionnaireResponse.questionnaire points at, if ours.

    Accepts our canonical URL (with or without ``|version``), a relative reference
    ``Questionnaire/<id>`` or any absolute URL ending in ``/Questionnaire/<id>`` (the
    address a form filler loaded it from).
    """
    if not isinstance(reference, str):
        return None
    url, _, _version = reference.partition("|")
    head, sep, tail = url.rstrip("/").rpartition("Questionnaire/")
    if not sep or (head and not head.endswith("/")):
        return None
    return tail if tail in QUESTIONNAIRE_IDS else None
