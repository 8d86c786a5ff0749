"""Column mappings a researcher writes in configuration instead of code.

The mapping has one section per source kind; under it, a canonical column (or, for surveys, an
item id; for the National Library file, an indicator id or ``ignore``) and the header name(s) the
export uses for it::

    columns:
      branch_counts:
        visits_in: "Inngang (teller 1)"
      inquiries:
        channel: [Kontaktkanal, Kanal inn]
      surveys:
        calm: "Hvor fornøyd er du med roen i lokalene?"
      nb_library_stats:
        visits: "Besøk i alt"
        ignore: ["Kommentar fra biblioteket"]

It lives under ``columns:`` in the study file, or (until the study file accepts that key) in a
``columns.yaml`` next to it. Names given here are tried before the built-in aliases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from samorg.sources._errors import MappingError

COLUMNS_FILE = "columns.yaml"


def layouts() -> dict[str, tuple[str, ...]]:
    """Source kind → the canonical names its mapping may use (``None`` entries: any indicator id)."""
    from samorg.sources import branch_counts, counters, inquiries, loans_events, place, qualitative, surveys

    return {
        "active_borrowers": place.BORROWER_LAYOUT.names(),
        "counter_hours": tuple(dict.fromkeys(counters.LAYOUT.names() + place.HOUR_MODE_LAYOUT.names())),
        "branch_counts": branch_counts.LAYOUT.names(),
        "people_counters": counters.LAYOUT.names(),
        "loans": loans_events.LOANS.names(),
        "events": loans_events.EVENTS.names(),
        "inquiries": inquiries.LAYOUT.names(),
        "surveys": surveys.LAYOUT.names() + tuple(surveys.ITEMS),
        "qualitative": qualitative.LAYOUT.names(),
        "nb_library_stats": (),
    }


def load_column_mapping(source: Mapping[str, Any] | str | Path | None) -> dict[str, dict[str, tuple[str, ...]]]:
    """Validate a column mapping (the ``columns:`` section, or a YAML file holding it).

    Returns
    -------
    dict
        Source kind → canonical name → header names (tuple).

    Raises
    ------
    MappingError
        An unknown source kind or column name, or a header that is not text; the message lists
        what is allowed.

    Examples
    --------
    >>> load_column_mapping({"inquiries": {"channel": "Kontaktkanal"}})
    {'inquiries': {'channel': ('Kontaktkanal',)}}
    """
    where: str | Path = "columns"
    if source is None:
        return {}
    if isinstance(source, (str, Path)):
        import yaml

        where = Path(source)
        try:
            loaded = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise MappingError(where, row=1, found=f"the file cannot be read as YAML ({exc})",
                               expected="a YAML mapping under `columns:`") from None
        source = loaded.get("columns", loaded) if isinstance(loaded, dict) else loaded
    if not isinstance(source, Mapping):
        raise MappingError(where, found=f"a {type(source).__name__}", expected="a mapping of source kind → columns")
    allowed = layouts()
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, section in source.items():
        if kind not in allowed:
            raise MappingError(where, column=str(kind), found=f"the source kind {kind!r}",
                               expected="one of " + ", ".join(sorted(allowed)))
        if not isinstance(section, Mapping):
            raise MappingError(where, column=str(kind), found=f"a {type(section).__name__}",
                               expected="a mapping of column → header name(s)")
        names = {}
        for name, headers in section.items():
            name = str(name)
            if allowed[kind] and name not in allowed[kind]:
                raise MappingError(where, column=f"{kind}.{name}", found=f"the column {name!r}",
                                   expected=f"one of {', '.join(allowed[kind])}")
            if not allowed[kind] and not (name == "ignore" or re.fullmatch(r"[a-z][a-z0-9_]*", name)):
                raise MappingError(where, column=f"{kind}.{name}", found=f"the indicator id {name!r}",
                                   expected="a lower-case indicator id or 'ignore'")
            headers = [headers] if isinstance(headers, str) else headers
            if not isinstance(headers, (list, tuple)) or not all(isinstance(h, str) and h.strip() for h in headers):
                raise MappingError(where, column=f"{kind}.{name}", found=f"{headers!r}",
                                   expected="a header name or a list of header names")
            names[name] = tuple(headers)
        out[str(kind)] = names
    return out


def study_column_mapping(study: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """The mapping of a study: its ``columns`` attribute if it has one, else ``columns.yaml`` beside the study file."""
    own = getattr(study, "columns", None)
    if own:
        return load_column_mapping(own)
    path = getattr(study, "path", None)
    if path is not None and (Path(path).parent / COLUMNS_FILE).is_file():
        return load_column_mapping(Path(path).parent / COLUMNS_FILE)
    return {}
