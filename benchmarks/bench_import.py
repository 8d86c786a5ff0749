"""Import cost of samorg over pandas, and of the heavier modules a report or a model pulls in.

Run on demand: ``.venv/bin/python benchmarks/bench_import.py`` (or ``./dev bench``). Each figure is the
median of several fresh interpreters, so caches of one run do not flatter the next.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

REPEAT = 7
CASES = {
    "python alone": "pass",
    "import pandas": "import pandas",
    "import samorg": "import pandas, samorg",
    "samorg.load_study": "import pandas, samorg; samorg.load_study",
    "samorg.models (its)": "import pandas, samorg; samorg.its",
    "samorg.report.site": "import pandas, samorg.report.site",
    "statsmodels.api": "import pandas, statsmodels.api",
}


def seconds(code: str) -> float:
    timer = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", timer], capture_output=True, text=True, check=True).stdout)
            for _ in range(REPEAT)]
    return statistics.median(runs)


def main() -> None:
    results = {name: seconds(code) for name, code in CASES.items()}
    base = results["import pandas"]
    print(f"{'what':28s} {'median s':>9s} {'over pandas':>12s}")
    for name, value in results.items():
        over = value - base if name not in ("python alone", "import pandas") else float("nan")
        print(f"{name:28s} {value:9.3f} {over:12.3f}")


if __name__ == "__main__":
    main()
