"""BSNs (python-stdnum's 11-proof) and phone numbers (phonenumbers) through the
screenings the product runs: `screen`, the respondent's warning and the review's
highlighting, and `thorough_screen`, which gates a redaction's approval."""

import pytest

from meldcode_survey.responses.deidentify import thorough_screen
from meldcode_survey.responses.screening import Kind, is_valid_bsn, screen


def _kinds(screening, text: str) -> list[tuple[str, str]]:
    return [(str(flag.kind), flag.fragment) for flag in screening(text)]


def _fast(text: str) -> list[tuple[str, str]]:
    return _kinds(screen, text)


# --- BSN -----------------------------------------------------------------------

# 111222333 passes the 11-proof: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66.
VALID_WRITTEN = [
    "111222333",
    "111 222 333",
    "111.222.333",
    "111-222-333",
    "1112.22.333",
    "1112 22 333",
    "012345672",  # a BSN with a leading zero, written in full
    "012 345 672",
    "12345672",  # the same BSN without its leading zero, as a spreadsheet writes it
]
# One digit off, or the usual example that fails the proof, however written.
INVALID_WRITTEN = [
    "111222334",
    "111 222 334",
    "111.222.334",
    "123456789",
    "123 456 789",
    "123.456.789",
    "1234.56.789",
    "12345673",
]


@pytest.mark.parametrize("written", VALID_WRITTEN)
def test_a_bsn_that_passes_the_eleven_proof_is_flagged_however_written(written):
    assert is_valid_bsn(written)
    assert _fast(f"Het BSN van het kind is {written}, zei moeder.") == [
        (Kind.BSN, written)
    ]


@pytest.mark.parametrize("written", INVALID_WRITTEN)
def test_nine_digits_that_fail_the_eleven_proof_are_no_bsn(written):
    assert not is_valid_bsn(written)
    assert (Kind.BSN, written) not in _fast(f"Dossiernummer {written} aangemaakt.")


def test_eight_digits_are_the_bsn_without_its_leading_zero():
    assert is_valid_bsn("12345672") and is_valid_bsn("012345672")
    assert not is_valid_bsn("12345673")
    assert not is_valid_bsn("1234567")  # seven digits are never a BSN


@pytest.mark.parametrize("written", ["12.345.672", "12 345 672", "1234 5672"])
def test_eight_digits_are_a_bsn_only_when_written_bare(written):
    # Only a number stored as a number loses its zero, and it comes out bare.
    assert is_valid_bsn(written)
    assert _fast(f"Het ging om {written} euro.") == []


@pytest.mark.parametrize("written", ["22032010", "20100322"])
def test_eight_digits_that_are_a_date_are_flagged_as_a_date(written):
    assert is_valid_bsn(written)
    assert _fast(f"Het nummer {written} stond op de brief.") == [
        (Kind.BIRTH_DATE, written)
    ]


@pytest.mark.deduce
def test_the_thorough_screening_flags_a_bsn_and_the_eight_digit_form():
    assert _kinds(thorough_screen, "BSN 111.222.333 bekend.") == [
        (Kind.BSN, "111.222.333")
    ]
    # deduce calls any long number an id; the fast screening's BSN, of the same
    # span, is the more specific flag, also without the leading zero.
    assert _kinds(thorough_screen, "BSN 12345672 bekend.") == [(Kind.BSN, "12345672")]
    assert _kinds(thorough_screen, "Geboren 22032010.") == [
        (Kind.BIRTH_DATE, "22032010")
    ]


# --- Phone numbers --------------------------------------------------------------

PHONES = [
    "06-12345678",
    "06 12345678",
    "+31 6 12345678",
    "+31612345678",
    "0031 6 12345678",
    "0031612345678",
    "020-1234567",
    "020 123 4567",
    "0031 20 1234567",
]


@pytest.mark.parametrize("number", PHONES)
def test_a_phone_number_is_flagged(number):
    text = f"Vader is bereikbaar op {number} na vijven."
    assert _fast(text) == [(Kind.PHONE, number)]


@pytest.mark.deduce
@pytest.mark.parametrize("number", ["06-12345678", "+31 6 12345678", "020-1234567"])
def test_the_thorough_screening_flags_a_phone_number(number):
    assert (Kind.PHONE, number) in _kinds(thorough_screen, f"Bel {number} gerust.")


NOT_PHONES = [
    "Op 12-03-2015 is het gesprek gevoerd.",  # dates
    "Gesprek op 2023-02-01 en 01-02-2023.",
    "Om 12.30 uur gebeld.",
    "Het ging om € 1.234.567,00 schuld.",  # amounts
    "Een boete van 1500 euro, later 20.000 euro.",
    "De familie woont in 1234 AB, vlakbij.",  # postcodes
    "Postcode 3011 BD en 9712 CP.",
    "Ordernummer 2023-0612345 is verstuurd.",  # order and case numbers
    "Bestelnummer 123456789012 geleverd.",
    "Dossier 2021/123456 en kenmerk 06-2023-12345.",
    "Factuur 0201234567890 betaald.",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_dates_amounts_postcodes_and_order_numbers_are_no_phone_numbers(text):
    assert [f for kind, f in _fast(text) if kind == Kind.PHONE] == []


@pytest.mark.deduce
@pytest.mark.parametrize("text", NOT_PHONES)
def test_the_thorough_screening_calls_none_of_them_a_phone_number(text):
    assert [f for kind, f in _kinds(thorough_screen, text) if kind == Kind.PHONE] == []
