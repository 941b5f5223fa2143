"""What the clinic reads about an intake: pure functions over the stored, typed assessment.

* :mod:`~nervetjek.report.answers`: the answers as given, by section, with the scores;
* :mod:`~nervetjek.report.summary`: the clinical summary in clinician words (terms.yaml),
  the leading patterns with their reasons, the triage reasons and the examination plan;
* :mod:`~nervetjek.report.trend`: pain and scores over the follow-ups, and their chart;
* :mod:`~nervetjek.report.worklist`: duplicates and the latest activity on the worklist.

The stored assessment is shown as it was computed when the person sent it (with the
engine and rule-set versions), never recomputed.  No I/O: the portal (``web/clinic.py``)
reads the rows, these functions say what they mean, the templates show it.
"""
