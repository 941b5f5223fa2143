"""Nervetjek: Danish triage and patient information for leg nerve symptoms."""

__version__ = "0.1.0"
