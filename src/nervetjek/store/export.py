"""The worklist as CSV, for the portal's download and `nervetjek export --csv`."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from nervetjek.instruments import load_instruments
from nervetjek.store.models import Intake

# The instruments' columns, in the order instruments.yaml lists them.
INSTRUMENT_ORDER = tuple(load_instruments())

CSV_COLUMNS = [
    "id",
    "sent_at",
    "triage",
    "top_pattern",
    "seen",
    "age",
    "sex",
    "pain_intensity",
    "duration_days",
    "trend",
    "DN4",
    "MNSI",
    "S-LANSS",
    "red_flags",
    "followups_answered",
    "engine_version",
    "ruleset_version",
]
CONTACT_COLUMNS = ["name", "phone", "email"]


# Spreadsheet dialects: comma for most, semicolon (and a BOM) for Danish Excel, whose
# list separator is ";".
CSV_DIALECTS = {"excel": ",", "excel-da": ";"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on another separator than the file's (Danish Excel on a
# comma file) may start a cell after any of these, so a formula there is defused too.
_CELL_BREAK = re.compile(r"([,;\t\r\n]\s*)([=+\-@])")


def _cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will run as a formula, whatever it splits on."""
    text = "" if value is None else str(value)
    if isinstance(value, str):
        text = _CELL_BREAK.sub(r"\1'\2", text)
    if text.lstrip(" ")[:1] in _FORMULA_START and text[:1] != "'":
        return "'" + text
    return text


def worklist_csv(
    intakes: list[Intake], with_contact: bool, dialect: str = "excel", bom: bool = False
) -> str:
    """The worklist as CSV: every cell quoted and defused (see _cell)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=CSV_DIALECTS[dialect], quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )
    writer.writerow(CSV_COLUMNS + (CONTACT_COLUMNS if with_contact else []))
    for intake in intakes:
        result = intake.result
        answers = intake.answers
        row = [
            intake.id,
            intake.created_at.isoformat(timespec="seconds"),
            intake.triage_level,
            intake.top_pattern or "",
            "yes" if intake.seen_at else "no",
            answers.get("age"),
            answers.get("sex"),
            answers.get("pain_intensity"),
            answers.get("duration_days"),
            answers.get("trend"),
            *(getattr(result.instruments.get(i), "score", None) for i in INSTRUMENT_ORDER),
            " ".join(flag.key for flag in result.red_flags),
            sum(1 for f in intake.followups if f.answered_at is not None),
            intake.engine_version,
            intake.ruleset_version,
        ]
        if with_contact:
            row += [intake.contact_name, intake.contact_phone, intake.contact_email]
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()
