import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from meldcode_survey.review.models import (
    Coding,
    FinalCoding,
    NarrativeRead,
    in_double_coding_sample,
    sample_slot,
)
from meldcode_survey.review.services import coding_resolve, coding_save
from tests import factories


def _code(narrative, coder, codes, has_dilemma=True, **kwargs):
    return coding_save(
        narrative=narrative,
        coder=coder,
        codes=codes,
        has_dilemma=has_dilemma,
        **kwargs,
    )


def _final(narrative):
    final = FinalCoding.objects.filter(narrative=narrative).first()
    if final is None:
        return None
    keys = sorted(final.codes.values_list("key", flat=True))
    return final.method, keys, final.has_dilemma


def test_coding_stores_codes_and_the_coders_dilemma_judgement(
    narrative, codes, staff_user
):
    coding = _code(narrative, staff_user, [codes["A"], codes["C"]], has_dilemma=False)

    assert sorted(coding.codes.values_list("key", flat=True)) == ["A", "C"]
    assert coding.has_dilemma is False
    narrative.refresh_from_db()
    assert narrative.has_dilemma is True  # the respondent's answer is untouched


def test_single_coding_becomes_the_final_coding(narrative, codes, staff_user):
    _code(narrative, staff_user, [codes["A"]])

    assert _final(narrative) == ("single", ["A"], True)


def test_revising_a_coding_updates_it_and_its_final(narrative, codes, staff_user):
    _code(narrative, staff_user, [codes["A"]])
    _code(narrative, staff_user, [codes["B"], codes["D"]], has_dilemma=False)

    assert Coding.objects.filter(narrative=narrative).count() == 1
    assert _final(narrative) == ("single", ["B", "D"], False)


def test_a_code_of_another_codebook_is_refused(narrative, staff_user):
    other = factories.QuestionnaireFactory().codebook.codes.get(key="A")

    with pytest.raises(ValidationError):
        _code(narrative, staff_user, [other])
    assert not Coding.objects.exists()


def test_the_double_coding_sample_picks_the_share_evenly():
    ids = range(1, 1001)
    chosen = [i for i in ids if in_double_coding_sample(i, 20)]

    assert len(chosen) == 200
    # Spread out, not 20 consecutive ids in a row.
    assert max(b - a for a, b in zip(chosen, chosen[1:], strict=False)) < 10
    assert not any(in_double_coding_sample(i, 0) for i in ids)
    assert all(in_double_coding_sample(i, 100) for i in ids)


@pytest.fixture
def sampled(make_narrative, codebook):
    """A narrative that falls in the double-coding sample."""
    codebook.double_coding_percent = 50
    codebook.save()
    while True:
        narrative = make_narrative()
        if sample_slot(narrative.pk) < 50:
            return narrative


def test_sampled_narrative_waits_for_a_second_coding(
    sampled, codes, staff_user, second_coder
):
    _code(sampled, staff_user, [codes["A"]])
    assert _final(sampled) is None

    _code(sampled, second_coder, [codes["A"]])
    assert _final(sampled) == ("agreed", ["A"], True)


def test_disagreeing_codings_leave_the_final_to_a_lead(
    sampled, codes, staff_user, second_coder
):
    _code(sampled, staff_user, [codes["A"]])
    _code(sampled, second_coder, [codes["A"], codes["B"]])

    assert _final(sampled) is None


def test_disagreeing_on_the_dilemma_alone_is_a_disagreement(
    sampled, codes, staff_user, second_coder
):
    _code(sampled, staff_user, [codes["A"]], has_dilemma=True)
    _code(sampled, second_coder, [codes["A"]], has_dilemma=False)

    assert _final(sampled) is None


def test_asking_for_a_second_coding_holds_back_the_final(
    narrative, codes, staff_user, second_coder
):
    _code(narrative, staff_user, [codes["C"]], wants_second_coding=True)
    assert _final(narrative) is None

    _code(narrative, second_coder, [codes["C"]])
    assert _final(narrative) == ("agreed", ["C"], True)


def test_a_late_disagreeing_second_coding_withdraws_an_automatic_final(
    narrative, codes, staff_user, second_coder
):
    _code(narrative, staff_user, [codes["A"]])
    assert _final(narrative) == ("single", ["A"], True)

    _code(narrative, second_coder, [codes["B"]])

    assert _final(narrative) is None


def test_lead_resolves_two_codings_into_the_final(
    sampled, codes, staff_user, second_coder, third_staff
):
    _code(sampled, staff_user, [codes["A"]], note="Ik twijfel over B")
    _code(sampled, second_coder, [codes["A"], codes["B"]])

    coding_resolve(
        narrative=sampled,
        lead=third_staff,
        codes=[codes["A"], codes["B"]],
        has_dilemma=True,
        note="B staat er duidelijk in",
    )

    final = FinalCoding.objects.get(narrative=sampled)
    assert _final(sampled) == ("resolved", ["A", "B"], True)
    assert final.decided_by == third_staff
    assert final.note == "B staat er duidelijk in"


def test_a_leads_decision_is_not_overwritten_by_later_codings(
    narrative, codes, staff_user, third_staff
):
    _code(narrative, staff_user, [codes["A"]])
    coding_resolve(
        narrative=narrative, lead=third_staff, codes=[codes["B"]], has_dilemma=False
    )

    _code(narrative, staff_user, [codes["C"]])

    assert _final(narrative) == ("resolved", ["B"], False)


def test_resolving_needs_the_lead_permission(narrative, codes, staff_user):
    _code(narrative, staff_user, [codes["A"]])
    outsider = factories.UserFactory()

    with pytest.raises(PermissionDenied):
        coding_resolve(
            narrative=narrative, lead=outsider, codes=[codes["B"]], has_dilemma=True
        )


def test_an_uncoded_narrative_cannot_be_resolved(narrative, codes, third_staff):
    with pytest.raises(ValidationError):
        coding_resolve(
            narrative=narrative, lead=third_staff, codes=[codes["A"]], has_dilemma=True
        )


# --- Blindness, through the pages ---------------------------------------------


def test_coder_does_not_see_another_coding_before_saving_their_own(
    client, narrative, codes, staff_user, second_coder, login_as
):
    _code(narrative, staff_user, [codes["G"]], note="Notitie van de eerste codeur")
    login_as(second_coder)
    url = reverse("review:narrative", args=[narrative.pk])

    before = client.get(url)

    assert before.context["codings"] == []
    assert before.context["final"] is None
    assert before.context["other_count"] == 1
    assert "Notitie van de eerste codeur" not in before.content.decode()
    assert staff_user.username not in before.content.decode()

    client.post(url, {"codes": [codes["A"].pk], "has_dilemma": "yes"})
    after = client.get(url)

    assert len(after.context["codings"]) == 2
    assert "Notitie van de eerste codeur" in after.content.decode()


def test_list_hides_the_final_codes_from_who_has_not_coded(
    client, narrative, codes, staff_user, second_coder, login_as
):
    _code(narrative, staff_user, [codes["G"]])
    login_as(second_coder)

    page = client.get(reverse("review:index"))

    row = page.context["narratives"][0]
    assert row.final_keys == ["G"]
    assert row.coded_by_me is False
    assert ">G<" not in page.content.decode()


def test_who_opened_the_resolve_page_can_no_longer_code_blind(
    client, narrative, codes, staff_user, third_staff, login_as
):
    _code(narrative, staff_user, [codes["A"]])
    login_as(third_staff)

    client.get(reverse("review:resolve", args=[narrative.pk]))
    page = client.get(reverse("review:narrative", args=[narrative.pk]))

    assert page.context["blind_lost"] is True
    assert NarrativeRead.objects.filter(
        user=third_staff, purpose=NarrativeRead.Purpose.RESOLVE
    ).exists()
    with pytest.raises(ValidationError):
        _code(narrative, third_staff, [codes["A"]])


def test_lead_view_shows_both_codings_and_saves_the_final(
    client, sampled, codes, staff_user, second_coder, third_staff, login_as
):
    _code(sampled, staff_user, [codes["A"]])
    _code(sampled, second_coder, [codes["B"]], has_dilemma=False)
    login_as(third_staff)
    url = reverse("review:resolve", args=[sampled.pk])

    page = client.get(url)

    assert [c.coder for c in page.context["codings"]] == [staff_user, second_coder]
    # Nothing agreed on: the form starts empty and asks for the dilemma.
    assert page.context["form"].initial == {"codes": []}
    response = client.post(
        url,
        {"codes": [codes["A"].pk, codes["B"].pk], "has_dilemma": "yes"},
    )
    assert response.status_code == 302
    assert _final(sampled) == ("resolved", ["A", "B"], True)


def test_coding_form_posts_codes_and_goes_on(
    staff_client, make_narrative, codes, staff_user
):
    first, second = make_narrative(), make_narrative()
    url = reverse("review:narrative", args=[first.pk])

    response = staff_client.post(
        url,
        {
            "codes": [codes["A"].pk, codes["E"].pk],
            "has_dilemma": "no",
            "note": "Agressie van vader",
            "action": "next",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("review:narrative", args=[second.pk])
    coding = Coding.objects.get(narrative=first, coder=staff_user)
    assert sorted(coding.codes.values_list("key", flat=True)) == ["A", "E"]
    assert coding.has_dilemma is False
    assert coding.note == "Agressie van vader"


def test_coding_form_without_a_dilemma_choice_is_refused(
    staff_client, make_narrative, codes
):
    narrative = make_narrative(has_dilemma=None)
    url = reverse("review:narrative", args=[narrative.pk])

    response = staff_client.post(url, {"codes": [codes["A"].pk]})

    assert response.status_code == 200
    assert response.context["form"].errors["has_dilemma"]
    assert not Coding.objects.exists()


def test_coding_form_refuses_a_tampered_code(staff_client, narrative, codes):
    url = reverse("review:narrative", args=[narrative.pk])

    response = staff_client.post(url, {"codes": ["999999"], "has_dilemma": "yes"})

    assert response.status_code == 200
    assert response.context["form"].errors["codes"]
    assert not Coding.objects.exists()


def test_coding_form_starts_from_the_respondents_dilemma_answer(
    staff_client, make_narrative
):
    narrative = make_narrative(has_dilemma=False)

    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert page.context["form"].initial["has_dilemma"] == "no"
