import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.responses import views
from meldcode_survey.responses.models import Draft, Response
from tests.conftest import complete_answers

pytestmark = pytest.mark.django_db

BASE = "/q/brede-reflectie"
PAGES = {
    "profiel": ["sector", "beroep", "ervaring", "toegepast"],
    "dilemmas": [f"D{i:02d}" for i in range(1, 11)],
    "casus": [
        "casus_voorbeeld",
        "casus_met_dilemma",
        "casus_dilemma",
        "casus_stap",
        "casus_kindcheck",
        "casus_opvolging",
        "casus_uitkomst",
    ],
    "afsluiting": ["tips"],
}


def _post_data(page: str, answers: dict, action: str = "next") -> dict:
    data = {"action": action}
    for code in PAGES[page]:
        if code in answers:
            data[f"q_{code}"] = answers[code]
    return data


def _start(client: Client) -> str:
    """Start a questionnaire; return the resume code shown."""
    response = client.post(f"{BASE}/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return re.search(r'id="resume-code">([^<]+)<', page).group(1)


def _answer_all(client: Client, answers: dict) -> None:
    for page in PAGES:
        response = client.post(f"{BASE}/pagina/{page}/", _post_data(page, answers))
        if response.status_code == 302 and response["Location"].endswith(
            "/controleren/"
        ):
            return
        assert response.status_code == 302, response.content.decode()[:3000]


def _submission_key(client: Client) -> str:
    page = client.get(f"{BASE}/controleren/").content.decode()
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def _draft() -> Draft:
    return Draft.objects.get()


def test_landing_page_explains_and_offers_a_start(client, seed_version):
    content = client.get(f"{BASE}/").content.decode()
    assert "Brede reflectie op de meldcode" in content
    assert "anoniem" in content
    assert "Snel weg" in content or "Quick exit" in content


def test_closed_questionnaire_says_so(client, seed_version):
    questionnaire = seed_version.questionnaire
    questionnaire.closes_at = timezone.now() - timedelta(days=1)
    questionnaire.save()
    response = client.get(f"{BASE}/")
    assert b'type="submit" class="btn btn-primary btn-lg"' not in response.content
    assert client.post(f"{BASE}/").status_code == 302
    assert not Draft.objects.exists()


def test_questionnaire_not_yet_open_names_the_date(client, seed_version):
    questionnaire = seed_version.questionnaire
    questionnaire.opens_at = timezone.now() + timedelta(days=3)
    questionnaire.save()
    content = client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "opens on" in content or "opent op" in content


def test_complete_flow_stores_one_response(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    key = _submission_key(client)
    response = client.post(f"{BASE}/controleren/", {"submission_key": key})
    assert response["Location"].endswith("/bedankt/")
    assert client.get(response["Location"]).status_code == 200
    stored = Response.objects.get()
    assert stored.narrative.dilemma == "Hoe ernstig is een slechte verzorging?"


def test_double_submit_stores_one_response_and_thanks_twice(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    key = _submission_key(client)
    first = client.post(f"{BASE}/controleren/", {"submission_key": key})
    second = client.post(f"{BASE}/controleren/", {"submission_key": key})
    assert first["Location"] == second["Location"]
    assert second["Location"].endswith("/bedankt/")
    assert Response.objects.count() == 1


def test_an_old_review_page_sent_again_after_a_new_start_thanks_and_keeps_the_new(
    client, seed_version
):
    _start(client)
    _answer_all(client, complete_answers())
    key = _submission_key(client)
    client.post(f"{BASE}/controleren/", {"submission_key": key})
    _start(client)

    again = client.post(f"{BASE}/controleren/", {"submission_key": key})

    assert again["Location"].endswith("/bedankt/")
    assert Response.objects.count() == 1
    resumed = client.get(f"{BASE}/verder/")
    assert resumed["Location"].endswith("/pagina/profiel/")


def test_case_section_is_skipped_for_those_who_did_not_apply_the_meldcode(
    client, seed_version
):
    _start(client)
    client.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    response = client.post(
        f"{BASE}/pagina/profiel/",
        _post_data("profiel", complete_answers(toegepast="no")),
    )
    response = client.post(
        f"{BASE}/pagina/dilemmas/", _post_data("dilemmas", complete_answers())
    )
    assert response["Location"].endswith("/pagina/afsluiting/")
    assert client.get(f"{BASE}/pagina/casus/").status_code == 302
    step = client.get(f"{BASE}/pagina/afsluiting/").content.decode()
    assert "Stap 3 van 4" in step


def test_progress_counts_the_visible_pages(client, seed_version):
    _start(client)
    content = client.get(f"{BASE}/pagina/profiel/").content.decode()
    assert "Stap 1 van 5" in content


def test_going_back_keeps_answers_without_requiring_the_page(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    data = _post_data("dilemmas", complete_answers(D01="5", D02=None), "back")
    response = client.post(f"{BASE}/pagina/dilemmas/", data)
    assert response["Location"].endswith("/pagina/profiel/")
    assert _draft().answers["D01"] == "5"
    assert "D02" not in _draft().answers  # left open: no answer required going back
    assert _draft().answers["D03"] == "4"


def test_validation_error_keeps_every_value_and_links_to_the_field(
    client, seed_version
):
    _start(client)
    data = _post_data("casus", complete_answers(casus_opvolging=None))
    client.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    client.post(f"{BASE}/pagina/dilemmas/", _post_data("dilemmas", complete_answers()))
    response = client.post(f"{BASE}/pagina/casus/", data)
    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in content
    assert 'href="#id_q_casus_opvolging"' in content
    assert "Een kind kwam vaak met vieze kleding op de groep." in content
    assert 'value="advies_vt" id="id_q_casus_uitkomst_2" checked' in content


def test_english_pages_show_english_wording(client, seed_version):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _start(client)
    content = client.get(f"{BASE}/pagina/dilemmas/").content.decode()
    assert "Uncertainty about signs" in content
    assert "To a very large extent" in content
    assert "Step 2 of 5" in content


def test_each_dilemma_is_its_own_labelled_radio_group(client, seed_version):
    _start(client)
    content = client.get(f"{BASE}/pagina/dilemmas/").content.decode()
    assert content.count("<fieldset") == 10
    assert content.count("<legend") == 10
    assert content.count('type="radio" name="q_D01"') == 6
    assert '<label class="form-check-label" for="id_q_D01_0">' in content


def test_case_page_warns_against_identifying_details_and_counts_characters(
    client, seed_version
):
    _start(client)
    client.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    content = client.get(f"{BASE}/pagina/casus/").content.decode()
    assert "schrijf geen namen" in content
    assert 'maxlength="2000"' in content
    assert "Maximaal 2000 tekens" in content or "At most 2000 characters" in content


def test_review_lists_answers_with_change_links(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    content = client.get(f"{BASE}/controleren/").content.decode()
    assert "Kinderopvang" in content
    assert "Weet ik niet / n.v.t." in content
    assert f'href="{BASE}/pagina/casus/?review=1"' in content


def test_changing_an_answer_from_review_returns_to_review(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    data = _post_data("profiel", complete_answers(ervaring="0_2"))
    response = client.post(f"{BASE}/pagina/profiel/", {**data, "review": "1"})
    assert response["Location"].endswith("/controleren/")


def test_identifying_fragments_must_be_confirmed_before_submit(client, seed_version):
    _start(client)
    text = "De vader, Daan de Vries, belde met 06-12345678."
    _answer_all(client, complete_answers(casus_voorbeeld=text))
    content = client.get(f"{BASE}/controleren/").content.decode()
    assert (
        '<mark class="screening-flag" data-kind="name">Daan de Vries</mark>' in content
    )
    key = _submission_key(client)

    refused = client.post(f"{BASE}/controleren/", {"submission_key": key})
    assert refused.status_code == 400
    assert not Response.objects.exists()

    accepted = client.post(
        f"{BASE}/controleren/", {"submission_key": key, "confirm_screening": "on"}
    )
    assert accepted.status_code == 302
    assert Response.objects.get().narrative.screening_flags["description"]


def test_resume_in_a_new_session_with_the_code(seed_version):
    first = Client()
    code = _start(first)
    first.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))

    other_device = Client()
    response = other_device.post(f"{BASE}/hervatten/", {"code": code.lower()})
    assert response.status_code == 302
    page = other_device.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"].endswith("/pagina/dilemmas/")


def test_resume_with_the_link(seed_version):
    code = _start(Client())
    other_device = Client()
    response = other_device.get(f"{BASE}/hervatten/{code}/", follow=True)
    assert response.request["PATH_INFO"].endswith("/pagina/profiel/")


def test_save_for_later_gives_a_new_code_and_retires_the_old(client, seed_version):
    old = _start(client)
    response = client.post(
        f"{BASE}/pagina/profiel/", _post_data("profiel", {}, action="save")
    )
    new = re.search(
        r'id="resume-code">([^<]+)<', client.get(response["Location"]).content.decode()
    ).group(1)
    assert new != old
    assert Client().post(f"{BASE}/hervatten/", {"code": old}).status_code == 404
    assert Client().post(f"{BASE}/hervatten/", {"code": new}).status_code == 302


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "x"])
def test_unknown_resume_code_gets_a_clear_message(client, seed_version, code):
    response = client.post(f"{BASE}/hervatten/", {"code": code})
    assert response.status_code == 404
    assert "onbekend of verlopen" in response.content.decode()


def test_expired_resume_code_is_refused(seed_version):
    code = _start(Client())
    Draft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(f"{BASE}/hervatten/{code}/")
    assert response.status_code == 404


def test_resume_attempts_are_rate_limited(client, seed_version, monkeypatch):
    monkeypatch.setattr(views, "RESUME_FAILURE_RATE", "3/10m")
    statuses = [
        client.post(f"{BASE}/hervatten/", {"code": f"WRONG-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [404, 404, 404, 404, 429]


def test_a_normal_burst_of_respondents_from_one_office_is_not_blocked(seed_version):
    statuses = {Client().post(f"{BASE}/").status_code for _ in range(60)}
    assert statuses == {302}


def test_starting_is_rate_limited_against_scripts(client, seed_version, monkeypatch):
    monkeypatch.setattr(views, "START_RATE", "2/10m")
    statuses = [Client().post(f"{BASE}/").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_honeypot_refuses_scripted_starts(client, seed_version):
    response = client.post(f"{BASE}/", {"website": "http://spam.example"})
    assert response.status_code == 400
    assert not Draft.objects.exists()


def test_quick_exit_on_every_respondent_page(client, seed_version):
    _start(client)
    for url in [
        f"{BASE}/",
        f"{BASE}/pagina/profiel/",
        f"{BASE}/controleren/",
        f"{BASE}/hervatten/",
        f"{BASE}/bedankt/",
    ]:
        assert b"data-quick-exit" in client.get(url).content, url


def test_expired_csrf_token_rerenders_the_page_with_the_posted_values(seed_version):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"{BASE}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(f"{BASE}/", {"csrfmiddlewaretoken": token})
    draft = _draft()
    client.cookies.pop("csrftoken", None)  # the token expired

    data = _post_data("profiel", complete_answers(ervaring="10_plus"))
    response = client.post(f"{BASE}/pagina/profiel/", {**data, "draft": str(draft.key)})

    content = response.content.decode()
    assert response.status_code == 403
    assert "sessie was verlopen" in content
    assert 'value="10_plus" id="id_q_ervaring_3" checked' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_a_cross_site_post_cannot_tie_a_browser_to_another_draft(seed_version):
    """A post that fails its CSRF check may come from another site: the draft
    its token names (the attacker's, whose resume code it holds) is not taken
    into this browser's session, nor shown."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"{BASE}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(f"{BASE}/", {"csrfmiddlewaretoken": token})
    page = client.get(f"{BASE}/pagina/profiel/").content.decode()
    draft_token = re.search(r'name="draft" value="([^"]+)"', page).group(1)
    fresh = Client(enforce_csrf_checks=True)  # new browser session, no cookies

    data = _post_data("profiel", complete_answers(beroep="Leerkracht"))
    response = fresh.post(f"{BASE}/pagina/profiel/", {**data, "draft": draft_token})

    assert response.status_code == 403
    assert 'value="Leerkracht"' not in response.content.decode()
    assert not any(k.startswith("draft") for k in fresh.session.keys())
    assert fresh.get(f"{BASE}/pagina/profiel/").status_code != 200


# --- The hidden draft field is no resume code ----------------------------------


def _page_token(client: Client, section: str = "profiel") -> str:
    page = client.get(f"{BASE}/pagina/{section}/").content.decode()
    return re.search(r'name="draft" value="([^"]+)"', page).group(1)


def test_the_hidden_draft_field_does_not_hold_the_draft_key(client, seed_version):
    _start(client)
    token = _page_token(client)
    assert (
        str(_draft().key) not in client.get(f"{BASE}/pagina/profiel/").content.decode()
    )
    assert token != str(_draft().key)


def test_a_second_browser_cannot_take_over_a_draft_with_its_key(client, seed_version):
    _start(client)
    draft = _draft()
    other = Client()

    data = _post_data("profiel", complete_answers(beroep="Overnemer"))
    response = other.post(f"{BASE}/pagina/profiel/", {**data, "draft": str(draft.key)})

    assert response.status_code == 404
    assert "beroep" not in Draft.objects.get().answers
    # Nor does it get in on the review page, or see a fresh resume code.
    review = other.post(
        f"{BASE}/controleren/", {"draft": str(draft.key), "submission_key": draft.key}
    )
    assert review.status_code == 404
    assert other.get(f"{BASE}/opgeslagen/").status_code == 404


def test_an_expired_page_token_no_longer_brings_the_draft_back(
    client, seed_version, monkeypatch
):
    from django.core import signing

    from meldcode_survey.responses.views import DRAFT_TOKEN_MAX_AGE, draft_token

    _start(client)
    draft = _draft()
    then = int(time.time() - DRAFT_TOKEN_MAX_AGE.total_seconds()) - 60
    with monkeypatch.context() as m:
        m.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then)
        )
        old_token = draft_token(draft)
    data = _post_data("profiel", complete_answers(beroep="Later"))

    response = Client().post(f"{BASE}/pagina/profiel/", {**data, "draft": old_token})

    assert response.status_code == 404
    assert "beroep" not in Draft.objects.get().answers
    fresh = Client().post(
        f"{BASE}/pagina/profiel/", {**data, "draft": _page_token(client)}
    )
    assert fresh.status_code == 302


# --- A respondent's session ends with the browser ------------------------------


def _session_cookie(client: Client, response):
    from django.conf import settings

    return response.cookies[settings.SESSION_COOKIE_NAME]


def test_a_respondent_s_session_ends_when_the_browser_closes(client, seed_version):
    response = client.post(f"{BASE}/")

    cookie = _session_cookie(client, response)
    assert (cookie["max-age"], cookie["expires"]) == ("", "")
    assert client.session.get_expire_at_browser_close()


def test_a_resumed_draft_is_held_until_the_browser_closes(seed_version):
    code = _start(Client())
    browser = Client()

    response = browser.post(f"{BASE}/hervatten/", {"code": code})

    assert response.status_code == 302
    assert _session_cookie(browser, response)["max-age"] == ""
    assert browser.session.get_expire_at_browser_close()


def test_staff_who_try_the_questionnaire_keep_their_own_session(client, seed_version):
    from meldcode_survey.accounts.roles import STAFF
    from tests import factories
    from tests.conftest import login_verified

    login_verified(client, factories.UserFactory(role=STAFF, is_staff=True))
    client.post(f"{BASE}/")

    assert not client.session.get_expire_at_browser_close()


def test_quick_exit_clears_the_respondent_s_session(client, seed_version):
    _start(client)
    assert client.get(f"{BASE}/pagina/profiel/").status_code == 200
    page = client.get(f"{BASE}/pagina/profiel/").content.decode()
    exit_url = re.search(r'href="([^"]+)"[^>]*data-quick-exit', page).group(1)

    response = client.get(exit_url)

    assert response.status_code == 302
    assert response["Location"].startswith("https://")
    assert "cookies" in response["Clear-Site-Data"]
    assert not any(key.startswith("draft:") for key in client.session.keys())
    assert client.get(f"{BASE}/pagina/profiel/").status_code == 404
    assert Draft.objects.exists()  # the resume code still leads back to it


def test_the_review_page_after_an_expired_token_still_asks_to_confirm(
    client, seed_version, settings
):
    """Shown again after a failed CSRF check, the review page keeps the
    confirmation a flagged text needs, so pressing Submit again can succeed."""
    _start(client)
    text = "De vader, Daan de Vries, belde met 06-12345678."
    _answer_all(client, complete_answers(casus_voorbeeld=text))
    expired = Client(enforce_csrf_checks=True)  # same session, no CSRF cookie
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    expired.cookies[settings.SESSION_COOKIE_NAME] = session

    response = expired.post(f"{BASE}/controleren/", {"submission_key": "x"})

    content = response.content.decode()
    assert response.status_code == 403
    assert "sessie was verlopen" in content
    assert 'name="confirm_screening"' in content


def test_quick_exit_keeps_a_signed_in_users_login_but_drops_the_draft(
    client, seed_version, staff_user, verified_login
):
    """A staff member trying the questionnaire stays signed in; only the
    respondent's part of the session goes, and no site data is cleared."""
    verified_login(client, staff_user)
    _start(client)
    assert any(key.startswith("draft:") for key in client.session.keys())

    response = client.get(reverse("responses:quick_exit"))

    assert response.status_code == 302
    assert "Clear-Site-Data" not in response
    assert not any(key.startswith("draft:") for key in client.session.keys())
    assert "resume_code" not in client.session
    assert client.session.get("_auth_user_id") == str(staff_user.pk)
