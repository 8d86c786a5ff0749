"""National-scale counter aggregation: equal to a plain pandas groupby, planted faults found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from samorg.national import counters_to_monthly, generate_counters


def test_aggregation_matches_pandas_and_finds_planted_faults(tmp_path):
    planted = generate_counters(tmp_path, municipalities=5, branches=6, first_year=2019, years=2,
                                outage_days=12, spikes=20, seed=7)
    monthly = counters_to_monthly(tmp_path, first_year=2019)
    assert len(monthly) == 6 * 24

    raw = pd.concat([pd.read_parquet(f) for f in sorted(tmp_path.glob("*.parquet"))], ignore_index=True)
    raw["visits"] = (raw["in"] + raw["out"]) / 2
    stamp = pd.Timestamp("2019-01-01") + pd.to_timedelta(raw["hour"], unit="h")
    raw["period_start"] = stamp.dt.to_period("M").dt.to_timestamp()
    spike_hours = {(b, h) for b, h in planted["spikes"]}
    is_spike = np.array([(b, h) in spike_hours for b, h in zip(raw["branch"], raw["hour"])])
    expected = raw[~is_spike].groupby(["branch", "period_start"])["visits"].sum()
    got = monthly.set_index(["branch", "period_start"])["visits"]
    pd.testing.assert_series_equal(got.loc[expected.index], expected, check_names=False, check_index_type=False)
    assert monthly["spike_hours"].sum() == len(planted["spikes"])

    # Every planted outage on a normally open day is found, and nothing else.
    weekday = lambda d: int((np.datetime64("2019-01-01", "D") + d).astype("datetime64[D]").astype(np.int64) + 3) % 7
    open_outages = [(b, d) for b, d in planted["outages"] if weekday(d) != 6]  # closed on Sundays
    assert monthly["outage_days"].sum() == len(open_outages)


def test_same_seed_same_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate_counters(a, municipalities=3, branches=3, years=1, outage_days=2, spikes=3, seed=1)
    generate_counters(b, municipalities=3, branches=3, years=1, outage_days=2, spikes=3, seed=1)
    assert (a / "counters_2015.parquet").read_bytes() == (b / "counters_2015.parquet").read_bytes()


def test_any_row_order_gives_the_same_months(tmp_path):
    """The fast path (a branch × hour grid, the usual export) and the general one agree."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    grid_dir, shuffled_dir = tmp_path / "grid", tmp_path / "shuffled"
    generate_counters(grid_dir, municipalities=4, branches=5, first_year=2019, years=1, outage_days=6, spikes=8, seed=3)
    shuffled_dir.mkdir()
    table = pq.read_table(grid_dir / "counters_2019.parquet")
    order = np.random.default_rng(0).permutation(table.num_rows)
    pq.write_table(table.take(pa.array(order)), shuffled_dir / "counters_2019.parquet")
    fast = counters_to_monthly(grid_dir, first_year=2019, workers=1)
    general = counters_to_monthly(shuffled_dir, first_year=2019, workers=1)
    pd.testing.assert_frame_equal(fast, general, check_dtype=False)


def test_a_dask_cluster_gives_the_same_months_as_local_workers(tmp_path):
    from distributed import LocalCluster

    generate_counters(tmp_path, municipalities=4, branches=5, first_year=2019, years=2, outage_days=6, spikes=8,
                      seed=3)
    local = counters_to_monthly(tmp_path, first_year=2019, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = counters_to_monthly(tmp_path, first_year=2019, executor="dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_dask, local)


def test_national_cleaning_refuses_a_missing_scheduler_an_unknown_executor_and_an_empty_folder(tmp_path):
    import pytest

    from samorg.errors import SamorgError

    generate_counters(tmp_path, municipalities=2, branches=2, years=1, outage_days=1, spikes=1, seed=1)
    with pytest.raises(SamorgError, match="scheduler's address"):
        counters_to_monthly(tmp_path, first_year=2015, executor="dask")
    with pytest.raises(SamorgError, match="'local' or 'dask'"):
        counters_to_monthly(tmp_path, first_year=2015, executor="spark")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SamorgError, match="no people-counter parquet files"):
        counters_to_monthly(tmp_path / "empty", first_year=2015)


def test_cli_generates_and_sums_national_counters(tmp_path, capsys):
    from samorg.cli import main

    data, out = tmp_path / "data", tmp_path / "monthly.parquet"
    assert main(["national", "generate", str(data), "--years", "1", "--branches", "400", "--first-year", "2020"]) == 0
    assert main(["national", "monthly", str(data), "--first-year", "2020", "--out", str(out), "--workers", "1"]) == 0
    text = capsys.readouterr().out
    monthly = pd.read_parquet(out)
    assert len(monthly) == 400 * 12 and f"{400 * 12:,} branch-months" in text
    assert main(["national", "monthly", str(data), "--first-year", "2020", "--out", str(tmp_path / "m.csv")]) == 2
    assert "expected a file name ending in .parquet" in capsys.readouterr().err
