"""The item bank: every question we ask, loaded from ``items.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from nervetjek.conditions import Condition, ConditionSet, Facts, Vocabulary
from nervetjek.datafiles import check_schema, package_text, parse_yaml, plain
from nervetjek.intake.wording import duration_text, regions_text

DURATION_KEY = "duration_days"  # the one number counted in days, shown in weeks/months/years
ITEM_TYPES = ("boolean", "integer", "choice", "regions", "text")


@dataclass(frozen=True)
class Text:
    """A text in every product language; Danish first."""

    da: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.da

    @classmethod
    def of(cls, raw: Mapping[str, str] | None) -> Text | None:
        return None if raw is None else cls(da=raw["da"], en=raw["en"])


@dataclass(frozen=True)
class InstrumentUse:
    instrument: str  # "DN4", "MNSI", "S-LANSS"
    number: int  # item number in the published instrument
    scores_on: bool = True  # the answer that scores a point


@dataclass(frozen=True)
class Item:
    key: str
    type: str
    section: str
    page: str
    text: Text
    help: Text | None = None
    why: Text | None = None  # why the question is asked (shown on request)
    options: Mapping[str, Text] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    unit: Text | None = None
    instruments: tuple[InstrumentUse, ...] = ()
    ask_if: Condition | None = None
    yes_statement: Text | None = None  # "because you answered ..." for a yes
    no_statement: Text | None = None  # the same for a no
    # Numbers: the statement with "{value}"; choices: one statement per option.
    option_statements: Mapping[str, Text] = field(default_factory=dict)

    def is_asked(self, facts: Facts) -> bool:
        """Ask unless the condition is known to be false (unknown means ask)."""
        return self.ask_if is None or self.ask_if.evaluate(facts) is not False


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    intro: Text | None
    items: tuple[Item, ...]

    def asked_items(self, facts: Facts) -> list[Item]:
        return [item for item in self.items if item.is_asked(facts)]


@dataclass(frozen=True)
class ItemBank:
    version: int
    items: Mapping[str, Item]
    pages: tuple[Page, ...]
    sections: Mapping[str, Text]
    region_labels: Mapping[str, Text]  # full codes: lower_back, left.calf, ...
    base_region_labels: Mapping[str, Text]  # side-free names: lower_back, calf, ...
    side_labels: Mapping[str, Text]
    conditions: ConditionSet

    def __getitem__(self, key: str) -> Item:
        return self.items[key]

    @property
    def keys(self) -> list[str]:
        return list(self.items)

    @property
    def regions(self) -> list[str]:
        return list(self.region_labels)

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def instrument_items(self, instrument: str) -> dict[int, tuple[Item, InstrumentUse]]:
        """Item number -> (item, use) for one instrument, in published order."""
        found = {
            use.number: (item, use)
            for item in self.items.values()
            for use in item.instruments
            if use.instrument == instrument
        }
        return dict(sorted(found.items()))

    def follow_ups(self, lead: str) -> list[Item]:
        """The items asked only after a yes to ``lead`` (``ask_if: {yes: lead}``)."""
        return [item for item in self.items.values() if item.ask_if and item.ask_if.yes_key == lead]

    def region_label(self, code: str, lang: str) -> str:
        return self.region_labels[code](lang)

    def answer_statement(self, key: str, value: Any, lang: str) -> str:
        """One answer as a short phrase in the person's own terms, with the polarity
        they answered ("ingen hormoner med østrogen", "du har haft generne i 1 år")."""
        item = self.items[key]
        if item.type == "boolean":
            return (item.yes_statement if value else item.no_statement)(lang)
        if item.type == "choice":
            return item.option_statements[value](lang)
        if item.type == "regions":
            return regions_text(value, self.base_region_labels, lang)
        if item.type == "integer":
            shown = duration_text(value, lang) if key == DURATION_KEY else str(value)
            return item.yes_statement(lang).format(value=shown)
        return f"“{value}”"


def _build_regions(raw: Mapping[str, Any]) -> tuple[dict[str, Text], dict[str, Text]]:
    sides = {side: Text.of(label) for side, label in raw["sides"].items()}
    base = {name: Text.of(label) for name, label in raw["unsided"].items()}
    full = dict(base)
    sided = {name: Text.of(label) for name, label in raw["sided"].items()}
    base.update(sided)
    for side, side_label in sides.items():
        for name, label in sided.items():
            full[f"{side}.{name}"] = Text(
                da=f"{label.da} ({side_label.da})", en=f"{label.en} ({side_label.en})"
            )
    # Sorted like the contract: unsided first, then all left, then all right.
    return full, base


def _statements(raw: Mapping[str, Any]) -> tuple[Text | None, Text | None, dict[str, Text]]:
    """The answer statements an item needs: yes and no for a yes/no question, one per
    option for a choice, a "{value}" sentence for a number.  Missing ones are a data bug:
    without them an explanation would fall back to the raw question."""
    key, kind = raw["key"], raw["type"]
    yes = Text(da=raw["answer_da"], en=raw["answer_en"]) if "answer_da" in raw else None
    no = Text(da=raw["answer_no_da"], en=raw["answer_no_en"]) if "answer_no_da" in raw else None
    options = {value: Text.of(text) for value, text in raw.get("option_answers", {}).items()}
    if kind == "boolean" and (yes is None or no is None):
        raise ValueError(f"item {key}: a yes/no item needs answer_da/en and answer_no_da/en")
    if kind == "integer" and (yes is None or "{value}" not in yes.da + yes.en):
        raise ValueError(f"item {key}: a number item needs answer_da/en with {{value}}")
    if kind == "choice" and set(options) != set(raw.get("options", {})):
        raise ValueError(f"item {key}: a choice item needs option_answers for every option")
    return yes, no, options


def _item(raw: Mapping[str, Any], conditions: ConditionSet) -> Item:
    if raw["type"] not in ITEM_TYPES:
        raise ValueError(f"item {raw['key']}: unknown type {raw['type']!r}")
    statement, no_statement, option_statements = _statements(raw)
    return Item(
        key=raw["key"],
        type=raw["type"],
        section=raw["section"],
        page=raw["page"],
        text=Text.of(raw["text"]),
        help=Text.of(raw.get("help")),
        why=Text.of(raw.get("why")),
        options={value: Text.of(label) for value, label in raw.get("options", {}).items()},
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        max_length=raw.get("max_length"),
        unit=Text.of(raw.get("unit")),
        instruments=tuple(
            InstrumentUse(use["id"], use["item"], use.get("scores_on", True))
            for use in raw.get("instruments", ())
        ),
        ask_if=conditions.compile(raw["ask_if"], where=raw["key"]) if "ask_if" in raw else None,
        yes_statement=statement,
        no_statement=no_statement,
        option_statements=option_statements,
    )


def parse_item_bank(raw: Mapping[str, Any]) -> ItemBank:
    region_labels, base_labels = _build_regions(raw["regions"])
    vocabulary = Vocabulary(
        keys=frozenset(item["key"] for item in raw["items"]), regions=frozenset(base_labels)
    )
    conditions = ConditionSet(vocabulary, raw.get("conditions", {}))
    items: dict[str, Item] = {}
    for entry in raw["items"]:
        if entry["key"] in items:
            raise ValueError(f"item {entry['key']} is defined twice")
        items[entry["key"]] = _item(entry, conditions)
    conditions.compile_all()
    page_ids = [page["id"] for page in raw["pages"]]
    for item in items.values():
        if item.page not in page_ids:
            raise ValueError(f"item {item.key}: unknown page {item.page!r}")
        if item.section not in raw["sections"]:
            raise ValueError(f"item {item.key}: unknown section {item.section!r}")
    pages = tuple(
        Page(
            id=page["id"],
            title=Text.of(page["title"]),
            intro=Text.of(page.get("intro")),
            items=tuple(item for item in items.values() if item.page == page["id"]),
        )
        for page in raw["pages"]
    )
    return ItemBank(
        version=raw["version"],
        items=items,
        pages=pages,
        sections={k: Text.of(v) for k, v in raw["sections"].items()},
        region_labels=region_labels,
        base_region_labels=base_labels,
        side_labels={k: Text.of(v) for k, v in raw["regions"]["sides"].items()},
        conditions=conditions,
    )


# ---------------------------------------------------------------------------- schema
# The shape of items.yaml: a misspelt key (`ask_iff:`, `answer_no_dA:`) is refused with
# its file and line instead of being dropped without a word.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _TextSpec(_Strict):
    da: str
    en: str


class _InstrumentUseSpec(_Strict):
    id: str
    item: int
    scores_on: bool = True


class _ItemSpec(_Strict):
    key: str
    type: str
    section: str
    page: str
    text: _TextSpec
    why: _TextSpec
    help: _TextSpec | None = None
    options: dict[str, _TextSpec] = {}
    option_answers: dict[str, _TextSpec] = {}
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    unit: _TextSpec | None = None
    instruments: list[_InstrumentUseSpec] = []
    ask_if: Any = None
    answer_da: str | None = None
    answer_en: str | None = None
    answer_no_da: str | None = None
    answer_no_en: str | None = None


class _PageSpec(_Strict):
    id: str
    title: _TextSpec
    intro: _TextSpec | None = None


class _RegionsSpec(_Strict):
    sides: dict[str, _TextSpec]
    unsided: dict[str, _TextSpec]
    sided: dict[str, _TextSpec]


class _ItemBankSpec(_Strict):
    version: int
    sections: dict[str, _TextSpec]
    pages: list[_PageSpec]
    regions: _RegionsSpec
    items: list[_ItemSpec]
    conditions: dict[str, Any] = {}


def parse_items_yaml(text: str) -> Mapping[str, Any]:
    """items.yaml, checked against its schema (file and line of any unknown key)."""
    source = "intake/items.yaml"
    raw = parse_yaml(text, source, keep_lines=True)
    check_schema(_ItemBankSpec, raw, source)
    return plain(raw)


@cache
def load_item_bank() -> ItemBank:
    """The shipped item bank (parsed once per process)."""
    return parse_item_bank(parse_items_yaml(package_text("nervetjek.intake", "items.yaml")))
