"""Issue 10: every "Det taler for / Det taler imod" line and every "fordi du svarede"
answer on the result page agrees with the answer the person gave.  All 48 dev vignettes
are answered through the web questionnaire; each line shown is checked against the
answers independently of the engine: a yes is never shown as a no, a no never as a yes."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from patient_driver import run_questionnaire

from nervetjek.conditions import Facts
from nervetjek.intake import load_item_bank
from nervetjek.knowledge import load_knowledge
from nervetjek.paths import shared_dir
from nervetjek.web.patient_view import sentence

VIGNETTES = [
    json.loads(line)
    for line in (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
EVIDENCE = re.compile(r'<li data-feature="([^"]+)" data-value="([^"]+)">([^<]*)</li>')
REASON_ANSWERS = re.compile(r'<span class="because">\(fordi du svarede: ([^)]*)\)</span>')


def expected_sentence(feature: str, answers: dict) -> tuple[str, str] | None:
    """(value, sentence) the answers give for a feature, worked out from the data files
    without the engine: the flag's condition decides yes or no, a category the value whose
    condition holds."""
    knowledge = load_knowledge()
    facts = Facts.of(answers)
    for flag in knowledge.flags:
        if flag.id == feature:
            held = flag.condition.evaluate(facts)
            if held is None:
                return None
            label = flag.label if held else flag.label_no
            return ("yes" if held else "no"), sentence(label("da"))
    for category in knowledge.categories:
        if category.id == feature:
            for value, condition, label in category.values:
                if condition.evaluate(facts) is True:
                    return value, sentence(label("da"))
    return None


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_for_and_against_lines_agree_with_the_answers(client, vignette):
    answers = vignette["answers"]
    run_questionnaire(client, answers)
    page = client.get("/resultat").text
    shown = [(f, v, html_lib.unescape(t)) for f, v, t in EVIDENCE.findall(page)]
    assert shown, "the result page shows what speaks for and against"
    for feature, value, text in shown:
        expected = expected_sentence(feature, answers)
        assert expected is not None, f"{feature}: shown, but the answers do not decide it"
        assert (value, text) == expected, f"{feature}: shown {value} {text!r}"
        # A feature that is one yes/no question: its value is the answer itself.
        item = load_item_bank().items.get(feature)
        if item is not None and item.type == "boolean" and feature in answers:
            assert value == ("yes" if answers[feature] else "no"), feature
    # Never a raw question or a raw unit on the page.
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    assert "?" not in " ".join(t for _, _, t in shown)
    assert not re.search(r"\b\d{3,} dage\b", main)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_the_answers_behind_a_level_are_the_answers_given(client, vignette):
    answers = vignette["answers"]
    bank = load_item_bank()
    run_questionnaire(client, answers)
    page = client.get("/resultat").text
    given = {
        bank.answer_statement(key, value, "da")
        for key, value in answers.items()
        if key in bank.items and key != "free_text"
    }
    yes_or_no = {
        item.key: (item.yes_statement("da"), item.no_statement("da"))
        for item in bank.items.values()
        if item.type == "boolean"
    }
    for group in REASON_ANSWERS.findall(page):
        for statement in html_lib.unescape(group).split("; "):
            assert statement in given, f"{statement!r} is not an answer given"
            for key, (yes, no) in yes_or_no.items():
                if statement in (yes, no) and key in answers:
                    assert statement == (yes if answers[key] else no), key
