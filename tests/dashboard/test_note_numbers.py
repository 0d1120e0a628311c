"""A sector note carries no small count to analysts unchecked: staff confirm
the numbers that may be counts under 10, on the sector page's form and in the
admin, on every edit."""

import html

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.models import SectorNote
from meldcode_survey.dashboard.queries.disclosure import small_counts

pytestmark = pytest.mark.django_db

SMALL_COUNT = "3 van de 12 pedagogisch medewerkers in Zwolle twijfelden."
CONFIRM_LABEL = "I have checked: these numbers are not counts of respondents"


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
        ("3/12 medewerkers twijfelden, 5/8 scholen", ["3", "5", "8"]),
        ("Aantal:3 meldingen", ["3"]),
        ("Aantal meldingen:\n3.", ["3"]),
        ("e\u0301e\u0301n team", ["één"]),  # é typed as e and an accent
        ("5/5 medewerkers en alle 3/3 scholen", ["5", "3"]),
        ("Een 8/10 voor de training; op 5/6 overleg", ["8", "5", "6"]),  # asked
        ("Vorige week 3 meldingen, last year 4 parents, in de klas 2", ["3", "4", "2"]),
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
        "Leerkrachten van groep 5/6 en groep 1/2; 24/7 bereikbaar; 1/2 jaar.",
        "Combinatieklas 5/6, leerjaar 3, p. 2/5.",
        "1.\u00a0Angst om te beschuldigen",  # a non-breaking space after "1."
    ],
)
def test_years_percentages_dates_and_list_numbers_are_left_alone(text):
    assert small_counts(text) == []


def test_the_threshold_decides_which_numbers_are_small():
    assert small_counts("12 en twaalf", threshold=10) == []
    assert small_counts("12 en twaalf, 13", threshold=13) == ["12", "twaalf"]


# --- The sector page's form ----------------------------------------------------


@pytest.fixture
def note_url(seed_version):
    url = reverse("dashboard:note_edit", args=["brede-reflectie", "kinderopvang"])
    return f"{url}?version={seed_version.number}"


def _numbers_message(numbers):
    return _(
        "%(numbers)s may be a count under %(threshold)d. Analysts see no count "
        "under %(threshold)d, and they read this note as written. Change the "
        "number, or confirm below that it is not a count of respondents."
    ) % {"numbers": numbers, "threshold": 10}


def _checkbox(page):
    return 'type="checkbox" name="confirm_numbers"' in page


def test_a_small_count_is_refused_with_the_numbers_named_and_the_text_kept(
    staff_client, note_url
):
    response = staff_client.post(note_url, {"text": SMALL_COUNT, "text_en": "Fine."})

    assert response.status_code == 200
    assert not SectorNote.objects.exists()
    page = html.unescape(response.content.decode())
    assert _numbers_message("“3”") in page
    assert SMALL_COUNT in page
    assert "Fine." in page
    assert _checkbox(page)
    assert _(CONFIRM_LABEL) in page
    assert response.context["form"]["numbers_checked"].value() == "3"


def test_the_message_is_dutch(staff_client, note_url):
    page = staff_client.post(note_url, {"text": SMALL_COUNT}).content.decode()
    assert "kan een aantal onder de 10 zijn" in html.unescape(page)
    assert "Ik heb het gecontroleerd" in page


def test_the_checkbox_is_shown_only_when_there_is_something_to_confirm(
    staff_client, note_url
):
    page = staff_client.get(note_url).content.decode()
    assert not _checkbox(page)
    assert 'type="hidden" name="confirm_numbers"' in page


def test_the_numbers_are_saved_once_confirmed(staff_client, note_url):
    refused = staff_client.post(note_url, {"text": SMALL_COUNT})
    checked = refused.context["form"]["numbers_checked"].value()

    response = staff_client.post(
        note_url,
        {"text": SMALL_COUNT, "confirm_numbers": "on", "numbers_checked": checked},
    )

    assert response.status_code == 302
    assert SectorNote.objects.get().text == SMALL_COUNT


def test_an_english_small_count_is_refused_too(staff_client, note_url):
    response = staff_client.post(
        note_url, {"text": "Veel angst.", "text_en": "Three of twelve doubted."}
    )
    assert response.status_code == 200
    assert not SectorNote.objects.exists()
    assert _numbers_message("“Three”") in html.unescape(response.content.decode())


def test_a_number_added_after_the_confirmation_is_asked_about_again(
    staff_client, note_url
):
    refused = staff_client.post(note_url, {"text": SMALL_COUNT})
    checked = refused.context["form"]["numbers_checked"].value()
    text = SMALL_COUNT + " Twee gingen in gesprek."

    response = staff_client.post(
        note_url, {"text": text, "confirm_numbers": "on", "numbers_checked": checked}
    )

    assert response.status_code == 200
    assert not SectorNote.objects.exists()
    assert not response.context["form"]["confirm_numbers"].value()
    assert response.context["form"]["numbers_checked"].value() == "3 twee"


def test_a_confirmation_without_the_numbers_shown_saves_nothing(staff_client, note_url):
    response = staff_client.post(
        note_url, {"text": SMALL_COUNT, "confirm_numbers": "on"}
    )
    assert response.status_code == 200
    assert not SectorNote.objects.exists()


def test_every_edit_is_checked_again(staff_client, note_url, seed_version):
    SectorNote.objects.create(
        version=seed_version, sector="kinderopvang", text=SMALL_COUNT
    )
    response = staff_client.post(note_url, {"text": SMALL_COUNT + " Ook nieuw."})
    assert response.status_code == 200
    assert SectorNote.objects.get().text == SMALL_COUNT


def test_years_percentages_and_larger_counts_save_at_once(staff_client, note_url):
    text = "In 2026 vond 45% het lastig; 15 respondenten noemden het."
    response = staff_client.post(note_url, {"text": text})
    assert response.status_code == 302
    assert SectorNote.objects.get().text == text


# --- The admin -----------------------------------------------------------------


def _admin_data(seed_version, text, **extra):
    return {
        "version": seed_version.pk,
        "sector": "kinderopvang",
        "text": text,
        "text_en": "",
        **extra,
    }


def test_the_admin_refuses_a_small_count_until_confirmed(staff_client, seed_version):
    url = reverse("admin:dashboard_sectornote_add")
    assert not _checkbox(staff_client.get(url).content.decode())

    refused = staff_client.post(url, _admin_data(seed_version, SMALL_COUNT))

    assert refused.status_code == 200
    assert not SectorNote.objects.exists()
    page = html.unescape(refused.content.decode())
    assert _numbers_message("“3”") in page
    assert SMALL_COUNT in page
    assert _checkbox(page)

    checked = refused.context["adminform"].form["numbers_checked"].value()
    response = staff_client.post(
        url,
        _admin_data(
            seed_version, SMALL_COUNT, confirm_numbers="on", numbers_checked=checked
        ),
    )
    assert response.status_code == 302
    assert SectorNote.objects.get().text == SMALL_COUNT


def test_the_admin_checks_every_edit_again(staff_client, seed_version):
    note = SectorNote.objects.create(
        version=seed_version, sector="kinderopvang", text=SMALL_COUNT
    )
    url = reverse("admin:dashboard_sectornote_change", args=[note.pk])

    refused = staff_client.post(url, _admin_data(seed_version, "Twee ouders."))
    assert refused.status_code == 200
    note.refresh_from_db()
    assert note.text == SMALL_COUNT

    saved = staff_client.post(url, _admin_data(seed_version, "Veel angst, 45%."))
    assert saved.status_code == 302
    note.refresh_from_db()
    assert note.text == "Veel angst, 45%."
