"""Which raw files a study's ``sources:`` patterns select, and the checks that nothing is silently missing.

Rules (``docs/config.md``, ``docs/bad-inputs.md``):

* ``branch_counts``, ``nb_library_stats`` and ``population`` are needed by the reports (visits per
  site, the national comparison, visits per inhabitant): leaving one out of ``sources:`` is an error.
  ``inquiries``, ``surveys``, ``qualitative`` (coded interviews, workshops, observation, documents),
  ``active_borrowers`` and ``counter_hours`` may be left out when a study has none.
* A file matched by the pattern of ``active_borrowers`` or ``counter_hours`` is read as that kind only,
  even when the ``branch_counts`` pattern matches it too (``filialer/*.csv`` beside
  ``filialer/aktive_lanere_*.csv``).
* A listed pattern must match at least one file, and its files must give at least one row inside
  the study period, unless the entry says ``optional: true``
  (``inquiries: {pattern: "henvendelser/*.csv", optional: true}``).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from samorg.config import SOURCE_KINDS
from samorg.errors import ConfigError, Problem

#: source kinds the reports need (leaving one out of ``sources:`` is an error)
REQUIRED_KINDS = ("nb_library_stats", "branch_counts", "population")
#: what each kind is, and an example pattern (for messages)
KIND_TEXT = {
    "nb_library_stats": ("the National Library's statistics per municipality (the national comparison)",
                         "nb/folkebibl-*-kommuner.csv"),
    "branch_counts": ("the monthly branch exports (visits and activity per site)", "filialer/*.csv"),
    "inquiries": ("the service centre's inquiry logs", "henvendelser/*.csv"),
    "surveys": ("the user surveys", "undersokelser/*"),
    "population": ("SSB's population per municipality, table 07459 (visits per inhabitant)", "ssb/*.json"),
    "qualitative": ("the coded qualitative segments (interviews, workshops, observation, documents)",
                    "kvalitativt/*"),
    "active_borrowers": ("the library system's active borrowers by area of residence and year",
                         "utlan/aktive_lanere_*.csv"),
    "counter_hours": ("the people counter's hourly counts with the opening mode (sample weeks)",
                      "teller/teller_timer_*.csv"),
}
#: kinds whose files are taken out of ``branch_counts`` when its (wider) pattern matches them too
CLAIMED_FROM_BRANCH_COUNTS = ("active_borrowers", "counter_hours")


def _ignored(p: Path) -> bool:
    return p.name.startswith((".", "~$")) or p.suffix.lower() == ".md"


def find_inputs(study: Any) -> dict[str, list[Path]]:
    """Every kind of :data:`samorg.config.SOURCE_KINDS` → the files its pattern matches under ``raw_dir``, sorted.

    Hidden files, Office lock files (``~$…``) and ``.md`` notes are skipped. A kind not in the
    study's ``sources:`` gets an empty list. A file matched by a kind of :data:`CLAIMED_FROM_BRANCH_COUNTS`
    is not also a ``branch_counts`` file.
    """
    found: dict[str, list[Path]] = {}
    for kind in SOURCE_KINDS:
        spec = study.sources.get(kind)
        if spec is None:
            found[kind] = []
            continue
        found[kind] = sorted(p for p in Path(study.raw_dir).glob(spec.pattern) if p.is_file() and not _ignored(p))
    claimed = {p for kind in CLAIMED_FROM_BRANCH_COUNTS for p in found[kind]}
    found["branch_counts"] = [p for p in found["branch_counts"] if p not in claimed]
    return found


def _near_miss(raw_dir: Path, pattern: str) -> str:
    """A hint for a pattern that matches nothing: the folder names under raw_dir and the closest one."""
    if not raw_dir.is_dir():
        return f"raw_dir {raw_dir} does not exist; check raw_dir in the study file."
    folders = sorted(p.name for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    first = Path(pattern).parts[0] if Path(pattern).parts else ""
    close = difflib.get_close_matches(first, folders, n=1, cutoff=0.6) if first not in folders else []
    hint = ""
    if close:
        hint = f"Did you mean {Path(close[0], *Path(pattern).parts[1:]).as_posix()!r}? "
    listing = ", ".join(folders[:12]) + (" …" if len(folders) > 12 else "") if folders else "none"
    return f"{hint}The folders under raw_dir are: {listing}."


def check_sources(study: Any, files: dict[str, list[Path]]) -> None:
    """Refuse a build that would silently lack a source: a needed kind left out, or a pattern matching nothing.

    Raises
    ------
    ConfigError
        Listing every such problem with the study file and the ``sources.<kind>`` key.
    """
    problems = []
    where = f"{study.path}: sources"
    for kind in REQUIRED_KINDS:
        if kind not in study.sources:
            what, example = KIND_TEXT[kind]
            problems.append(Problem(
                f"{where}.{kind}", "is missing",
                f"a file pattern under raw_dir for {what}, e.g. {kind}: \"{example}\"",
                "The reports need it. If this study truly has no such files, say so with "
                f"{kind}: {{pattern: \"{example}\", optional: true}}; the tables then have no rows of this kind."))
    for kind, spec in study.sources.items():
        if files.get(kind) or spec.optional:
            continue
        problems.append(Problem(
            f"{where}.{kind}", f"the pattern {spec.pattern!r} matches no file under {study.raw_dir}",
            f"at least one file of {KIND_TEXT[kind][0]}",
            "Correct the pattern (it is relative to raw_dir), or write "
            f"{kind}: {{pattern: {spec.pattern!r}, optional: true}} if the files may be missing. "
            + _near_miss(Path(study.raw_dir), spec.pattern)))
    if problems:
        raise ConfigError(problems)


def check_rows(study: Any, rows: dict[str, int], read: dict[str, int]) -> None:
    """Refuse a build where a listed, non-optional source gave 0 rows inside the study period.

    ``rows`` is the number of rows each kind contributes to the processed tables; ``read`` the
    number read from its files (before rows outside the study period were left out).

    Raises
    ------
    ConfigError
        Naming ``sources.<kind>``, what was read and the study period.
    """
    problems = []
    for kind, spec in study.sources.items():
        if spec.optional or rows.get(kind, 0) > 0:
            continue
        n = read.get(kind, 0)
        found = (f"the files matched by {spec.pattern!r} give 0 rows inside the study period "
                 f"{study.data_start} to {study.data_end}" + (f" ({n} rows read, all outside it)" if n else ""))
        problems.append(Problem(
            f"{study.path}: sources.{kind}", found, f"rows of {KIND_TEXT[kind][0]} for the study period",
            "Check that the pattern selects the right files and that data_start/data_end cover their years, "
            f"or write {kind}: {{pattern: {spec.pattern!r}, optional: true}} to build without them knowingly."))
    if problems:
        raise ConfigError(problems)


def check_branch_files(study: Any, files: dict[str, list[Path]]) -> None:
    """Refuse a ``branch_counts`` file that is an active-borrowers or hourly-counter export (by its header).

    Such a file is never read as another kind than its ``sources:`` entry says: the error names it and
    the key to declare it under (:func:`samorg.sources.place.branch_file_kind` reads its first lines).

    Raises
    ------
    ConfigError
        One problem per such file.
    """
    from samorg.sources.place import branch_file_kind

    problems = []
    for p in files.get("branch_counts", []):
        kind = branch_file_kind(p)
        if kind == "branch_counts":
            continue
        column = "an active-borrowers column" if kind == "active_borrowers" else "an opening-mode column"
        try:
            rel = Path(p).resolve().relative_to(Path(study.raw_dir).resolve()).as_posix()
        except ValueError:
            rel = Path(p).as_posix()
        problems.append(Problem(
            f"{study.path}: sources.branch_counts",
            f"matches {p}, which is {KIND_TEXT[kind][0]} (its header has {column}), not a monthly branch export",
            "only monthly branch exports under sources.branch_counts",
            f"Declare the file under sources.{kind} (e.g. {kind}: \"{rel}\"; or move such files to a folder of "
            f"their own, as in {kind}: \"{KIND_TEXT[kind][1]}\"). A file matched by sources.{kind} is not read "
            "as branch counts."))
    if problems:
        raise ConfigError(problems)
