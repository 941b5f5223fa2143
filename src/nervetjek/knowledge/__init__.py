"""Clinical knowledge as data: features, the likelihood table, triage policy, advice.

This package only *loads and checks* the data files next to it; the engine evaluates
them.  Every number lives in a data file with its reason and source.
"""

from nervetjek.knowledge.loader import (
    AdviceStep,
    Category,
    Escalation,
    Flag,
    Knowledge,
    LikelihoodRow,
    PatternDefault,
    TriagePolicy,
    knowledge_from_files,
    load_knowledge,
)

__all__ = [
    "AdviceStep",
    "Category",
    "Escalation",
    "Flag",
    "Knowledge",
    "LikelihoodRow",
    "PatternDefault",
    "TriagePolicy",
    "knowledge_from_files",
    "load_knowledge",
]
