"""Shared helpers for the FHIR tests: the dev vignettes and R4B model validation."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from nervetjek.paths import shared_dir


@cache
def vignettes() -> list[dict[str, Any]]:
    path = shared_dir() / "vignettes" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def r4b_validate(resource: dict[str, Any]) -> None:
    """Raise pydantic.ValidationError unless fhir.resources' R4B model accepts it."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def json_copy(value: Any) -> Any:
    """What a client would send: the JSON text, parsed again."""
    return json.loads(json.dumps(value))
