"""Content-addressed report cache: a report is executed again only when something it depends on changed.

Every report has a key made of named parts, each a SHA-256 over plain JSON (or bytes):

``template``
    the notebook the kernel runs, after localisation (:func:`samorg.report.localise.localised_template`
    keeps one language's cells), byte for byte;
``parameters``
    the notebook's parameters as the kernel gets them (path parameters relative to the report's folder,
    so a study copied with its reports keeps its keys);
``cover``
    the title, subtitle and banner on the cover;
``output``
    the output formats, ``show_code``, the language, the kernel (name, warm or fresh) and the names the
    privacy scan looks for;
``code``
    samorg's version and the hash of its own code (:func:`samorg.provenance.code_hash`, the same hash as the
    processed data's rebuild key);
``git``
    the git commit samorg runs from and whether it has uncommitted changes, which a site report prints
    (:func:`samorg.provenance.git_state`; nothing for an installed wheel);
``packages``
    Python's version and the versions of the packages that shape a report's numbers, figures and files
    (:data:`PACKAGES`);
``input:<part>``
    what the report reads besides its template and parameters (:attr:`ReportJob.inputs
    <samorg.report.runner.ReportJob>`, one part per key). For a study, :func:`with_study_inputs` sets:

    - every report: ``study`` (the study file's hash: windows, municipalities, words, privacy) and
      ``inputs`` (the input-file hashes of the processed data's manifest: site reports print one checksum
      over them);
    - a site report: ``site`` (its own registry entry), ``other_sites`` (the whole entries of the
      comparison sites, whose names and data it shows, and the design fields of every other site, i.e.
      all but :data:`DESCRIPTIVE_FIELDS`: its estimand is drawn from the registry and its headline carries
      the Holm-adjusted p-value over all treated sites, :func:`samorg.analysis.primary_family`) and
      ``tables`` (the manifest hashes of :data:`SITE_TABLES`, the tables it reads: its own rows, its
      comparison series, national and population figures, survey and qualitative data);
    - the data-quality report: ``registry`` (every site's name, which its tables show), ``manifest``
      (the manifest file, which it reports on) and ``tables`` (every table);
    - the synthesis (and any other study-wide report): ``registry`` (every entry), ``manifest`` and
      ``tables``: it depends on every site's results.

A changed site entry therefore rebuilds that site and the synthesis (the data-quality report too when
the name changed; every treated site when a design field changed, since the Holm adjustment couples
them); the index is written on every run. The build date under a report's title is not in the key: a
reused report keeps the files, and the date, of the build that made them.

The record of a build, ``out_dir/<name>/.samorg-cache.json``, holds the key's parts, whether the build
succeeded and the SHA-256 of each output file. A report is reused only when the record says it
succeeded, every part is the same and every output file is still there, unchanged. A failed build is
recorded as failed, so the next run executes the report again. A fresh clone has no records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import platform
from pathlib import Path
from typing import Any, Iterable

__all__ = ["CACHE_FILE", "DESCRIPTIVE_FIELDS", "PACKAGES", "SITE_TABLES", "Decision", "decide", "key_parts",
           "reason_text", "store_record", "with_study_inputs"]

CACHE_FILE = ".samorg-cache.json"
#: packages whose version can change a report's numbers, figures, HTML or PDF
PACKAGES = ("numpy", "pandas", "pandera", "pyarrow", "scipy", "statsmodels", "matplotlib", "papermill",
            "nbconvert", "nbformat", "nbclient", "ipykernel", "ipython", "jinja2", "mistune", "pygments",
            "markdown", "typst")
#: registry fields a site report shows only for itself (and, for comparison sites, entirely in its key)
DESCRIPTIVE_FIELDS = ("name", "catchment_population", "components", "aliases", "counting_method")
#: processed tables a site report reads
SITE_TABLES = ("observations", "inquiries", "survey_responses", "population", "qualitative_segments")

_WORDS = {
    "nb": {
        "unchanged": "uendret", "first": "første bygg", "force": "--force", "failed": "forrige bygg feilet",
        "outputs": "en utdatafil mangler eller er endret", "template": "malen er endret",
        "parameters": "parametrene er endret", "cover": "tittelen eller forsiden er endret",
        "output": "utdataformatene eller innstillingene er endret", "code": "samorgs kode er endret",
        "git": "git-versjonen samorg kjører fra, er endret",
        "packages": "en pakkeversjon er endret", "study": "studiefilen er endret",
        "inputs": "inndatafilene er endret", "site": "registeroppføringen for stedet er endret",
        "other_sites": "registeroppføringer for andre steder som rapporten bruker, er endret",
        "registry": "stedsregisteret er endret", "tables": "de prosesserte dataene er endret",
        "manifest": "manifestet for de prosesserte dataene er endret", "other": "{part} er endret",
    },
    "en": {
        "unchanged": "unchanged", "first": "first build", "force": "--force", "failed": "the last build failed",
        "outputs": "an output file is missing or was changed", "template": "the template changed",
        "parameters": "the parameters changed", "cover": "the title or cover changed",
        "output": "the output formats or settings changed", "code": "samorg's code changed",
        "git": "the git version samorg runs from changed",
        "packages": "a package version changed", "study": "the study file changed",
        "inputs": "the input files changed", "site": "the site's registry entry changed",
        "other_sites": "registry entries of other sites the report uses changed",
        "registry": "the site registry changed", "tables": "the processed data changed",
        "manifest": "the processed data's manifest changed", "other": "{part} changed",
    },
}


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str | None:
    from samorg.provenance import _file_sha256

    return _file_sha256(path)


@functools.lru_cache(maxsize=1)
def _code_identity() -> tuple[str, str]:
    """samorg's version and code hash, and its git state: once per process, like
    :func:`~samorg.provenance.code_hash`."""
    from samorg._version import __version__
    from samorg.provenance import code_hash, git_state

    return _digest({"version": __version__, "code_sha256": code_hash()}), _digest(git_state())


@functools.lru_cache(maxsize=1)
def _package_identity() -> str:
    from samorg.provenance import dependency_versions

    return _digest({"python": platform.python_version(), "packages": dependency_versions(PACKAGES)})


def key_parts(notebook: Path, parameters: dict[str, Any], cover: Iterable[Any], output: dict[str, Any],
              inputs: dict[str, Any] | None = None) -> dict[str, str]:
    """The key of one report, part by part (part name → SHA-256); see the module docstring."""
    parts = {
        "template": _file_digest(Path(notebook)) or "",
        "parameters": _digest(parameters),
        "cover": _digest(list(cover)),
        "output": _digest(output),
        "code": _code_identity()[0],
        "git": _code_identity()[1],
        "packages": _package_identity(),
    }
    parts.update({f"input:{name}": _digest(value) for name, value in (inputs or {}).items()})
    return parts


@dataclasses.dataclass(frozen=True)
class Decision:
    """Whether to reuse a report, why it is built again (``why``: a word of :data:`_WORDS` or part names), and
    the reused files (format → path: ``ipynb``, ``html``, ``pdf``)."""

    reuse: bool
    why: tuple[str, ...]
    outputs: dict[str, Path] = dataclasses.field(default_factory=dict)
    built_at: str = ""


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("parts"), dict) else None


def _outputs(folder: Path, name: str, formats: Iterable[str]) -> dict[str, Path]:
    return {fmt: folder / f"{name}.{fmt}" for fmt in ("ipynb", *formats)}


def decide(folder: Path, name: str, parts: dict[str, str], formats: Iterable[str], *, force: bool = False) -> Decision:
    """Reuse the report in ``folder`` when its record matches ``parts`` and its output files are unchanged."""
    if force:
        return Decision(False, ("force",))
    record = _read(folder / CACHE_FILE)
    if record is None:
        return Decision(False, ("first",))
    if record.get("status") != "ok":
        return Decision(False, ("failed",))
    old = record["parts"]
    changed = tuple(p for p in dict.fromkeys([*parts, *old]) if parts.get(p) != old.get(p))
    if changed:
        return Decision(False, changed)
    outputs = _outputs(folder, name, formats)
    recorded = record.get("outputs") or {}
    if set(recorded) != {p.name for p in outputs.values()}:
        return Decision(False, ("outputs",))
    for path in outputs.values():
        if _file_digest(path) != recorded.get(path.name):
            return Decision(False, ("outputs",))
    return Decision(True, ("unchanged",), outputs, str(record.get("built_at", "")))


def reason_text(decision: Decision, lang: str = "nb") -> str:
    """The decision in plain words, e.g. ``"uendret"`` or ``"registeroppføringen for stedet er endret"``."""
    words = _WORDS.get(lang, _WORDS["nb"])
    texts = []
    for why in decision.why:
        part = why.removeprefix("input:")
        text = words.get(part) or words["other"].format(part=part)
        if text not in texts:
            texts.append(text)
    return "; ".join(texts)


def previous_seconds(folder: Path) -> float | None:
    """How long the last recorded build in ``folder`` took (seconds), if a record says so."""
    seconds = (_read(folder / CACHE_FILE) or {}).get("seconds")
    return float(seconds) if isinstance(seconds, (int, float)) and seconds >= 0 else None


def store_record(folder: Path, parts: dict[str, str], *, ok: bool, outputs: Iterable[Path] = (),
                 seconds: float | None = None) -> None:
    """Record a finished build in ``folder`` (written atomically): its key, success, its output files' hashes
    and how long it took (the runner starts the longest reports first next time).

    A build that failed is recorded as failed, so it is never reused.
    """
    record: dict[str, Any] = {"status": "ok" if ok else "failed", "parts": parts, "seconds": seconds,
                              "built_at": dt.datetime.now().replace(microsecond=0).isoformat()}
    if ok:
        record["outputs"] = {p.name: _file_digest(p) for p in outputs}
    from samorg.report._files import replace_atomically

    replace_atomically(folder / CACHE_FILE, json.dumps(record, indent=1, sort_keys=True).encode("utf-8"))


def _entry(site: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(site), default=str))


def _study_parts(study: Any) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """What every report of the study reads (study file, input hashes), the tables' hashes and the manifest's."""
    from samorg.store import MANIFEST, read_manifest

    manifest = read_manifest(study.processed_dir)
    tables = {k: v.get("sha256") for k, v in (manifest.tables if manifest else {}).items()}
    common = {"study": _file_digest(Path(study.path)),
              # The raw files only: the study file is its own part and each registry entry goes to the
              # reports that read it, so a changed registry entry does not rebuild every report.
              "inputs": dict(sorted((k, v) for k, v in manifest.inputs.items() if not k.startswith("config:")))
              if manifest else {}}
    return common, tables, _file_digest(Path(study.processed_dir) / MANIFEST)


def with_study_inputs(study: Any, jobs: Iterable[Any], *, quality: str) -> list:
    """The jobs with :attr:`inputs` set to what each reads of ``study`` (module docstring); ``quality`` names the
    data-quality report. A job named after a site is that site's report; any other is study-wide."""
    common, tables, manifest = _study_parts(study)
    entries = {s.site_id: _entry(s) for s in study.sites}
    comparison = {s.site_id for s in study.sites if s.role == "comparison"}
    out = []
    for job in jobs:
        if job.name in entries:
            others = {sid: e if sid in comparison else {k: v for k, v in e.items() if k not in DESCRIPTIVE_FIELDS}
                      for sid, e in entries.items() if sid != job.name}
            inputs = {**common, "site": entries[job.name], "other_sites": others,
                      "tables": {t: tables.get(t) for t in SITE_TABLES}}
        elif job.name == quality:
            inputs = {**common, "registry": {sid: e.get("name") for sid, e in entries.items()},
                      "manifest": manifest, "tables": tables}
        else:
            inputs = {**common, "registry": entries, "manifest": manifest, "tables": tables}
        out.append(dataclasses.replace(job, inputs={**inputs, **job.inputs}))
    return out
