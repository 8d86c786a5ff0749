"""Read a notebook's declared parameters and check given values against them.

A report notebook declares its parameters in the cell tagged ``parameters``::

    site: str = "sentrum"
    lang: str = "nb"

Papermill only warns about a parameter the notebook does not declare and then
runs anyway; samorg refuses before anything runs, naming every bad parameter,
the declared ones, and the likely intended name.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from samorg.errors import ParameterError, ReportError

__all__ = ["check_jobs", "NotebookParameter", "notebook_parameters", "validate_parameters"]

#: Declared type name → Python types a given value may have.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
    "tuple": (tuple, list),
}


class NotebookParameter(NamedTuple):
    """One declared parameter: its type name (``"str"``, ``"int"``, ... or ``""`` if
    unknown) and its default value (evaluated when it is a literal, else its source text)."""

    type: str
    default: Any


def _literal(source: str) -> tuple[Any, bool]:
    """The value of a literal default, and whether it was a literal."""
    try:
        return ast.literal_eval(source), True
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return source, False


def notebook_parameters(path: str | Path) -> dict[str, NotebookParameter]:
    """The parameters declared in a notebook's ``parameters`` cell.

    Parameters
    ----------
    path : path
        A notebook (.ipynb). It is read, not executed and not modified.

    Returns
    -------
    dict
        ``{name: NotebookParameter(type, default)}`` in declaration order; a
        ``NotebookParameter`` unpacks as ``(type, default)``. Empty if the
        notebook has no ``parameters`` cell.

    Examples
    --------
    >>> notebook_parameters("notebooks/site_report.ipynb")  # doctest: +SKIP
    {'site': NotebookParameter(type='str', default='drammen'), ...}
    """
    import papermill

    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: no such notebook. Expected the path of a report notebook (.ipynb).")
    try:
        declared = papermill.inspect_notebook(str(path))
    except Exception as exc:  # papermill/nbformat raise many unrelated types
        raise ParameterError(f"{path}: could not read its parameters cell ({exc}).") from exc
    out: dict[str, NotebookParameter] = {}
    for name, info in declared.items():
        default, is_literal = _literal(info.get("default") or "None")
        type_name = (info.get("inferred_type_name") or "").strip()
        if type_name in ("", "None"):  # no annotation: infer from a literal default
            type_name = type(default).__name__ if is_literal and default is not None else ""
        out[name] = NotebookParameter(type_name, default)
    return out


def _accepted(type_name: str) -> tuple[tuple[type, ...], bool] | None:
    """Python types allowed for a declared type name, and whether None is allowed.

    ``None`` when the type is unknown (no check is made).
    """
    text = type_name.replace(" ", "")
    optional = False
    if text.startswith("Optional[") and text.endswith("]"):
        text, optional = text[len("Optional["):-1], True
    parts = [p for p in text.split("|") if p]
    if "None" in parts:
        optional = True
        parts = [p for p in parts if p != "None"]
    types: tuple[type, ...] = ()
    for part in parts:
        base = part.split("[", 1)[0].lower()
        if base not in _TYPES:
            return None
        types += _TYPES[base]
    if not types:
        return None
    return types, optional


def _type_ok(value: Any, type_name: str) -> bool:
    accepted = _accepted(type_name)
    if accepted is None:
        return True
    types, optional = accepted
    if value is None:
        return optional
    if isinstance(value, bool) and bool not in types:
        return False  # True is an int to Python, not to a researcher
    return isinstance(value, types)


def validate_parameters(path: str | Path, given: dict[str, Any]) -> dict[str, NotebookParameter]:
    """Check parameters against a notebook's declarations, before it runs.

    Parameters
    ----------
    path : path
        The report notebook.
    given : dict
        Parameter values to pass to the notebook; not modified.

    Returns
    -------
    dict
        The declared parameters (as :func:`notebook_parameters`).

    Raises
    ------
    ParameterError
        Listing every unknown parameter (with the declared names and a
        "did you mean" suggestion) and every value of the wrong type.

    Examples
    --------
    >>> validate_parameters("notebooks/site_report.ipynb", {"stie": "drammen"})  # doctest: +SKIP
    Traceback (most recent call last):
    ParameterError: notebooks/site_report.ipynb: 1 problem with the report parameters:
      - unknown parameter "stie" (did you mean "site"?). Declared parameters: site, year.
    """
    path = Path(path)
    declared = notebook_parameters(path)
    problems: list[str] = []
    known = ", ".join(declared) if declared else "(none: the notebook has no cell tagged 'parameters')"
    for name, value in given.items():
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(f'unknown parameter "{name}"{hint}. Declared parameters: {known}.')
            continue
        type_name = declared[name].type
        if not _type_ok(value, type_name):
            problems.append(
                f'parameter "{name}" is {value!r} ({type(value).__name__}). '
                f"Expected {type_name}, e.g. {declared[name].default!r}."
            )
    if problems:
        lines = [f"{path}: {len(problems)} problem{'s' if len(problems) > 1 else ''} with the report parameters:"]
        lines += [f"  - {p}" for p in problems]
        raise ParameterError("\n".join(lines))
    return declared


def check_jobs(jobs: list, formats: Iterable[str], known_formats: Iterable[str], *, parameters: bool = True) -> None:
    """Raise one error listing every problem in every job, before anything runs.

    ``parameters=False`` checks the parameters only when another problem is found (to list them all in one
    error): the runner checks them for the reports it will build, after the cache has said which. A reused
    report's template and parameters are part of its key, so they passed this check when it was built.
    """
    bad_formats = [f for f in formats if f not in known_formats]
    if bad_formats:
        raise ReportError(f"Unknown output format(s) {bad_formats}. Expected any of {list(known_formats)}.")
    problems: list[str] = []
    seen: set[str] = set()
    param_errors = False
    for job in jobs:
        name = job.name
        if not name or name in (".", "..") or Path(name).name != name or name.startswith("."):
            problems.append(f'job name {name!r} is not a plain folder name. Expected e.g. "drammen".')
        elif name in seen:
            problems.append(f'job name "{name}" is used twice. Expected one job per name.')
        seen.add(name)
    for job in jobs if parameters or problems else ():
        try:
            validate_parameters(job.notebook, job.parameters)  # imports papermill: ~0.4 s
        except ParameterError as exc:
            param_errors = True
            problems.append(f'job "{job.name}": {exc}')
    if problems:
        cls = ParameterError if param_errors else ReportError
        head = f"{len(problems)} report job(s) cannot run; nothing was run:"
        raise cls("\n".join([head] + [f"- {p}" for p in problems]))
