"""The Papermill engine samorg runs reports with: Papermill's own nbclient engine, saving less often.

Papermill writes the whole running notebook to disk before and after every cell, so that a crashed run
leaves a partial notebook. A site report has about 40 cells and 300 KB of figures, so those 80 writes
(each a JSON encode and a schema validation) cost 0.7 s of CPU per report, a quarter of all the work of
a report run (measured with cProfile over the 11 demo sites). This engine writes the notebook when the run
starts, at most every ``SAVE_EVERY`` seconds while it runs, and always when it ends, whether it ended well
or with an error (the ``finally`` below), so a failed report still leaves its partial notebook.

``samorg_metadata`` (a dict, read when the run ends) goes into the notebook's ``metadata.samorg``: the
runner records there which kind of kernel ran the report.
"""

from __future__ import annotations

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

__all__ = ["ENGINE_NAME", "SAVE_EVERY", "SamorgEngine"]

ENGINE_NAME = "samorg"
#: Seconds between saves of a running notebook (progress stays visible in a long run).
SAVE_EVERY = 10.0


class _ThrottledManager(NotebookExecutionManager):
    """Saves only at the start and the end of a run, and every ``SAVE_EVERY`` seconds in between."""

    _force = False

    def save(self, **kwargs):
        if self._force or (self.now() - self.last_save_time).total_seconds() >= SAVE_EVERY:
            super().save(**kwargs)

    def _forced(self, method, **kwargs):
        self._force = True
        try:
            method(**kwargs)
        finally:
            self._force = False

    def notebook_start(self, **kwargs):
        self._forced(super().notebook_start, **kwargs)

    def notebook_complete(self, **kwargs):
        self._forced(super().notebook_complete, **kwargs)


class SamorgEngine(NBClientEngine):
    """Papermill's nbclient engine with :class:`_ThrottledManager` (see the module docstring)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, samorg_metadata=None, **kwargs):
        nb_man = _ThrottledManager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                   autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            if samorg_metadata:
                nb_man.nb.metadata["samorg"] = dict(samorg_metadata)
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, SamorgEngine)
