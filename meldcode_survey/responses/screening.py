"""Find identifying details in free-text case narratives written in Dutch.

Professionals describe cases about children and families; the survey must not
identify anyone, so answers are screened for BSNs, phone numbers, e-mail
addresses, addresses, dates of birth and names. This screening is heuristic and
fast (no models, no database; python-stdnum checks BSNs, phonenumbers finds
phone numbers): it prefers flagging a doubtful detail for review over missing a
real one, but avoids flagging ordinary phrases such as "2 kinderen", "in 2020"
or a first name on its own. It gives the respondent an immediate warning; the
thorough screening with deduce (deidentify.py) runs in the worker.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

import phonenumbers
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType, number_type
from stdnum.nl import bsn as stdnum_bsn


class Kind(StrEnum):
    BSN = "bsn"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    BIRTH_DATE = "birth_date"
    NAME = "name"
    # Found only by the thorough screening (deidentify.py).
    PLACE = "place"
    INSTITUTION = "institution"
    DATE = "date"
    URL = "url"
    ID_NUMBER = "id_number"


KIND_LABELS: dict[str, Promise] = {
    Kind.BSN: _("BSN (citizen service number)"),
    Kind.PHONE: _("Phone number"),
    Kind.EMAIL: _("E-mail address"),
    Kind.POSTCODE: _("Postcode with house number"),
    Kind.BIRTH_DATE: _("Date of birth"),
    Kind.NAME: _("Name"),
    Kind.PLACE: _("Place or street"),
    Kind.INSTITUTION: _("Organisation"),
    Kind.DATE: _("Date"),
    Kind.URL: _("Web address"),
    Kind.ID_NUMBER: _("Identification number"),
}

# When two equally long candidates overlap, the kind listed first wins: an
# e-mail or BSN is a stronger signal than a name-like pair of words.
_SPECIFICITY: dict[str, int] = {
    Kind.EMAIL: 0,
    Kind.BSN: 1,
    Kind.PHONE: 2,
    Kind.BIRTH_DATE: 3,
    Kind.POSTCODE: 4,
    Kind.NAME: 5,
    Kind.URL: 6,
    Kind.ID_NUMBER: 7,
    Kind.DATE: 8,
    Kind.PLACE: 9,
    Kind.INSTITUTION: 10,
}


# How far back (in characters) to look for a cue such as "geboren op" or
# "genaamd"; cues sit right before the detail they announce.
_CUE_WINDOW = 40


@dataclass(frozen=True)
class Flag:
    kind: str
    start: int
    end: int
    fragment: str

    def as_dict(self) -> dict[str, str | int]:
        """Plain JSON-storable form; `Flag(**flag.as_dict()) == flag`."""
        return {
            "kind": str(self.kind),
            "start": self.start,
            "end": self.end,
            "fragment": self.fragment,
        }


def _flag(kind: Kind, text: str, start: int, end: int) -> Flag:
    # Store the plain value so flags compare, repr and serialise as strings.
    return Flag(kind.value, start, end, text[start:end])


def _match_flag(kind: Kind, match: re.Match[str]) -> Flag:
    return _flag(kind, match.string, match.start(), match.end())


# --- BSN -------------------------------------------------------------------

_SEPARATORS_RE = re.compile(r"[ .\-]")

# A run of digits that is not part of a longer number: no digit next to it,
# nor one joined to it by a decimal point, comma, slash or hyphen (an IBAN, a
# decimal, a date, a case number such as "2021/12345678"). Shared by the BSN
# and the compact date, so that both see the same eight-digit runs.
_RUN_START = r"(?<!\d)(?<!\d[.,/-])"
_RUN_END = r"(?!\d)(?![.,/-]\d)"

# Nine digits, bare or grouped 3-3-3 / 4-2-3 as BSNs are usually written, or
# eight bare digits: a BSN whose leading zero was dropped because a spreadsheet
# or a numeric form field stored it as a number. Such a number comes out bare;
# whoever groups the digits by hand writes the zero, so grouped eight-digit
# forms are left out ("12.345.672" is how an amount is written). An eight-digit
# run that is a date ("22032010", "20100322") is the date detector's
# (_is_compact_date), never a BSN. The spaced forms must not sit in a list of
# numbers separated by single spaces. Whether the digits are a BSN is
# python-stdnum's "11-proef" (stdnum.nl.bsn).
_BSN_RE = re.compile(
    rf"{_RUN_START}"
    r"(?:\d{8,9}|\d{3}([.-])\d{3}\1\d{3}|\d{4}\.\d{2}\.\d{3}"
    r"|(?<!\d )(?:\d{3} \d{3} \d{3}|\d{4} \d{2} \d{3})(?! \d))"
    rf"{_RUN_END}"
)


def is_valid_bsn(digits: str) -> bool:
    """The BSN "11-proef"; separators are ignored, 8 digits get a leading 0."""
    digits = _SEPARATORS_RE.sub("", digits)
    # stdnum pads any shorter number with zeros; only 8 digits are a real BSN
    # written without its leading zero.
    if len(digits) not in (8, 9) or not (digits.isascii() and digits.isdigit()):
        return False
    return stdnum_bsn.is_valid(digits)


def _find_bsns(text: str) -> Iterator[Flag]:
    for match in _BSN_RE.finditer(text):
        written = match.group()
        if len(written) == 8 and _is_compact_date(written):
            continue
        if is_valid_bsn(written):
            yield _match_flag(Kind.BSN, match)


# --- Phone numbers -----------------------------------------------------------

# Numbers of organisations, not people: free (0800), paid (090x), shared cost
# and universal access numbers such as Veilig Thuis (0800-2000).
_SERVICE_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)


def is_service_number(fragment: str) -> bool:
    """Whether `fragment` is the number of an organisation, such as 0800-2000."""
    try:
        number = phonenumbers.parse(fragment, "NL")
    except phonenumbers.NumberParseException:
        return False
    return number_type(number) in _SERVICE_TYPES


def _find_phones(text: str) -> Iterator[Flag]:
    """Valid phone numbers (phonenumbers, Dutch by default) written with a
    trunk prefix or a country code, so that bare digit runs stay out."""
    matcher = PhoneNumberMatcher(text, "NL", leniency=Leniency.VALID)
    for match in matcher:
        if not match.raw_string.lstrip("(").startswith(("0", "+")):
            continue
        if number_type(match.number) in _SERVICE_TYPES:
            continue
        yield _flag(Kind.PHONE, text, match.start, match.end)


# --- E-mail addresses --------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w\-])"
)


def _find_emails(text: str) -> Iterator[Flag]:
    for match in _EMAIL_RE.finditer(text):
        yield _match_flag(Kind.EMAIL, match)


# --- Postcodes and street addresses -------------------------------------------

_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = r"[^\W\d_]"

# "1234 AB" or "1234AB"; lowercase letters only when glued ("1234ab") because
# "2020 is" must not count. No letter may follow ("1234 ABC" is no postcode).
_POSTCODE = (
    r"(?P<pc_num>[1-9]\d{3})"
    r"(?:[ ]?(?P<pc_up>[A-Z]{2})|(?P<pc_low>[a-z]{2}))"
    rf"(?!{_LETTER})"
)
# "12", "12a", "12 A", "12-14", "12/2"; never the start of a word ("2 kinderen").
_HOUSE_NUMBER = r"\d{1,5}(?:[ \-]?[a-zA-Z](?!\w)|[\-/]\d{1,4})?(?!\w)"

_POSTCODE_RE = re.compile(
    rf"(?<![\w\-])(?<!\d[.,]){_POSTCODE}(?:,?[ \t]*{_HOUSE_NUMBER})?"
)

# Letter pairs never issued as postcode letters, and lowercase units that
# follow numbers in ordinary text ("1500km", "1000mg").
_NON_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_UNITS = frozenset(
    {"er", "ml", "cl", "dl", "kg", "mg", "km", "cm", "mm", "ha", "kb", "mb", "gb"}
)
# A year followed by a common acronym in this field ("in 2020 VT gebeld") is
# far more likely than a postcode in that range with exactly those letters.
_ACRONYMS = frozenset(
    {"VT", "JB", "GI", "OM", "HA", "PO", "VO", "SO", "BO", "MO", "EU", "NL", "AZ"}
)

_STREET_SUFFIX = (
    "straat|laan|weg|plein|singel|gracht|kade|dijk|hof|park|dreef|steeg|pad|markt|baan"
)
# Up to three leading words such as "Van", "Burg." or "Prins", optionally with
# lowercase tussenvoegsels ("Burgemeester de Withstraat").
_STREET_PREFIX = (
    rf"(?:[{_UPPER}]{_LETTER}*\.?[ \t]+"
    r"(?:(?:de|van|der|den|het|ter|ten)[ \t]+)*){0,3}"
)
_STREET_RE = re.compile(
    rf"(?<![\w\-])(?P<street>{_STREET_PREFIX}"
    rf"(?P<last>[{_UPPER}]{_LETTER}*?(?:{_STREET_SUFFIX})))"
    rf"[ \t]+{_HOUSE_NUMBER}(?:,?[ \t]+{_POSTCODE})?"
)
# Ordinary words that end in a street suffix ("Onderweg 2 keer gevallen").
_NOT_STREETS = frozenset(
    {
        "onderweg",
        "halfweg",
        "snelweg",
        "uitweg",
        "omweg",
        "zijweg",
        "schoolplein",
        "speelplein",
        "gerechtshof",
        "kerkhof",
        "binnenhof",
        "pretpark",
        "speelpark",
        "fietspad",
        "voetpad",
        "loopbaan",
        "ijsbaan",
    }
)


def _is_postcode(match: re.Match[str]) -> bool:
    number = int(match["pc_num"])
    letters = match["pc_up"] or match["pc_low"]
    if letters.upper() in _NON_POSTCODE_LETTERS or letters in _UNITS:
        return False
    return not (1900 <= number <= 2099 and letters in _ACRONYMS)


def _find_addresses(text: str) -> Iterator[Flag]:
    for match in _POSTCODE_RE.finditer(text):
        if _is_postcode(match):
            yield _match_flag(Kind.POSTCODE, match)
    for match in _STREET_RE.finditer(text):
        if match["last"].lower() not in _NOT_STREETS:
            yield _match_flag(Kind.POSTCODE, match)


# A street named without a number ("aan de Lindelaan") still says where a
# family lives. Only a capitalised word ending in a street suffix counts.
_BARE_STREET_RE = re.compile(
    rf"(?<![\w\-])(?P<street>[{_UPPER}]{_LETTER}*?(?:{_STREET_SUFFIX}))(?![\w\-])"
)


def _find_bare_streets(text: str) -> Iterator[Flag]:
    for match in _BARE_STREET_RE.finditer(text):
        if match["street"].lower() not in _NOT_STREETS:
            yield _match_flag(Kind.PLACE, match)


# --- Dates of birth ----------------------------------------------------------

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "febr": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTH_ALTERNATIVES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Leap years are not checked: 29 February is always accepted.
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# "12 maart 2015", "3 jan. 2019", "1e mei '15", "4 mei" (the latter only
# counts after a birth cue, see _BIRTH_CUE_RE).
_TEXT_DATE_RE = re.compile(
    rf"(?<!\w)(?<!\d[.,])(?P<day>\d{{1,2}})(?:e|ste|de)?[ \t]+"
    rf"(?P<month>{_MONTH_ALTERNATIVES})(?!{_LETTER})"
    # The abbreviation dot ("jan.") is only part of the date before a year;
    # otherwise it may just end the sentence.
    r"(?:\.?,?[ \t]+(?P<year>\d{4}|'\d{2})(?!\d))?",
    re.IGNORECASE,
)
# "12-03-2015", "3/4/2019", "12.03.15", "12-03" (the latter only after a cue).
# The same separator must be used twice; no further digits may be attached.
_NUMERIC_DATE_RE = re.compile(
    r"(?<!\w)(?<!\d[.,/-])"
    r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})"
    r"(?:(?P=sep)(?P<year>\d{4}|\d{2}))?"
    r"(?!\w)(?!(?P=sep)\d)"
)
_ISO_DATE_RE = re.compile(
    r"(?<!\w)(?<!\d[.,/-])"
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?!\w)(?!-\d)"
)
# "22032010" (DDMMYYYY) or "20100322" (YYYYMMDD), as registration systems
# and forms write a date without separators; see _is_compact_date.
_COMPACT_DATE_RE = re.compile(rf"{_RUN_START}\d{{8}}{_RUN_END}")
# Matched against the text just before a date: "geboren op", "geb.",
# "geboortedatum:" turn a day and month without year into a date of birth.
_BIRTH_CUE_RE = re.compile(
    r"\b(?:geboren|geboortedatum|geb(?:\.?[ ]?datum)?\b\.?)"
    r"[ \t]*:?[ \t]*(?:(?:op|is|de|in)[ \t]+)*$",
    re.IGNORECASE,
)


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else _MONTHS[value.lower()]


def _is_plausible_date(day: int, month: int, year: str | None) -> bool:
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]):
        return False
    # Two-digit years ("'15", "12.03.15") cannot be placed in a century.
    if year is None or len(year.lstrip("'")) == 2:
        return True
    return 1900 <= int(year) <= date.today().year


def _is_compact_date(digits: str) -> bool:
    """Whether eight digits are a plausible date read as DDMMYYYY or YYYYMMDD.

    The two readings never both fit: where YYYYMMDD reads the month, DDMMYYYY
    has the first half of its year ("19" or "20"). About one date in eleven
    also passes the BSN's 11-proef; it is flagged as a date, and only a run
    that is no plausible date (_is_plausible_date: "31022015", or a year after
    this one, as for "12-03-2099") can be a BSN.
    """
    readings = (
        (digits[:2], digits[2:4], digits[4:]),
        (digits[6:], digits[4:6], digits[:4]),
    )
    return any(
        _is_plausible_date(int(day), int(month), year) for day, month, year in readings
    )


def _has_birth_cue(text: str, start: int) -> bool:
    return bool(_BIRTH_CUE_RE.search(text, max(0, start - _CUE_WINDOW), start))


def _find_dates(text: str) -> Iterator[Flag]:
    for pattern in (_TEXT_DATE_RE, _NUMERIC_DATE_RE, _ISO_DATE_RE):
        for match in pattern.finditer(text):
            day, month = int(match["day"]), _month_number(match["month"])
            year = match["year"]
            if not _is_plausible_date(day, month, year):
                continue
            if year is not None or _has_birth_cue(text, match.start()):
                yield _match_flag(Kind.BIRTH_DATE, match)
    # A compact date always has its year, so like "22-03-2010" it needs no cue.
    for match in _COMPACT_DATE_RE.finditer(text):
        if _is_compact_date(match.group()):
            yield _match_flag(Kind.BIRTH_DATE, match)


def find_dates_without_year(text: str) -> Iterator[Flag]:
    """Any day and month ("op 2 oktober"), also without a birth cue. Too common
    for the respondent's warning; the thorough screening (deidentify.py) adds it.
    """
    for match in _TEXT_DATE_RE.finditer(text):
        if _is_plausible_date(int(match["day"]), _month_number(match["month"]), None):
            yield _match_flag(Kind.DATE, match)


# --- Names -------------------------------------------------------------------

_NAMES_FILE = Path(__file__).parent / "data" / "dutch_first_names.txt"

# Words, including hyphenated ("Jan-Willem") and apostrophe forms ("O'Neill").
_WORD_RE = re.compile(rf"{_LETTER}+(?:['’\-]{_LETTER}+)*")
# Words belong to one name only when separated by spaces (an apostrophe may
# start "'t"); punctuation or a line break ends the name ("Sanne. Zij").
_NAME_GAP_RE = re.compile(r"[ \t]+['’]?")
# Cues after which a capitalised word is a name even without a surname.
_NAME_CUE_RE = re.compile(
    r"\b(?:genaamd|heet|heette|roepnaam|voornaam|naam(?:[ \t]+(?:is|was))?)"
    r"[ \t]*:?[ \t]*$",
    re.IGNORECASE,
)

# Tussenvoegsels and similar particles between a first name and surname.
# "in", "op" and "uit" only count before another particle ("op de Beek"),
# since "Daan in Amsterdam" is no name. Lowercase "al" and "ben" are ordinary
# Dutch words and are left out.
_PARTICLES = frozenset(
    """
    van de der den het t ter ten von vom zu le la du da di del dos das el
    Van De Der Den Het Ter Ten Von Le La Du Da Di Del El Al Ben Bin Ibn Abu Ait Aït
    """.split()
)
_LEADING_PARTICLES = frozenset({"in", "op", "uit", "In", "Op", "Uit"})

# Capitalised words that follow a first name but are no surname: pronouns,
# function words, days, months and institutions ("Emma Kinderziekenhuis").
_NOT_SURNAMES = frozenset(
    """
    Ik Jij Je Hij Zij Ze Wij We Jullie Het Een Dit Dat Deze Die En Maar Of Want
    Dus Toen Daarna Ook Niet Geen Wel Nu Dan Er Hier Daar Waar Wat Wie Hoe Als
    Maandag Dinsdag Woensdag Donderdag Vrijdag Zaterdag Zondag Januari Februari
    Maart April Mei Juni Juli Augustus September Oktober November December
    Ziekenhuis Kinderziekenhuis Kliniek School Basisschool College Lyceum
    Centrum Stichting Huis Kerk Moskee Kinderopvang Jeugdzorg Zorg In Op Uit
    """.split()
)

_PARTICLE_ALTERNATIVES = "|".join(sorted(_PARTICLES, key=len, reverse=True))
# A title or "familie" announces a surname even without a first name
# ("mevrouw de Vries", "dhr. Bakker", "familie El Amrani"). Only the name part
# is flagged; the title itself identifies no one.
_TITLED_NAME_RE = re.compile(
    r"\b(?i:mevrouw|mevr\.|mw\.|meneer|dhr\.|heer|familie|fam\.)[ \t]+"
    rf"(?P<name>(?:(?:{_PARTICLE_ALTERNATIVES})[ \t]+)*"
    rf"[{_UPPER}]{_LETTER}+(?:-{_LETTER}+)*)"
)


@cache
def _first_names() -> frozenset[str]:
    lines = _NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip() for line in lines if line.strip() and not line.startswith("#")
    )


def _is_first_name(word: str) -> bool:
    names = _first_names()
    return word in names or word.split("-", 1)[0] in names


def _is_capitalised(word: str) -> bool:
    # All-capital words are acronyms ("GGD", "VT") rather than names.
    return word[0].isupper() and not word.isupper() and word not in _NOT_SURNAMES


def _is_surname(word: str) -> bool:
    return _is_capitalised(word) and len(word) > 1 and word not in _PARTICLES


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    return bool(_NAME_GAP_RE.fullmatch(text, left.end(), right.start()))


def _skip_particles(text: str, words: list[re.Match[str]], j: int) -> int:
    """Index of the first word after the particles starting at `j`."""
    while j < len(words) and _joined(text, words[j - 1], words[j]):
        word = words[j].group()
        leading = word in _LEADING_PARTICLES and j + 1 < len(words)
        if word in _PARTICLES or (leading and words[j + 1].group() in _PARTICLES):
            j += 1
        else:
            break
    return j


def _surname_end(text: str, words: list[re.Match[str]], i: int) -> int | None:
    """End offset of the surname after word `i`, or None if there is none."""
    j = _skip_particles(text, words, i + 1)
    if j >= len(words) or not _joined(text, words[j - 1], words[j]):
        return None
    surname = words[j].group()
    if not _is_surname(surname):
        return None
    # A second given name ("Jan Peter de Vries") or a double-barrelled surname
    # ending in a particle ("Jansen-de Vries") continues the name.
    second_given = j == i + 1 and _is_first_name(surname)
    if second_given or surname.rsplit("-", 1)[-1] in _PARTICLES:
        return _surname_end(text, words, j) or words[j].end()
    return words[j].end()


def _is_cued(text: str, start: int) -> bool:
    return bool(_NAME_CUE_RE.search(text, max(0, start - _CUE_WINDOW), start))


def _name_span(text: str, words: list[re.Match[str]], i: int) -> tuple[int, int] | None:
    word = words[i]
    if not _is_surname(word.group()):
        return None
    # The cue regex is only needed for capitalised words outside the name list.
    known = _is_first_name(word.group())
    if not (known or _is_cued(text, word.start())):
        return None
    end = _surname_end(text, words, i)
    if end is not None:
        return word.start(), end
    # A first name alone is too common to flag, unless a cue says it is a name.
    if known and not _is_cued(text, word.start()):
        return None
    return word.start(), word.end()


def _find_names(text: str) -> Iterator[Flag]:
    words = list(_WORD_RE.finditer(text))
    for i in range(len(words)):
        span = _name_span(text, words, i)
        if span is not None:
            yield _flag(Kind.NAME, text, *span)


def _find_titled_names(text: str) -> Iterator[Flag]:
    for match in _TITLED_NAME_RE.finditer(text):
        surname = match["name"].rsplit(None, 1)[-1]
        if _is_surname(surname):
            yield _flag(Kind.NAME, text, match.start("name"), match.end("name"))


# --- Organisations ---------------------------------------------------------

# A kind of organisation followed by its name ("KDV Het Kikkertje",
# "basisschool De Regenboog"), or a name followed by a kind ("Da Vinci College",
# "Amphia Ziekenhuis"). The name part must be capitalised.
_ORG_TYPES = (
    "kdv|bso|kinderdagverblijf|kinderopvang|peuterspeelzaal|peuteropvang|"
    "gastouderbureau|basisschool|school|obs|cbs|rkbs|pcbs|sbo|so|vso|"
    "stichting|huisartsenpraktijk|praktijk|jeugdinrichting|zorginstelling|"
    "ziekenhuis|kliniek|instelling|vereniging|wijkcentrum|buurthuis"
)
_ORG_SUFFIXES = (
    "College|Lyceum|Gymnasium|Ziekenhuis|Gasthuis|Kliniek|Academie|Scholengemeenschap"
)
_CAPITALISED = rf"[{_UPPER}]{_LETTER}+"
_ORG_NAME = rf"(?:(?:De|Het|Den|'t|’t)[ \t]+)?{_CAPITALISED}(?:[ \t\-]{_CAPITALISED})*"
_ORG_RE = re.compile(
    rf"(?<![\w\-])(?i:{_ORG_TYPES})[ \t]+(?P<name>{_ORG_NAME})"
    rf"|(?<![\w\-])(?P<prefix>(?:[{_UPPER}]{_LETTER}+[ \t]+)+)(?:{_ORG_SUFFIXES})(?!\w)"
)
# Capitalised words that start a sentence or name a national body rather than
# one organisation ("school Veilig Thuis gebeld" stays unflagged); "De" and
# "Het" do start names ("De Regenboog").
_NOT_ORG_NAMES = frozenset({"Veilig", "Daarna", "Toen", "We"}) | (
    _NOT_SURNAMES - {"De", "Het"}
)


def _find_organisations(text: str) -> Iterator[Flag]:
    for match in _ORG_RE.finditer(text):
        first = (match["name"] or match["prefix"]).split()[0]
        if first in _NOT_ORG_NAMES:
            continue
        yield _match_flag(Kind.INSTITUTION, match)


# --- Public API --------------------------------------------------------------

_DETECTORS = (
    _find_emails,
    _find_bsns,
    _find_phones,
    _find_dates,
    _find_addresses,
    _find_bare_streets,
    _find_organisations,
    _find_names,
    _find_titled_names,
)


def resolve_overlaps(candidates: Iterable[Flag]) -> list[Flag]:
    """Keep the longest (then most specific) flag wherever candidates overlap."""
    ranked = sorted(
        set(candidates),
        key=lambda f: (f.start - f.end, _SPECIFICITY[f.kind], f.start),
    )
    # `kept` stays sorted by start and non-overlapping, so only the neighbours
    # at the insertion point can clash with a new flag.
    kept: list[Flag] = []
    starts: list[int] = []
    for flag in ranked:
        i = bisect_left(starts, flag.start)
        if i > 0 and kept[i - 1].end > flag.start:
            continue
        if i < len(kept) and kept[i].start < flag.end:
            continue
        kept.insert(i, flag)
        starts.insert(i, flag.start)
    return kept


def screen(text: str) -> list[Flag]:
    """Return identifying details in `text`, sorted by offset, non-overlapping."""
    if not text:
        return []
    candidates = [flag for detect in _DETECTORS for flag in detect(text)]
    return resolve_overlaps(candidates)


def highlight(text: str, flags: list[Flag]) -> SafeString:
    """Escape `text` and wrap each flagged fragment in a <mark> element."""
    parts: list[str] = []
    position = 0
    for flag in sorted(flags, key=lambda f: f.start):
        # Skip overlapping or stale flags rather than producing broken markup.
        if flag.start < position or flag.end > len(text) or flag.end <= flag.start:
            continue
        parts.append(escape(text[position : flag.start]))
        parts.append(
            format_html(
                '<mark class="screening-flag" data-kind="{}">{}</mark>',
                flag.kind,
                text[flag.start : flag.end],
            )
        )
        position = flag.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
