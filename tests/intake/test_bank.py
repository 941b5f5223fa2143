from nervetjek.conditions import Facts
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.readability import lix

# Plain Danish a patient understands: LIX under 40 (docs/engineering.md).
LIX_LIMIT = 40


def danish_question_text(items):
    parts = []
    for item in items:
        parts.append(item.text.da)
        if item.help:
            parts.append(item.help.da)
    return " ".join(parts)


def test_every_page_is_plain_danish():
    for page in load_item_bank().pages:
        score = lix(danish_question_text(page.items))
        assert score < LIX_LIMIT, f"page {page.id}: LIX {score:.1f}"


def test_outcome_texts_are_plain_danish():
    outcomes = load_outcomes()
    text = " ".join(
        [level.action.da for level in outcomes.levels.values()]
        + [pattern.plain.da for pattern in outcomes.patterns.values()]
    )
    assert lix(text) < LIX_LIMIT


def test_warning_signs_come_first():
    bank = load_item_bank()
    assert bank.pages[0].id == "warning"
    assert {item.section for item in bank.pages[0].items} == {"red_flags"}


def test_every_region_has_a_label_in_both_languages():
    bank = load_item_bank()
    assert len(bank.regions) == 31
    for code in bank.regions:
        assert bank.region_label(code, "da") and bank.region_label(code, "en")


def test_follow_up_questions_are_hidden_until_relevant():
    weakness = load_item_bank().page("warning")
    asked = [i.key for i in weakness.asked_items(Facts.of({"leg_weakness": False}))]
    assert "weakness_sudden" not in asked
    asked = [i.key for i in weakness.asked_items(Facts.of({"leg_weakness": True}))]
    assert "weakness_sudden" in asked
    # Unknown means ask: nothing is hidden on a guess.
    asked = [i.key for i in weakness.asked_items(Facts.of({}))]
    assert "weakness_sudden" in asked


def test_mnsi_foot_questions_only_when_feet_or_diabetes():
    feet = load_item_bank().page("feet")
    one_leg = Facts.of({"locations": ["left.calf"], "diabetes": False})
    assert feet.asked_items(one_leg) == []
    both_feet = Facts.of({"locations": ["left.toes", "right.toes"]})
    assert len(feet.asked_items(both_feet)) == 7
    assert len(feet.asked_items(Facts.of({"locations": [], "diabetes": True}))) == 7


def test_every_yes_no_question_can_explain_a_yes():
    for item in load_item_bank().items.values():
        if item.type == "boolean":
            assert item.yes_statement is not None, item.key


def test_every_question_says_why_it_is_asked_in_plain_danish():
    items = load_item_bank().items.values()
    missing = [item.key for item in items if item.why is None or not item.why.en]
    assert not missing, f"no `why` text: {missing}"
    score = lix(" ".join(item.why.da for item in items))
    assert score < LIX_LIMIT, f"why texts: LIX {score:.1f}"
