"""The thorough screening (deduce) and how a submitted narrative gets it."""

import logging
import threading
from functools import cache

import pytest

from meldcode_survey.responses import deidentify
from meldcode_survey.responses.deidentify import NotBuilt, thorough_screen
from meldcode_survey.responses.models import CaseNarrative, Response
from meldcode_survey.responses.screening import Kind, screen
from tests.conftest import celery_in_process, complete_answers


def _found(text: str) -> list[tuple[str, str]]:
    return [(flag.kind, flag.fragment) for flag in thorough_screen(text)]


def _fragments(text: str) -> list[str]:
    return [fragment for _kind, fragment in _found(text)]


@pytest.fixture
def not_built(monkeypatch, tmp_path):
    """deduce pointed at an empty cache directory, as before `make`."""
    monkeypatch.setenv("DEDUCE_CACHE_DIR", str(tmp_path / "none"))
    # A fresh cache for this test; the loaded deduce comes back afterwards.
    monkeypatch.setattr(deidentify, "_deduce", cache(deidentify._deduce.__wrapped__))


# --- What the issue found missing -------------------------------------------------


@pytest.mark.deduce
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Fatima vertelde dat ze thuis werd geslagen.", "Fatima"),
        ("Juf Annemiek zag de blauwe plekken.", "Annemiek"),
        ("Dat vertelde meester Bram aan de intern begeleider.", "Bram"),
        ("De vader kwam dronken naar de opvang in Alkmaar.", "Alkmaar"),
        ("Het gezin woont aan de Lindelaan.", "Lindelaan"),
        ("Op KDV Het Kikkertje viel het op.", "KDV Het Kikkertje"),
        ("Het gebeurde op basisschool De Regenboog.", "basisschool De Regenboog"),
        ("GGD Hollands Noorden keek mee.", "GGD Hollands Noorden"),
        ("Dat was op 2 oktober, na de gymles.", "2 oktober"),
    ],
)
def test_thorough_screening_finds_what_people_write_about_people(text, fragment):
    assert any(fragment in found or found in fragment for found in _fragments(text))


@pytest.mark.deduce
def test_children_named_in_a_list_are_each_flagged():
    found = _found("Lieke, Sem en Noor komen vaak te laat.")
    assert [fragment for kind, fragment in found if kind == Kind.NAME] == [
        "Lieke",
        "Sem",
        "Noor",
    ]


@pytest.mark.deduce
@pytest.mark.parametrize(
    "text",
    [
        "Het meisje is vier jaar en praat nauwelijks.",  # an age alone
        "Ik heb Veilig Thuis om advies gevraagd via 0800-2000.",
        "De Raad voor de Kinderbescherming doet onderzoek.",
        "Moeder zei: Ik wil niet dat Jeugdzorg zich ermee bemoeit.",
        "Het kind kwam vaak met vieze kleding op de groep.",
    ],
)
def test_ordinary_sentences_are_not_flagged(text):
    assert _found(text) == []


@pytest.mark.deduce
def test_thorough_screening_keeps_everything_the_fast_one_finds():
    text = (
        "Sanne de Vries (BSN 111222333) woont op de Kerkstraat 12, 1234 AB; "
        "moeder is bereikbaar op 06-12345678 of sanne.mama@example.nl."
    )
    thorough = thorough_screen(text)
    for flag in screen(text):
        assert any(t.start <= flag.start and flag.end <= t.end for t in thorough)


@pytest.mark.deduce
def test_flags_are_sorted_non_overlapping_and_match_the_text():
    text = "Fatima en Daan uit Alkmaar; juf Annemiek belde 06-12345678 op 3 mei."
    flags = thorough_screen(text)
    assert flags == sorted(flags, key=lambda f: f.start)
    for left, right in zip(flags, flags[1:], strict=False):
        assert left.end <= right.start
    for flag in flags:
        assert text[flag.start : flag.end] == flag.fragment


def test_every_deduce_tag_that_counts_has_a_labelled_kind():
    from meldcode_survey.responses.screening import KIND_LABELS

    counted = {kind for kind in deidentify.TAG_KINDS.values() if kind is not None}
    assert counted <= set(KIND_LABELS)
    assert deidentify.TAG_KINDS["leeftijd"] is None


# --- Without the lookup structures ---------------------------------------------


def test_without_lookup_structures_screening_refuses_rather_than_builds(not_built):
    assert not deidentify.is_built()
    with pytest.raises(NotBuilt):
        thorough_screen("Fatima vertelde het.")
    assert not deidentify.is_built()  # nothing was built on the way


def test_importing_deduce_leaves_the_root_logger_alone():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    deidentify._import_deduce()
    assert root.handlers == handlers
    assert root.level == level


# --- After submit ---------------------------------------------------------------


@pytest.mark.deduce
@pytest.mark.django_db
def test_the_screening_follows_the_rollup_count_even_when_that_fails(
    seed_version, submit_now, monkeypatch
):
    """One message after a submit: the count, which sends the screening after it,
    also when the count failed."""

    def broken(response_id):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(
        "meldcode_survey.dashboard.services.rollups_add_response", broken
    )
    response = submit_now(seed_version)

    assert not Response.objects.get(pk=response.pk).counted_in_rollups
    narrative = CaseNarrative.objects.get(response=response)
    assert narrative.thorough_screened_at is not None


@pytest.mark.deduce
@pytest.mark.django_db
def test_submit_screens_the_narrative_thoroughly_after_commit(seed_version, submit_now):
    answers = complete_answers(casus_voorbeeld="Fatima vertelde het aan juf Annemiek.")
    with celery_in_process():
        response = submit_now(seed_version, answers)

    narrative = CaseNarrative.objects.get(response=response)
    assert narrative.thorough_screened_at is not None
    found = {
        (f["kind"], f["fragment"]) for f in narrative.thorough_flags["description"]
    }
    assert found == {("name", "Fatima"), ("name", "Annemiek")}
    # The respondent's quick screening did not see them.
    assert narrative.screening_flags["description"] == []


@pytest.mark.django_db
def test_submit_succeeds_without_deduce_and_leaves_the_narrative_unscreened(
    seed_version, submit_now, not_built, caplog
):
    with celery_in_process(), caplog.at_level(logging.ERROR):
        response = submit_now(seed_version)

    narrative = CaseNarrative.objects.get(response=response)
    assert narrative.thorough_screened_at is None
    assert "build_screening" in caplog.text


@pytest.mark.django_db
def test_screening_does_not_store_flags_for_texts_that_changed_meanwhile(
    seed_version, submit, monkeypatch
):
    from meldcode_survey.responses import services

    narrative = CaseNarrative.objects.get(response=submit(seed_version))

    def purge_while_screening(text):
        CaseNarrative.objects.filter(pk=narrative.pk).update(description="")
        return []

    monkeypatch.setattr(services, "thorough_screen", purge_while_screening)
    assert services.narrative_screen(narrative.pk) is False
    narrative.refresh_from_db()
    assert narrative.thorough_screened_at is None


@pytest.mark.django_db
def test_deduce_is_loaded_before_the_narrative_is_locked(
    seed_version, submit, monkeypatch
):
    """A worker's first screening loads deduce for seconds: meanwhile no row is
    locked (a purge or the sweep would wait on it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meldcode_survey.responses import services

    narrative = CaseNarrative.objects.get(response=submit(seed_version))
    with CaptureQueriesContext(connection) as queries:
        statements_at_load = []
        monkeypatch.setattr(
            deidentify, "load", lambda: statements_at_load.append(len(queries))
        )
        monkeypatch.setattr(services, "thorough_screen", lambda text: [])
        assert services.narrative_screen(narrative.pk) is True

    assert statements_at_load == [0]
    if connection.features.has_select_for_update:  # SQLite locks no rows
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


# --- One screening per narrative ---------------------------------------------------


def _counting_screen(monkeypatch) -> list[str]:
    from meldcode_survey.responses import services

    screened: list[str] = []

    def screen_and_count(text):
        screened.append(threading.current_thread().name)
        return []

    monkeypatch.setattr(services, "thorough_screen", screen_and_count)
    return screened


@pytest.mark.django_db
def test_a_narrative_the_sweep_screened_is_not_screened_again(
    seed_version, submit, monkeypatch
):
    """The after-submit task was still queued when the sweep came by: when it
    runs at last it screens nothing."""
    from meldcode_survey.responses import services
    from meldcode_survey.review.tasks import screening_sweep_task

    narrative = CaseNarrative.objects.get(response=submit(seed_version))
    screened = _counting_screen(monkeypatch)

    assert screening_sweep_task.apply().get() == 1
    narrative.refresh_from_db()
    first, calls = narrative.thorough_screened_at, len(screened)
    assert first is not None and calls > 0

    assert services.narrative_screen(narrative.pk) is False
    narrative.refresh_from_db()
    assert narrative.thorough_screened_at == first
    assert len(screened) == calls


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_narrative_that_is_being_screened(
    seed_version, submit, monkeypatch
):
    """Both at the same time: the after-submit screening in one worker holds
    the narrative, the sweep in another passes it by instead of waiting."""
    from django.db import connection

    from meldcode_survey.responses import services
    from meldcode_survey.review.tasks import screening_sweep_task

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs row locks (PostgreSQL)")
    narrative = CaseNarrative.objects.get(response=submit(seed_version))
    started, release = threading.Event(), threading.Event()
    screened: list[str] = []

    def slow_screen(text):
        screened.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return []

    monkeypatch.setattr(services, "thorough_screen", slow_screen)
    outcome = {}

    def after_submit():
        try:
            outcome["stored"] = services.narrative_screen(narrative.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=after_submit, name="after-submit")
    worker.start()
    assert started.wait(10)
    try:
        swept = screening_sweep_task.apply().get()
    finally:
        release.set()
        worker.join(10)

    assert swept == 0
    assert outcome["stored"] is True
    assert set(screened) == {"after-submit"}
