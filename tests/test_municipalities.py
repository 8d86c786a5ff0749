"""Municipality structure over time: harmonising to 2024, recomputing rates, reading KLASS files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from samorg.municipalities import harmonise

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-formats"


def _obs(rows):
    return pd.DataFrame(rows, columns=["municipality_code", "year", "indicator", "value"])


def test_2019_data_harmonised_to_2024_sums_the_merged_municipalities():
    old = {"0602": 68933, "0625": 24963, "0711": 6685,  # Drammen, Nedre Eiker, Svelvik
           "0122": 5350, "0123": 5900, "0124": 15950, "0125": 11450, "0138": 5650}  # Indre Østfold's five
    frame = _obs([(code, 2019, "population", float(n)) for code, n in old.items()]
                 + [(code, 2019, "visits", float(n) * 4) for code, n in old.items()])
    out = harmonise(frame, to_year=2024)
    pop = out[out["indicator"] == "population"].set_index("municipality_code")["value"]
    assert pop["3301"] == 68933 + 24963 + 6685
    assert pop["3118"] == 5350 + 5900 + 15950 + 11450 + 5650
    assert set(out["municipality_code"]) == {"3301", "3118"}
    assert frame["municipality_code"].iloc[0] == "0602"  # input not modified


def test_rates_are_recomputed_from_the_sums_never_averaged():
    frame = _obs([("0602", 2019, "visits", 300.0), ("0602", 2019, "population", 100.0),
                  ("0711", 2019, "visits", 10.0), ("0711", 2019, "population", 10.0),
                  ("0625", 2019, "visits", 90.0), ("0625", 2019, "population", 90.0),
                  ("0602", 2019, "visits_per_inhabitant", 3.0), ("0711", 2019, "visits_per_inhabitant", 1.0),
                  ("0625", 2019, "visits_per_inhabitant", 1.0)])
    out = harmonise(frame, to_year=2024)
    rate = out[(out["municipality_code"] == "3301") & (out["indicator"] == "visits_per_inhabitant")]["value"]
    assert rate.iloc[0] == pytest.approx(400 / 200)  # not the mean of 3, 1 and 1


def test_indre_ostfold_border_change_in_2026_is_flagged():
    frame = _obs([("3118", 2024, "population", 47006.0)])
    out = harmonise(frame, to_year=2026)
    assert out["boundary_note"].fillna("").str.len().gt(0).any()


def test_klass_names_decode_with_norwegian_letters():
    from samorg.sources import read_klass_changes, read_klass_codes

    codes_file = REAL / "klass" / "ssb_kommunekoder_2020.csv"
    if not codes_file.is_file():
        pytest.skip("real KLASS files not present (../shared/real-formats/klass)")
    codes = read_klass_codes(codes_file)
    names = set(codes["name"])
    assert {"Bærum", "Tromsø", "Ålesund"} <= names and "Indre Østfold" in names
    assert len(codes[codes["code"] != "9999"]) == 356
    changes = read_klass_changes(REAL / "klass" / "kommuner_med_endringer_fra2019_til2020.csv")
    assert len(changes) > 0 and not changes.astype(str).apply(lambda c: c.str.contains("\u00a0")).any().any()
