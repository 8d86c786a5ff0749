"""The kinds of raw-file problem a reader reports, each a :class:`~samorg.errors.SourceFormatError`.

Every error names the file, the row (as a spreadsheet shows it: header = 1) and, where there is
one, the column; says what was found and what was expected; and ends with a fix. A subclass fills
in a default fix when the raise site gives none, so no message lacks one.
"""

from __future__ import annotations

from pathlib import Path

from samorg.errors import SourceFormatError


class _WithDefaultFix(SourceFormatError):
    default_fix = ""

    def __init__(self, path: str | Path, *, found: str, expected: str, fix: str = "", row: int | None = None,
                 column: str | None = None):
        super().__init__(path, found=found, expected=expected, fix=fix or self.default_fix, row=row, column=column)


class EncodingError(_WithDefaultFix):
    """The bytes are not text in an encoding samorg reads (UTF-8, cp1252/ISO-8859-1), or were mis-decoded once."""

    default_fix = ("Save the file again as UTF-8 (in Excel: 'CSV UTF-8'), or pass encoding= with the "
                   "encoding it was written in.")


class EmptyFileError(_WithDefaultFix):
    """The file has no bytes, or no data under its header."""

    default_fix = "Export the data again; the file that arrived holds nothing to read."


class TruncatedFileError(_WithDefaultFix):
    """The file stops in the middle (an unterminated quote, a cut-off JSON document or XLSX archive)."""

    default_fix = "The copy is incomplete: copy or download the file again and compare its size with the original."


class MissingColumnError(_WithDefaultFix):
    """A column the reader needs is not in the header (missing or renamed)."""

    default_fix = ("If the column was renamed, add the new name under `columns:` in the study configuration "
                   "(see docs/sources.md), or pass columns={...} to the reader.")


class UnknownColumnError(_WithDefaultFix):
    """A column is neither mapped to an indicator nor explicitly ignored in the reader's catalogue."""

    default_fix = ("Map the header to an indicator id (or list it under `ignore`) under `columns:` in the study "
                   "configuration, or pass unknown_columns='ignore' to skip unmapped columns knowingly.")


class ValueFormatError(_WithDefaultFix):
    """A cell cannot be read as the number, date, yes/no or answer label its column holds."""

    default_fix = "Correct the cell in the export, or blank it (a blank is read as missing)."


class DateRangeError(ValueFormatError):
    """A date reads, but lies outside the range any study data can have."""

    default_fix = ("Check the year (two-digit years and Excel serial numbers are common causes) and correct "
                   "the cell in the export.")


class PeriodError(_WithDefaultFix):
    """A site-level row dated outside the study period (``data_start``..``data_end``)."""

    default_fix = "Correct the date in the export, or widen data_start/data_end in the study file."


class UnknownMunicipalityError(_WithDefaultFix):
    """A municipality number that was not valid in the year the data are for."""

    default_fix = ("Check the number against SSB's classification 131 (KLASS) for that year; a code from another "
                   "year usually means the file's year is wrong (pass year=).")


class SheetNotFoundError(_WithDefaultFix):
    """An XLSX workbook has no sheet with the expected header (or not on the sheet asked for)."""

    default_fix = "Pass sheet= naming the sheet that holds the data, or move the data to the first sheet."


class LayoutError(_WithDefaultFix):
    """The file is readable but not in the layout of its format (e.g. not a JSON-stat dataset)."""

    default_fix = "Check that the file is the kind of export this reader takes (see docs/sources.md)."


class MappingError(_WithDefaultFix):
    """A column mapping given in configuration names an unknown source kind or column."""

    default_fix = "Use the source kinds and column names listed in docs/sources.md."


ERRORS = (EncodingError, EmptyFileError, TruncatedFileError, MissingColumnError, UnknownColumnError,
          ValueFormatError, DateRangeError, PeriodError, UnknownMunicipalityError, SheetNotFoundError, LayoutError,
          MappingError)
