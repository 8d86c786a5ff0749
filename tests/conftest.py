"""Shared test set-up: a non-interactive plotting backend, no figure left open, seeded random streams."""

from __future__ import annotations

import hashlib
import os

os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS/OpenMP thread, as report kernels run (samorg.report.warm.BLAS_THREADS): the suite's matrices are
# small, and threads only wait for each other (models, synthetic-control and pooling tests: 17.7 s of CPU
# with OpenBLAS's default threads, 14.7 s with one, on the 2-core machine). Set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest


def seeded_rng(name: str):
    """A random generator whose stream depends on the whole of ``name`` (all 32 bytes of its SHA-256).

    Different names give independent streams (numpy's SeedSequence), so two tests, or the treated and
    the control series of one test, never share draws by accident. Test modules import it with
    ``from conftest import seeded_rng`` (pytest puts tests/ on sys.path).
    """
    import numpy as np

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return np.random.default_rng(np.random.SeedSequence(list(digest)))


@pytest.fixture
def rng(request):
    """A generator seeded by the test's full node id (independent per test and per parameter)."""
    return seeded_rng(request.node.nodeid)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def copy_demo_study():
    """A function writing the demo study into a folder with its outputs redirected there.

    The raw demo data and the site registry are read in place (never written); processed data and
    reports go to ``folder/processed`` and ``folder/reports``. Returns the new study file.
    """
    from pathlib import Path

    import yaml

    demo = Path(__file__).resolve().parents[1] / "config" / "demo" / "study.yaml"

    def copy(folder: Path) -> Path:
        raw = yaml.safe_load(demo.read_text(encoding="utf-8"))
        raw["raw_dir"] = str((demo.parent / raw["raw_dir"]).resolve())
        raw["sites_file"] = str((demo.parent / raw["sites_file"]).resolve())
        raw["processed_dir"] = str(folder / "processed")
        raw["reports_dir"] = str(folder / "reports")
        path = folder / "study.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return copy
