"""Intake: the item bank, its generated schema and strict validation of answers."""

from nervetjek.intake.bank import Item, ItemBank, Page, Text, load_item_bank
from nervetjek.intake.outcomes import Outcomes, load_outcomes
from nervetjek.intake.schema import build_intake_schema
from nervetjek.intake.validate import IntakeError, Problem, validate_answers

__all__ = [
    "IntakeError",
    "Item",
    "ItemBank",
    "Outcomes",
    "Page",
    "Problem",
    "Text",
    "build_intake_schema",
    "load_item_bank",
    "load_outcomes",
    "validate_answers",
]
