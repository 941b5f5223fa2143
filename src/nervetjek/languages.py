"""The languages Nervetjek speaks: Danish first, English second.

Defined once, below every other package, so that the item bank, the articles, the
web layer and the command line agree on the list.  A new language needs its texts in
the item bank, the articles and a gettext catalogue; the checks of each fail until
they are there.
"""

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
