"""One exception hierarchy for everything samorg reports to a researcher.

Every message says where (file, row, column or key), what was found, what was
expected, and how to fix it. Commands print the message without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class SamorgError(Exception):
    """Base of every error samorg raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with enough context to find and fix it."""

    where: str
    found: str
    expected: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.found}. Expected {self.expected}."
        if self.fix:
            text += f" {self.fix}"
        return text


class ProblemsError(SamorgError):
    """Several problems found at once, listed together."""

    headline = "Problems were found"

    def __init__(self, problems: list[Problem] | list[str], *, source: str | Path | None = None):
        self.problems = list(problems)
        self.source = str(source) if source is not None else None
        lines = [self.headline + (f" in {self.source}" if self.source else "") + f" ({len(self.problems)}):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ConfigError(ProblemsError):
    """The site registry or study-design file is malformed."""

    headline = "The study configuration has problems"


class SourceFormatError(SamorgError):
    """A raw data file does not have the layout or values a reader expects."""

    def __init__(
        self,
        path: str | Path,
        *,
        found: str,
        expected: str,
        fix: str = "",
        row: int | None = None,
        column: str | None = None,
    ):
        self.path = str(path)
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected
        self.fix = fix
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f', column "{column}"'
        message = f"{where}: {found}. Expected {expected}."
        if fix:
            message += f" {fix}"
        super().__init__(message)


class DataValidationError(ProblemsError):
    """A processed table breaks its data contract."""

    headline = "The data do not meet the contract"


class ModelError(SamorgError):
    """A model cannot be fitted on the data given (too little data, no variation, ...)."""


class ReportError(SamorgError):
    """A report could not be produced (bad parameter, failed execution or rendering)."""


class ParameterError(ReportError):
    """A report parameter is unknown to the notebook or has the wrong type."""


class PrivacyError(SamorgError):
    """An output would identify a person."""
