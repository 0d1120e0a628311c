import pytest
from django.contrib import admin
from django.urls import reverse

from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.services import version_copy

pytestmark = pytest.mark.django_db

APP_MODELS = [
    model for model in admin.site._registry if model._meta.app_label == "questionnaires"
]


def _admin_urls(version: Version) -> list[str]:
    urls = []
    for model in APP_MODELS:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model.objects.first()
        urls.append(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
    urls.append(reverse("admin:questionnaires_version_preview", args=[version.pk]))
    urls.append(reverse("admin:questionnaires_version_diff", args=[version.pk]))
    return urls


def test_every_admin_page_renders_for_staff(staff_client, seed_version):
    version_copy(seed_version)
    for url in _admin_urls(seed_version):
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_every_admin_page_is_refused_to_anonymous_users(client, seed_version):
    for url in _admin_urls(seed_version):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_analyst_cannot_reach_questionnaire_admin(analyst_client, seed_version):
    response = analyst_client.get(reverse("admin:questionnaires_question_changelist"))
    assert response.status_code == 302


def test_frozen_version_is_shown_read_only_with_a_message(staff_client, seed_version):
    question = Question.objects.get(version=seed_version, code="D01")
    url = reverse("admin:questionnaires_question_change", args=[question.pk])

    response = staff_client.get(url)
    assert "is frozen" in response.content.decode() or "bevroren" in (
        response.content.decode()
    )
    assert b'name="text"' not in response.content

    posted = staff_client.post(url, {"text": "Gewijzigd", "code": "D01"})
    assert posted.status_code == 403
    question.refresh_from_db()
    assert question.text == "Onzekerheid over signalen"


def test_draft_question_can_be_edited_in_the_admin(staff_client, seed_version):
    draft = version_copy(seed_version)
    question = Question.objects.get(version=draft, code="tips")
    url = reverse("admin:questionnaires_question_change", args=[question.pk])
    data = {
        "section": question.section_id,
        "position": 0,
        "code": "tips",
        "type": "long_text",
        "role": "",
        "text": "Nieuwe vraag over tips",
        "required": "",
        "condition_values": "[]",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.text == "Nieuwe vraag over tips"


def test_new_version_action_makes_an_editable_draft(staff_client, seed_version):
    url = reverse("admin:questionnaires_version_changelist")
    response = staff_client.post(
        url, {"action": "new_version", "_selected_action": [seed_version.pk]}
    )
    draft = Version.objects.get(status=Version.Status.DRAFT)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{draft.pk}/change/")


def test_preview_shows_every_question(staff_client, seed_version):
    url = reverse("admin:questionnaires_version_preview", args=[seed_version.pk])
    content = staff_client.get(url).content.decode()
    for question in Question.objects.filter(version=seed_version):
        assert question.code in content


def test_diff_page_lists_a_reworded_question(staff_client, seed_version):
    draft = version_copy(seed_version)
    question = Question.objects.get(version=draft, code="D05")
    question.text = "Onduidelijk hoe ik geweld moet wegen"
    question.save()
    url = reverse("admin:questionnaires_version_diff", args=[draft.pk])
    content = staff_client.get(url, {"other": seed_version.pk}).content.decode()
    assert "D05" in content
    assert "Onduidelijk hoe ik geweld moet wegen" in content


def test_preview_and_compare_need_the_questionnaire_permission(client, seed_version):
    """A staff account without questionnaire permissions (an administrator, say)
    is refused the version's preview and comparison, like its change page."""
    from meldcode_survey.accounts.roles import ADMINISTRATOR
    from tests import factories
    from tests.conftest import login_verified

    user = factories.UserFactory(role=ADMINISTRATOR, is_staff=True)
    assert not user.has_perm("questionnaires.view_version")
    login_verified(client, user)
    change = reverse("admin:questionnaires_version_change", args=[seed_version.pk])
    assert client.get(change).status_code == 403
    for name in ("preview", "diff"):
        url = reverse(f"admin:questionnaires_version_{name}", args=[seed_version.pk])
        assert client.get(url).status_code == 403, name
