"""A respondent completes the seed questionnaire in a real browser."""

import re

import pytest

from meldcode_survey.responses.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 320, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}


def _fill_profile(page, applied: str) -> None:
    page.get_by_label("Kinderopvang").check()
    page.get_by_label(re.compile("^(5 tot 10 jaar|5 to 10 years)$")).check()
    page.locator(f"#id_q_toegepast input[value='{applied}']").check()


def _fill_dilemmas(page, label: str) -> None:
    for fieldset in page.locator("fieldset.likert-item").all():
        fieldset.get_by_label(label, exact=True).check()


def _fill_case(page) -> None:
    page.locator("#id_q_casus_voorbeeld").fill("Een kind kwam vaak zonder jas.")
    page.locator("#id_q_casus_met_dilemma input[value='yes']").check()
    page.locator("#id_q_casus_dilemma").fill("Hoe ernstig is dit?")
    page.locator("#id_q_casus_opvolging").fill("Gesprek met de ouders.")
    page.locator("#id_q_casus_uitkomst input[value='hulp']").check()


def test_respondent_completes_in_dutch_on_a_phone_without_javascript(
    live_server, seed_version, new_page
):
    page = new_page(java_script_enabled=False, locale="nl-NL", **PHONE)
    page.goto(f"{live_server.url}/q/brede-reflectie/")
    page.get_by_role("button", name="Start de vragenlijst").click()
    # The resume code is on the first page, no page of its own.
    assert page.get_by_text("Stap 1 van 5").is_visible()
    code = page.locator("#resume-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    _fill_profile(page, "yes")
    page.get_by_role("button", name="Volgende").click()
    _fill_dilemmas(page, "Enigszins")
    page.get_by_role("button", name="Volgende").click()
    assert page.get_by_text("schrijf geen namen").is_visible()
    _fill_case(page)
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Volgende").click()

    assert page.get_by_role("heading", name="Controleer je antwoorden").is_visible()
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    assert page.get_by_role("heading", name="Bedankt voor je antwoorden").is_visible()
    assert Response.objects.get().narrative.follow_up == "Gesprek met de ouders."


def test_pages_fit_a_320_pixel_screen(live_server, seed_version, new_page):
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/q/brede-reflectie/")
    page.get_by_role("button", name="Start de vragenlijst").click()
    page.get_by_role("button", name="Volgende").click()  # errors: the widest state
    for path in ["pagina/profiel/", "pagina/dilemmas/"]:
        page.goto(f"{live_server.url}/q/brede-reflectie/{path}")
        root = "document.documentElement"
        overflow = page.evaluate(f"{root}.scrollWidth - {root}.clientWidth")
        assert overflow <= 0, path


def test_respondent_completes_in_english_by_keyboard_alone(
    live_server, seed_version, new_page
):
    page = new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/q/brede-reflectie/")
    _press_button(page, "English")
    assert page.get_by_role(
        "heading", name="Broad reflection on the meldcode"
    ).is_visible()

    _press_button(page, "Start the questionnaire")
    assert "/pagina/profiel/" in page.url
    assert page.get_by_role("heading", name="Your resume code").is_visible()

    _tab_to(page, "#id_q_sector_0")
    page.keyboard.press("Space")  # Childcare
    _tab_to(page, "#id_q_ervaring_0")
    page.keyboard.press("ArrowDown")  # 2 to 5 years
    _tab_to(page, "#id_q_toegepast_0")
    page.keyboard.press("Space")  # Yes
    _press_button(page, "Next")

    for index in range(10):
        _tab_to(page, f"#id_q_D{index + 1:02d}_0")
        page.keyboard.press("Space")  # Not at all
    _press_button(page, "Next")

    _tab_to(page, "#id_q_casus_voorbeeld")
    page.keyboard.type("A child often came without a coat.")
    _tab_to(page, "#id_q_casus_met_dilemma_0")
    page.keyboard.press("ArrowDown")  # arrows move within a radio group: No
    _tab_to(page, "#id_q_casus_opvolging")
    page.keyboard.type("Talked with the parents.")
    _tab_to(page, "#id_q_casus_uitkomst_0")
    page.keyboard.press("Space")
    _press_button(page, "Next")
    _press_button(page, "Next")
    _press_button(page, "Submit my answers")

    assert page.get_by_role("heading", name="Thank you for your answers").is_visible()
    response = Response.objects.get()
    assert response.sector == "kinderopvang"
    assert response.narrative.has_dilemma is False
    assert response.answers.filter(question__code="D07", scale_value=1).exists()


def test_resume_link_continues_on_another_device(live_server, seed_version, new_page):
    laptop = new_page()
    laptop.goto(f"{live_server.url}/q/brede-reflectie/")
    laptop.get_by_role("button", name="Start de vragenlijst").click()
    link = laptop.locator("a[href*='/hervatten/']").inner_text()
    _fill_profile(laptop, "no")
    laptop.get_by_role("button", name="Volgende").click()

    phone = new_page(**PHONE)
    phone.goto(link)
    assert phone.get_by_text("Welkom terug").is_visible()
    assert "/pagina/dilemmas/" in phone.url
    _fill_dilemmas(phone, "Een beetje")
    phone.get_by_role("button", name="Volgende").click()
    assert "/pagina/afsluiting/" in phone.url  # no case section: did not apply it


def test_character_counter_and_error_summary(live_server, seed_version, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/q/brede-reflectie/")
    page.get_by_role("button", name="Start de vragenlijst").click()
    page.get_by_role("button", name="Volgende").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_q_sector_0")

    _fill_profile(page, "yes")
    page.get_by_role("button", name="Volgende").click()
    _fill_dilemmas(page, "Enigszins")
    page.get_by_role("button", name="Volgende").click()
    page.locator("#id_q_casus_voorbeeld").fill("Twaalf tekens")
    page.wait_for_timeout(400)
    counter = page.locator("#id_q_casus_voorbeeld_counter").inner_text()
    assert counter == "13 van 2000 tekens gebruikt"


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable by Tab")


def _press_button(page, name: str) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    _tab_to_element(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _tab_to_element(page, locator, limit: int = 120) -> None:
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("element not reachable by Tab")
