"""The person's way through the interview: screens kept in the session, pruning, the steps."""

from __future__ import annotations

from nervetjek.interview import next_screen, play
from nervetjek.interview import progress as flow
from nervetjek.interview.progress import SessionData


def sent(*screens: list[str], **answers) -> SessionData:
    return SessionData(answers=dict(answers), screens=[list(keys) for keys in screens])


def test_the_first_screen_is_the_engines_first_warning_screen():
    screen = flow.screen_at(SessionData(), 1, False)
    assert screen.new and screen.number == 1
    assert screen.keys == list(next_screen({}, []).keys)
    assert set(screen.keys) <= flow.required_keys()
    assert flow.next_step(SessionData()) == "question"


def test_a_sent_screen_is_shown_again_and_only_the_next_new_one():
    data = sent(["bladder_bowel_change", "saddle_numbness"], bladder_bowel_change=False)
    again = flow.screen_at(data, 1, False)
    assert not again.new and again.keys == ["bladder_bowel_change", "saddle_numbness"]
    assert flow.screen_at(data, 2, False).new
    assert flow.screen_at(data, 3, False) is None
    assert flow.screen_at(data, 0, False) is None


def test_the_warning_step_comes_first_and_then_the_questions():
    assert [step.name for step in flow.FLOW] == ["warning_signs", "own_words", "questions"]
    assert flow.warnings_pending(SessionData())
    answers = {"age": 40, "duration_days": 10, "locations": ["right.calf"]}
    dialogue = play(answers)
    warning_done = SessionData(
        answers=dict(dialogue.answers),
        screens=[list(s.keys) for s in dialogue.screens if s.kind == "warning"],
    )
    assert not flow.warnings_pending(warning_done)


def test_prune_drops_follow_ups_whose_lead_turned_no():
    answers = {"leg_weakness": False, "weakness_sudden": True, "sex": "male", "pregnant": False}
    screens = [["leg_weakness"], ["weakness_sudden", "weakness_worsening"], ["sex", "pregnant"]]
    kept, kept_screens = flow.prune(answers, screens)
    assert kept == {"leg_weakness": False, "sex": "male"}
    assert kept_screens == [["leg_weakness"], ["sex"]]


def test_record_adds_a_new_screen_and_replaces_a_sent_one():
    data = SessionData()
    first = flow.screen_at(data, 1, False)
    answers = dict.fromkeys(first.keys, False)
    data = flow.record(data, first, answers)
    assert data.screens == [first.keys] and data.answers == answers
    assert data.asked == first.keys and data.unknown == set()
    changed = flow.record(data, flow.screen_at(data, 1, False), {})
    assert changed.screens == [first.keys] and changed.unknown == set(first.keys)
    assert changed.csrf == data.csrf


def test_answered_to_the_end_the_flow_goes_to_the_check_page():
    dialogue = play({"age": 40, "duration_days": 10})
    data = SessionData(
        answers=dict(dialogue.answers),
        screens=[list(s.keys) for s in dialogue.screens if s.keys],
        own_words="done",
    )
    assert flow.next_step(data) == "check"
    assert "age" in data.screens[flow.screen_of(data, "age") - 1]
    assert flow.screen_of(data, "free_text") is None


def test_the_emergency_page_comes_at_once_and_once():
    data = SessionData(answers={"bladder_bowel_change": True}, screens=[["bladder_bowel_change"]])
    assert flow.urgent_page_due(data) == "emergency" and data.emergency_shown
    assert flow.urgent_page_due(data) is None  # shown: the interview goes on
    assert flow.urgent_page_due(SessionData()) is None
