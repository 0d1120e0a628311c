"""Screening of free-text narratives for identifying details (no database)."""

import json

import pytest
from django.utils import translation

from meldcode_survey.responses.screening import (
    KIND_LABELS,
    Flag,
    Kind,
    highlight,
    is_service_number,
    is_valid_bsn,
    screen,
)


def found(text: str, kind: str | None = None) -> list[str]:
    """Flagged fragments of `text`, optionally of one kind only."""
    return [f.fragment for f in screen(text) if kind is None or f.kind == kind]


# --- BSN ---------------------------------------------------------------------

VALID_BSNS = ["111222333", "123456782", "232262536", "999999990", "012345672"]


@pytest.mark.parametrize("bsn", VALID_BSNS)
def test_valid_bsns_pass_the_eleven_check(bsn):
    assert is_valid_bsn(bsn)


def test_eleven_check_worked_example():
    # 1*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 - 3*1 = 66 = 6 * 11
    assert is_valid_bsn("111222333")
    assert not is_valid_bsn("111222334")


@pytest.mark.parametrize(
    "digits",
    ["123456789", "111222334", "000000000", "12345678901", "1234567", "12345678a"],
)
def test_invalid_bsns_fail(digits):
    assert not is_valid_bsn(digits)


def test_eight_digit_bsn_gets_a_leading_zero():
    assert is_valid_bsn("12345672")
    assert is_valid_bsn("12345672") == is_valid_bsn("012345672")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BSN van het kind: 111222333.", "111222333"),
        ("bsn 1234.56.782 bekend", "1234.56.782"),
        ("bsn 123.456.782", "123.456.782"),
        ("nummer 123 456 782 genoteerd", "123 456 782"),
        ("(232262536)", "232262536"),
        # Eight digits: the leading zero dropped, as a spreadsheet writes it.
        ("BSN 12345672", "12345672"),
        ("bsn:44809906.", "44809906"),
    ],
)
def test_bsn_is_flagged(text, expected):
    assert found(text, Kind.BSN) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "dossiernummer 123456789",  # nine digits failing the 11-check
        "referentie 1112223330",  # ten digits: a longer number
        "IBAN NL91ABNA0417164300",
        "bedrag 1.111222333 euro",
        "reeks 111 222 333 444",
        "dossiernummer 12345673",  # eight digits failing the 11-check
        "bedrag 12.345.672 euro",  # grouped eight digits are an amount
        "nummer 12 345 672",
        "decimaal 1.12345672 en 12345672,5",
        "zaak 2021/12345672 en 3-12345672",
        "referentie 123456720",  # nine digits failing the check
    ],
)
def test_non_bsn_numbers_are_not_flagged(text):
    assert found(text, Kind.BSN) == []


# Both pass the 11-check (as about one date in eleven does), yet are dates.
COMPACT_DATES_PASSING_THE_CHECK = ["22032010", "20100322"]


@pytest.mark.parametrize("digits", COMPACT_DATES_PASSING_THE_CHECK)
def test_an_eight_digit_date_is_a_date_not_a_bsn(digits):
    assert is_valid_bsn(digits)
    flags = screen(f"Geboortedatum {digits}, bekend bij de GGD.")
    assert [(f.kind, f.fragment) for f in flags] == [(Kind.BIRTH_DATE, digits)]


# --- Phone numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12 34 56 78",
        "+31 6 12345678",
        "+31(0)6 12345678",
        "+31 (0)6-12345678",
        "+31612345678",
        "0031 6 12345678",
        "010-1234567",
        "020 123 4567",
        "0591-123456",
        "(010) 123 4567",
    ],
)
def test_phone_number_is_flagged(number):
    assert found(f"Moeder is bereikbaar op {number}, ook 's avonds.") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Ik heb Veilig Thuis gebeld (0800-2000).",
        "Veilig Thuis: 0800 2000",
        "De Kindertelefoon is 0800-0432.",
        "Betaalde lijn 0900-1234567 of 0900 123 45.",
        "Gratis nummer 0800 123 45 67",
        "Binnen 112 minuten en 06 keer.",
        "Nummer 061234567890 is te lang.",
    ],
)
def test_service_and_non_phone_numbers_are_not_flagged(text):
    assert found(text, Kind.PHONE) == []


# --- E-mail addresses --------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["sanne.devries@gmail.com", "info@veilig-thuis.nl", "j.jansen+school@mail.co.uk"],
)
def test_email_is_flagged(address):
    assert found(f"Mail naar {address}.", Kind.EMAIL) == [address]


@pytest.mark.parametrize(
    "text", ["Contact via @veiligthuis op sociale media", "moeder@ thuis", "a@b"]
)
def test_non_email_is_not_flagged(text):
    assert found(text, Kind.EMAIL) == []


# --- Postcodes and addresses -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Het gezin woont op 1234 AB 12.", "1234 AB 12"),
        ("adres: 1234AB 12a", "1234AB 12a"),
        ("Dorpsstraat 12, 1234 AB", "Dorpsstraat 12, 1234 AB"),
        ("Ze woont in de Kerkstraat 12 sinds kort.", "Kerkstraat 12"),
        ("op de Stationsweg 3a", "Stationsweg 3a"),
        ("Van Goghstraat 104-2", "Van Goghstraat 104-2"),
        ("Burgemeester de Withstraat 7", "Burgemeester de Withstraat 7"),
        ("Postcode 5678 CD, verder onbekend", "5678 CD"),
        ("postcode 3511ab", "3511ab"),
    ],
)
def test_address_is_flagged(text, expected):
    assert found(text, Kind.POSTCODE) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Het gezin heeft 2 kinderen.",
        "Er is 1234 euro schuld.",
        "In 2020 is er een melding gedaan.",
        "In 2020 VT gebeld.",
        "Hij reed 1500km en nam 1000mg.",
        "Postcode 1234 SS bestaat niet.",
        "Onderweg 2 keer gevallen.",
        "de kerkstraat is lang",
        "Op de Kerkstraat is het druk.",
    ],
)
def test_non_address_is_not_flagged(text):
    assert found(text, Kind.POSTCODE) == []


# --- Dates of birth ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Het kind is 12-03-2015 geboren.", "12-03-2015"),
        ("datum 3/4/2019", "3/4/2019"),
        ("datum 12.03.15", "12.03.15"),
        ("Op 12 maart 2015 kwam ze ter wereld.", "12 maart 2015"),
        ("sinds 3 jan. 2019", "3 jan. 2019"),
        ("op 1e mei '15", "1e mei '15"),
        ("Daan is geboren op 4 mei.", "4 mei"),
        ("geb. 12-03-2015", "12-03-2015"),
        ("geb. 12-03", "12-03"),
        ("Geboortedatum: 7 juli", "7 juli"),
        ("ISO 2015-03-12", "2015-03-12"),
        ("volgens het systeem 12032015", "12032015"),
        ("aangemeld op 20150312.", "20150312"),
    ],
)
def test_date_is_flagged(text, expected):
    assert found(text, Kind.BIRTH_DATE) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 is er een melding gedaan.",
        "Daan is 3 jaar oud.",
        "Het traject duurde 2 jaar.",
        "Op 4 mei is er een gesprek geweest.",
        "Afspraak om 12.30 uur, 3-4 keer per week.",
        "Over 12 maart 2099 is nog niets bekend.",
        "Ongeldige datum 31-02-2015 of 12-13-2015.",
        "Een datum in 1850: 12-03-1850.",
        "Cijfer 7.5 en 10-12 jaar.",
        "Geen datum: 31022015, 12131990, 20151312 of 12032099.",
        "Langer nummer 120320150 en 2012032015.",
    ],
)
def test_non_birth_date_is_not_flagged(text):
    assert found(text, Kind.BIRTH_DATE) == []


# --- Names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik sprak met Sanne de Vries.", "Sanne de Vries"),
        ("Daan van der Berg zit in groep 5.", "Daan van der Berg"),
        ("Vader Mohammed El Amrani kwam mee.", "Mohammed El Amrani"),
        ("Jan-Willem Jansen is de stiefvader.", "Jan-Willem Jansen"),
        ("Emre Yilmaz en zijn zus", "Emre Yilmaz"),
        ("Jan Peter de Vries", "Jan Peter de Vries"),
        ("Lotte Jansen-de Vries", "Lotte Jansen-de Vries"),
        ("Kevin op de Beek", "Kevin op de Beek"),
        ("Fatima Moeder", "Fatima Moeder"),
        ("Het meisje heet Lotte.", "Lotte"),
        ("Een jongen genaamd Noah.", "Noah"),
        ("Haar naam is Priscilla.", "Priscilla"),
        ("Zijn naam is Xander Pietersen.", "Xander Pietersen"),
        ("Gesprek met mevrouw de Vries.", "de Vries"),
        ("De familie El Amrani woont hier.", "El Amrani"),
    ],
)
def test_name_is_flagged(text, expected):
    assert found(text, Kind.NAME) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Daan huilde toen zijn moeder binnenkwam.",
        "De moeder van Sanne. Zij wilde niet praten.",
        "Ik vroeg het aan Anouk, Bram was er niet.",
        "Julia\nDe volgende dag ging het beter.",
        "Daan in Amsterdam is een ander kind.",
        "Lotte en Daan spelen samen.",
        "Bram GGD meldde het.",
        "Emma Kinderziekenhuis heeft gebeld.",
        "Het water was heet.",
        "De moeder heet ook zo.",
    ],
)
def test_non_name_is_not_flagged(text):
    assert found(text, Kind.NAME) == []


# --- Organisations and streets without a number --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Op KDV Het Kikkertje viel het op.", "KDV Het Kikkertje"),
        ("Het gebeurde op basisschool De Regenboog.", "basisschool De Regenboog"),
        ("BSO De Boomhut belde mij.", "BSO De Boomhut"),
        ("Op het Da Vinci College vertelde hij het.", "Da Vinci College"),
        ("In het Amphia Ziekenhuis zagen ze het.", "Amphia Ziekenhuis"),
    ],
)
def test_organisation_is_flagged(text, expected):
    assert found(text, Kind.INSTITUTION) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Daarna heeft de school Veilig Thuis gebeld.",
        "Op school was het onrustig.",
        "De kinderopvang belde de ouders.",
        "In de praktijk Ik zag het niet.",
    ],
)
def test_generic_organisation_is_not_flagged(text):
    assert found(text, Kind.INSTITUTION) == []


def test_street_without_a_number_is_a_place():
    assert found("Het gezin woont aan de Lindelaan.", Kind.PLACE) == ["Lindelaan"]
    assert found("Onderweg viel hij op het Schoolplein.", Kind.PLACE) == []


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [("0800-2000", True), ("0900-1234567", True), ("06-12345678", False), ("x", False)],
)
def test_service_numbers_are_told_apart(fragment, expected):
    assert is_service_number(fragment) is expected


# --- Screening as a whole ----------------------------------------------------

NARRATIVE = (
    "Sanne de Vries (geb. 12-03-2015, BSN 111222333) woont met haar moeder op "
    "de Kerkstraat 12, 1234 AB. Moeder is bereikbaar op 06-12345678 of via "
    "sanne.mama@example.nl. Het gezin heeft 2 kinderen; in 2020 is Veilig Thuis "
    "(0800-2000) ingeschakeld. Daan is 3 jaar oud."
)


def test_narrative_finds_every_kind_once():
    assert [(f.kind, f.fragment) for f in screen(NARRATIVE)] == [
        (Kind.NAME, "Sanne de Vries"),
        (Kind.BIRTH_DATE, "12-03-2015"),
        (Kind.BSN, "111222333"),
        (Kind.POSTCODE, "Kerkstraat 12, 1234 AB"),
        (Kind.PHONE, "06-12345678"),
        (Kind.EMAIL, "sanne.mama@example.nl"),
    ]


def test_flags_are_sorted_and_non_overlapping():
    flags = screen(NARRATIVE + " " + NARRATIVE)
    assert flags == sorted(flags, key=lambda f: f.start)
    for left, right in zip(flags, flags[1:], strict=False):
        assert left.end <= right.start


def test_flag_offsets_match_fragments():
    for flag in screen(NARRATIVE):
        assert NARRATIVE[flag.start : flag.end] == flag.fragment


def test_overlap_keeps_the_longer_flag():
    # "Sanne de Vriesstraat 3" is both a name-like phrase and an address.
    flags = screen("Ze woont aan de Sanne de Vriesstraat 3.")
    assert [(f.kind, f.fragment) for f in flags] == [
        (Kind.POSTCODE, "Sanne de Vriesstraat 3")
    ]


def test_clean_text_has_no_flags():
    text = (
        "In 2021 meldde school dat het kind 2 keer per week zonder ontbijt kwam. "
        "Na 6 weken is Veilig Thuis gebeld via 0800-2000. Daan was toen 8 jaar."
    )
    assert screen(text) == []


def test_empty_text():
    assert screen("") == []


def test_as_dict_round_trips_through_json():
    for flag in screen(NARRATIVE):
        data = json.loads(json.dumps(flag.as_dict()))
        assert data == {
            "kind": str(flag.kind),
            "start": flag.start,
            "end": flag.end,
            "fragment": flag.fragment,
        }
        assert Flag(**data) == flag
        assert type(data["kind"]) is str


def test_kind_labels_cover_every_kind():
    assert set(KIND_LABELS) == {kind.value for kind in Kind}
    with translation.override("en"):
        assert str(KIND_LABELS[Kind.BSN]) == "BSN (citizen service number)"
        assert str(KIND_LABELS[Kind.POSTCODE]) == "Postcode with house number"


# --- Highlighting ------------------------------------------------------------


def test_highlight_wraps_flagged_fragments():
    text = "Bel Sanne de Vries op 06-12345678."
    html = highlight(text, screen(text))
    assert html == (
        'Bel <mark class="screening-flag" data-kind="name">Sanne de Vries</mark> '
        'op <mark class="screening-flag" data-kind="phone">06-12345678</mark>.'
    )


def test_highlight_escapes_html():
    text = "<script>alert('x')</script> & mail a@b.nl <b>"
    html = highlight(text, screen(text))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "&lt;b&gt;" in html
    assert '<mark class="screening-flag" data-kind="email">a@b.nl</mark>' in html


def test_highlight_escapes_inside_flagged_fragment():
    text = "x<y@example.nl"
    flag = Flag(Kind.EMAIL, 1, len(text), text[1:])
    html = highlight(text, [flag])
    assert html == (
        'x<mark class="screening-flag" data-kind="email">&lt;y@example.nl</mark>'
    )


def test_highlight_is_safe_string_and_handles_no_flags():
    html = highlight("Geen <details>.", [])
    assert html == "Geen &lt;details&gt;."
    assert hasattr(html, "__html__")


def test_highlight_skips_overlapping_flags():
    text = "abcdef"
    flags = [Flag(Kind.NAME, 0, 4, "abcd"), Flag(Kind.NAME, 2, 6, "cdef")]
    assert highlight(text, flags) == (
        '<mark class="screening-flag" data-kind="name">abcd</mark>ef'
    )
