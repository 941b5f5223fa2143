"""The context step: each kind of context, in Danish, changes what a mention states."""

import pytest

from nervetjek.datafiles import package_yaml
from nervetjek.freetext import read

TRIGGERS = package_yaml("nervetjek.freetext", "context.yaml")["triggers"]
EXAMPLES = [
    pytest.param(spec["kind"], example, id=f"{spec['kind']}:{example}")
    for spec in TRIGGERS
    for example in spec["examples"]
]


@pytest.mark.parametrize(("kind", "text"), EXAMPLES)
def test_every_trigger_example_changes_its_mention(kind, text):
    """Each trigger's examples in context.yaml: negation gives only "no" facts; the other
    kinds give no fact at all, and the mention they hid is reported as unused."""
    reading = read(text)
    if kind == "negated":
        assert reading.facts, text
        assert all(v is False for v in reading.facts.values()), reading.facts
    else:
        assert reading.facts == {}, reading.facts
        assert reading.unused, text


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("Jeg har ikke feber.", "fever_or_unwell", False),
        ("Ingen problemer med at tisse.", "bladder_bowel_change", False),
        ("ingen prikken, snurren eller følelsesløshed", "numbness", False),
        ("Har hverken feber eller vægttab.", "unexplained_weight_loss", False),
        ("Jeg har ikke længere ondt i ryggen.", "back_pain", False),
        ("Jeg ryger ikke.", "smoker", False),
        ("Jeg har aldrig røget.", "smoker", False),
        ("Benet er ikke svagt.", "leg_weakness", False),
        ("Ryggen gør ikke ondt.", "back_pain", False),
        ("Det gør ingen forskel når jeg hoster.", "worse_cough_sneeze", False),
        ("At stå stille hjælper ikke.", "standing_still_relieves", False),
        ("Det er ikke kommet pludseligt.", "onset", "gradual"),
    ],
)
def test_negation(text, key, value):
    assert read(text).facts.get(key) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Jeg kan ikke mærke mine fødder.", "numbness"),
        ("kan ikke mærke fødderne når jeg går", "numbness"),
        ("Jeg kan næsten ikke få tisset.", "bladder_bowel_change"),
        ("Jeg kan ikke holde på vandet.", "bladder_bowel_change"),
        ("Jeg kan ikke løfte foden.", "foot_drop"),
        ("Ingen følelse oven på foden.", "numbness"),
        ("kan ikke få rejsning", "sexual_function_change"),
        ("Jeg kan ikke tåle dynen på fødderne.", "bedcovers_hurt"),
    ],
)
def test_a_negation_word_inside_the_symptom_states_it(text, key):
    """ "kan ikke mærke" is numbness present: the negation belongs to the symptom's words."""
    assert read(text).facts.get(key) is True


@pytest.mark.parametrize(
    "text",
    [
        "Måske er læggen lidt hævet.",
        "Jeg tror ikke, at jeg har feber.",
        "Jeg ved ikke, om jeg har feber.",
        "Smerten er måske en 3'er.",
        "Jeg er bange for, at det er kræft.",
    ],
)
def test_uncertainty_gives_no_fact(text):
    assert read(text).facts == {}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Jeg havde helvedesild for 5 år siden.", "band_rash"),
        ("Tidligere feber, nu ikke.", "fever_or_unwell"),
        ("Jeg har før haft et sår på foden.", "foot_wound_now"),
    ],
)
def test_past_mentions_give_no_fact(text, absent):
    facts = read(text).facts
    assert absent not in facts
    assert "duration_days" not in facts


def test_past_mentions_state_facts_about_the_past():
    facts = read("Har haft diskusprolaps før. Havde influenza for 2 uger siden.").facts
    assert facts["back_problems_history"] is True
    assert facts["recent_infection"] is True
    assert "duration_days" not in facts


def test_sciatica_now_is_not_back_trouble_before():
    assert "back_problems_history" not in read("Har haft iskias i 3 uger.").facts


@pytest.mark.parametrize(
    "text",
    ["Min mor havde en blodprop i benet.", "Min far har sukkersyge.", "Hun har kræft."],
)
def test_other_people_give_no_fact(text):
    assert read(text).facts == {}


def test_relatives_state_family_history_only():
    facts = read("Min far har nervebetændelse i fødderne. Jeg har selv snurren.").facts
    assert facts == {"family_neuropathy": True, "tingling": True}


@pytest.mark.parametrize(
    "text",
    ["Hvis jeg får feber, skal jeg så ringe?", "Hvad gør jeg, hvis benet bliver svagt"],
)
def test_hypothetical_gives_no_fact(text):
    assert read(text).facts == {}


@pytest.mark.parametrize(
    "text", ["Kan det være diabetes?", "Har jeg feber??", "Er det farligt at have snurren"]
)
def test_questions_give_no_fact(text):
    assert read(text).facts == {}


def test_context_stays_in_its_clause():
    facts = read("Ingen feber, men jeg har ondt i ryggen.").facts
    assert facts["fever_or_unwell"] is False
    assert facts["back_pain"] is True
