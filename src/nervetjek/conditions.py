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


class Source:
    """Python source for a function of one person's Facts, built from conditions.

    Every value a condition compares with (keys, values, region names) is passed to the
    compiled function as a named constant, never written into the source text.  Given
    an `outcome` (level, pattern), conditions on it are settled while the source is
    made, and the function's Facts need not carry one.
    """

    def __init__(self, outcome: Mapping[str, Any] | None = None) -> None:
        self.constants: dict[str, Any] = {}
        self.temporaries = 0
        self.outcome = outcome

    def constant(self, value: Any) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def temporary(self) -> str:
        self.temporaries += 1
        return f"t{self.temporaries}"

    def condition(self, condition: Condition) -> str:
        """An expression for the condition's value (True, False or None)."""
        return condition._source(self)

    def compile(self, body: str) -> Callable[[Facts], Any]:
        """The function `evaluate(f)` with this body (indented, may use f, a, g and r)."""
        namespace = dict(self.constants)
        # The source is made here; every value from the data files is a named constant.
        exec(_PROLOGUE + body, namespace)
        return namespace["evaluate"]


def selector(
    choices: Iterable[tuple[Condition | None, Any]], outcome: Mapping[str, Any] | None = None
) -> Callable[[Facts], list[Any]]:
    """One function that returns, in order, the values whose condition is true (None:
    always), every condition written out in it: no call per condition.  `outcome`: as
    for `Source`."""
    source = Source(outcome)
    lines = ["chosen = []", "add = chosen.append"]
    for condition, value in choices:
        add = f"add({source.constant(value)})"
        lines.append(
            add if condition is None else f"if {source.condition(condition)} is True: {add}"
        )
    lines.append("return chosen")
    return source.compile("".join(f"    {line}\n" for line in lines))


# The names the compiled function's body may use: f is the Facts.
_PROLOGUE = "def evaluate(f):\n    a = f.answers\n    g = a.get\n    r = f.regions\n"


class Condition:
    """A compiled condition: ``evaluate`` gives True/False/None, ``evidence`` says why.

    On its first call ``evaluate`` turns the whole condition, named conditions included,
    into one Python function (``_source``) and replaces itself with it: an assessment
    evaluates hundreds of conditions, and one function per condition costs a fraction
    of a method call per part.
    """

    __slots__ = ("evaluate", "keys")
    keys: tuple[str, ...]
    evaluate: Callable[[Facts], Tri]
    # The answer key when the condition is exactly {yes: key}: callers on a hot path may
    # read the answer directly instead of evaluating.
    yes_key: str | None = None

    def __init__(self) -> None:
        self.evaluate = self._compile_and_evaluate

    def _compile_and_evaluate(self, facts: Facts) -> Tri:
        source = Source()
        self.evaluate = source.compile(f"    return {source.condition(self)}\n")
        return self.evaluate(facts)

    def _source(self, source: Source) -> str:  # pragma: no cover - abstract
        """A Python expression over f, a, g and r (see _PROLOGUE): True, False or None."""
        raise NotImplementedError

    def columns(self, build: ColumnBuilder) -> Any:  # pragma: no cover - abstract
        """The same condition as a whole-column expression made by `build`."""
        raise NotImplementedError

    def evidence(self, facts: Facts) -> list[str]:
        """The answer keys that make this condition true (call only when it is true)."""
        return [k for k in self.keys if k in facts.answers]


def _unless_missing(source: Source, key: str, test: str) -> str:
    """None when the answer is missing, else `test` with {v} standing for the answer."""
    value = source.temporary()
    return f"(None if ({value} := g({source.constant(key)})) is None else {test.format(v=value)})"


class _Yes(Condition):
    __slots__ = ("key", "want", "yes_key")

    def __init__(self, key: str, want: bool):
        super().__init__()
        self.key, self.want, self.keys = key, want, (key,)
        self.yes_key = key if want else None

    def _source(self, source: Source) -> str:
        return _unless_missing(source, self.key, f"{{v}} is {self.want}")

    def columns(self, build: ColumnBuilder) -> Any:
        return build.yes(self.key, self.want)


class _Answered(Condition):
    __slots__ = ("key", "want")

    def __init__(self, key: str, want: bool):
        super().__init__()
        self.key, self.want, self.keys = key, want, (key,)

    def _source(self, source: Source) -> str:
        return f"({source.constant(self.key)} {'in' if self.want else 'not in'} a)"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.answered(self.key, self.want)

    def evidence(self, facts: Facts) -> list[str]:
        return []


class _Is(Condition):
    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any):
        super().__init__()
        self.key, self.value, self.keys = key, value, (key,)

    def _source(self, source: Source) -> str:
        return _unless_missing(source, self.key, f"{{v}} == {source.constant(self.value)}")

    def columns(self, build: ColumnBuilder) -> Any:
        return build.equals(self.key, self.value)


class _Differs(Condition):
    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any):
        super().__init__()
        self.key, self.value, self.keys = key, value, (key,)

    def _source(self, source: Source) -> str:
        return f"(g({source.constant(self.key)}) != {source.constant(self.value)})"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.differs(self.key, self.value)


class _Compare(Condition):
    __slots__ = ("key", "op", "value")

    def __init__(self, key: str, op: str, value: float):
        super().__init__()
        self.key, self.op, self.value, self.keys = key, _OPS[op], value, (key,)

    def _source(self, source: Source) -> str:
        op, value = source.constant(self.op), source.constant(self.value)
        return _unless_missing(source, self.key, f"{op}({{v}}, {value})")

    def columns(self, build: ColumnBuilder) -> Any:
        return build.compare(self.key, self.op, self.value)


class _Between(Condition):
    __slots__ = ("high", "key", "low")

    def __init__(self, key: str, low: float, high: float):
        super().__init__()
        self.key, self.low, self.high, self.keys = key, low, high, (key,)

    def _source(self, source: Source) -> str:
        low, high = source.constant(self.low), source.constant(self.high)
        return _unless_missing(source, self.key, f"{low} <= {{v}} <= {high}")

    def columns(self, build: ColumnBuilder) -> Any:
        return build.between(self.key, self.low, self.high)


class _Region(Condition):
    __slots__ = ("names",)

    def __init__(self, names: Iterable[str]):
        super().__init__()
        self.names, self.keys = frozenset(names), ("locations",)

    def _source(self, source: Source) -> str:
        return f"(None if r is None else not {source.constant(self.names)}.isdisjoint(r))"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.region(self.names)


class _OnlyRegions(_Region):
    __slots__ = ()

    def _source(self, source: Source) -> str:
        return f"(None if r is None else (bool(r) and r <= {source.constant(self.names)}))"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.only_regions(self.names)


class _BothSides(_Region):
    __slots__ = ()

    def _source(self, source: Source) -> str:
        names = source.constant(self.names)
        return (
            f"(None if r is None else "
            f"(not {names}.isdisjoint(f.left) and not {names}.isdisjoint(f.right)))"
        )

    def columns(self, build: ColumnBuilder) -> Any:
        return build.both_sides(self.names)


class _AtLeast(Condition):
    __slots__ = ("n",)

    def __init__(self, n: int, keys: Iterable[str]):
        super().__init__()
        self.n, self.keys = n, tuple(keys)

    def _count(self, answers: Mapping[str, Any]) -> Tri:
        yes = unknown = 0
        for key in self.keys:
            value = answers.get(key)
            if value is True:
                yes += 1
            elif value is None:
                unknown += 1
        if yes >= self.n:
            return True
        return False if yes + unknown < self.n else None

    def _source(self, source: Source) -> str:
        return f"{source.constant(self._count)}(a)"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.at_least(self.n, self.keys)

    def evidence(self, facts: Facts) -> list[str]:
        return [k for k in self.keys if facts.answers.get(k) is True]


class _All(Condition):
    __slots__ = ("parts",)
    # Kleene logic: the first part with this value decides; else None if any part is.
    _decides = False

    def __init__(self, parts: list[Condition]):
        super().__init__()
        self.parts = parts
        self.keys = tuple(dict.fromkeys(k for p in parts for k in p.keys))

    def _source(self, source: Source) -> str:
        # The parts in order, each only when none before decided (as a loop would).
        values = [source.temporary() for _ in self.parts]
        unknown = " or ".join(f"{value} is None" for value in values)
        expression = f"(None if {unknown} else {not self._decides})"
        for value, part in reversed(list(zip(values, self.parts, strict=True))):
            decides = self._decides
            expression = (
                f"({decides} if ({value} := {part._source(source)}) is {decides} else {expression})"
            )
        return expression

    def columns(self, build: ColumnBuilder) -> Any:
        return build.all([part.columns(build) for part in self.parts])

    def evidence(self, facts: Facts) -> list[str]:
        return list(dict.fromkeys(k for p in self.parts for k in p.evidence(facts)))


class _Any(_All):
    __slots__ = ()
    _decides = True

    def columns(self, build: ColumnBuilder) -> Any:
        return build.any([part.columns(build) for part in self.parts])

    def evidence(self, facts: Facts) -> list[str]:
        found = (p.evidence(facts) for p in self.parts if p.evaluate(facts) is True)
        return list(dict.fromkeys(k for keys in found for k in keys))


class _Not(Condition):
    __slots__ = ("part",)

    def __init__(self, part: Condition):
        super().__init__()
        self.part, self.keys = part, part.keys

    def _source(self, source: Source) -> str:
        value = source.temporary()
        return f"(None if ({value} := {self.part._source(source)}) is None else not {value})"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.negate(self.part.columns(build))


class _OrUnknown(Condition):
    __slots__ = ("part",)

    def __init__(self, part: Condition):
        super().__init__()
        self.part, self.keys = part, part.keys

    def _source(self, source: Source) -> str:
        return f"({self.part._source(source)} is not False)"

    def columns(self, build: ColumnBuilder) -> Any:
        return build.or_unknown(self.part.columns(build))

    def evidence(self, facts: Facts) -> list[str]:
        return self.part.evidence(facts) if self.part.evaluate(facts) else []


class _Outcome(Condition):
    __slots__ = ("field", "values")

    def __init__(self, field_: str, values: Iterable[str]):
        super().__init__()
        self.field, self.values, self.keys = field_, frozenset(values), ()

    def _source(self, source: Source) -> str:
        if source.outcome is not None:  # settled now
            known = source.outcome.get(self.field)
            return repr(None if known is None else known in self.values)
        value, field_ = source.temporary(), source.constant(self.field)
        return (
            f"(None if ({value} := f.outcome.get({field_})) is None "
            f"else {value} in {source.constant(self.values)})"
        )

    def columns(self, build: ColumnBuilder) -> Any:
        raise ConditionError(f"{self.field!r} conditions read the outcome, not the answers")


class _Ref(Condition):
    """A named condition, resolved lazily so names can be used before they are defined."""

    __slots__ = ("name", "registry", "target")

    def __init__(self, name: str, registry: ConditionSet):
        super().__init__()
        self.name, self.registry, self.target = name, registry, None

    def _resolve(self) -> Condition:
        if self.target is None:
            self.target = self.registry[self.name]
        return self.target

    @property
    def keys(self) -> tuple[str, ...]:  # type: ignore[override]
        return self._resolve().keys

    def _source(self, source: Source) -> str:
        return self._resolve()._source(source)

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
