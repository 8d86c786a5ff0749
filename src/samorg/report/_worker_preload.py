"""What the report workers' fork server imports once, so that no worker imports it again (issue 17).

``samorg report`` runs its jobs in worker processes (:mod:`samorg.report.dispatch`). Each worker used to be
started from scratch and import Papermill, nbclient, nbconvert, nbformat and samorg's renderers itself, and
compile nbconvert's HTML templates on its first report: about 1.5 s of CPU per worker, three workers on a
2-core machine. On Linux the workers are now forked from one server process (:mod:`multiprocessing`'s
``forkserver``; spawned elsewhere, see :func:`samorg.report.dispatch._worker_context`) that has imported this
module: the imports and the template
compilation are paid once. The server is a fresh, single-threaded process that has run no report, so every
worker still starts clean; each report still runs in its own kernel.

Importing this module has effects: it keeps jsonschema from loading its unused IRI grammars
(:mod:`samorg.report._imports`) and builds the default HTML exporter. It is meant for the fork server only.
"""

from __future__ import annotations

from samorg.report._imports import skip_iri_format_checker

skip_iri_format_checker()  # before anything imports nbformat (and so jsonschema)

import jupyter_client.manager  # noqa: E402,F401 - imported for the workers forked from this process
import nbclient  # noqa: E402,F401
import nbformat  # noqa: E402,F401
import papermill  # noqa: E402,F401

import samorg.privacy.scan  # noqa: E402,F401
import samorg.report.engine  # noqa: E402,F401 - registers samorg's Papermill engine
import samorg.report.kernels  # noqa: E402,F401
import samorg.report.render  # noqa: E402,F401
import samorg.report.runner  # noqa: E402,F401

try:  # the PDF's typesetter and the PDF privacy scan's reader; a worker without them reports that itself
    import pypdfium2  # noqa: F401
    import typst  # noqa: F401
except ImportError:  # pragma: no cover
    pass


def _warm_html_exporter() -> None:
    """Render a one-cell notebook with the default exporter (no code, bokmål), so its templates are compiled."""
    from samorg.report.render import _html_exporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("#")])
    _html_exporter(False, "nb").from_notebook_node(nb)


try:
    _warm_html_exporter()
except Exception:  # noqa: BLE001 - a worker compiles the templates itself, as it did before
    pass
