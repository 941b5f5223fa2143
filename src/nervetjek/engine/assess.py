"""assess(answers) -> Assessment: deterministic, side-effect free."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import product
from math import prod
from operator import attrgetter, itemgetter
from typing import Any

from nervetjek import __version__
from nervetjek.conditions import Facts, selector
from nervetjek.construct import trusted
from nervetjek.engine.model import (
    Observation,
    evidence_by_pattern,
    keys_where_no_counts,
    log_scores,
    more_log_scores,
    observation_of,
    observe,
    observe_reading,
    posterior,
    remember,
)
from nervetjek.engine.result import (
    Assessment,
    Evidence,
    NextStep,
    PatternResult,
    RedFlag,
    TriageReason,
    shared,
)
from nervetjek.engine.triage import (
    TriageDecision,
    applying_escalations,
    decide,
    pattern_reason,
)
from nervetjek.instruments import score_all
from nervetjek.intake import load_item_bank, load_outcomes, validate_answers
from nervetjek.intake.bank import Text
from nervetjek.intake.outcomes import Outcomes
from nervetjek.knowledge import Knowledge, load_knowledge
from nervetjek.knowledge.loader import AdviceStep

# Above this many combinations of taken-back warning signs, the safety floor checks each
# one alone and all together instead of every combination.  So many warning signs are
# almost always an emergency by escalation already.
EXACT_FLOOR_LIMIT = 729

_RATIO = attrgetter("ratio")


def assess(raw_answers: Any, knowledge: Knowledge | None = None) -> Assessment:
    """Validate and assess one person's answers (raises IntakeError on bad input)."""
    # validate_answers returns a new dict: the assessment may keep it as it is.
    return _assess(validate_answers(raw_answers), knowledge)


def _ranked(probabilities: Sequence[float]) -> list[int]:
    # Ties keep the table's pattern order (most dangerous first), so results are stable
    # (a reversed sort is stable too).
    return sorted(range(len(probabilities)), key=probabilities.__getitem__, reverse=True)


def counted_answers(
    observations: Sequence[Observation], answers: Mapping[str, Any], knowledge: Knowledge
) -> frozenset[str]:
    """The answers recognition counts: those behind an observation, less age and sex."""
    keys = set().union(*[obs.keys for obs in observations])
    keys.intersection_update(answers.keys())
    keys.difference_update(knowledge.policy.not_counted)
    return frozenset(keys)


def _enough_answers(
    observations: Sequence[Observation], answers: Mapping[str, Any], knowledge: Knowledge
) -> bool:
    """Whether `counted_answers` has at least the policy's minimum: counted only until
    the minimum is reached (most people give many more)."""
    policy = knowledge.policy
    needed, not_counted, counted = policy.min_answers, policy.not_counted, set()
    for obs in observations:
        if len(counted) >= needed:
            return True
        counted.update(k for k in obs.keys if k in answers and k not in not_counted)
    return len(counted) >= needed


def recognised_pattern(
    observations: Sequence[Observation],
    probabilities: Sequence[float],
    answers: Mapping[str, Any],
    knowledge: Knowledge,
    *,
    count_answers: bool = True,
) -> str | None:
    """The leading pattern, or None when the answers are too few or too vague for one.

    With `count_answers` false, the number of answers is not checked: the short interview
    asks whether the answers point to the leader well enough once there are enough of them.
    """
    policy = knowledge.policy
    top = max(probabilities)
    best = probabilities.index(top)  # of equally likely patterns the first
    # The cheap tests first: the answers are counted only when the numbers hold.
    if (
        top < policy.min_probability
        or top < policy.min_lift * knowledge.prior[best]
        or max(map(itemgetter(best), map(_RATIO, observations)), default=0.0)
        < policy.min_support_ratio
        or (count_answers and not _enough_answers(observations, answers, knowledge))
    ):
        return None
    return knowledge.patterns[best]


def _pattern_keys(supporting: Sequence[Evidence], facts: Facts) -> tuple[str, ...]:
    """The answers behind the strongest evidence for the recognised pattern: only those
    that made each observation (a yes to one risk factor, not the two answered no)."""
    keys = (
        key for evidence in supporting for key in observation_of(evidence).answers_behind(facts)
    )
    return tuple(dict.fromkeys(keys))


def _floor_reason(
    removed: tuple[str, ...], pattern: str | None, level: str, outcomes: Outcomes
) -> TriageReason:
    bank = load_item_bank()
    said_da = ", ".join(bank[k].yes_statement.da for k in removed)
    said_en = ", ".join(bank[k].yes_statement.en for k in removed)
    name = (
        outcomes.patterns[pattern].name
        if pattern
        else Text("ingen bestemt årsag", "no particular cause")
    )
    label = outcomes.levels[level].label
    why = Text(
        da=f"Uden dit svar om {said_da} peger svarene på {name.da.lower()}, og det kræver: "
        f"{label.da.lower()}. Et advarselstegn må aldrig gøre rådet mindre akut.",
        en=f"Without your answer about {said_en} the answers point to {name.en.lower()}, which "
        f"needs: {label.en.lower()}. A warning sign must never make the advice less urgent.",
    )
    return TriageReason(
        rule="warning_sign_never_lowers",
        kind="safety_floor",
        level=level,
        answers=removed,
        why=why,
        source="Nervetjek safety rule: urgency is only ever raised by an answer",
    )


def _replacements(yes_keys: list[str], no_matters: frozenset[str]):
    """Every way to take back warning-sign yes answers: as unanswered, or as a no.

    A "no" is a separate case only where a feature or a triage rule reads it; elsewhere
    it is the same as unanswered.
    """
    options = [[None, "missing", *(["no"] if key in no_matters else [])] for key in yes_keys]
    if prod(len(o) for o in options) <= EXACT_FLOOR_LIMIT:
        for combo in product(*options):
            if any(combo):
                yield {k: how for k, how in zip(yes_keys, combo, strict=True) if how}
        return
    for key, choices in zip(yes_keys, options, strict=True):
        for choice in choices[1:]:
            yield {key: choice}
    yield dict.fromkeys(yes_keys, "missing")
    yield {key: "no" if key in no_matters else "missing" for key in yes_keys}


_NO_MATTERS: dict[int, frozenset[str]] = {}


def _no_matters(knowledge: Knowledge) -> frozenset[str]:
    """Keys where a "no" differs from no answer: read by a feature or a default's exception."""
    found = _NO_MATTERS.get(id(knowledge))
    if found is None:
        in_exceptions = {
            key
            for default in knowledge.policy.defaults.values()
            for exception in default.exceptions
            for key in exception.condition.keys
        }
        found = remember(_NO_MATTERS, knowledge, keys_where_no_counts(knowledge) | in_exceptions)
    return found


def warning_sign_takebacks(yes_keys: list[str], knowledge: Knowledge):
    """The changes the safety floor tries for these warning-sign yes answers (sorted keys):
    each maps a key to "missing" (taken back as unanswered) or "no"."""
    return _replacements(yes_keys, _no_matters(knowledge))


def answers_taken_back(answers: Mapping[str, Any], change: Mapping[str, str]) -> dict[str, Any]:
    """The answers with one take-back of :func:`warning_sign_takebacks` applied."""
    reduced = {k: v for k, v in answers.items() if change.get(k) != "missing"}
    reduced.update((k, False) for k, how in change.items() if how == "no")
    return reduced


def safety_floor(
    answers: Mapping[str, Any],
    facts: Facts,
    observations: list[Observation],
    rank: int,
    knowledge: Knowledge,
    outcomes: Outcomes,
) -> tuple[int, tuple[tuple[str, ...], str | None] | None]:
    """A warning sign can only raise urgency: the rank the safety floor gives.

    Adding a warning-sign yes can shift which pattern is most likely, and a pattern's
    default could be less urgent than the one before.  So the level is the most urgent
    over the answers as given (`rank`) and with any of the warning-sign yes answers taken
    back (as unanswered, or as a no).  Returns the rank and, when a take-back set it, the
    keys taken back and the pattern recognised without them.  The short interview weighs
    its questions with this same floor, so it never expects a level the engine would not
    give.
    """
    yes_keys = sorted(k for k in knowledge.warning_keys & answers.keys() if answers[k] is True)
    if not yes_keys or rank == 0:
        return rank, None
    best_rank, best = rank, None
    # Per set of changed answers: the observations that do not read them, and their
    # log scores (as `reobserve` keeps them, shared by taking back as unanswered or no).
    kept_for: dict[frozenset[str], tuple[list[Observation], list[float]]] = {}
    for change in warning_sign_takebacks(yes_keys, knowledge):
        reduced_answers = answers_taken_back(answers, change)
        # Warning signs are yes/no questions, so the body map is the same.
        reduced = Facts(reduced_answers, facts.regions, facts.left, facts.right)
        changed = frozenset(change)
        if changed not in kept_for:
            unchanged = [obs for obs in observations if changed.isdisjoint(obs.keys)]
            kept_for[changed] = unchanged, log_scores(unchanged, knowledge)
        unchanged, scores = kept_for[changed]
        new = observe_reading(reduced, changed, knowledge)
        kept = unchanged + new  # as reobserve makes it
        probabilities = posterior(more_log_scores(scores, new))
        pattern = recognised_pattern(kept, probabilities, reduced_answers, knowledge)
        raised = [rule.level for rule in applying_escalations(reduced, knowledge)]
        levels = [pattern_reason(pattern, reduced, bool(raised), knowledge).level, *raised]
        found = min(outcomes.levels[level].rank for level in levels)
        if found < best_rank:
            best_rank, best = found, (tuple(change), pattern)
            if found == 0:
                break
    return best_rank, best


def _with_safety_floor(
    answers: Mapping[str, Any],
    facts: Facts,
    observations: list[Observation],
    decision: TriageDecision,
    knowledge: Knowledge,
    outcomes: Outcomes,
) -> TriageDecision:
    """The decision, made more urgent by the safety floor with its reason first."""
    rank = outcomes.levels[decision.level].rank
    rank, best = safety_floor(answers, facts, observations, rank, knowledge, outcomes)
    if best is None:
        return decision
    level = outcomes.level_ids[rank]
    reason = _floor_reason(best[0], best[1], level, outcomes)
    return TriageDecision(level, (reason, *decision.reasons))


def _red_flags(
    answers: Mapping[str, Any], reasons: Sequence[TriageReason], knowledge: Knowledge
) -> tuple[RedFlag, ...]:
    """Warning signs answered yes, in questionnaire order, with the rules they raised."""
    if not any(answers[key] is True for key in knowledge.warning_keys & answers.keys()):
        return ()
    flags = []
    for key, statement in _warning_items(knowledge):
        if answers.get(key) is True:
            rules = tuple(r.rule for r in reasons if r.kind == "escalation" and key in r.answers)
            flags.append(trusted(RedFlag, key=key, rules=rules, statement=statement))
    return tuple(flags)


_WARNING_ITEMS: dict[int, tuple[tuple[str, Text], ...]] = {}


def _warning_items(knowledge: Knowledge) -> tuple[tuple[str, Text], ...]:
    """The warning-sign questions in questionnaire order, with what a yes says."""
    found = _WARNING_ITEMS.get(id(knowledge))
    if found is None:
        found = remember(
            _WARNING_ITEMS,
            knowledge,
            tuple(
                (key, item.yes_statement)
                for key, item in load_item_bank().items.items()
                if key in knowledge.warning_keys
            ),
        )
    return found


_ADVICE: dict[int, dict[tuple[str, str | None], Callable[[Facts], list[NextStep]]]] = {}


def _advice_for(
    level: str, pattern: str | None, knowledge: Knowledge
) -> Callable[[Facts], list[NextStep]]:
    """The next steps at this level and pattern, as one function of the answers (the
    outcome settled in it): the steps in order, each whose condition is true.  A step whose
    condition reads only the outcome (no answer keys) is settled here, once per level
    and pattern; the others' conditions are written out in the function (see
    conditions.Source), so a person's steps take no call each."""
    per_outcome = _ADVICE.get(id(knowledge))
    if per_outcome is None:
        per_outcome = remember(_ADVICE, knowledge, {})
    found = per_outcome.get((level, pattern))
    if found is None:
        outcome = {"level": level, "pattern": pattern}
        outcome_only = Facts.of({}, **outcome)
        found = per_outcome[level, pattern] = selector(
            (
                (step.condition if step.condition.keys else None, _next_step(step))
                for step in knowledge.advice
                if step.condition.keys or step.condition.evaluate(outcome_only) is True
            ),
            outcome,
        )
    return found


def _next_steps(
    facts: Facts, level: str, pattern: str | None, knowledge: Knowledge
) -> tuple[NextStep, ...]:
    return tuple(_advice_for(level, pattern, knowledge)(facts))


@cache
def _next_step(step: AdviceStep) -> NextStep:
    """The step as the result names it: made once per advice step and shared."""
    return shared(NextStep(id=step.id, kind=step.kind, text=step.text, see=step.see))


def assess_valid(answers: dict[str, Any], knowledge: Knowledge | None = None) -> Assessment:
    """Assess answers that already passed :func:`validate_answers`.

    `knowledge` is the shipped ruleset unless another is given (release review, ablation).
    """
    return _assess(dict(answers), knowledge)  # the assessment keeps its own copy


def _assess(answers: dict[str, Any], knowledge: Knowledge | None) -> Assessment:
    """`assess_valid` of answers that no one else holds: kept in the result as they are."""
    knowledge, outcomes = knowledge or load_knowledge(), load_outcomes()
    facts = Facts.of(answers)
    observations = observe(facts, knowledge)
    scores = log_scores(observations, knowledge)
    probabilities = posterior(scores)
    pattern = recognised_pattern(observations, probabilities, answers, knowledge)
    evidence = evidence_by_pattern(observations, knowledge)
    pattern_keys = (
        _pattern_keys(evidence[knowledge.pattern_index(pattern)][0], facts) if pattern else ()
    )
    applying = applying_escalations(facts, knowledge)
    decision = decide(pattern, facts, knowledge, outcomes, pattern_keys, applying)
    decision = _with_safety_floor(answers, facts, observations, decision, knowledge, outcomes)
    # Built from the engine's own values: trusted, not validated again (see construct.py).
    patterns = tuple(
        trusted(
            PatternResult,
            id=knowledge.patterns[i],
            probability=probabilities[i],
            supporting=evidence[i][0],
            opposing=evidence[i][1],
        )
        for i in _ranked(probabilities)
    )
    return trusted(
        Assessment,
        triage=decision.level,
        recognised=pattern is not None,
        triage_reasons=decision.reasons,
        patterns=patterns,
        red_flags=_red_flags(answers, decision.reasons, knowledge),
        instruments=score_all(answers),
        next_steps=_next_steps(facts, decision.level, pattern, knowledge),
        engine_version=__version__,
        ruleset_version=knowledge.version,
        answers=answers,
    )
