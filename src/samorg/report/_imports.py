"""Import-time costs that samorg's own report processes need not pay.

nbformat (which Papermill and nbconvert use) imports jsonschema, and jsonschema ≥ 4.23 registers the
``iri`` and ``iri-reference`` format checkers from rfc3987-syntax when that package is installed
(JupyterLab brings it in, through jupyter-events). Importing rfc3987-syntax compiles 38 Lark grammars:
1.6–2.0 s of CPU in *every* process that imports nbformat, measured on the project's 2-core machine
(``import jsonschema`` 1.8–2.0 s; with the grammars skipped, jsonschema and nbformat together 0.29 s).
A report run has at least three such processes (the command, and one per worker), and the grammars are
never used: nbformat validates notebooks against a schema with no ``iri`` format, and jsonschema only
checks formats when asked to.

:func:`skip_iri_format_checker` is called where samorg starts a process of its own (``samorg report``
and its worker processes), never on import of samorg: a researcher's own process keeps jsonschema as
installed.
"""

from __future__ import annotations

import sys

__all__ = ["skip_iri_format_checker"]


def skip_iri_format_checker() -> bool:
    """Keep jsonschema from loading rfc3987-syntax in this process; whether it now will not.

    Without effect (``False``) when jsonschema is already imported, or rfc3987-syntax already was: what
    is loaded stays loaded. Afterwards ``import rfc3987_syntax`` raises ImportError in this process,
    which jsonschema takes as "not installed": its other format checkers and all validation work as before.
    """
    if "jsonschema" in sys.modules:
        return False
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "not importable"
    return sys.modules["rfc3987_syntax"] is None
