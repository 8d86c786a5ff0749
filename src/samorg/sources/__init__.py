"""Readers, one per raw format. Each takes a path, returns a typed DataFrame, never modifies the file,
and raises a :class:`samorg.errors.SourceFormatError` subclass naming the file, row and column of a problem.

The layouts each reader expects, and the column mappings a researcher can set in configuration,
are documented in ``docs/sources.md``.
"""

from samorg.sources._errors import (DateRangeError, EmptyFileError, EncodingError, LayoutError, MappingError,
                                    MissingColumnError, PeriodError, SheetNotFoundError, TruncatedFileError,
                                    UnknownColumnError, UnknownMunicipalityError, ValueFormatError)
from samorg.sources._text import detect_encoding
from samorg.sources.branch_counts import read_branch_counts
from samorg.sources.counters import read_people_counter
from samorg.sources.inquiries import read_inquiries
from samorg.sources.jsonstat import read_jsonstat
from samorg.sources.klass import read_klass_changes, read_klass_codes, read_klass_grouping
from samorg.sources.loans_events import read_events, read_loans
from samorg.sources.mapping import load_column_mapping, study_column_mapping
from samorg.sources.nb_library_stats import read_nb_library_stats
from samorg.sources.qualitative import read_qualitative
from samorg.sources.statbank_csv import read_statbank_csv
from samorg.sources.surveys import read_survey

__all__ = [
    "DateRangeError",
    "EmptyFileError",
    "EncodingError",
    "LayoutError",
    "MappingError",
    "MissingColumnError",
    "PeriodError",
    "SheetNotFoundError",
    "TruncatedFileError",
    "UnknownColumnError",
    "UnknownMunicipalityError",
    "ValueFormatError",
    "detect_encoding",
    "load_column_mapping",
    "read_branch_counts",
    "read_events",
    "read_inquiries",
    "read_jsonstat",
    "read_klass_changes",
    "read_klass_codes",
    "read_klass_grouping",
    "read_loans",
    "read_nb_library_stats",
    "read_people_counter",
    "read_qualitative",
    "read_statbank_csv",
    "read_survey",
    "study_column_mapping",
]
