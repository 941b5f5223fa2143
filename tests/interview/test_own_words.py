"""The own-words step's pure functions (nervetjek.interview.own_words): what the text
box understood, and its confirmation.  The safety rules: the text only adds or raises,
nothing becomes an answer unconfirmed, a stated warning sign is confirmed first, one read
as absent changes nothing.  The pages over HTTP are in tests/web/test_own_words.py.
"""

from __future__ import annotations

import pytest

from nervetjek.intake import load_item_bank
from nervetjek.interview import own_words as ow
from nervetjek.interview import progress
from nervetjek.interview.plan import load_plan
from nervetjek.interview.progress import SessionData
from nervetjek.knowledge import load_knowledge

NO_WARNING_SIGNS = dict.fromkeys(load_knowledge().warning_keys, False) | {
    "age": 52,
    "duration_days": 21,
}
# One patient: one-sided sciatica, as the interview would hear it from questions alone...
SCIATICA = {
    **NO_WARNING_SIGNS,
    "locations": ["lower_back", "left.buttock", "left.thigh_back", "left.calf"],
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "electric_shocks": True,
    "worse_cough_sneeze": True,
    "pain_intensity": 6,
    "numbness": False,
    "burning": False,
    "diabetes": False,
}
# ... and in their own words (our writing).
SCIATICA_TEXT = (
    "Jeg har ondt i lænden, og det jager ned bag på venstre lår og ned i læggen. "
    "Benet gør mere ondt end ryggen. Når jeg hoster, er det som at få stød. "
    "Smerten er 6 ud af 10."
)
BLADDER_TEXT = "Det jager ned i højre ben, og siden i går kan jeg ikke holde på vandet."
NO_FEVER_TEXT = "Det sviner ned i venstre ben. Jeg har ingen feber."
# The emergency page's words when the person's own answers call for 112.
EMERGENCY_APPLIES = "Dine svar kan være tegn på noget, der skal behandles med det samme."


def warnings_done(**answers) -> SessionData:
    """A session that has answered every warning-sign screen (no warning signs)."""
    plan_answers = {**NO_WARNING_SIGNS, **answers}
    data = SessionData()
    while progress.warnings_pending(data):
        screen = progress.screen_at(data, len(data.screens) + 1, False)
        chosen = {k: plan_answers[k] for k in screen.keys if k in plan_answers}
        data = progress.record(data, screen, {**data.answers, **chosen})
    return data


# ------------------------------------------------------------------ pure functions


def test_the_text_box_comes_after_the_warning_screens():
    assert [step.name for step in progress.FLOW][:2] == ["warning_signs", "own_words"]
    assert progress.next_step(SessionData()) == "question"
    assert not progress.own_words_due(SessionData())
    data = warnings_done()
    assert set(load_plan().warning_keys) <= set(data.asked)
    assert progress.next_step(data) == "own_words"
    read = ow.with_text(data, NO_FEVER_TEXT)
    assert progress.next_step(read) == "confirm"
    assert progress.next_step(ow.done(read)) == "question"


def test_understood_facts_are_in_plain_words_never_keys():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    facts = ow.understood(data)
    keys = [f.key for f in facts]
    assert {"back_pain", "leg_pain_worse_than_back", "locations", "pain_intensity"} <= set(keys)
    bank = load_item_bank()
    for fact in facts:
        for lang in ("da", "en"):
            statement = fact.statement(lang)
            assert statement and fact.key not in statement
            assert statement == bank.answer_statement(fact.key, fact.value, lang)
        assert all(word in SCIATICA_TEXT for word in fact.words)
    print({f.key: f.statement("da") for f in facts})


def test_answers_given_are_not_overwritten():
    data = ow.with_text(warnings_done(back_pain=False, pain_intensity=3), SCIATICA_TEXT)
    data.answers.update(back_pain=False, pain_intensity=3)
    keys = {f.key for f in ow.understood(data)}
    assert "back_pain" not in keys and "pain_intensity" not in keys
    assert "locations" in keys


def test_a_stated_warning_sign_comes_first_ticked_yes_even_over_a_no():
    data = ow.with_text(warnings_done(), BLADDER_TEXT)
    assert data.answers["bladder_bowel_change"] is False
    facts = ow.understood(data)
    assert facts[0].key == "bladder_bowel_change" and facts[0].warning and facts[0].value is True
    assert ow.form_values(facts, data)["bladder_bowel_change"] == "yes"


def test_a_warning_sign_read_as_absent_is_never_offered():
    data = ow.with_text(warnings_done(fever_or_unwell=None), NO_FEVER_TEXT)
    assert ow.read(NO_FEVER_TEXT).facts.get("fever_or_unwell") is False
    assert "fever_or_unwell" not in {f.key for f in ow.understood(data)}


def test_confirm_applies_corrections_and_removals():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    facts = ow.understood(data)
    form = FormData({**current(facts, data), "pain_intensity": "8", ow.REMOVE_FIELD: ["back_pain"]})
    result = ow.confirm(data, facts, form)
    assert result.errors == []
    confirmed = result.data
    assert confirmed.own_words == "done"
    assert confirmed.answers["pain_intensity"] == 8
    assert "back_pain" not in confirmed.answers and "back_pain" not in confirmed.asked
    kept = [f.key for f in facts if f.key != "back_pain"]
    assert confirmed.screens[-1] == kept
    assert confirmed.answers["free_text"] == SCIATICA_TEXT


def test_a_stated_warning_sign_must_be_answered_and_cannot_be_removed():
    data = ow.with_text(warnings_done(), BLADDER_TEXT)
    facts = ow.understood(data)
    values = current(facts, data)
    values.pop("bladder_bowel_change")
    result = ow.confirm(data, facts, FormData({**values, ow.REMOVE_FIELD: "bladder_bowel_change"}))
    assert result.data is None
    assert [e.key for e in result.errors] == ["bladder_bowel_change"]


def test_an_empty_text_is_a_skip():
    data = ow.with_text(warnings_done(), None)
    assert data.own_words == "done" and "free_text" not in data.answers


class FormData(dict):
    """A posted form as Starlette gives it: one value, or a list for repeated names."""

    def getlist(self, key):
        value = self.get(key, [])
        return list(value) if isinstance(value, list) else [value]

    def get(self, key, default=None):
        value = super().get(key, default)
        return value[0] if isinstance(value, list) and key != ow.REMOVE_FIELD and value else value


def current(facts, data) -> dict:
    """The confirm form as shown: each control set to the fact read."""
    values = ow.form_values(facts, data)
    form: dict = {}
    for fact in facts:
        value = values[fact.key]
        if isinstance(value, tuple):
            form[fact.key], form[fact.key + "__unit"] = value
        else:
            form[fact.key] = value
    return form


def test_the_session_keeps_the_own_words_state():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    again = SessionData.from_json(data.to_json())
    assert again.own_words == "read" and again.answers["free_text"] == SCIATICA_TEXT
    # A session from before the step has no state: it reaches the text box next.
    old = data.to_json().replace(b',"w":"read"', b"")
    assert SessionData.from_json(old).own_words == ""
    with pytest.raises(ValueError):
        SessionData.from_json(data.to_json().replace(b'"w":"read"', b'"w":"skipped"'))
