"""Cohort scoring: a whole registry or study file at once, equal to `assess` row by row.

Data flows answers -> intake -> engine -> cohort -> cli: the conditions of the knowledge
files are compiled to Polars column expressions and the engine's own model scores the
columns, so there is one source of clinical truth.
"""

from nervetjek.cohort.files import OUTPUTS, score_file
from nervetjek.cohort.read import INPUTS, CohortError, read_cohort
from nervetjek.cohort.score import CohortScorer

__all__ = ["INPUTS", "OUTPUTS", "CohortError", "CohortScorer", "read_cohort", "score_file"]
