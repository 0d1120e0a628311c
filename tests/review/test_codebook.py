import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from meldcode_survey.questionnaires.models import Questionnaire
from meldcode_survey.review.models import Code, Codebook, CodingCode
from meldcode_survey.review.queries import codes_for_form
from meldcode_survey.review.services import coding_save, ensure_default_codebook

FACT_SHEET = {
    "A": "Onzekerheid over signalen of wie de waarheid spreekt",
    "B": (
        "Samenwerking in de keten; onduidelijk waar verantwoordelijkheid of regie ligt"
    ),
    "C": "Zorgen bespreekbaar maken met ouders",
    "D": "Twijfel of melden wel zin heeft",
}


def test_an_imported_questionnaire_gets_the_fact_sheet_codes_and_the_proposals(
    seed_version,
):
    codes = list(seed_version.questionnaire.codebook.codes.order_by("position"))

    assert {c.key: c.label for c in codes[:4]} == FACT_SHEET
    assert [c.key for c in codes] == list("ABCDEFGH")
    assert all(c.label_en and not c.is_retired for c in codes)
    proposals = " ".join(c.label_en for c in codes[4:])
    for topic in ("aggression", "relationship", "Veilig Thuis", "shared"):
        assert topic in proposals


def test_a_questionnaire_added_in_the_admin_gets_the_default_codebook(staff_client):
    response = staff_client.post(
        reverse("admin:questionnaires_questionnaire_add"),
        {
            "title": "Nieuwe vragenlijst",
            "slug": "nieuw",
            "estimated_minutes": 10,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    questionnaire = Questionnaire.objects.get(slug="nieuw")
    assert questionnaire.codebook.codes.count() == 8


def test_reading_a_case_creates_no_codebook(staff_client, narrative):
    """Only creating a questionnaire makes its codebook; pages only read it."""
    narrative.response.version.questionnaire.codebook.delete()

    with pytest.raises(Codebook.DoesNotExist):
        staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert not Codebook.objects.exists()


def test_ensure_default_codebook_is_idempotent(seed_version):
    questionnaire = seed_version.questionnaire
    first = ensure_default_codebook(questionnaire)
    Code.objects.filter(codebook=first, key="H").update(label="Eigen wijziging")

    again = ensure_default_codebook(questionnaire)

    assert again == first
    assert again.codes.count() == 8
    assert again.codes.get(key="H").label == "Eigen wijziging"


def test_label_follows_the_active_language(codes):
    with translation.override("en"):
        assert codes["C"].tr("label") == "Raising concerns with parents"
    with translation.override("nl"):
        assert codes["C"].tr("label") == "Zorgen bespreekbaar maken met ouders"


def test_renaming_a_code_keeps_the_wording_the_coder_saw(
    narrative, codes, staff_user, staff_client
):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    code = codes["A"]
    code.label = "Onzekerheid over signalen"
    code.save()

    chosen = CodingCode.objects.get(code=code)
    assert chosen.label == FACT_SHEET["A"]
    # The history shows today's label and, beside it, the wording given.
    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))
    assert FACT_SHEET["A"] in page.content.decode()


def test_revising_a_coding_keeps_the_label_of_a_code_that_stays(
    narrative, codes, staff_user
):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    Code.objects.filter(pk=codes["A"].pk).update(label="Nieuw")

    coding_save(
        narrative=narrative,
        coder=staff_user,
        codes=[codes["A"], codes["B"]],
        has_dilemma=True,
    )

    labels = dict(CodingCode.objects.values_list("code__key", "label"))
    assert labels == {"A": FACT_SHEET["A"], "B": FACT_SHEET["B"]}


def test_retired_code_is_not_offered_to_new_codings(codebook, codes):
    codes["D"].is_retired = True
    codes["D"].save()

    offered = [c.key for c in codes_for_form(codebook)]
    kept = [c.key for c in codes_for_form(codebook, keep=[codes["D"].pk])]

    assert "D" not in offered
    assert "D" in kept


def test_retired_code_cannot_be_given_but_stays_on_earlier_codings(
    narrative, codes, staff_user, second_coder
):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["D"]], has_dilemma=True
    )
    codes["D"].is_retired = True
    codes["D"].save()

    with pytest.raises(ValidationError):
        coding_save(
            narrative=narrative,
            coder=second_coder,
            codes=[codes["D"]],
            has_dilemma=True,
        )
    # The first coder may revise their coding and keep the retired code.
    coding_save(
        narrative=narrative,
        coder=staff_user,
        codes=[codes["D"]],
        has_dilemma=False,
    )
    assert narrative.codings.get(coder=staff_user).codes.get() == codes["D"]


def test_key_of_a_used_code_cannot_change(narrative, codes, staff_user):
    unused = codes["H"]
    unused.key = "X"
    unused.save()
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )

    used = codes["A"]
    used.key = "Z"
    with pytest.raises(ValidationError):
        used.save()
    with pytest.raises(ValidationError):
        used.full_clean()


def test_used_code_cannot_be_deleted(narrative, codes, staff_user):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )

    with pytest.raises(ProtectedError):
        codes["A"].delete()
    codes["H"].delete()  # an unused code can go


def _admin_form(codebook) -> dict:
    data = {
        "double_coding_percent": "25",
        "codes-TOTAL_FORMS": "8",
        "codes-INITIAL_FORMS": "8",
        "codes-MIN_NUM_FORMS": "0",
        "codes-MAX_NUM_FORMS": "1000",
    }
    for i, code in enumerate(codebook.codes.order_by("position", "key")):
        data.update(
            {
                f"codes-{i}-id": str(code.pk),
                f"codes-{i}-codebook": str(codebook.pk),
                f"codes-{i}-position": str(code.position),
                f"codes-{i}-key": code.key,
                f"codes-{i}-label": code.label,
                f"codes-{i}-label_en": code.label_en,
                f"codes-{i}-description": code.description,
                f"codes-{i}-description_en": code.description_en,
            }
        )
    return data


def test_staff_edits_the_codebook_in_the_admin(codebook, staff_client):
    url = reverse("admin:review_codebook_change", args=[codebook.pk])
    page = staff_client.get(url)
    assert page.status_code == 200

    data = _admin_form(codebook)
    data["codes-3-is_retired"] = "on"
    data["codes-0-label"] = "Onzekerheid over signalen"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    codebook.refresh_from_db()
    assert codebook.double_coding_percent == 25
    assert codebook.codes.get(key="D").is_retired
    assert codebook.codes.get(key="A").label == "Onzekerheid over signalen"


def test_the_admin_refuses_to_delete_or_rekey_a_used_code(
    codebook, codes, narrative, staff_user, staff_client
):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    url = reverse("admin:review_codebook_change", args=[codebook.pk])

    delete = staff_client.post(url, {**_admin_form(codebook), "codes-0-DELETE": "on"})
    rekey = staff_client.post(url, {**_admin_form(codebook), "codes-0-key": "Z"})

    assert delete.status_code == 200
    assert rekey.status_code == 200
    assert codebook.codes.filter(key="A").exists()
    assert not codebook.codes.filter(key="Z").exists()
