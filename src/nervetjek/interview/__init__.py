"""The short interview: adaptive questions, warning signs first, the engine's safety.

Pure and deterministic; imports nothing from web, store or fhir.  `next_screen` gives the
next screen for the answers so far; `play` runs a whole interview against a case.
"""

from nervetjek.interview.flow import next_screen
from nervetjek.interview.play import Dialogue, play
from nervetjek.interview.screen import Screen

__all__ = ["Dialogue", "Screen", "next_screen", "play"]
