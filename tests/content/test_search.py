"""Search: Danish stemming, misspellings, compounds, BM25 ranking, highlighted snippets."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from nervetjek.content.loader import load_library
from nervetjek.content.search import SearchIndex, search
from tests.content.fixtures import GOOD_DA, make_root

QUESTIONS = yaml.safe_load((Path(__file__).with_name("search_questions.yaml")).read_text("utf-8"))


def key(hit) -> str:
    return hit.slug + (f"#{hit.anchor}" if hit.anchor else "")


def lands_in_top(question: dict, k: int = 3) -> bool:
    got = [key(hit) for hit in search(question["q"], "da", limit=k)]
    return any(fnmatch(g, pattern) for g in got for pattern in question["expect"])


def test_question_table_is_big_enough():
    assert len(QUESTIONS) >= 30
    assert len({q["q"] for q in QUESTIONS}) == len(QUESTIONS)


def test_at_least_90_percent_land_in_the_top_3():
    misses = [q["q"] for q in QUESTIONS if not lands_in_top(q)]
    rate = 1 - len(misses) / len(QUESTIONS)
    assert rate >= 0.9, f"hit rate {rate:.0%}; missed: {misses}"


def test_expected_sections_exist():
    """The table must point at real sections, or a 'hit' would be meaningless."""
    library = load_library()
    for question in QUESTIONS:
        for pattern in question["expect"]:
            slug, _, anchor = pattern.partition("#")
            if slug == "*":
                continue
            article = library.get(slug, "da")
            if article is None:
                continue  # a pattern article not written yet; content check reports it
            assert not anchor or anchor in article.anchors, pattern


# ------------------------------------------------------------ on a small, fixed corpus
@pytest.fixture
def index(tmp_path) -> SearchIndex:
    extra = """\
---
title: "Sukkersyge og nerver"
---

Intro om nerver.

## Hvad gør sukkersyge ved nerverne? {#sukkersyge}

Højt blodsukker skader de lange nerver. Det giver prikken i fødderne.

## Hvordan sover jeg bedre? {#soevn}

Læg en pude mellem knæene om natten.
"""
    root = make_root(tmp_path, extra={"da/sukker.md": extra})
    return SearchIndex(load_library(root).in_language("da"), "da")


def test_stemming_finds_other_forms(index):
    hits = index.search("puder mellem knæ")
    assert key(hits[0]) == "sukker#soevn"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("isjias", "iskias"),  # j for k
        ("sukersyge", "sukker#sukkersyge"),  # a letter missing
        ("sukkersygge", "sukker#sukkersyge"),  # a letter too many
        ("diskusprolabs", "iskias#diskusprolaps"),  # two letters wrong in a long word
    ],
)
def test_misspellings_are_corrected(index, query, expected):
    hits = index.search(query)
    assert hits, query
    assert key(hits[0]).startswith(expected)


def test_synonyms_bring_lay_words_together(index):
    hits = index.search("diabetes")  # the article only says sukkersyge
    assert key(hits[0]) == "sukker#sukkersyge"


def test_compound_words_are_split(index):
    hits = index.search("natpude")  # not in the text: nat + pude
    assert key(hits[0]) == "sukker#soevn"


def test_hit_links_to_the_section_and_highlights(index):
    hit = index.search("prikken i fødderne")[0]
    assert hit.url == "/viden/sukker#sukkersyge"
    assert hit.section_title == "Hvad gør sukkersyge ved nerverne?"
    assert hit.article_title == "Sukkersyge og nerver"
    assert "<mark>prikken</mark>" in hit.snippet
    assert "<mark>fødderne</mark>" in hit.snippet
    assert "<mark>i</mark>" not in hit.snippet  # stop words are not marked


def test_faq_answers_are_searchable(index):
    hit = index.search("går det over af sig selv")[0]
    assert key(hit) == "iskias#faq-gaar-det-over"
    assert hit.parent_title == "Ofte stillede spørgsmål"


def test_ranking_prefers_the_section_about_it(index):
    """BM25: the section that is about the word beats one that mentions it once."""
    hits = index.search("nerverod klemme")
    assert key(hits[0]) == "iskias#aarsager"


def test_snippet_is_escaped(tmp_path):
    text = GOOD_DA.replace("Det gør ondt i benet.", "Smerter <script>alert(1)</script> i benet.")
    index = SearchIndex(load_library(make_root(tmp_path, da=text)).in_language("da"), "da")
    hit = index.search("smerter")[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet


def test_nothing_matches(index):
    assert index.search("xyzzy qwerty") == []
    assert index.search("") == []
    only_small_words = index.search("det og i")  # only stop words: ranked, no crash
    assert all(hit.score > 0 for hit in only_small_words)


def test_english_index_uses_english_stemming():
    hits = search("exercises for the sciatic nerve", "en", limit=3)
    assert any(key(h) == "oevelser#glidning-iskiasnerven" for h in hits)
    assert hits[0].url.startswith("/viden/")
