"""Coverage of the pooled 95 % interval in a world shaped like the demo registry (EVIDENCE.md §3).

    .venv/bin/python benchmarks/bench_coverage.py               # 2,000 replicates per scenario
    .venv/bin/python benchmarks/bench_coverage.py --replicates 500

Eight co-located sites (five in Indre Østfold on 2020-01-01; Fjell 2020-01, Svelvik 2021-06 and
Mjøndalen 2022-09 in Drammen), one shared control series (Drammen's never-co-located branches), monthly
visits 2014–2025 with the demo's seasonality, COVID-19 dip and noise; the COVID-19 months are left out
of every site's comparative ITS (``samorg.models._coverage``). True effect zero (or planted); a
municipality-level step at 2020-01 of the given sd, hitting the control too or not.

Printed per scenario: the share of replicates whose 95 % interval covers the truth and the median
interval width (log scale) for

* new  — :func:`samorg.models.pooled.pool_municipalities`, default t(G − 1) reference;
* new (Satterthwaite) — the same with ``df="satterthwaite"``;
* old  — :func:`samorg.models.meta.pool`, REML + Hartung–Knapp over the sites as if independent.

The Monte Carlo standard error of a coverage near 0.95 with 2,000 replicates is about 0.005.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from samorg.models._coverage import coverage  # noqa: E402

SCENARIOS = (
    ("municipality step sd 0.05 (hits the control too)", dict(step_sd=0.05, step_hits_control=True)),
    ("municipality step sd 0.05 (spares the control)", dict(step_sd=0.05, step_hits_control=False)),
    ("shared control only (no step)", dict(step_sd=0.0)),
    ("municipality step sd 0.10 (spares the control)", dict(step_sd=0.10, step_hits_control=False)),
    ("planted effect +10 % at every site, step sd 0.05", dict(step_sd=0.05, effect=math.log(1.1),
                                                            truth=math.log(1.1))),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"{args.replicates} replicates per scenario, seed {args.seed}")
    print(f"{'scenario':52} {'new':>6} {'new(S)':>7} {'old':>6}   median widths new / new(S) / old")
    for name, world in SCENARIOS:
        start = time.perf_counter()
        c = coverage(args.replicates, seed=args.seed, **world)
        took = time.perf_counter() - start
        print(f"{name:52} {c.new:6.3f} {c.new_satterthwaite:7.3f} {c.old:6.3f}   "
              f"{c.new_median_width:.3f} / {c.new_satterthwaite_median_width:.3f} / {c.old_median_width:.3f}"
              f"   ({took:.1f} s)")


if __name__ == "__main__":
    main()
