"""Canonical URLs, our own code systems and the standard codes from ``codes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nervetjek.datafiles import package_yaml

# Canonical base of every resource and code system Nervetjek defines.  A canonical URL
# names a definition; it does not have to resolve, and it must not change with the
# address a particular server runs at (settings.base_url).
CANONICAL = "https://nervetjek.dk/fhir"

FHIR_VERSION = "4.0.1"

# Extensions and code systems defined by HL7.
EXT_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
EXT_ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
EXT_ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
EXT_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
SYSTEM_ITEM_CONTROL = "http://hl7.org/fhir/questionnaire-item-control"
SYSTEM_UCUM = "http://unitsofmeasure.org"
SYSTEM_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
SYSTEM_OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SYSTEM_DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
SYSTEM_CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SYSTEM_PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SYSTEM_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROFILE_SDC_QUESTIONNAIRE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"

# Extension of our own: an item-bank condition that enableWhen cannot express.
EXT_ASK_IF_NOT_EXPRESSED = f"{CANONICAL}/StructureDefinition/ask-if-not-expressed"


def code_system(name: str) -> str:
    """The URL of one of our own code systems (answer values, levels, patterns...)."""
    return f"{CANONICAL}/CodeSystem/{name}"


SYSTEM_REGION = code_system("body-region")
SYSTEM_TRIAGE_LEVEL = code_system("triage-level")
SYSTEM_PATTERN = code_system("pattern")
SYSTEM_INSTRUMENT = code_system("instrument")
SYSTEM_ASSESSMENT = code_system("assessment")
SYSTEM_INTAKE_ID = f"{CANONICAL}/NamingSystem/intake-id"


def choice_system(key: str) -> str:
    """The code system of one choice item's answer values (e.g. .../CodeSystem/sex)."""
    return code_system(key.replace("_", "-"))


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str

    def as_fhir(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class Terminology:
    items: dict[str, tuple[Coding, ...]]  # intake key -> question codes
    yes: Coding
    no: Coding
    patterns: dict[str, tuple[Coding, ...]]  # pattern id -> SNOMED CT and ICD-10 codings


@cache
def load_terminology() -> Terminology:
    raw = package_yaml("nervetjek.fhir", "codes.yaml")
    systems: dict[str, str] = raw["systems"]

    def coding(entry: dict[str, Any], system: str | None = None) -> Coding:
        return Coding(systems[system or entry["system"]], str(entry["code"]), entry["display"])

    patterns = {
        pattern: tuple(coding(codes[name], name) for name in ("snomed", "icd10") if name in codes)
        for pattern, codes in raw["patterns"].items()
    }
    return Terminology(
        items={key: tuple(coding(e) for e in entries) for key, entries in raw["items"].items()},
        yes=coding(raw["answers"]["yes"]),
        no=coding(raw["answers"]["no"]),
        patterns=patterns,
    )
