"""samorg.privacy: identifiers found and redacted, ordinary numbers kept, small cells hidden for good."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samorg import privacy
from samorg.demo.identifiers import check_digits, identity_number, phone_number
from samorg.errors import SamorgError
from samorg.privacy import (REDACTED, find_identifiers, mask, redact, redact_series, suppress, suppress_shares,
                            valid_identity_number)


def _fnr(seed: str, *, d_number: bool = False) -> str:
    return identity_number(np.random.default_rng(list(seed.encode())), d_number=d_number)


FNR = _fnr("privacy fnr")
DNR = _fnr("privacy dnr", d_number=True)


# ---------------------------------------------------------------- identity numbers


def test_identity_numbers_with_valid_check_digits_are_redacted_plain_and_spaced():
    spaced = f"{FNR[:6]} {FNR[6:]}"
    out = redact(f"fnr {FNR}, D-nr {DNR}, skrevet {spaced}.")
    assert out == f"fnr {REDACTED}, D-nr {REDACTED}, skrevet {REDACTED}."
    kinds = [i.kind for i in find_identifiers(f"{FNR} og {DNR}")]
    assert kinds == ["identity_number", "d_number"]


def test_eleven_digits_with_wrong_check_digits_or_impossible_dates_are_kept():
    wrong = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    assert not valid_identity_number(wrong)
    # valid check digits, but no such birth date (day 32): an ordinary number
    first9 = next(f"3201{y:02d}{n:03d}" for y in range(100) for n in range(500) if check_digits(f"3201{y:02d}{n:03d}"))
    no_date = first9 + check_digits(first9)
    assert valid_identity_number(no_date)
    for text in (f"Sak {wrong}", f"Ordre {no_date}", "Konto 99999999999", f"{FNR}0 er for langt"):
        assert redact(text) == text, text


def test_identity_number_inside_a_longer_number_or_word_is_not_one():
    for text in (f"1{FNR}", f"{FNR}2", f"x{FNR}", f"{FNR}abc", f"0,{FNR}"):
        assert find_identifiers(text) == [], text


def test_valid_identity_number_is_strict():
    assert valid_identity_number(FNR) and valid_identity_number(DNR)
    assert not valid_identity_number(FNR[:10]) and not valid_identity_number("١" * 11)  # Arabic-Indic digits
    assert privacy.valid_identity_number("10015034365")


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize("phone", [
    "91234567", "912 34 567", "22 33 44 55", "+47 912 34 567", "+4791234567", "0047 41 23 45 67",
    "+47 22 33 44 55", "912-34-567", "912\u00a034\u00a0567", "+47 91234567",
])
def test_phone_numbers_in_the_usual_ways(phone):
    assert redact(f"Ring {phone} i morgen.") == f"Ring {REDACTED} i morgen."
    assert redact(f"({phone})") == f"({REDACTED})"
    assert redact(f"tlf.{phone}") == f"tlf.{REDACTED}"


@pytest.mark.parametrize("text", [
    "Besøk i 2019: 12 345 678",  # thousands grouping
    "Totalt 12\u00a0345\u00a0678 besøk",
    "Nummer 123456789",  # nine digits
    "Saksnr 1234567890",
    "Andel 0,91234567",  # a decimal part
    "Verdi 91234567,5",
    "sha256 3f9a91234567bc",  # a checksum
    "commit 91234567abcdef0",
    "Tall 2019 12 34 56 78 i rad",  # a row of numbers, not a phone
    "Rad 12 34 56 78 90",
    "Telefon 11 22 33 44",  # no Norwegian number starts with 1
    "Dato 24.11.2026 kl. 09.30",
    "Periode 2014-2019, 2020–2021",
    "95 % KI 1,05–1,32; p = 0,003",
])
def test_ordinary_numbers_are_not_phone_numbers(text):
    assert redact(text) == text


def test_planted_phone_numbers_in_every_style_are_found():
    rng = np.random.default_rng(7)
    for _ in range(50):
        phone = phone_number(rng)
        assert redact(f"ring {phone}.") == f"ring {REDACTED}.", phone


# ---------------------------------------------------------------- e-mail and names


def test_email_addresses_with_norwegian_letters():
    for email in ("ola.nordmann@example.com", "bjørn+bibliotek@kommune.no", "x_y-z@sub.domene.example.org"):
        assert redact(f"Skriv til {email}.") == f"Skriv til {REDACTED}."
    assert redact("Ikke en adresse: @media og a@b") == "Ikke en adresse: @media og a@b"


def test_names_from_a_list_whole_words_ignoring_case_with_norwegian_letters():
    names = ["Bjørn Dahl", "Åse", "Kari"]
    text = "BJØRN  DAHL og åse møtte Kari; Karina og Kariann ikke. Karis lånekort."
    assert redact(text, names=names) == (f"{REDACTED} og {REDACTED} møtte {REDACTED}; Karina og Kariann ikke. "
                                         f"{REDACTED} lånekort.")
    assert redact(text) == text  # no names list: names are not guessed


def test_redact_leaves_non_text_and_empty_alone():
    assert redact("") == "" and redact(None) is None
    assert np.isnan(redact(float("nan")))


def test_overlapping_identifiers_are_redacted_once():
    assert redact("kari91234567@example.com") == REDACTED
    assert redact("Kari Nordmann kari@example.com", names=["Kari Nordmann", "Kari"]) == f"{REDACTED} {REDACTED}"


# ---------------------------------------------------------------- series


def test_redact_series_keeps_index_dtype_and_missing_values_and_does_not_modify_input():
    values = pd.Series(["ok", f"fnr {FNR}", None, "Kari ringte", "ok"], index=[10, 11, 12, 13, 14], dtype="str",
                       name="comment")
    before = values.copy()
    out = redact_series(values, names=["kari"])
    pd.testing.assert_series_equal(values, before)
    assert out.index.tolist() == [10, 11, 12, 13, 14] and out.name == "comment" and out.dtype == values.dtype
    assert out.tolist()[:2] == ["ok", f"fnr {REDACTED}"] and pd.isna(out.iloc[2])
    assert out.iloc[3] == f"{REDACTED} ringte"


def test_redact_series_on_object_values_and_clean_delegates():
    from samorg import clean

    values = pd.Series(["tlf 91234567", 3, None], dtype=object)
    out = redact_series(values)
    assert out.tolist() == [f"tlf {REDACTED}", 3, None]
    assert clean.redact_identifiers(f"ring 912 34 567, {FNR}") == f"ring {REDACTED}, {REDACTED}"
    assert clean.redact_free_text(pd.Series(["a@example.com"])).tolist() == [REDACTED]


# ---------------------------------------------------------------- masking


def test_mask_never_shows_the_identifier():
    for ident in (FNR, "+47 912 34 567", "kari.nordmann@example.com", "Kari Nordmann", "Per"):
        masked = mask(ident)
        assert masked != ident and len(masked) == len(ident)
        assert sum(c.isalnum() for c in masked) <= 2


def test_load_names(tmp_path):
    path = tmp_path / "navn.txt"
    path.write_text("# ansatte\nKari  Nordmann\n\nÅse\nÅse\n", encoding="utf-8")
    assert privacy.load_names(path) == ("Kari Nordmann", "Åse")
    path.write_bytes("Åse\n".encode("latin-1"))
    with pytest.raises(SamorgError, match="not UTF-8"):
        privacy.load_names(path)
    with pytest.raises(SamorgError, match="does not exist"):
        privacy.load_names(tmp_path / "mangler.txt")


# ---------------------------------------------------------------- suppression


def _determined(hidden: np.ndarray, known_rows: bool = True, known_cols: bool = True) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the known row and column sums (linear algebra)."""
    cells = list(zip(*np.nonzero(hidden)))
    if not cells:
        return []
    n_rows, n_cols = hidden.shape
    rows = []
    if known_rows and n_cols >= 2:
        rows += [[1.0 if c[0] == i else 0.0 for c in cells] for i in range(n_rows)]
    if known_cols and n_rows >= 2:
        rows += [[1.0 if c[1] == j else 0.0 for c in cells] for j in range(n_cols)]
    a = np.array(rows) if rows else np.zeros((1, len(cells)))
    rank = np.linalg.matrix_rank(a)
    out = []
    for k, cell in enumerate(cells):
        unit = np.zeros((1, len(cells)))
        unit[0, k] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(cell)
    return out


def test_primary_suppression_hides_small_counts_not_zeros_by_default():
    counts = pd.DataFrame({"a": [0, 4, 5, 120]}, index=list("wxyz"))
    res = suppress(counts)
    assert res.primary["a"].tolist() == [False, True, False, False]
    assert res.table.loc["w", "a"] == 0  # zeros shown: nobody to identify
    assert suppress(counts, suppress_zeros=True).primary["a"].tolist() == [True, True, False, False]
    assert suppress(counts, threshold=6).primary["a"].tolist() == [False, True, True, False]


def test_one_column_needs_a_second_hidden_cell_because_its_total_is_known():
    counts = pd.DataFrame({"besøkende": [3, 40, 25, 60]}, index=list("abcd"))
    res = suppress(counts)
    assert res.mask["besøkende"].tolist() == [True, False, True, False]  # 25: the smallest complement
    assert res.secondary["besøkende"].tolist() == [False, False, True, False]
    assert res.table["besøkende"].tolist() == ["·", 40, "·", 60]
    assert np.isnan(res.values.loc["c", "besøkende"])


def test_two_way_table_gets_a_rectangle_and_nothing_is_recoverable():
    counts = pd.DataFrame({"telefon": [12, 3, 20], "skranke": [30, 14, 41], "digitalt": [25, 18, 9]},
                          index=["askim", "mysen", "svelvik"])
    res = suppress(counts)
    assert res.mask.to_numpy().sum() == 4
    assert res.mask.loc[["askim", "mysen"], ["telefon", "skranke"]].to_numpy().all()
    assert _determined(res.mask.to_numpy()) == []
    assert counts.equals(pd.DataFrame({"telefon": [12, 3, 20], "skranke": [30, 14, 41], "digitalt": [25, 18, 9]},
                                      index=["askim", "mysen", "svelvik"]))  # input untouched


def test_hidden_cell_pinned_down_by_several_lines_together_is_freed():
    """Two hidden rectangles joined by one hidden cell: every line has 2+ hidden cells, yet the joining
    cell follows from the sums (it is a bridge). Suppression must not stop at "two per line"."""
    hidden = np.zeros((4, 4), dtype=bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        hidden[i, j] = True
    assert all(hidden[i].sum() != 1 for i in range(4)) and all(hidden[:, j].sum() != 1 for j in range(4))
    assert _determined(hidden) == [(0, 2)]
    counts = pd.DataFrame(np.where(hidden, 2, 50), columns=list("ABCD"))
    res = suppress(counts)
    assert res.mask.to_numpy()[hidden].all()
    assert _determined(res.mask.to_numpy()) == []


def test_totals_shown_in_the_table_are_part_of_the_lines():
    inner = pd.DataFrame({"ja": [20, 2, 30], "nei": [15, 11, 40]}, index=["a", "b", "c"])
    table = inner.assign(totalt=inner.sum(axis=1))
    table.loc["totalt"] = table.sum()
    res = suppress(table, row_total="totalt", column_total="totalt")
    assert _determined(res.mask.to_numpy()) == []
    assert res.mask.loc["b", "ja"] and res.mask.to_numpy().sum() >= 4
    assert not res.mask.loc["totalt", "totalt"]  # a complement is never a total when another cell will do


def test_small_marker_and_note():
    counts = pd.DataFrame({"n": [2, 30, 40]}, index=list("abc"))
    res = suppress(counts, small_marker="<5")
    assert res.table["n"].tolist() == ["<5", "·", 40]
    assert "færre enn 5" in res.note() and "fewer than 5" in res.note("en")


def test_zero_is_a_complement_only_when_nothing_else_will_do():
    res = suppress(pd.DataFrame({"n": [3, 0, 9]}))
    assert res.mask["n"].tolist() == [True, False, True]
    res = suppress(pd.DataFrame({"n": [3, 0]}))
    assert res.mask["n"].tolist() == [True, True]


def test_shares_follow_the_counts_suppression():
    counts = pd.DataFrame({"fornøyd": [40, 3, 12], "nøytral": [5, 1, 9], "misfornøyd": [10, 0, 2]},
                          index=["askim", "mysen", "svelvik"])
    res = suppress_shares(counts)
    assert res.mask.loc["mysen"].tolist() == [True, True, True]  # base 4 < 5: the whole line
    assert res.mask.loc["svelvik"].tolist() == [False, True, True]  # 2 hidden, and 9 as its complement
    assert res.values.loc["askim", "fornøyd"] == pytest.approx(40 / 55)
    assert not res.mask.loc["askim"].any()
    both = suppress_shares(counts, known_sums="both")
    assert both.mask.to_numpy().sum() > res.mask.to_numpy().sum()


def test_bad_tables_are_refused_with_a_reason():
    with pytest.raises(SamorgError, match="not numbers"):
        suppress(pd.DataFrame({"site": ["a"], "n": [3]}))
    with pytest.raises(SamorgError, match="negative"):
        suppress(pd.DataFrame({"n": [3, -1]}))
    with pytest.raises(SamorgError, match="threshold"):
        suppress(pd.DataFrame({"n": [3]}), threshold=0)
    with pytest.raises(SamorgError, match="known_sums"):
        suppress(pd.DataFrame({"n": [3]}), known_sums="diagonal")
    with pytest.raises(SamorgError, match="within"):
        suppress_shares(pd.DataFrame({"n": [3]}), within="diagonal")


def test_missing_values_are_left_as_they_are():
    res = suppress(pd.DataFrame({"a": [3.0, np.nan, 50.0, 60.0], "b": [8.0, 9.0, np.nan, 70.0]}))
    assert res.mask.loc[0, "a"] and res.mask.loc[0, "b"]
    assert not res.mask.loc[1, "a"] and np.isnan(res.values.loc[1, "a"]) and np.isnan(res.table.loc[1, "a"])
    unknown = res.mask.to_numpy() | res.values.isna().to_numpy()  # a missing cell is unknown to a reader too
    assert _determined(unknown) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 5).flatmap(lambda r: st.integers(1, 5).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r))),
    st.sampled_from([3, 5, 10]),
)
def test_no_hidden_count_can_be_worked_out_from_the_sums(rows, threshold):
    counts = pd.DataFrame(rows)
    res = suppress(counts, threshold=threshold)
    values = counts.to_numpy()
    hidden = res.mask.to_numpy()
    assert (hidden[(values > 0) & (values < threshold)]).all()  # every small count is hidden
    assert _determined(hidden) == []
    for line in itertools.chain(hidden, hidden.T):
        if len(line) >= 2:
            assert line.sum() != 1


def test_privacy_docstring_examples_run():
    import doctest

    from samorg.privacy import identifiers, scan, suppression

    results = [doctest.testmod(module) for module in (identifiers, scan, suppression)]
    assert sum(r.attempted for r in results) >= 8 and sum(r.failed for r in results) == 0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=1, max_size=4))
def test_shares_never_reveal_a_small_count_or_a_small_base(rows):
    counts = pd.DataFrame(rows, columns=["ja", "nei", "vet ikke"])
    res = suppress_shares(counts)
    hidden, values = res.mask.to_numpy(), counts.to_numpy()
    assert hidden[(values > 0) & (values < 5)].all()
    small = (values.sum(axis=1) > 0) & (values.sum(axis=1) < 5)
    assert hidden[small].all()
    assert _determined(hidden, known_cols=False) == []


def test_raw_folders_other_than_the_demo_are_ignored_by_git():
    root = Path(__file__).resolve().parents[1]

    def ignored(path: str) -> bool:
        res = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=root, capture_output=True)
        assert res.returncode in (0, 1), res.stderr
        return res.returncode == 0

    assert ignored("data/raw/somemunicipality/x.csv")
    assert ignored("data/raw/drammen/henvendelser/2024.xlsx")
    assert ignored("data/raw/x.csv")
    assert not ignored("data/raw/demo/henvendelser/drammen_2020.csv")
    assert not ignored("data/raw/README.md")
