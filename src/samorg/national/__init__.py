"""National scale: hourly people-counter data for every library branch, and its reduction to branch-month.

``generate_counters`` writes a seeded synthetic national dataset (356 municipalities, ~600 branches,
ten years of hourly IN/OUT counts: ~50 million rows) as one parquet file per year;
``counters_to_monthly`` cleans it (outage days and spikes flagged, not silently dropped) and sums it to
branch-month visits. Both run on numpy and pyarrow alone.
"""

from samorg.national.aggregate import counters_to_monthly
from samorg.national.generate import generate_counters

__all__ = ["counters_to_monthly", "generate_counters"]
