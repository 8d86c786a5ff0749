"""Readers, one per raw format. Each takes a path, returns a typed DataFrame, never modifies the file,
and raises :class:`samorg.errors.SourceFormatError` naming the file, row and column of a problem."""

from samorg.sources.branch_counts import read_branch_counts
from samorg.sources.inquiries import read_inquiries
from samorg.sources.jsonstat import read_jsonstat
from samorg.sources.nb_library_stats import read_nb_library_stats
from samorg.sources.surveys import read_survey

__all__ = ["read_branch_counts", "read_inquiries", "read_jsonstat", "read_nb_library_stats", "read_survey"]
