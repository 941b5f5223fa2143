"""Danish free text -> intake-v1 facts ("Beskriv dine gener med dine egne ord").

Below the engine: imports intake (the contract) and nothing from engine, web, store or fhir.
The reader (and spaCy, slow to import) loads on first use, so `nervetjek` commands that
do not read text start fast.
"""

from importlib import import_module
from typing import Any

__all__ = ["Reading", "Segment", "Span", "marked", "read", "warning_keys"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("nervetjek.freetext.reader"), name)
    raise AttributeError(name)
