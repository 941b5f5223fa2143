"""The assessment engine: answers in, urgency, patterns, scores and next steps out.

Pure and deterministic; imports nothing from web, store or fhir.
"""

from nervetjek.engine.assess import assess, assess_valid
from nervetjek.engine.result import (
    DISCLAIMER,
    Assessment,
    AssessmentSummary,
    Evidence,
    NextStep,
    PatternResult,
    RedFlag,
    TriageReason,
)

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "AssessmentSummary",
    "Evidence",
    "NextStep",
    "PatternResult",
    "RedFlag",
    "TriageReason",
    "assess",
    "assess_valid",
]
