"""A sector note carries no small count to analysts unchecked: staff confirm
the numbers that may be counts under 10, on the sector page's form and in the
admin, on every edit."""

import pytest

from meldcode_survey.dashboard.queries.disclosure import small_counts

SMALL_COUNT = "3 van de 12 pedagogisch medewerkers in Zwolle twijfelden."


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (SMALL_COUNT, ["3"]),
        ("Er waren er 3.", ["3"]),
        ("drie van de twaalf, three of twelve", ["drie", "three"]),
        ("één team, twee scholen", ["één", "twee"]),
        ("one parent and nine children", ["one", "nine"]),
        ("3-5 medewerkers", ["3", "5"]),
        ("5% van de medewerkers", ["5"]),
        ("3 keer 3, drie keer Drie", ["3", "drie"]),
        ("Wat opvalt:\n2 medewerkers", ["2"]),
    ],
)
def test_numbers_that_may_be_small_counts_are_found(text, found):
    assert small_counts(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "In 2026 vond 45% het lastig; 15 respondenten noemden het.",
        "Gemiddeld 3,4 (was 2.9); 1.000 keer bekeken; ruim 1/3 van de situaties.",
        "Op 3 maart, 3-4-2026, 2026-04-03 en 2026-04, om 9:30; on March 3, 9 May.",
        "De 3e keer, the 2nd time, op A4.",
        "Versie 2 vergeleken met golf 1; leerkrachten van groep 7.",
        "1. Angst om te beschuldigen\n2) Onzekerheid\n  3. Regie",
        "Een kind, een ouder; no one said so; twenty-one; tien of elf.",
    ],
)
def test_years_percentages_dates_and_list_numbers_are_left_alone(text):
    assert small_counts(text) == []


def test_the_threshold_decides_which_numbers_are_small():
    assert small_counts("12 en twaalf", threshold=10) == []
    assert small_counts("12 en twaalf, 13", threshold=13) == ["12", "twaalf"]
