"""The Papermill engine samorg runs reports with: Papermill's own nbclient engine, saving and checking less often.

Papermill writes the whole running notebook to disk before and after every cell, so that a crashed run
leaves a partial notebook. A site report has about 40 cells and 300 KB of figures, so those 80 writes
(each a JSON encode and a schema validation) cost 0.7 s of CPU per report, a quarter of all the work of
a report run (measured with cProfile over the 11 demo sites). This engine writes the notebook when the run
starts and at most every ``SAVE_EVERY`` seconds while it runs. When the run ends normally it leaves the
last write to Papermill, which writes the finished notebook right after the engine returns (with an error
banner when a cell failed); when the engine itself raises (a timeout, a dead kernel) it writes the notebook
in its ``finally``, so a failed report still leaves its partial notebook.

nbformat checks every output nbclient makes against the notebook schema on its own (``new_output``), about
65 separate schema validations a report. Inside this engine's run they are skipped
(:func:`outputs_unvalidated`) and the finished notebook is checked once instead (:func:`_check_outputs`):
an output that breaks the schema still fails the report.

``samorg_metadata`` (a dict, read when the run ends) goes into the notebook's ``metadata.samorg``: the
runner records there which kind of kernel ran the report.
"""

from __future__ import annotations

import threading
import types
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

__all__ = ["ENGINE_NAME", "SAVE_EVERY", "SamorgEngine", "outputs_unvalidated"]

ENGINE_NAME = "samorg"
#: Seconds between saves of a running notebook (progress stays visible in a long run).
SAVE_EVERY = 10.0


class _ThrottledManager(NotebookExecutionManager):
    """Saves at the start of a run and every ``SAVE_EVERY`` seconds in between; at the end only when asked."""

    _mode = ""  # "force": save now; "skip": do not save

    def save(self, **kwargs):
        if self._mode == "skip":
            return
        if self._mode == "force" or (self.now() - self.last_save_time).total_seconds() >= SAVE_EVERY:
            super().save(**kwargs)

    def _with_mode(self, mode, method, **kwargs):
        self._mode = mode
        try:
            method(**kwargs)
        finally:
            self._mode = ""

    def notebook_start(self, **kwargs):
        self._with_mode("force", super().notebook_start, **kwargs)

    def notebook_complete(self, *, save: bool = True, **kwargs):
        """Papermill's end of a run (end time, cell states); the notebook is written only with ``save``."""
        self._with_mode("force" if save else "skip", super().notebook_complete, **kwargs)


#: True inside :func:`outputs_unvalidated` (per thread and asyncio task: other runs in the process are not affected).
_UNVALIDATED: ContextVar[bool] = ContextVar("samorg_outputs_unvalidated", default=False)
_INSTALL_LOCK = threading.Lock()


def _unvalidated_output_from_msg():
    """nbformat's own ``output_from_msg`` and ``new_output``, run with a namespace whose ``validate`` does nothing."""
    from nbformat.v4 import nbbase

    namespace = dict(vars(nbbase), validate=lambda node, ref=None: None)

    def clone(function):
        copy = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                                  function.__closure__)
        copy.__kwdefaults__ = function.__kwdefaults__
        return copy

    namespace["new_output"] = clone(nbbase.new_output)
    return clone(nbbase.output_from_msg)


def _install() -> bool:
    """Give nbclient an ``output_from_msg`` that skips the schema check inside :func:`outputs_unvalidated` and is
    nbformat's own everywhere else; once per process. False (nothing changed) when nbclient or nbformat are not
    built as this expects."""
    import nbclient.client as client
    from nbformat.v4 import nbbase

    with _INSTALL_LOCK:
        current = client.output_from_msg
        if getattr(current, "_samorg_unvalidated", False):
            return True
        if (current is not nbbase.output_from_msg or "new_output" not in current.__code__.co_names
                or "validate" not in nbbase.new_output.__code__.co_names):
            return False
        unvalidated = _unvalidated_output_from_msg()

        def output_from_msg(msg):
            return (unvalidated if _UNVALIDATED.get() else current)(msg)

        output_from_msg._samorg_unvalidated = True  # type: ignore[attr-defined]
        output_from_msg.__doc__ = current.__doc__
        client.output_from_msg = output_from_msg
        return True


@contextmanager
def outputs_unvalidated() -> Iterator[bool]:
    """Within the block (this thread or asyncio task only), nbclient builds outputs without nbformat's schema
    check of each; yields False when that could not be arranged (the outputs are then checked as before)."""
    if not _install():
        yield False
        return
    token = _UNVALIDATED.set(True)
    try:
        yield True
    finally:
        _UNVALIDATED.reset(token)


def _check_outputs(nb) -> None:
    """Raise nbformat's ``ValidationError`` when an output of ``nb`` breaks the schema, as building it would have.

    The whole notebook is validated at once (a few ms); only when that fails is each output checked on its own,
    so that a problem elsewhere in the notebook (which Papermill only logs) does not fail the report."""
    import nbformat
    from nbformat.v4 import nbbase

    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        for cell in nb.cells:
            for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else ():
                nbbase.validate(output, output.get("output_type"))


#: Id of the cell Papermill adds with a report's parameters (see :func:`_stable_parameters_id`).
INJECTED_ID = "injected-parameters"


def _stable_parameters_id(nb) -> None:
    """Give the cell of injected parameters a fixed id. Papermill makes it with a random one, so two builds of
    the same report differed in their notebook and HTML (``cell-id=...``), and a report the cache reused was
    not byte for byte what building it again would give (issue 17). The id stays unique in the notebook."""
    taken = {cell.get("id") for cell in nb.cells}
    for cell in nb.cells:
        if "id" in cell and "injected-parameters" in cell.get("metadata", {}).get("tags", ()):
            new, n = INJECTED_ID, 1
            while new != cell["id"] and new in taken:
                n += 1
                new = f"{INJECTED_ID}-{n}"
            taken.discard(cell["id"])
            cell["id"] = new
            taken.add(new)


class SamorgEngine(NBClientEngine):
    """Papermill's nbclient engine with :class:`_ThrottledManager` (see the module docstring)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, samorg_metadata=None, **kwargs):
        _stable_parameters_id(nb)
        nb_man = _ThrottledManager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                   autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        ended = False
        try:
            with outputs_unvalidated() as unvalidated:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            if unvalidated:
                _check_outputs(nb_man.nb)
            ended = True
        finally:
            if samorg_metadata:
                nb_man.nb.metadata["samorg"] = dict(samorg_metadata)
            nb_man.cleanup_pbar()
            # Papermill writes the finished notebook as soon as this returns: writing it here too would only
            # encode and validate the same 300 KB once more.
            nb_man.notebook_complete(save=not ended)
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, SamorgEngine)
