"""``samorg init NAME``: a new study's folder, so nobody has to copy (and then overwrite) the demo.

:func:`create_study` writes ``config/NAME/`` with a commented study file, a site registry with one
example site, an empty ``columns.yaml`` and a secret pseudonymisation key in the git-ignored
``config/NAME/.secrets/``; the study's raw, processed and reports folders are its own
(``data/raw/NAME``, ``data/processed/NAME``, ``reports/NAME``). Nothing that exists is overwritten.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from samorg.errors import ConfigError, Problem

__all__ = ["create_study"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")

STUDY_TEMPLATE = """\
# Study-design file of "{name}". Every key is explained in docs/config.md.
# Paths are relative to this file. Dates are written 2020-01-01 (or 01.01.2020, day first).
title:
  nb: "{name}: samlokalisering av bibliotek og innbyggertorg"
  en: "{name}: co-locating the library and the citizen service centre"
demo: false
raw_dir: ../../data/raw/{name}          # your raw files (never changed by samorg; not in git)
processed_dir: ../../data/processed/{name}
reports_dir: ../../reports/{name}
sites_file: sites.yaml
data_start: 2014-01-01                  # first month of the branch data
data_end: 2025-12-31                    # last month; rows outside the period are refused
periods:
  pre:        {{start: 2014-01-01, end: 2019-12-31}}
  transition: {{start: 2020-01-01, end: 2021-12-31}}
  post:       {{start: 2022-01-01, end: 2025-12-31}}
baseline_year: 2019                     # descriptive before/after comparisons start from this year
washout_windows:                        # months left out of every time-series model; [] for none
  - start: 2020-03-01
    end: 2021-12-31
    label: {{nb: "COVID-19: stengninger og smitteverntiltak", en: "COVID-19: closures and restrictions"}}
sensitivity_windows: []                 # months also left out in a sensitivity analysis
words:                                  # how the reports name the change you evaluate
  topic: {{nb: "samorganisering av bibliotek og innbyggertorg", en: "co-organised library and citizen service centre"}}
  reorganisation: {{nb: "omorganiseringen", en: "the reorganisation"}}
municipalities:                         # keyed by the current 4-digit code
  "0000":                               # <- your municipality's code
    name: Kommunenavn
    role: treated                       # treated (it reorganised) | comparison
    codes: {{"2014": "0000"}}             # code(s) valid from that year on (mergers: a list of old codes)
    co_organised: 2020-01-01            # library and citizen service in one unit from this date
national:                               # comparison with every other municipality (synthetic control)
  outcome: visits_per_inhabitant
  donors: {{exclude: []}}                 # municipality codes never to use as donors
primary_outcomes:                       # one pre-specified primary indicator per aim (before you see data)
  1: visits
analysis_plan:
  visits:
    nb: "sammenlignende avbrutt tidsserie av månedlige besøk per samlokalisert sted; Holm-justering på tvers av steder"
    en: "comparative interrupted time series of monthly visits per co-located site; Holm adjustment across sites"
privacy:
  min_cell: 5                           # smallest count of people any table shows
  key_file: .secrets/pseudonym.key      # secret key for pseudonyms (created for you; git ignores .secrets/)
sources:                                # glob patterns under raw_dir; a pattern must match files with rows
  branch_counts: "filialer/*.csv"
  population: "ssb/*.json"
  nb_library_stats: {{pattern: "nb/folkebibl-*-kommuner.csv", optional: true}}
  inquiries: {{pattern: "henvendelser/*.csv", optional: true}}
  surveys: {{pattern: "undersokelser/*", optional: true}}
  qualitative: {{pattern: "kvalitativt/*", optional: true}}  # coded interviews, workshops, observation
  active_borrowers: {{pattern: "utlan/aktive_lanere_*.csv", optional: true}}  # borrowers by area of residence
  counter_hours: {{pattern: "teller/teller_timer_*.csv", optional: true}}  # hourly counts with opening mode
"""

SITES_TEMPLATE = """\
# Site registry of "{name}". One entry per physical place; see docs/config.md.
sites:
  eksempel:                             # site id: lower-case letters, digits and _
    name: "Eksempel bibliotek"          # the name used in the raw exports
    kind: combined                      # library | service_centre | combined
    municipality_code: "0000"           # a code under municipalities in study.yaml
    former_municipality_code: "0000"    # the code before a merger (optional)
    co_organised: 2020-01-01
    co_located: 2021-06-01              # null if never co-located
    role: treated                       # treated | comparison | excluded (default from the dates)
    counting_method: people_counter     # people_counter | sample_weeks | manual
    aliases: []                         # other names in raw exports (renames)
    catchment_population: 10000
"""

COLUMNS_TEMPLATE = """\
# Column names your raw files use, when they differ from what samorg expects (docs/sources.md).
# The National Library adds or renames columns most years: map a new header here, e.g.
# nb_library_stats:
#   visits: ["Besøk totalt", "Besøk i alt"]
{}
"""


def create_study(name: str, *, root: Path | str = ".") -> Path:
    """Create ``config/NAME/`` under ``root`` for a new study and return the study file's path.

    Parameters
    ----------
    name
        The study's folder name: lower-case letters, digits, ``_`` and ``-``.
    root
        The project folder (the one holding ``config/`` and ``data/``).

    Raises
    ------
    ConfigError
        The name is not a valid folder name, or ``config/NAME`` already exists (nothing is overwritten).
    """
    root = Path(root)
    if not _NAME.match(name):
        raise ConfigError([Problem("study name", f"{name!r}", "lower-case letters, digits, _ and -, starting with a letter",
                                   "Choose a name such as 'moss' or 'indre_ostfold'.")])
    folder = root / "config" / name
    if folder.exists():
        raise ConfigError([Problem(str(folder), "already exists", "a new folder",
                                   "Choose another name, or edit the files that are there.")])
    (folder / ".secrets").mkdir(parents=True)
    (folder / "study.yaml").write_text(STUDY_TEMPLATE.format(name=name), encoding="utf-8")
    (folder / "sites.yaml").write_text(SITES_TEMPLATE.format(name=name), encoding="utf-8")
    (folder / "columns.yaml").write_text(COLUMNS_TEMPLATE, encoding="utf-8")
    key = folder / ".secrets" / "pseudonym.key"
    key.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    key.chmod(0o600)
    for sub in ("data/raw", "data/processed", "reports"):
        (root / sub / name).mkdir(parents=True, exist_ok=True)
    return folder / "study.yaml"
