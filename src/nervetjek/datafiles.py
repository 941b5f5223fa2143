"""Reading the package's own data files (YAML with YAML 1.2 booleans, CSV), strictly.

The YAML loader refuses a key written twice, and keeps each key's line so that
:func:`check_schema` can name the file and line of a key a schema does not know (a typo
such as ``exeptions:`` fails loading instead of silently dropping a rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class DataFileError(ValueError):
    """A data file breaks its schema: the message names the file and the line."""


class LineDict(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    lines: dict[Any, int]


# libyaml's parser when PyYAML was built with it: about ten times faster at start-up.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_SafeLoader):
    """SafeLoader where only true/false are booleans: `yes`, `no`, `on` stay strings.

    Our condition language uses `yes:` and `no:` as keys; YAML 1.1 would turn them
    into booleans.  A key written twice in one mapping is an error.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        mapping = LineDict()
        mapping.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in mapping.lines:
                raise DataFileError(
                    f"{self.name} line {line}: the key {key!r} is already on line "
                    f"{mapping.lines[key]}"
                )
            mapping.lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:map", _Yaml12Loader.construct_mapping)


def parse_yaml(text: str, source: str = "<yaml>", keep_lines: bool = False) -> Any:
    """YAML as plain data; with ``keep_lines`` its mappings are :class:`LineDict`."""
    loader = _Yaml12Loader(text)
    loader.name = source
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return data if keep_lines else plain(data)


def plain(data: Any) -> Any:
    """The same data with plain dicts instead of :class:`LineDict`."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


@cache
def package_yaml(package: str, name: str) -> Any:
    """A YAML data file shipped inside a nervetjek package, parsed once per process."""
    source = f"{package.rpartition('.')[2]}/{name}"
    return parse_yaml(resources.files(package).joinpath(name).read_text("utf-8"), source)


def _line_of(raw: Any, location: tuple[Any, ...]) -> int | None:
    """The line of the deepest mapping key on the path of a validation error."""
    line, node = None, raw
    for part in location:
        if isinstance(node, LineDict) and part in node.lines:
            line = node.lines[part]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return line


def check_schema(schema: type[BaseModel], raw: Any, source: str) -> None:
    """Refuse data that does not fit the schema, naming the file and line of each problem."""
    try:
        schema.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            line = _line_of(raw, error["loc"])
            at = f"{source} line {line}" if line else source
            problems.append(f"{at}: {where}: {error['msg']}")
        raise DataFileError("; ".join(problems)) from None


def package_text(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text("utf-8")


def jsonl_records(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """(line number, record) for every non-blank line of a JSON Lines file; a line that
    is not JSON raises :class:`DataFileError` naming it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"line {number}: not valid JSON: {exc.msg}") from exc
