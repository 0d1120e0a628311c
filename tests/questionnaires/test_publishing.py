"""Publishing checks the version, asks for confirmation and says what is wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from meldcode_survey.questionnaires.definition import import_definition
from meldcode_survey.questionnaires.models import (
    Choice,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    Section,
    Version,
)
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.questionnaires.services import (
    publish_problems,
    version_copy,
    version_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here; the Dutch ones in one test."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def draft(seed_version):
    return version_copy(seed_version)


def _question(version: Version, code: str) -> Question:
    return Question.objects.get(version=version, code=code)


def test_the_seed_copy_is_fit_to_publish(draft):
    assert publish_problems(draft) == []


def test_a_sector_option_coded_like_all_sectors_is_refused(draft):
    sector = Question.objects.get(version=draft, role=Question.Role.SECTOR)
    Choice.objects.filter(pk=sector.choices.first().pk).update(code=ALL)

    problems = publish_problems(draft)

    assert problems == [
        f"Sector question “{sector.code}” has an option coded “all”, which stands "
        "for all sectors together."
    ]


def test_a_choice_question_without_choices_is_refused_by_name(draft, seed_version):
    Choice.objects.filter(question=_question(draft, "ervaring")).delete()
    with pytest.raises(ValidationError) as error:
        version_publish(draft)
    assert any("ervaring" in m and "without choices" in m for m in error.value.messages)
    draft.refresh_from_db()
    seed_version.refresh_from_db()
    assert draft.status == Version.Status.DRAFT
    assert seed_version.status == Version.Status.PUBLISHED


def test_a_condition_on_a_later_question_is_refused(draft):
    first = Section.objects.filter(version=draft).order_by("position").first()
    first.condition_question = _question(draft, "tips")
    first.condition_values = ["x"]
    first.save()
    problems = publish_problems(draft)
    assert any(first.code in p and "earlier" in p for p in problems)


def test_a_likert_item_whose_scale_has_no_scored_points_is_refused(draft):
    scale = Scale.objects.get(version=draft)
    scale.points.exclude(value=None).delete()
    problems = publish_problems(draft)
    assert any("D01" in p and "scale" in p for p in problems)


def test_english_missing_is_refused_unless_dutch_fallback_is_stated(draft):
    question = _question(draft, "beroep")
    question.text_en = ""
    question.save()
    assert any("beroep" in p and "English" in p for p in publish_problems(draft))
    draft.english_fallback = True
    draft.save()
    assert publish_problems(draft) == []


def test_dutch_rewording_with_the_old_english_is_flagged(draft, seed_version):
    question = _question(draft, "D05")
    question.text = "Onduidelijk hoe ik geweld moet wegen"
    question.save()
    problems = publish_problems(draft)
    assert any("D05" in p and "translate" in p for p in problems)
    question.text_en = "Unclear how to weigh violence"
    question.save()
    assert publish_problems(draft) == []


def test_the_problems_are_translated(draft, settings):
    from django.utils import translation

    Choice.objects.filter(question=_question(draft, "ervaring")).delete()
    with translation.override("nl"):
        problems = publish_problems(draft)
    assert any("keuzevraag zonder keuzes" in p for p in problems)


def test_a_closed_version_is_not_reopened_unannounced(draft, seed_version):
    version_publish(draft)
    seed_version.refresh_from_db()
    assert seed_version.status == Version.Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        version_publish(seed_version)
    version_publish(seed_version, reopen=True)
    seed_version.refresh_from_db()
    assert seed_version.status == Version.Status.PUBLISHED


def test_import_with_publish_refuses_an_unfit_version(tmp_path, seed_definition):
    import json

    seed_definition["sections"][0]["questions"][0]["text_en"] = ""
    path = tmp_path / "def.json"
    path.write_text(json.dumps(seed_definition))
    with pytest.raises(CommandError, match="sector"):
        call_command("import_questionnaire", str(path), "--publish")
    assert not Questionnaire.objects.exists()


# --- The admin ------------------------------------------------------------------


def test_publish_button_and_new_version_button_are_on_the_version_page(
    staff_client, draft, seed_version
):
    page = staff_client.get(
        reverse("admin:questionnaires_version_change", args=[draft.pk])
    ).content.decode()
    assert reverse("admin:questionnaires_version_publish", args=[draft.pk]) in page
    assert reverse("admin:questionnaires_version_new", args=[draft.pk]) in page
    frozen = staff_client.get(
        reverse("admin:questionnaires_version_change", args=[seed_version.pk])
    ).content.decode()
    assert reverse("admin:questionnaires_version_new", args=[seed_version.pk]) in frozen
    assert (
        reverse("admin:questionnaires_version_publish", args=[seed_version.pk])
        not in frozen
    )


def test_publishing_in_the_admin_asks_for_confirmation(staff_client, draft):
    url = reverse("admin:questionnaires_version_publish", args=[draft.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert b'type="submit"' in page.content
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT
    response = staff_client.post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Version.Status.PUBLISHED


def test_publishing_an_unfit_version_in_the_admin_lists_the_problems(
    staff_client, draft
):
    Choice.objects.filter(question=_question(draft, "ervaring")).delete()
    url = reverse("admin:questionnaires_version_publish", args=[draft.pk])
    assert "ervaring" in staff_client.get(url).content.decode()
    response = staff_client.post(url)
    assert response.status_code == 200
    assert "ervaring" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT


def test_the_publish_list_action_goes_to_the_confirmation(staff_client, draft):
    response = staff_client.post(
        reverse("admin:questionnaires_version_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response["Location"] == reverse(
        "admin:questionnaires_version_publish", args=[draft.pk]
    )
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT


def test_new_version_button_confirms_then_copies(staff_client, seed_version):
    url = reverse("admin:questionnaires_version_new", args=[seed_version.pk])
    assert staff_client.get(url).status_code == 200
    assert Version.objects.count() == 1
    response = staff_client.post(url)
    draft = Version.objects.get(status=Version.Status.DRAFT)
    assert response["Location"].endswith(f"/{draft.pk}/change/")


def test_analyst_cannot_publish_or_copy(analyst_client, draft):
    for name in ("publish", "new"):
        url = reverse(f"admin:questionnaires_version_{name}", args=[draft.pk])
        assert analyst_client.post(url).status_code in (302, 403)
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT
    assert Version.objects.count() == 2


def test_staff_without_change_permission_cannot_publish(client, draft):
    from django.contrib.auth.models import Permission

    from tests.conftest import login_verified
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_version"),
    )
    login_verified(client, user)
    url = reverse("admin:questionnaires_version_publish", args=[draft.pk])
    assert client.post(url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT


def test_draft_questionnaire_can_be_deleted_in_the_admin(staff_client, seed_definition):
    seed_definition["slug"] = "per-ongeluk"
    version = import_definition(seed_definition)
    url = reverse(
        "admin:questionnaires_questionnaire_delete", args=[version.questionnaire_id]
    )
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Questionnaire.objects.filter(slug="per-ongeluk").exists()


# --- Choices limited to the version ----------------------------------------------


def _choice_values(html: str, name: str) -> list[str]:
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


def test_edit_dropdowns_offer_only_the_version_at_hand(staff_client, draft):
    section = Section.objects.get(version=draft, code="dilemmas")
    html = staff_client.get(
        reverse("admin:questionnaires_section_change", args=[section.pk])
    ).content.decode()
    scales = _choice_values(html, "likert_groups-0-scale")
    assert scales == [str(s.pk) for s in Scale.objects.filter(version=draft)]
    groups = _choice_values(html, "questions-0-group")
    assert set(groups) == {
        str(g.pk) for g in LikertGroup.objects.filter(section__version=draft)
    }
    conditions = _choice_values(html, "condition_question")
    assert set(conditions) == {
        str(q.pk) for q in Question.objects.filter(version=draft)
    }
    version_html = staff_client.get(
        reverse("admin:questionnaires_version_change", args=[draft.pk])
    ).content.decode()
    conditions = _choice_values(version_html, "sections-0-condition_question")
    assert set(conditions) == {
        str(q.pk) for q in Question.objects.filter(version=draft)
    }


def test_a_reference_to_another_version_is_refused_on_save(draft, seed_version):
    section = Section.objects.get(version=draft, code="casus")
    section.condition_question = _question(seed_version, "toegepast")
    with pytest.raises(ValidationError) as error:
        section.save()
    assert "condition_question" in error.value.message_dict
    group = LikertGroup.objects.get(section__version=draft)
    group.scale = Scale.objects.get(version=seed_version)
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "scale" in error.value.message_dict


def test_the_question_inline_has_the_english_text(staff_client, draft):
    section = Section.objects.get(version=draft, code="dilemmas")
    html = staff_client.get(
        reverse("admin:questionnaires_section_change", args=[section.pk])
    ).content.decode()
    assert 'name="questions-0-text_en"' in html


def test_saving_a_dutch_rewording_with_the_old_english_warns(staff_client, draft):
    question = _question(draft, "D05")
    url = reverse("admin:questionnaires_question_change", args=[question.pk])
    data = {
        "section": question.section_id,
        "position": question.position,
        "code": "D05",
        "type": "likert",
        "role": "",
        "text": "Onduidelijk hoe ik geweld moet wegen",
        "text_en": question.text_en,
        "help_text": "",
        "help_text_en": "",
        "required": "on",
        "group": question.group_id,
        "condition_values": "[]",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
    }
    response = staff_client.post(url, data, follow=True)
    assert response.status_code == 200
    from django.contrib import messages

    warnings = [
        m.message for m in response.context["messages"] if m.level == messages.WARNING
    ]
    assert any("D05" in m for m in warnings), warnings


def test_an_add_page_offers_only_content_of_drafts(staff_client, draft, seed_version):
    html = staff_client.get(reverse("admin:questionnaires_section_add")).content
    conditions = _choice_values(html.decode(), "condition_question")
    assert set(conditions) == {
        str(q.pk) for q in Question.objects.filter(version=draft)
    }


def test_a_reworded_choice_with_the_old_english_is_flagged(draft):
    choice = Choice.objects.get(question__version=draft, code="5_10")
    choice.label = "Vijf tot tien jaar"
    choice.save()
    assert any("ervaring" in p and "choice" in p for p in publish_problems(draft))
    choice.label_en = "Five to ten years"
    choice.save()
    assert publish_problems(draft) == []
