"""Personal data: find and redact identifiers, hide small counts, scan rendered reports.

Three tools, one set of rules:

- :func:`redact` / :func:`redact_series` replace national identity numbers (fødselsnummer),
  D-numbers, phone numbers, e-mail addresses and configured names in free text by ``[fjernet]``.
- :func:`suppress` hides small counts in a table (primary suppression) and enough other cells
  that no hidden count can be worked out from the totals (secondary suppression);
  :func:`suppress_shares` does the same for shares of people computed from counts.
- :func:`scan_outputs` looks for identifiers in rendered reports (HTML, PDF text, executed
  notebooks) and returns where they are, never the identifier itself in full.

What counts as an identifier (:func:`find_identifiers`)
-------------------------------------------------------
national identity number / D-number
    11 digits, optionally written ``DDMMYY NNNNN``, whose **both** mod-11 check digits are valid
    and whose first six digits are a possible date (day 1–31, or 41–71 for a D-number; month
    1–12, or +40 for H-numbers and +80 for the Tax Administration's synthetic test numbers).
    An 11-digit number with wrong check digits is *kept*: it is far more often a case or order
    number than a mistyped identity number, and processed tables drop free text anyway.
phone number
    8 digits starting with 2–9, written ``91234567``, ``912 34 567`` or ``22 33 44 55``
    (space, no-break space or ``-`` between the groups), optionally after ``+47`` or ``0047``.
    Not a phone number: digits inside a longer number or word (``123456789``, a hex checksum),
    a decimal part (``0,91234567``), a group next to further digit groups (``2019 12 34 56 78``),
    and numbers grouped in thousands (``12 345 678``).
e-mail address
    ``local@domain.tld`` (letters æøå included).
name
    Each entry of a names list, as a whole word (``Kari`` is not found in ``Karina``), also with a
    genitive *s* (``Karis``), any whitespace between the parts of a full name.
    :func:`redact` ignores case. :func:`scan_outputs` ignores case for full names (two or more
    words) but matches a single-word entry only as written, so an entry such as ``Per`` does not
    stop every report that says "besøk per innbygger".

The code is in three modules: :mod:`~samorg.privacy.identifiers` (finding, redacting, masking),
:mod:`~samorg.privacy.scan` (rendered outputs) and :mod:`~samorg.privacy.suppression` (small cells).
"""

from samorg.privacy.identifiers import (
    KIND_LABELS,
    REDACTED,
    Identifier,
    find_identifiers,
    load_names,
    mask,
    redact,
    redact_series,
    valid_identity_number,
)
from samorg.privacy.scan import Finding, scan_outputs
from samorg.privacy.suppression import SuppressedTable, suppress, suppress_shares

__all__ = [
    "KIND_LABELS", "REDACTED", "Finding", "Identifier", "SuppressedTable", "find_identifiers", "load_names", "mask",
    "redact", "redact_series", "scan_outputs", "suppress", "suppress_shares", "valid_identity_number",
]
