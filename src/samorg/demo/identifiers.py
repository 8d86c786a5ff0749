"""Fake personal identifiers planted in the demo's free text, so redaction can be tested.

National identity numbers (fødselsnummer) and D-numbers get valid mod-11 check digits;
phone numbers are Norwegian mobile numbers in the ways people write them; e-mail addresses use
the reserved ``example.com``/``example.org`` domains. None of them belongs to anyone we know of.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

FIRST_NAMES = ("Kari", "Ola", "Ingrid", "Per", "Marit", "Lars", "Sofie", "Jonas", "Nora", "Emil",
               "Astrid", "Magnus", "Hanne", "Knut", "Liv", "Bjørn")
LAST_NAMES = ("Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Bakken",
              "Strand", "Solberg", "Lie", "Dahl", "Moen", "Nilsen")


def check_digits(first9: str) -> str | None:
    """The two mod-11 check digits for the first nine digits, or None if none exist."""
    digits = [int(c) for c in first9]
    k1 = 11 - sum(w * d for w, d in zip(_W1, digits)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    k2 = 11 - sum(w * d for w, d in zip(_W2, digits + [k1])) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return f"{k1}{k2}"


def is_valid_identity_number(number: str) -> bool:
    """True if an 11-digit string has valid check digits (fødselsnummer or D-number)."""
    return len(number) == 11 and number.isdigit() and check_digits(number[:9]) == number[9:]


def _born(rng: np.random.Generator) -> dt.date:
    return dt.date(1940, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 59)))


def identity_number(rng: np.random.Generator, *, d_number: bool = False) -> str:
    """A fødselsnummer (or D-number: day + 40) with valid check digits, born 1940–1998."""
    while True:
        born = _born(rng)
        day = born.day + (40 if d_number else 0)
        individual = int(rng.integers(0, 500))  # 000–499: born 1900–1999
        first9 = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
        k = check_digits(first9)
        if k is not None:
            return first9 + k


def phone_number(rng: np.random.Generator) -> str:
    """A Norwegian mobile number written one of the usual ways."""
    n = f"{int(rng.choice([4, 9]))}{int(rng.integers(0, 10_000_000)):07d}"
    style = int(rng.integers(0, 4))
    if style == 0:
        return n
    if style == 1:
        return f"{n[:3]} {n[3:5]} {n[5:]}"
    if style == 2:
        return f"+47 {n[:3]} {n[3:5]} {n[5:]}"
    return f"+47{n}"


def person_name(rng: np.random.Generator) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def email(rng: np.random.Generator, name: str) -> str:
    user = name.lower().replace(" ", ".").replace("ø", "o").replace("å", "a").replace("æ", "ae")
    return f"{user}{int(rng.integers(1, 99))}@{rng.choice(['example.com', 'example.org'])}"
