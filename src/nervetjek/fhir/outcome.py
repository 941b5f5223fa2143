"""Problems with FHIR input, reported as an OperationOutcome that names each one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Issue:
    """One problem: an OperationOutcome issue code, a message and where it is.

    ``code`` is from http://hl7.org/fhir/issue-type (invalid, structure, required, value,
    not-found, code-invalid, business-rule, not-supported); ``expression`` is a FHIRPath
    to the offending element.
    """

    code: str
    message: str
    expression: str | None = None
    severity: str = "error"

    def as_fhir(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.message,
        }
        if self.expression:
            issue["expression"] = [self.expression]
        return issue

    def __str__(self) -> str:
        return f"{self.expression}: {self.message}" if self.expression else self.message


class FhirInputError(ValueError):
    """FHIR input we cannot use; ``status`` is the HTTP status to answer with."""

    def __init__(self, issues: Sequence[Issue], status: int = 422):
        if not issues:
            raise ValueError("an input error needs at least one issue")
        self.issues = list(issues)
        self.status = status
        super().__init__("; ".join(str(issue) for issue in self.issues))

    def operation_outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.as_fhir() for i in issues]}


# The JSON Schema of the OperationOutcomes :func:`operation_outcome` makes, for the
# OpenAPI document of the FHIR endpoint.
OUTCOME_SCHEMA = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code", "diagnostics"],
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string", "minLength": 1},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def fhirpath(root: str, loc: Iterable[Any]) -> str:
    """``('item', 0, 'answer', 1)`` -> ``Root.item[0].answer[1]``."""
    path = root
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}"
    return path


def structure_issues(error: ValidationError, root: str) -> list[Issue]:
    """pydantic errors of a fhir.resources model as OperationOutcome issues."""
    issues = []
    for problem in error.errors(include_url=False):
        loc = [part for part in problem.get("loc", ()) if part not in ("__root__",)]
        # fhir.resources reports the discriminated value type as a loc part too.
        loc = [p for p in loc if not (isinstance(p, str) and p[:1].isupper() and p != root)]
        message = problem.get("msg", "invalid")
        if problem.get("type") == "extra_forbidden":
            message = f"unknown element {loc[-1]!r}" if loc else "unknown element"
        elif problem.get("type") == "missing":
            message = f"required element {loc[-1]!r} is missing" if loc else message
        issues.append(Issue("structure", message, fhirpath(root, loc)))
    return issues or [Issue("structure", str(error), root)]
