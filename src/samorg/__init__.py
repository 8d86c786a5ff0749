"""samorg: evaluate co-organised and co-located libraries and citizen service centres."""

from samorg._version import __version__

__all__ = ["__version__"]
