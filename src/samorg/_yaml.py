"""Reading the study's YAML files for :mod:`samorg.config`: every problem is added to a list, never raised.

:func:`read_yaml` refuses duplicate keys (PyYAML silently keeps the last) and keeps an impossible date
such as ``2020-02-30`` as text, so validation can name it; :func:`check_keys` names unknown keys (with
the closest known one) and missing required ones.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from samorg.errors import Problem

__all__ = ["check_keys", "read_yaml"]


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that refuses duplicate keys instead of silently keeping the last.

    libyaml's parser where PyYAML has it (its wheels do): a study's registry parses in 2 ms instead of 16,
    and every report kernel reads it (issue 17). The same nodes, marks and errors as the pure-Python one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            loader.duplicates.append((key, seen[key], key_node.start_mark.line + 1))
        else:
            seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2020-02-30 stays text, so validation can name it.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    """The mapping in the YAML file ``path``; None (with the problems added) when there is none to read."""
    if not path.is_file():
        problems.append(Problem(str(path), "the file does not exist", "a YAML file",
                                "Check the path (relative paths are relative to the study file)."))
        return None
    text = path.read_text(encoding="utf-8")
    loader = _UniqueKeyLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        problems.append(Problem(where, f"is not valid YAML ({getattr(exc, 'problem', exc)})",
                                "valid YAML", "Check indentation and quoting on that line."))
        return None
    finally:
        loader.dispose()
    for key, first, again in loader.duplicates:
        problems.append(Problem(f"{path}, line {again}", f"the key {key!r} appears again (first on line {first})",
                                "each key once", "Remove or rename one of them: ids must be unique."))
    if not isinstance(data, dict):
        problems.append(Problem(str(path), f"holds a {type(data).__name__}", "a mapping of keys to values"))
        return None
    return data


def check_keys(mapping: dict, allowed: dict[str, bool], where: str, problems: list[Problem]) -> None:
    """Unknown keys of ``mapping`` and missing required ones (``allowed``: key → required)."""
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"Did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(f"{where}.{key}", "is not a known key", "one of " + ", ".join(allowed), hint))
    for key, required in allowed.items():
        if required and key not in mapping:
            problems.append(Problem(f"{where}.{key}", "is missing", "a value (see docs/config.md)"))
