"""A small condition language over intake answers, written in YAML by clinicians.

The item bank (`ask_if`), the pattern features, the triage policy and the advice all
say *when* something applies with the same vocabulary, so the clinical knowledge stays
data and only this module evaluates it.

Conditions use three-valued (Kleene) logic: ``True``, ``False`` or ``None`` for "cannot
tell, because a needed answer is missing".  An unanswered question is never guessed:
``{yes: diabetes}`` is ``None`` when diabetes was not answered.  Rules that must fire on a
missing answer say so explicitly (``differs``, ``unanswered``).

Forms (``K`` is an intake key, ``R`` a list of side-free region names such as ``calf``):

    {yes: K} {no: K}                 boolean answer is true / false
    {answered: K} {unanswered: K}    never None
    {is: [K, value]}                 answer equals value
    {differs: [K, value]}            answer is not value; a missing answer counts as differing
    {cmp: [K, op, number]}           op is one of < <= > >= == !=
    {between: [K, low, high]}        low <= answer <= high
    {region: R}                      any chosen location is in R (either side)
    {only_regions: R}                every chosen location is in R (and there is at least one)
    {both_sides: R}                  R is chosen on the left and on the right
    {at_least: [n, [K, ...]]}        at least n of the boolean answers are yes
    {all: [...]} {any: [...]} {not: C}
    {or_unknown: C}                  true unless C is known to be false ("when in doubt")
    {ref: name}                      a named condition
    {level: [levels]} {pattern: [patterns]}   only in advice: the assessment's outcome
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Tri = bool | None

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class ConditionError(ValueError):
    """A condition in the knowledge files is malformed (a bug in the data, not in input)."""


class ColumnBuilder(Protocol):
    """Builds one whole-column expression per condition form, for many people at once.

    Every form hands its parts to the builder (:meth:`Condition.columns`), so a column
    backend (nervetjek.cohort) compiles the same conditions the engine evaluates one
    person at a time; the builder must keep the three-valued logic above.
    """

    def yes(self, key: str, want: bool) -> Any: ...
    def answered(self, key: str, want: bool) -> Any: ...
    def equals(self, key: str, value: Any) -> Any: ...
    def differs(self, key: str, value: Any) -> Any: ...
    def compare(self, key: str, op: Callable[[Any, Any], Any], value: float) -> Any: ...
    def between(self, key: str, low: float, high: float) -> Any: ...
    def region(self, names: frozenset[str]) -> Any: ...
    def only_regions(self, names: frozenset[str]) -> Any: ...
    def both_sides(self, names: frozenset[str]) -> Any: ...
    def at_least(self, n: int, keys: tuple[str, ...]) -> Any: ...
    def all(self, parts: list[Any]) -> Any: ...
    def any(self, parts: list[Any]) -> Any: ...
    def negate(self, part: Any) -> Any: ...
    def or_unknown(self, part: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Facts:
    """The answers of one person, with the body map pre-digested for fast lookups."""

    answers: Mapping[str, Any]
    regions: frozenset[str] | None  # side-free region names; None when not answered
    left: frozenset[str]
    right: frozenset[str]
    outcome: Mapping[str, Any] = field(default_factory=dict)  # level/pattern, for advice

    @classmethod
    def of(cls, answers: Mapping[str, Any], **outcome: Any) -> Facts:
        locations = answers.get("locations")
        if locations is None:
            return cls(answers, None, frozenset(), frozenset(), outcome)
        left, right, all_ = set(), set(), set()
        for code in locations:
            side, _, name = code.rpartition(".")
            all_.add(name)
            if side == "left":
                left.add(name)
            elif side == "right":
                right.add(name)
        return cls(answers, frozenset(all_), frozenset(left), frozenset(right), outcome)

    def with_outcome(self, **outcome: Any) -> Facts:
        return Facts(self.answers, self.regions, self.left, self.right, outcome)


class Condition:
    """A compiled condition: ``evaluate`` gives True/False/None, ``evidence`` says why.

    ``evaluate`` is a closure made once, when the condition is compiled, over the
    condition's own values and its parts' closures: every assessment evaluates hundreds
    of conditions, and a call to a closure costs less than a method look-up and call.
    """

    __slots__ = ("evaluate", "keys")
    keys: tuple[str, ...]
    evaluate: Callable[[Facts], Tri]
    # The answer key when the condition is exactly {yes: key}: callers on a hot path may
    # read the answer directly instead of evaluating.
    yes_key: str | None = None

    def columns(self, build: ColumnBuilder) -> Any:  # pragma: no cover - abstract
        """The same condition as a whole-column expression made by `build`."""
        raise NotImplementedError

    def evidence(self, facts: Facts) -> list[str]:
        """The answer keys that make this condition true (call only when it is true)."""
        return [k for k in self.keys if k in facts.answers]


class _Yes(Condition):
    __slots__ = ("key", "want", "yes_key")

    def __init__(self, key: str, want: bool):
        self.key, self.want, self.keys = key, want, (key,)
        self.yes_key = key if want else None

        def evaluate(facts: Facts) -> Tri:
            value = facts.answers.get(key)
            return None if value is None else value is want

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.yes(self.key, self.want)


class _Answered(Condition):
    __slots__ = ("key", "want")

    def __init__(self, key: str, want: bool):
        self.key, self.want, self.keys = key, want, (key,)

        def evaluate(facts: Facts) -> Tri:
            return (key in facts.answers) is want

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.answered(self.key, self.want)

    def evidence(self, facts: Facts) -> list[str]:
        return []


class _Is(Condition):
    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any):
        self.key, self.value, self.keys = key, value, (key,)

        def evaluate(facts: Facts) -> Tri:
            answer = facts.answers.get(key)
            return None if answer is None else answer == value

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.equals(self.key, self.value)


class _Differs(Condition):
    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any):
        self.key, self.value, self.keys = key, value, (key,)

        def evaluate(facts: Facts) -> Tri:
            return facts.answers.get(key) != value

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.differs(self.key, self.value)


class _Compare(Condition):
    __slots__ = ("key", "op", "value")

    def __init__(self, key: str, op: str, value: float):
        compare = _OPS[op]
        self.key, self.op, self.value, self.keys = key, compare, value, (key,)

        def evaluate(facts: Facts) -> Tri:
            answer = facts.answers.get(key)
            return None if answer is None else compare(answer, value)

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.compare(self.key, self.op, self.value)


class _Between(Condition):
    __slots__ = ("high", "key", "low")

    def __init__(self, key: str, low: float, high: float):
        self.key, self.low, self.high, self.keys = key, low, high, (key,)

        def evaluate(facts: Facts) -> Tri:
            answer = facts.answers.get(key)
            return None if answer is None else low <= answer <= high

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.between(self.key, self.low, self.high)


class _Region(Condition):
    __slots__ = ("names",)

    def __init__(self, names: Iterable[str]):
        self.names, self.keys = frozenset(names), ("locations",)
        self.evaluate = self._evaluator(self.names)

    @staticmethod
    def _evaluator(names: frozenset[str]) -> Callable[[Facts], Tri]:
        def evaluate(facts: Facts) -> Tri:
            return None if facts.regions is None else not names.isdisjoint(facts.regions)

        return evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.region(self.names)


class _OnlyRegions(_Region):
    __slots__ = ()

    @staticmethod
    def _evaluator(names: frozenset[str]) -> Callable[[Facts], Tri]:
        def evaluate(facts: Facts) -> Tri:
            regions = facts.regions
            if regions is None:
                return None
            return bool(regions) and regions <= names

        return evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.only_regions(self.names)


class _BothSides(_Region):
    __slots__ = ()

    @staticmethod
    def _evaluator(names: frozenset[str]) -> Callable[[Facts], Tri]:
        def evaluate(facts: Facts) -> Tri:
            if facts.regions is None:
                return None
            return not names.isdisjoint(facts.left) and not names.isdisjoint(facts.right)

        return evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.both_sides(self.names)


class _AtLeast(Condition):
    __slots__ = ("n",)

    def __init__(self, n: int, keys: Iterable[str]):
        self.n, self.keys = n, tuple(keys)
        keys = self.keys

        def evaluate(facts: Facts) -> Tri:
            answers = facts.answers
            yes = unknown = 0
            for key in keys:
                value = answers.get(key)
                if value is True:
                    yes += 1
                elif value is None:
                    unknown += 1
            if yes >= n:
                return True
            return False if yes + unknown < n else None

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.at_least(self.n, self.keys)

    def evidence(self, facts: Facts) -> list[str]:
        return [k for k in self.keys if facts.answers.get(k) is True]


class _All(Condition):
    __slots__ = ("parts",)

    def __init__(self, parts: list[Condition]):
        self.parts = parts
        self.keys = tuple(dict.fromkeys(k for p in parts for k in p.keys))
        self.evaluate = self._evaluator(tuple(part.evaluate for part in parts))

    @staticmethod
    def _evaluator(parts: tuple[Callable[[Facts], Tri], ...]) -> Callable[[Facts], Tri]:
        def evaluate(facts: Facts) -> Tri:
            result: Tri = True
            for part in parts:
                value = part(facts)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.all([part.columns(build) for part in self.parts])

    def evidence(self, facts: Facts) -> list[str]:
        return list(dict.fromkeys(k for p in self.parts for k in p.evidence(facts)))


class _Any(_All):
    __slots__ = ()

    @staticmethod
    def _evaluator(parts: tuple[Callable[[Facts], Tri], ...]) -> Callable[[Facts], Tri]:
        def evaluate(facts: Facts) -> Tri:
            result: Tri = False
            for part in parts:
                value = part(facts)
                if value is True:
                    return True
                if value is None:
                    result = None
            return result

        return evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.any([part.columns(build) for part in self.parts])

    def evidence(self, facts: Facts) -> list[str]:
        found = (p.evidence(facts) for p in self.parts if p.evaluate(facts) is True)
        return list(dict.fromkeys(k for keys in found for k in keys))


class _Not(Condition):
    __slots__ = ("part",)

    def __init__(self, part: Condition):
        self.part, self.keys = part, part.keys
        inner = part.evaluate

        def evaluate(facts: Facts) -> Tri:
            value = inner(facts)
            return None if value is None else not value

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.negate(self.part.columns(build))


class _OrUnknown(Condition):
    __slots__ = ("part",)

    def __init__(self, part: Condition):
        self.part, self.keys = part, part.keys
        inner = part.evaluate

        def evaluate(facts: Facts) -> Tri:
            return inner(facts) is not False

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        return build.or_unknown(self.part.columns(build))

    def evidence(self, facts: Facts) -> list[str]:
        return self.part.evidence(facts) if self.part.evaluate(facts) else []


class _Outcome(Condition):
    __slots__ = ("field", "values")

    def __init__(self, field_: str, values: Iterable[str]):
        self.field, self.values, self.keys = field_, frozenset(values), ()
        allowed = self.values

        def evaluate(facts: Facts) -> Tri:
            value = facts.outcome.get(field_)
            return None if value is None else value in allowed

        self.evaluate = evaluate

    def columns(self, build: ColumnBuilder) -> Any:
        raise ConditionError(f"{self.field!r} conditions read the outcome, not the answers")


class _Ref(Condition):
    """A named condition, resolved lazily so names can be used before they are defined."""

    __slots__ = ("name", "registry", "target")

    def __init__(self, name: str, registry: ConditionSet):
        self.name, self.registry, self.target = name, registry, None
        target: Callable[[Facts], Tri] | None = None

        def evaluate(facts: Facts) -> Tri:
            # The named condition's closure, looked up on the first call only.
            nonlocal target
            if target is None:
                target = self._resolve().evaluate
            return target(facts)

        self.evaluate = evaluate

    def _resolve(self) -> Condition:
        if self.target is None:
            self.target = self.registry[self.name]
        return self.target

    @property
    def keys(self) -> tuple[str, ...]:  # type: ignore[override]
        return self._resolve().keys

    def columns(self, build: ColumnBuilder) -> Any:
        return self._resolve().columns(build)

    def evidence(self, facts: Facts) -> list[str]:
        return self._resolve().evidence(facts)


@dataclass
class Vocabulary:
    """What a condition may name; anything else is a data bug reported at load time."""

    keys: frozenset[str]
    regions: frozenset[str]
    outcomes: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _refs(spec: Any) -> list[str]:
    """Names referred to anywhere inside a condition spec."""
    if isinstance(spec, Mapping):
        found = [spec["ref"]] if isinstance(spec.get("ref"), str) else []
        return found + [r for value in spec.values() for r in _refs(value)]
    if isinstance(spec, list):
        return [r for value in spec for r in _refs(value)]
    return []


class ConditionSet:
    """Compiles condition specs against a vocabulary and holds named conditions."""

    def __init__(self, vocabulary: Vocabulary, named: Mapping[str, Any] | None = None):
        self.vocabulary = vocabulary
        self._specs: dict[str, Any] = dict(named or {})
        self._compiled: dict[str, Condition] = {}
        self._compiling: set[str] = set()

    def add(self, name: str, spec: Any) -> None:
        if name in self._specs:
            raise ConditionError(f"named condition {name!r} is defined twice")
        self._specs[name] = spec

    def __getitem__(self, name: str) -> Condition:
        if name not in self._compiled:
            if name not in self._specs:
                raise ConditionError(f"unknown named condition {name!r}")
            if name in self._compiling:
                raise ConditionError(f"named condition {name!r} refers to itself")
            self._compiling.add(name)
            try:
                self._compiled[name] = self.compile(self._specs[name], where=name)
            finally:
                self._compiling.discard(name)
        return self._compiled[name]

    def compile_all(self) -> None:
        """Compile every named condition now, so data errors surface at load time."""
        for name in self._specs:
            self[name]
            self._check_cycles(name, ())

    def _check_cycles(self, name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise ConditionError(f"named condition {name!r} refers to itself via {path}")
        for ref in _refs(self._specs.get(name)):
            self._check_cycles(ref, (*path, name))

    def compile(self, spec: Any, where: str = "?") -> Condition:
        if not isinstance(spec, Mapping) or len(spec) != 1:
            raise ConditionError(f"{where}: a condition is a mapping with one form, got {spec!r}")
        ((form, arg),) = spec.items()
        try:
            return self._compile_form(form, arg, where)
        except (TypeError, ValueError, KeyError) as exc:
            if isinstance(exc, ConditionError):
                raise
            raise ConditionError(f"{where}: bad {form!r} condition {arg!r}: {exc}") from exc

    def _key(self, key: Any, where: str) -> str:
        if key not in self.vocabulary.keys:
            raise ConditionError(f"{where}: unknown answer key {key!r}")
        return key

    def _regions(self, names: Any, where: str) -> list[str]:
        if not isinstance(names, list) or not names:
            raise ConditionError(f"{where}: a region list is needed, got {names!r}")
        for name in names:
            if name not in self.vocabulary.regions:
                raise ConditionError(f"{where}: unknown region {name!r}")
        return names

    def _compile_form(self, form: str, arg: Any, where: str) -> Condition:
        match form:
            case "yes" | "no":
                return _Yes(self._key(arg, where), form == "yes")
            case "answered" | "unanswered":
                return _Answered(self._key(arg, where), form == "answered")
            case "is":
                key, value = arg
                return _Is(self._key(key, where), value)
            case "differs":
                key, value = arg
                return _Differs(self._key(key, where), value)
            case "cmp":
                key, op, value = arg
                if op not in _OPS:
                    raise ConditionError(f"{where}: unknown comparison {op!r}")
                return _Compare(self._key(key, where), op, value)
            case "between":
                key, low, high = arg
                return _Between(self._key(key, where), low, high)
            case "region":
                return _Region(self._regions(arg, where))
            case "only_regions":
                return _OnlyRegions(self._regions(arg, where))
            case "both_sides":
                return _BothSides(self._regions(arg, where))
            case "at_least":
                n, keys = arg
                return _AtLeast(int(n), [self._key(k, where) for k in keys])
            case "all" | "any":
                if not isinstance(arg, list) or not arg:
                    raise ConditionError(f"{where}: {form!r} needs a non-empty list")
                parts = [self.compile(part, where) for part in arg]
                return _All(parts) if form == "all" else _Any(parts)
            case "not":
                return _Not(self.compile(arg, where))
            case "or_unknown":
                return _OrUnknown(self.compile(arg, where))
            case "ref":
                if arg not in self._specs:
                    raise ConditionError(f"{where}: unknown named condition {arg!r}")
                return _Ref(arg, self)
            case "level" | "pattern":
                allowed = self.vocabulary.outcomes.get(form)
                if allowed is None:
                    raise ConditionError(f"{where}: {form!r} conditions are only for advice")
                values = arg if isinstance(arg, list) else [arg]
                unknown = [v for v in values if v not in allowed]
                if unknown:
                    raise ConditionError(f"{where}: unknown {form} {unknown!r}")
                return _Outcome(form, values)
        raise ConditionError(f"{where}: unknown condition form {form!r}")
