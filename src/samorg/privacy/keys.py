"""The secret key behind the pseudonyms in processed data (staff codes, respondent numbers).

A pseudonym is 10 hex digits of SHA-256(key, value). The raw values are short (initials, row
numbers), so anyone who knows the key can recompute every pseudonym: the key must be secret and
must never be derived from anything printed (such as the study title). Where it comes from, in
this order:

1. the environment variable :data:`KEY_ENV` (``SAMORG_PSEUDONYM_SALT``);
2. the study's ``privacy: key_file:`` (relative to the study file; keep it in a git-ignored folder
   such as ``config/<study>/.secrets/``, which the repository's ``.gitignore`` covers);
3. for the synthetic demo study only (``demo: true``), the fixed, documented :data:`DEMO_KEY`.

A real study without either gets :class:`~samorg.errors.PrivacyError` saying how to make a key
(:func:`create_key_file` does it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from samorg.errors import PrivacyError

#: environment variable holding the key (overrides the key file)
KEY_ENV = "SAMORG_PSEUDONYM_SALT"
#: the demo's key: public on purpose, the demo world is synthetic. Never used for a study without ``demo: true``.
DEMO_KEY = "samorg-demo-key:synthetic-data-only"
#: the shortest key accepted (a ``secrets.token_hex(32)`` key has 64 characters)
MIN_KEY_LENGTH = 16
DEFAULT_KEY_FILE = ".secrets/pseudonym.key"


@dataclass(frozen=True)
class PseudonymKey:
    """The key, where it came from (``environment``, ``key_file`` or ``demo``) and a public fingerprint."""

    value: str
    origin: str

    @property
    def fingerprint(self) -> str:
        """16 hex digits identifying the key without revealing it (stored in the manifest's rebuild key)."""
        return hashlib.sha256(f"samorg pseudonym key fingerprint\x1f{self.value}".encode("utf-8")).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key itself
        return f"PseudonymKey(origin={self.origin!r}, fingerprint={self.fingerprint!r})"


def _how_to_create(study_path: Path | None) -> str:
    folder = study_path.parent if study_path is not None else Path("config/NAME")
    target = folder / DEFAULT_KEY_FILE
    return (f"Create a key once with `mkdir -p {target.parent} && python -c \"import secrets; "
            f"print(secrets.token_hex(32))\" > {target}`, then add `privacy: {{key_file: {DEFAULT_KEY_FILE}}}` to "
            f"the study file (or set the environment variable {KEY_ENV}). Keep the key secret and out of git "
            "(config/*/.secrets/ is git-ignored), and keep a backup: a new key gives new pseudonyms.")


def would_be_committed(path: Path) -> bool:
    """True if ``path`` is inside a git work tree and not ignored there (so it could be committed)."""
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path.parent,
                                capture_output=True, text=True, timeout=10)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return False
        ignored = subprocess.run(["git", "check-ignore", "-q", path.name], cwd=path.parent,
                                 capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return ignored.returncode == 1


def pseudonym_key(*, demo: bool, key_file: Path | None, study_path: Path | None = None,
                  environ: dict[str, str] | None = None) -> PseudonymKey:
    """The study's pseudonymisation key (environment, then key file, then the demo key for demo studies).

    Parameters
    ----------
    demo
        The study's ``demo:`` flag; only a demo study may fall back to :data:`DEMO_KEY`.
    key_file
        The study's ``privacy: key_file`` (absolute), or None.
    study_path
        The study file, named in messages.
    environ
        Where to look for :data:`KEY_ENV` (default ``os.environ``).

    Raises
    ------
    PrivacyError
        No key for a real study; the key file is missing, empty, too short, or could be committed
        to git. The message says how to fix it.
    """
    env = os.environ if environ is None else environ
    where = str(study_path) if study_path is not None else "the study file"
    value = env.get(KEY_ENV)
    if value is not None and value.strip():
        key = value.strip()
        if len(key) < MIN_KEY_LENGTH:
            raise PrivacyError(f"environment variable {KEY_ENV}: a key of {len(key)} characters. Expected a secret "
                               f"of at least {MIN_KEY_LENGTH} characters. " + _how_to_create(study_path))
        return PseudonymKey(key, "environment")
    if key_file is not None:
        return PseudonymKey(_read_key_file(Path(key_file), where, study_path), "key_file")
    if demo:
        return PseudonymKey(DEMO_KEY, "demo")
    raise PrivacyError(
        f"{where}: privacy.key_file: is missing and {KEY_ENV} is not set. Expected a secret pseudonymisation key "
        "for a study that is not the synthetic demo (staff codes and respondent numbers are replaced by keyed "
        "pseudonyms; without a secret key anyone could recompute them). " + _how_to_create(study_path))


def _read_key_file(path: Path, where: str, study_path: Path | None) -> str:
    fix = _how_to_create(study_path)
    if not path.is_file():
        raise PrivacyError(f"{where}: privacy.key_file: {path} does not exist. Expected a file holding the secret "
                           f"pseudonymisation key. {fix}")
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PrivacyError(f"{where}: privacy.key_file: {path} cannot be read ({type(exc).__name__}). Expected "
                           f"a UTF-8 text file holding the key. {fix}") from None
    if len(key) < MIN_KEY_LENGTH:
        raise PrivacyError(f"{where}: privacy.key_file: {path} holds {len(key)} characters. Expected a secret of "
                           f"at least {MIN_KEY_LENGTH} characters. {fix}")
    if would_be_committed(path):
        raise PrivacyError(f"{where}: privacy.key_file: {path} is inside a git repository and not git-ignored. "
                           "Expected the key outside git, so it is never committed. Move it to "
                           f"config/<study>/{DEFAULT_KEY_FILE} (ignored by the repository's .gitignore) or add "
                           "its folder to .gitignore.")
    return key


def create_key_file(path: str | Path) -> Path:
    """Write a new random key (64 hex digits) to ``path`` (private to the user) unless one is there; return it.

    For ``samorg init`` and for researchers: an existing key file is never overwritten (a new key
    would change every pseudonym).
    """
    path = Path(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_hex(32) + "\n")
    return path
