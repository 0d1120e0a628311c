import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.questionnaires.models import Version
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.services import (
    coding_save,
    redaction_approve,
    redaction_save,
    redaction_set_example,
)
from tests import factories

NAME_FLAG = {"kind": "name", "start": 0, "end": 12, "fragment": "Jan de Vries"}


def _listed(client, **params):
    page = client.get(reverse("review:index"), params)
    assert page.status_code == 200
    return [n.pk for n in page.context["narratives"]]


@pytest.fixture
def cases(make_narrative, codes, staff_user, second_coder, third_staff):
    """Narratives in every state the filters distinguish."""
    made = {
        "coded": make_narrative(
            description="Jan de Vries kwam vaak te laat.",
            screening_flags={"description": [NAME_FLAG]},
        ),
        "education": make_narrative(response__sector="onderwijs", has_dilemma=False),
        "unstated": make_narrative(has_dilemma=None, screening_flags={"dilemma": []}),
        "synthetic": make_narrative(response__is_synthetic=True),
        "second": make_narrative(),
        "resolve": make_narrative(),
    }
    coding_save(
        narrative=made["coded"],
        coder=staff_user,
        codes=[codes["A"]],
        has_dilemma=True,
    )
    coding_save(
        narrative=made["second"],
        coder=second_coder,
        codes=[codes["B"]],
        has_dilemma=True,
        wants_second_coding=True,
    )
    for coder, code in ((second_coder, "A"), (third_staff, "B")):
        coding_save(
            narrative=made["resolve"],
            coder=coder,
            codes=[codes[code]],
            has_dilemma=True,
        )
    redaction_save(
        narrative=made["synthetic"],
        writer=second_coder,
        texts={"description": "Geredigeerd", "dilemma": "", "follow_up": ""},
    )
    return {name: n.pk for name, n in made.items()}


def test_list_shows_every_case_oldest_first(staff_client, cases):
    assert _listed(staff_client) == sorted(cases.values())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "onderwijs"}, ["education"]),
        ({"dilemma": "without"}, ["education"]),
        ({"dilemma": "unknown"}, ["unstated"]),
        ({"flags": "with"}, ["coded"]),
        (
            {"flags": "without"},
            ["education", "unstated", "synthetic", "second", "resolve"],
        ),
        ({"status": "todo"}, ["education", "unstated", "synthetic", "second"]),
        ({"status": "uncoded"}, ["education", "unstated", "synthetic"]),
        ({"status": "mine"}, ["coded"]),
        ({"status": "second"}, ["second"]),
        ({"status": "resolve"}, ["resolve"]),
        ({"status": "final"}, ["coded"]),
        ({"redaction": "draft"}, ["synthetic"]),
        ({"redaction": "none", "data": "synthetic"}, []),
        ({"data": "synthetic"}, ["synthetic"]),
        ({"sector": "kinderopvang", "status": "uncoded"}, ["unstated", "synthetic"]),
    ],
)
def test_filters(staff_client, cases, params, expected):
    assert _listed(staff_client, **params) == sorted(cases[name] for name in expected)


def test_flags_filter_counts_the_thorough_screening_too(staff_client, cases):
    found = {**NAME_FLAG, "fragment": "Fatima", "end": 6}
    CaseNarrative.objects.filter(pk=cases["second"]).update(
        thorough_flags={"description": [found]}, thorough_screened_at=timezone.now()
    )

    assert _listed(staff_client, flags="with") == sorted(
        [cases["coded"], cases["second"]]
    )
    assert cases["second"] not in _listed(staff_client, flags="without")


def test_version_filter(staff_client, cases, seed_version):
    other_version = factories.VersionFactory(status=Version.Status.PUBLISHED)
    other = factories.CaseNarrativeFactory(response__version=other_version)

    assert _listed(staff_client, version=other_version.pk) == [other.pk]
    assert other.pk not in _listed(staff_client, version=seed_version.pk)


def test_invalid_filter_values_are_ignored(staff_client, cases):
    assert _listed(staff_client, version="abc", status="nonsense") == sorted(
        cases.values()
    )


def test_list_marks_state_per_case(staff_client, cases, second_coder, codes):
    page = staff_client.get(reverse("review:index"))
    rows = {n.pk: n for n in page.context["narratives"]}

    coded = rows[cases["coded"]]
    assert (coded.n_codings, coded.required, coded.coded_by_me) == (1, 1, True)
    assert coded.final_keys == ["A"]
    assert coded.flag_count == 1
    assert rows[cases["second"]].required == 2
    assert rows[cases["synthetic"]].redaction_state.approved is False
    assert rows[cases["education"]].redaction_state is None
    assert rows[cases["education"]].final_keys is None


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("review:index")).status_code == 200
    return len(queries)


def test_list_runs_a_fixed_number_of_queries(
    staff_client,
    make_narrative,
    codes,
    staff_user,
    second_coder,
    django_assert_max_num_queries,
):
    def add_cases(count):
        for _i in range(count):
            narrative = make_narrative(screening_flags={"description": [NAME_FLAG]})
            coding_save(
                narrative=narrative,
                coder=staff_user,
                codes=[codes["A"], codes["C"]],
                has_dilemma=True,
            )
            redaction = redaction_save(
                narrative=narrative,
                writer=staff_user,
                texts={"description": "x", "dilemma": "", "follow_up": ""},
            )
            factories.screened_clean(redaction)
            redaction_approve(redaction=redaction, approver=second_coder)
            redaction_set_example(
                redaction=redaction, is_example=True, user=second_coder
            )

    add_cases(2)
    few = _list_queries(staff_client)
    add_cases(28)

    with django_assert_max_num_queries(few):
        page = staff_client.get(reverse("review:index"))
    assert len(page.context["narratives"]) == 30
    assert few <= 15


def test_list_is_paginated_and_keeps_the_filters(staff_client, make_narrative):
    for _i in range(55):
        make_narrative()

    first = staff_client.get(reverse("review:index"), {"status": "todo"})
    second = staff_client.get(reverse("review:index"), {"status": "todo", "page": 2})

    assert len(first.context["narratives"]) == 50
    assert len(second.context["narratives"]) == 5
    assert "status=todo&amp;page=2" in first.content.decode()


# --- The reading view -----------------------------------------------------------


def test_reading_view_marks_the_screening_flags(staff_client, make_narrative):
    narrative = make_narrative(
        description="Jan de Vries (3) woont in 1234 AB 5.",
        dilemma="<script>alert('x')</script> en verder",
        screening_flags={
            "description": [
                NAME_FLAG,
                {"kind": "postcode", "start": 26, "end": 35, "fragment": "1234 AB 5"},
            ],
            "dilemma": [],
        },
    )

    html = staff_client.get(
        reverse("review:narrative", args=[narrative.pk])
    ).content.decode()

    assert '<mark class="screening-flag" data-kind="name">Jan de Vries</mark>' in html
    assert '<mark class="screening-flag" data-kind="postcode">1234 AB 5</mark>' in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_reading_view_survives_malformed_flags(staff_client, make_narrative):
    narrative = make_narrative(
        screening_flags={"description": [{"kind": "name", "start": 0}, "rubbish"]}
    )

    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert page.status_code == 200
    assert narrative.description in page.content.decode()


def test_reading_view_shows_the_case_context(staff_client, narrative, seed_version):
    from meldcode_survey.questionnaires.models import Question
    from meldcode_survey.responses.models import Answer

    question = seed_version.question_set.get(role=Question.Role.CASE_OUTCOME)
    choice = question.choices.get(code="melding_vt")
    Answer.objects.create(response=narrative.response, question=question, choice=choice)

    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert (question.tr("text"), choice.tr("label")) in page.context["context_answers"]


def test_unknown_case_is_404(staff_client, codebook):
    assert staff_client.get(reverse("review:narrative", args=[999999])).status_code == (
        404
    )


# --- Keyboard flow ----------------------------------------------------------------


def test_coding_form_is_keyboard_ready(staff_client, narrative, codes):
    html = staff_client.get(
        reverse("review:narrative", args=[narrative.pk])
    ).content.decode()

    for key in "12345678":
        assert f'data-hotkey="{key}" accesskey="{key}"' in html
    assert 'data-hotkey="m" accesskey="m"' in html
    assert 'data-hotkey="z" accesskey="z"' in html
    # Without JavaScript Enter submits with the first button: save and next.
    form = html[html.index("data-coding-form") :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="next"' in first_button
    assert 'accesskey="s"' in first_button
    assert "js/review.js" in html
    assert "keyboard-help" in html


def test_start_coding_opens_the_first_case_to_code(
    staff_client, make_narrative, codes, staff_user
):
    first, second = make_narrative(), make_narrative()
    coding_save(narrative=first, coder=staff_user, codes=[], has_dilemma=False)

    response = staff_client.get(reverse("review:next"))

    assert response["Location"] == reverse("review:narrative", args=[second.pk])


def test_save_and_next_follows_the_filters(staff_client, make_narrative, codes):
    first = make_narrative()
    make_narrative(response__sector="onderwijs")
    third = make_narrative()

    response = staff_client.post(
        reverse("review:narrative", args=[first.pk]) + "?sector=kinderopvang",
        {"codes": [codes["A"].pk], "has_dilemma": "yes", "action": "next"},
    )

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("review:narrative", args=[third.pk]) + "?sector=kinderopvang"
    )


def test_save_and_stay_keeps_the_case_open(staff_client, narrative, codes):
    url = reverse("review:narrative", args=[narrative.pk])

    response = staff_client.post(
        url, {"codes": [codes["A"].pk], "has_dilemma": "yes", "action": "stay"}
    )

    assert response["Location"] == url


def test_after_the_last_case_the_coder_returns_to_the_list(
    staff_client, narrative, codes
):
    response = staff_client.post(
        reverse("review:narrative", args=[narrative.pk]),
        {"codes": [], "has_dilemma": "no", "action": "next"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("review:index")
    assert any(
        "Nothing left" in str(m) or "Niets" in str(m)
        for m in response.context["messages"]
    )


def test_skip_goes_on_and_wraps_around(staff_client, make_narrative):
    first, second, third = make_narrative(), make_narrative(), make_narrative()
    url = reverse("review:next")

    assert staff_client.get(url, {"after": first.pk})["Location"] == reverse(
        "review:narrative", args=[second.pk]
    )
    assert staff_client.get(url, {"after": third.pk})["Location"] == reverse(
        "review:narrative", args=[first.pk]
    )


def test_next_offers_a_sampled_case_to_a_second_coder(
    client, login_as, make_narrative, codes, codebook, staff_user, second_coder
):
    codebook.double_coding_percent = 100
    codebook.save()
    narrative = make_narrative()
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )

    login_as(staff_user)
    assert client.get(reverse("review:next"))["Location"] == reverse("review:index")
    login_as(second_coder)
    assert client.get(reverse("review:next"))["Location"] == reverse(
        "review:narrative", args=[narrative.pk]
    )


# --- Code frequencies -------------------------------------------------------------


def test_frequency_page_counts_final_codings_per_sector(
    staff_client, make_narrative, codes, staff_user
):
    plan = [
        ("kinderopvang", ["A"]),
        ("kinderopvang", ["A", "B"]),
        ("onderwijs", ["B"]),
        ("onderwijs", []),
    ]
    for sector, keys in plan:
        coding_save(
            narrative=make_narrative(response__sector=sector),
            coder=staff_user,
            codes=[codes[k] for k in keys],
            has_dilemma=True,
        )

    page = staff_client.get(reverse("review:frequencies"))

    assert page.status_code == 200
    sectors = [label for label, _total in page.context["sectors"]]
    assert sectors == ["Kinderopvang", "Onderwijs"]
    rows = {row["code"].key: row for row in page.context["rows"]}
    assert rows["A"]["all"] == (2, 50.0)
    assert rows["A"]["sectors"] == [(2, 100.0), (0, 0.0)]
    assert rows["B"]["sectors"] == [(1, 50.0), (1, 50.0)]
