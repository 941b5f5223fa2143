"""Read a cohort file into typed columns, checked as strictly as one intake.

CSV and Parquet: one row per person, an ``id`` column and one column per intake-v1 key;
booleans ``true``/``false``, numbers as numbers, ``locations`` as region codes joined by
``;``, an empty cell is unanswered.  JSON Lines: the lines ``nervetjek assess --jsonl``
reads, each checked by :func:`nervetjek.intake.validate_answers` itself.

Any problem stops the whole file with a :class:`CohortError` naming the row and column:
a researcher must not get a result for a person whose answers were misread.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from nervetjek.intake import IntakeError, validate_answers
from nervetjek.intake.bank import Item, ItemBank
from nervetjek.intake.validate import check_value, follow_ups, split_case

ID = "id"
MAX_SHOWN = 10  # problems listed in one message
INPUTS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}
_DTYPES = {
    "boolean": pl.Boolean,
    "integer": pl.Int64,
    "choice": pl.String,
    "text": pl.String,
    "regions": pl.List(pl.String),
}
# Polars' own number reading allows leading spaces, a sign and leading zeros; so does the
# check of text cells, so a file is read the same whichever way it goes.
_WHOLE_NUMBER = r"^ *[+-]?[0-9]{1,18}$"


class CohortError(ValueError):
    """The file cannot be scored; the message says where and why."""


def typed_schema(bank: ItemBank) -> dict[str, pl.DataType]:
    return {
        ID: pl.String,
        **{key: _DTYPES[item.type] for key, item in bank.items.items()},
    }


def read_cohort(path: Path, bank: ItemBank) -> pl.DataFrame:
    """Every person in the file as typed columns (id, then the intake keys present)."""
    kind = INPUTS.get(path.suffix.lower())
    if kind is None:
        raise CohortError(f"{path}: the input must end in {', '.join(INPUTS)}")
    if not path.is_file():
        raise CohortError(f"{path}: no such file")
    if kind == "jsonl":
        return _read_jsonl(path, bank)
    try:
        raw = _read_csv(path, bank) if kind == "csv" else pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CohortError(f"{path}: cannot read it as {kind.upper()}: {first}") from exc
    _check_header(raw.columns, bank)
    return _typed(_plain(raw), bank)


def _read_csv(path: Path, bank: ItemBank) -> pl.DataFrame:
    """Yes/no and number columns parsed as such by Polars (the fast way); when a cell
    does not parse, everything is read as text so the checks can name row and column."""
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    _check_header(header, bank)
    parsed = {
        key: _DTYPES[bank.items[key].type]
        for key in header
        if key in bank.items and bank.items[key].type in ("boolean", "integer")
    }
    try:
        return pl.read_csv(path, schema_overrides=parsed, infer_schema=False)
    except pl.exceptions.ComputeError:
        return pl.read_csv(path, infer_schema=False)


def _check_header(columns: list[str], bank: ItemBank) -> None:
    unknown = [c for c in columns if c != ID and c not in bank.items]
    if unknown:
        raise CohortError(
            f"row 1 (the header), column {unknown[0]}: unknown column; the columns are "
            f"'id' and the intake-v1 keys ({len(unknown)} unknown: {', '.join(unknown[:5])})"
        )
    if ID not in columns:
        raise CohortError("row 1 (the header): there is no 'id' column")


# ------------------------------------------------------------------- CSV and Parquet


def _plain(raw: pl.DataFrame) -> pl.DataFrame:
    """Columns as text, true/false, whole numbers or lists, whatever the file held.

    Lists (locations) stay lists: an empty list is an answer ("nowhere"), unlike a null.
    A whole-number float (a spreadsheet's integer column with gaps) is read as the number;
    any other float becomes text, which the checks then refuse.
    """
    columns = []
    for name, dtype in raw.schema.items():
        column = pl.col(name)
        if dtype in (pl.String, pl.Boolean) or dtype.is_integer() or isinstance(dtype, pl.List):
            columns.append(column)
        elif dtype.is_float():
            whole = column.is_nan().not_() & (column == column.round(0))
            number = pl.when(whole).then(column.cast(pl.Int64, strict=False).cast(pl.String))
            columns.append(
                number.when(column.is_nan())
                .then(None)
                .otherwise(column.cast(pl.String))
                .alias(name)
            )
        else:
            raise CohortError(
                f"column {name}: values of type {dtype} cannot be intake answers; use text, "
                "true/false or numbers"
            )
    return raw.select(columns)


def _checks(
    item: Item, text: pl.Expr, dtype: pl.DataType, bank: ItemBank
) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, bad) for one answer column: text, or already parsed by the reader."""
    match item.type:
        case "boolean" if dtype == pl.Boolean:
            return text, pl.lit(False)
        case "boolean":
            word = text.str.to_lowercase()
            return word == "true", text.is_not_null() & ~word.is_in(["true", "false"])
        case "integer" if dtype.is_integer():
            number = text.cast(pl.Int64)
            return number, ~number.is_between(item.minimum, item.maximum)
        case "integer":
            number = text.str.strip_chars_start(" ").cast(pl.Int64, strict=False)
            fits = text.str.contains(_WHOLE_NUMBER) & number.is_between(item.minimum, item.maximum)
            return number, text.is_not_null() & ~fits.fill_null(False)
        case "choice":
            return text, text.is_not_null() & ~text.is_in(list(item.options))
        case "text":
            return text, text.str.len_chars() > item.max_length
        case "regions":
            listed = text.str.split(";") if dtype == pl.String else text
            unknown = ~listed.list.eval(pl.element().is_in(list(bank.region_labels))).list.all()
            twice = listed.list.n_unique() < listed.list.len()
            return listed, unknown | twice
    raise CohortError(f"column {item.key}: items of type {item.type} cannot be read")


def _native(item: Item, dtype: pl.DataType) -> bool:
    """Whether the file's own type of a column can hold this item's answers as they are."""
    if dtype == pl.String or isinstance(dtype, pl.List):
        return True
    return (item.type == "boolean" and dtype == pl.Boolean) or (
        item.type == "integer" and dtype.is_integer()
    )


def _typed(raw: pl.DataFrame, bank: ItemBank) -> pl.DataFrame:
    values, bad = [pl.col(ID)], [pl.col(ID).is_null().alias(ID)]
    for name, dtype in raw.schema.items():
        if name != ID:
            item, column = bank.items[name], pl.col(name)
            if isinstance(dtype, pl.List) and item.type != "regions":
                raise CohortError(f"column {name}: holds lists, but {name} is one answer")
            if not _native(item, dtype):  # e.g. numbers in a yes/no column: check as text
                column, dtype = column.cast(pl.String), pl.String
            value, wrong = _checks(item, column, dtype, bank)
            values.append(value.alias(name))
            bad.append(wrong.fill_null(False).alias(name))
    typed = raw.select(values).with_columns(pl.col(ID).cast(pl.String))
    flags = raw.select(bad)
    for follow_up, lead in follow_ups().items():
        if follow_up in raw.columns and lead in raw.columns:
            contradiction = (pl.col(follow_up) & ~pl.col(lead)).fill_null(False)
            flags = flags.with_columns(typed.select(contradiction.alias(f"{follow_up}\t{lead}")))
    any_bad = flags.select(pl.any_horizontal(pl.all())).to_series()
    if any_bad.any():
        rows = flags.with_row_index("__row").filter(any_bad)
        raise CohortError(_describe_problems(raw, rows, bank))
    return typed


def _describe_problems(raw: pl.DataFrame, rows: pl.DataFrame, bank: ItemBank) -> str:
    lines = []
    for record in rows.head(MAX_SHOWN).iter_rows(named=True):
        index = record.pop("__row")
        ident = raw[ID][index]
        where = f"row {index + 1} (id {ident})" if ident is not None else f"row {index + 1}"
        for column, is_bad in record.items():
            if is_bad:
                lines.append(f"{where}, column {_message(raw, index, column, bank)}")
    more = rows.height - min(rows.height, MAX_SHOWN)
    tail = f"\n... and {more} more rows with problems" if more else ""
    head = "1 row does not" if rows.height == 1 else f"{rows.height} rows do not"
    return f"{head} fit the intake:\n" + "\n".join(lines[:MAX_SHOWN]) + tail


def _message(raw: pl.DataFrame, index: int, column: str, bank: ItemBank) -> str:
    if column == ID:
        return "id: the id is empty"
    if "\t" in column:
        follow_up, lead = column.split("\t")
        return f"{follow_up}: is true while {lead} is false"
    item = bank.items[column]
    cell = raw[column][index]
    problems = check_value(item, _candidate(item, cell), bank)
    return f"{column}: {'; '.join(problems) or f'cannot be read: {cell!r}'}"


def _candidate(item: Item, cell: Any) -> Any:
    """The answer a text cell would be, so the intake's own checks can explain it."""
    if item.type == "boolean" and isinstance(cell, str):
        return {"true": True, "false": False}.get(cell.lower(), cell)
    if item.type == "integer" and isinstance(cell, str):
        try:
            return int(cell.lstrip(" "))
        except ValueError:
            return cell
    if item.type == "regions" and isinstance(cell, str):
        return cell.split(";")
    return list(cell) if isinstance(cell, pl.Series) else cell


# ---------------------------------------------------------------------- JSON Lines


def _read_jsonl(path: Path, bank: ItemBank) -> pl.DataFrame:
    records, problems = [], []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                case_id, answers = split_case(json.loads(line), number)
                records.append({ID: str(case_id), **validate_answers(answers, bank)})
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not valid JSON: {exc.msg}")
            except IntakeError as exc:
                problems += [f"line {number} (id {case_id}), column {p}" for p in exc.problems]
            if len(problems) >= MAX_SHOWN:
                break
    if problems:
        raise CohortError(f"{path} does not fit the intake:\n" + "\n".join(problems[:MAX_SHOWN]))
    return typed_from_records(records, bank)


def typed_from_records(records: list[dict[str, Any]], bank: ItemBank) -> pl.DataFrame:
    """Typed columns from validated answers, each with its ``id`` (a string)."""
    schema = typed_schema(bank)
    present = [ID, *dict.fromkeys(k for record in records for k in record if k != ID)]
    return pl.from_dicts(records, schema={k: schema[k] for k in present})
