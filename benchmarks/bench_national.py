"""National scale: clean ~50 million hourly people-counter rows and sum them to branch-month.

Run on demand: ``.venv/bin/python benchmarks/bench_national.py [--data DIR]``. Generates the data the
first time (356 municipalities, 600 branches, 2015–2024, hourly: 52.6 million rows) into
``benchmarks/.data/`` (git-ignored), then times samorg's aggregation and, as a yardstick in the same
run, DuckDB doing the same aggregation (skipped with a message when duckdb is not installed:
``pip install duckdb``). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_YEAR = 2015

SAMORG = """
import sys, time, resource
from samorg.national import counters_to_monthly
t = time.perf_counter()
m = counters_to_monthly(sys.argv[1], first_year=%d)
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(time.perf_counter() - t, peak / 1024, len(m), m["visits"].sum())
""" % FIRST_YEAR

DUCK = """
import sys, time, resource, duckdb
t = time.perf_counter()
q = '''
WITH h AS (
  SELECT branch, hour, ("in" + "out") / 2.0 AS v FROM read_parquet('%%s/*.parquet')
), mean_open AS (
  SELECT branch, avg(v) AS m FROM h WHERE v > 0 GROUP BY branch
)
SELECT h.branch, date_trunc('month', TIMESTAMP '%d-01-01' + h.hour * INTERVAL 1 HOUR) AS month,
       sum(CASE WHEN h.v > 20 * m.m THEN 0 ELSE h.v END) AS visits,
       sum(CASE WHEN h.v > 20 * m.m THEN 1 ELSE 0 END) AS spike_hours
FROM h JOIN mean_open m USING (branch) GROUP BY 1, 2
''' %% sys.argv[1]
duckdb.sql('SET enable_progress_bar = false')
r = duckdb.sql(q).df()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(r), r["visits"].sum())
""" % FIRST_YEAR


def run(code: str, data: Path) -> tuple[float, float, int, float]:
    out = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, check=True)
    secs, mem, rows, total = out.stdout.strip().splitlines()[-1].split()
    return float(secs), float(mem), int(rows), float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=HERE / ".data" / "national")
    args = parser.parse_args()
    if not any(args.data.glob("*.parquet")):
        from samorg.national import generate_counters

        t = time.perf_counter()
        info = generate_counters(args.data, first_year=FIRST_YEAR)
        print(f"generated {info['rows']:,} rows in {time.perf_counter() - t:.1f} s "
              f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    s_secs, s_mem, s_rows, s_total = run(SAMORG, args.data)
    print(f"samorg:  {s_secs:6.1f} s, peak {s_mem:7.0f} MB, {s_rows:,} branch-months, visits {s_total:,.0f}")
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("duckdb is not installed: no yardstick (pip install duckdb)")
        return
    d_secs, d_mem, d_rows, d_total = run(DUCK, args.data)
    print(f"duckdb:  {d_secs:6.1f} s, peak {d_mem:7.0f} MB, {d_rows:,} branch-months, visits {d_total:,.0f}")
    print(f"samorg / duckdb time: {s_secs / d_secs:.2f}  (target at most 1.5)")


if __name__ == "__main__":
    main()
