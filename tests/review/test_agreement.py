import pytest
from django.urls import reverse
from django.utils import translation

from meldcode_survey.review.agreement import (
    cohen_kappa,
    interpret,
    observed_agreement,
    tabulate,
)
from meldcode_survey.review.queries import agreement_report
from meldcode_survey.review.services import coding_save


def _pairs(both: int, first_only: int, second_only: int, neither: int):
    return (
        [(True, True)] * both
        + [(True, False)] * first_only
        + [(False, True)] * second_only
        + [(False, False)] * neither
    )


def test_kappa_of_the_worked_example():
    # Worked by hand. 50 narratives, two coders, code present (yes) or not:
    #
    #                   second: yes   second: no   total
    #   first: yes           20            5         25
    #   first: no            10           15         25
    #   total                30           20         50
    #
    # observed agreement po = (20 + 15) / 50             = 0.70
    # first says yes 25/50 = 0.5, second says yes 30/50 = 0.6
    # chance agreement  pe = 0.5 * 0.6 + 0.5 * 0.4       = 0.30 + 0.20 = 0.50
    # kappa = (po - pe) / (1 - pe) = (0.70 - 0.50) / 0.50 = 0.40
    pairs = _pairs(20, 5, 10, 15)

    table = tabulate(pairs)

    assert (table.both, table.first_only, table.second_only, table.neither) == (
        20,
        5,
        10,
        15,
    )
    assert observed_agreement(pairs) == pytest.approx(0.70)
    assert table.expected == pytest.approx(0.50)
    assert cohen_kappa(pairs) == pytest.approx(0.40)
    with translation.override("en"):
        assert interpret(0.40) == "fair"


def test_kappa_of_a_second_worked_example_with_rare_codes():
    # 20 narratives, a rarely given code:
    #                   second: yes   second: no
    #   first: yes            2            1        (3)
    #   first: no             1           16        (17)
    #                        (3)         (17)
    # po = 18/20 = 0.90
    # pe = (3/20)(3/20) + (17/20)(17/20) = 0.0225 + 0.7225 = 0.745
    # kappa = (0.90 - 0.745) / (1 - 0.745) = 0.155 / 0.255 = 0.6078...
    pairs = _pairs(2, 1, 1, 16)

    assert observed_agreement(pairs) == pytest.approx(0.90)
    assert cohen_kappa(pairs) == pytest.approx(0.155 / 0.255)
    with translation.override("en"):
        assert interpret(cohen_kappa(pairs)) == "substantial"


def test_kappa_is_one_for_perfect_agreement_and_negative_below_chance():
    assert cohen_kappa(_pairs(3, 0, 0, 7)) == pytest.approx(1.0)
    # Always opposite: po = 0, pe = 0.5, kappa = -1.
    assert cohen_kappa(_pairs(0, 5, 5, 0)) == pytest.approx(-1.0)
    with translation.override("en"):
        assert interpret(-1.0) == "poor"


def test_kappa_is_undefined_without_pairs_or_without_variation():
    assert cohen_kappa([]) is None
    assert observed_agreement([]) is None
    # Both coders always said no: po = pe = 1, kappa is 0/0.
    assert cohen_kappa(_pairs(0, 0, 0, 6)) is None
    assert interpret(None) == ""


def test_report_compares_the_first_two_codings_per_narrative(
    make_narrative, codes, staff_user, second_coder, third_staff, codebook
):
    A, B = codes["A"], codes["B"]
    plan = [
        # (first coder's codes, dilemma), (second coder's codes, dilemma)
        (([A], True), ([A], True)),
        (([A, B], True), ([A], True)),
        (([], False), ([B], True)),
        (([], False), ([], False)),
    ]
    for first, second in plan:
        narrative = make_narrative()
        for coder, (given, dilemma) in ((staff_user, first), (second_coder, second)):
            coding_save(
                narrative=narrative, coder=coder, codes=given, has_dilemma=dilemma
            )
    # A third coding is left out of the comparison.
    coding_save(narrative=narrative, coder=third_staff, codes=[A], has_dilemma=True)
    make_narrative()  # coded by nobody
    coding_save(
        narrative=make_narrative(), coder=staff_user, codes=[A], has_dilemma=True
    )

    report = agreement_report(codebook)

    assert report.narratives == 4
    assert report.disagreements == 2
    by_key = {row.code.key: row.agreement for row in report.codes}
    # Code A: both on 2 narratives, neither on 2: kappa 1.
    assert (by_key["A"].both, by_key["A"].neither) == (2, 2)
    assert by_key["A"].kappa == pytest.approx(1.0)
    # Code B: first only 1, second only 1, neither 2:
    # po = 2/4 = .5; pe = (1/4)(1/4) + (3/4)(3/4) = .625; kappa = -.125/.375
    b = by_key["B"]
    assert (b.both, b.first_only, b.second_only, b.neither) == (0, 1, 1, 2)
    assert b.kappa == pytest.approx(-1 / 3)
    # Dilemma: yes/yes, yes/yes, no/yes, no/no:
    # po = 3/4; pe = (2/4)(3/4) + (2/4)(1/4) = .5; kappa = .25/.5 = .5
    assert report.dilemma.kappa == pytest.approx(0.5)


def test_agreement_page_shows_kappa_per_code(
    staff_client, make_narrative, codes, staff_user, second_coder
):
    for given in ([codes["A"]], []):
        narrative = make_narrative()
        for coder in (staff_user, second_coder):
            coding_save(narrative=narrative, coder=coder, codes=given, has_dilemma=True)

    page = staff_client.get(reverse("review:agreement"))

    assert page.status_code == 200
    rows = {row["name"][0]: row for row in page.context["rows"]}
    assert rows["A"]["a"].kappa == pytest.approx(1.0)
    assert rows["A"]["observed"] == pytest.approx(100)
    assert "1,00" in page.content.decode() or "1.00" in page.content.decode()


def test_agreement_page_filters_by_version(
    staff_client, make_narrative, codes, staff_user, second_coder, seed_version
):
    narrative = make_narrative()
    for coder in (staff_user, second_coder):
        coding_save(
            narrative=narrative, coder=coder, codes=[codes["A"]], has_dilemma=True
        )

    page = staff_client.get(reverse("review:agreement"), {"version": seed_version.pk})

    assert page.context["codebook"].questionnaire == seed_version.questionnaire
    assert page.context["report"].narratives == 1
