"""axe-core finds no WCAG 2.1 A/AA violation on any respondent page."""

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_respondent_page_passes_axe(live_server, seed_version, new_page):
    page = new_page(viewport={"width": 1024, "height": 800})
    base = f"{live_server.url}/q/brede-reflectie"
    page.goto(f"{base}/")
    assert_accessible(page)
    page.goto(f"{base}/hervatten/")
    assert_accessible(page)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Start de vragenlijst").click()
    assert_accessible(page)  # the first page, with the resume code
    page.get_by_role("button", name="Volgende").click()
    assert_accessible(page)  # with an error summary
    page.get_by_label("Kinderopvang").check()
    page.locator("#id_q_ervaring_0").check()
    page.locator("#id_q_toegepast input[value='yes']").check()
    page.get_by_role("button", name="Volgende").click()
    assert_accessible(page)  # the dilemma items
    for fieldset in page.locator("fieldset.likert-item").all():
        fieldset.get_by_label("Enigszins", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    assert_accessible(page)  # the case section
    page.locator("#id_q_casus_voorbeeld").fill("Sanne de Vries, 06-12345678.")
    page.locator("#id_q_casus_met_dilemma input[value='no']").check()
    page.locator("#id_q_casus_opvolging").fill("Overleg.")
    page.locator("#id_q_casus_uitkomst input[value='hulp']").check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Volgende").click()
    assert_accessible(page)  # review with screening results
    page.get_by_label(
        "Ik heb de gemarkeerde stukken gecontroleerd", exact=False
    ).check()
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    assert_accessible(page)  # thanks


def test_public_pages_pass_axe(live_server, seed_version, new_page):
    page = new_page()
    for path in ["/", "/toegankelijkheid/", "/login/", "/q/bestaat-niet/"]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)


def test_the_check_catches_a_violation(new_page):
    page = new_page()
    page.set_content(
        "<html lang='nl'><body><main><input type='text'></main></body></html>"
    )
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
