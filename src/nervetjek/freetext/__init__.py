"""Danish free text -> intake-v1 facts ("Beskriv dine gener med dine egne ord").

Below the engine: imports intake (the contract) and nothing from engine, web, store or fhir.
"""

from nervetjek.freetext.reader import Reading, Span, read, warning_keys

__all__ = ["Reading", "Span", "read", "warning_keys"]
