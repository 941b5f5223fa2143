"""Reading the package's own data files (YAML with YAML 1.2 booleans, CSV)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: about ten times faster at start-up.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_SafeLoader):
    """SafeLoader where only true/false are booleans: `yes`, `no`, `on` stay strings.

    Our condition language uses `yes:` and `no:` as keys; YAML 1.1 would turn them
    into booleans.
    """


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Yaml12Loader)


@cache
def package_yaml(package: str, name: str) -> Any:
    """A YAML data file shipped inside a nervetjek package, parsed once per process."""
    return parse_yaml(resources.files(package).joinpath(name).read_text("utf-8"))


def package_text(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text("utf-8")
