"""The condition language as Polars column expressions.

:meth:`Condition.columns` hands every form to :class:`PolarsConditions`, which builds the
same three-valued logic over whole columns: a Polars null is "cannot tell", and Polars
``&``, ``|``, ``all_horizontal`` and ``any_horizontal`` follow Kleene logic like
``nervetjek.conditions``.

The body map is read from three bit-mask columns (:data:`REGIONS`, :data:`LEFT`,
:data:`RIGHT`), one bit per side-free region name, null when ``locations`` was not
answered; :func:`region_masks` makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import polars as pl

from nervetjek.conditions import Condition
from nervetjek.intake.bank import ItemBank

REGIONS, LEFT, RIGHT = "__regions", "__left", "__right"


def region_bits(bank: ItemBank) -> dict[str, int]:
    """One bit per side-free region name, in the item bank's order."""
    return {name: 1 << i for i, name in enumerate(bank.base_region_labels)}


def region_masks(locations: pl.Expr, bank: ItemBank) -> list[pl.Expr]:
    """The three bit-mask columns from a list-of-codes ``locations`` column.

    Codes must already be valid (the reader checks).  An empty list is an answer
    ("nowhere": mask 0); only a null list is unanswered.
    """
    bits = region_bits(bank)
    every, left, right = {}, {}, {}
    for code in bank.region_labels:
        side, _, name = code.rpartition(".")
        every[code] = bits[name]
        left[code] = bits[name] if side == "left" else 0
        right[code] = bits[name] if side == "right" else 0

    def mask(mapping: Mapping[str, int], name: str) -> pl.Expr:
        bits = locations.list.agg(
            pl.element().replace_strict(mapping, return_dtype=pl.UInt32).bitwise_or()
        )
        return pl.when(locations.is_not_null()).then(bits.fill_null(0)).alias(name)

    return [mask(every, REGIONS), mask(left, LEFT), mask(right, RIGHT)]


class PolarsConditions:
    """Builds Polars expressions for conditions (a ``nervetjek.conditions.ColumnBuilder``)."""

    def __init__(self, bank: ItemBank):
        self.bits = region_bits(bank)
        self.all_bits = sum(self.bits.values())

    def __call__(self, condition: Condition) -> pl.Expr:
        return condition.columns(self)

    @staticmethod
    def _column(key: str) -> pl.Expr:
        return pl.col(REGIONS) if key == "locations" else pl.col(key)

    def _mask(self, names: Iterable[str]) -> int:
        return sum(self.bits[name] for name in set(names))

    def yes(self, key: str, want: bool) -> pl.Expr:
        return pl.col(key) if want else ~pl.col(key)

    def answered(self, key: str, want: bool) -> pl.Expr:
        column = self._column(key)
        return column.is_not_null() if want else column.is_null()

    def equals(self, key: str, value) -> pl.Expr:
        return pl.col(key) == pl.lit(value)

    def differs(self, key: str, value) -> pl.Expr:
        # A missing answer differs from every value.
        return (pl.col(key) != pl.lit(value)).fill_null(True)

    def compare(self, key: str, op: Callable[[pl.Expr, pl.Expr], pl.Expr], value: float):
        return op(pl.col(key), pl.lit(value))  # the operator module's function

    def between(self, key: str, low: float, high: float) -> pl.Expr:
        column = pl.col(key)
        return (column >= pl.lit(low)) & (column <= pl.lit(high))

    def region(self, names: frozenset[str]) -> pl.Expr:
        return (pl.col(REGIONS) & self._mask(names)) != 0

    def only_regions(self, names: frozenset[str]) -> pl.Expr:
        outside = self.all_bits & ~self._mask(names)
        regions = pl.col(REGIONS)
        return (regions != 0) & ((regions & outside) == 0)

    def both_sides(self, names: frozenset[str]) -> pl.Expr:
        mask = self._mask(names)
        both = ((pl.col(LEFT) & mask) != 0) & ((pl.col(RIGHT) & mask) != 0)
        # LEFT and RIGHT are null together (locations unanswered): keep "cannot tell".
        return pl.when(pl.col(REGIONS).is_null()).then(None).otherwise(both)

    def at_least(self, n: int, keys: tuple[str, ...]) -> pl.Expr:
        yes = pl.sum_horizontal([pl.col(k).fill_null(False).cast(pl.Int32) for k in keys])
        unknown = pl.sum_horizontal([pl.col(k).is_null().cast(pl.Int32) for k in keys])
        return (
            pl.when(yes >= n)
            .then(pl.lit(True))
            .when(yes + unknown < n)
            .then(pl.lit(False))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
        )

    def all(self, parts: list[pl.Expr]) -> pl.Expr:
        return pl.all_horizontal(parts)

    def any(self, parts: list[pl.Expr]) -> pl.Expr:
        return pl.any_horizontal(parts)

    def negate(self, part: pl.Expr) -> pl.Expr:
        return ~part

    def or_unknown(self, part: pl.Expr) -> pl.Expr:
        return part.fill_null(True)
