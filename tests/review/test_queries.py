"""The interface the dashboard's aggregation module calls."""

import datetime

import pytest
from django.utils import translation

from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.review.queries import (
    CodeCount,
    Example,
    approved_examples,
    code_frequencies_by_sector,
)
from meldcode_survey.review.services import (
    coding_resolve,
    coding_save,
    redaction_approve,
    redaction_save,
    redaction_set_example,
)
from tests import factories


@pytest.fixture
def coded(make_narrative, codes, staff_user):
    """Final codings: (sector, submitted on, synthetic, code keys)."""
    plan = [
        ("kinderopvang", datetime.date(2026, 1, 10), False, ["A", "C"]),
        ("kinderopvang", datetime.date(2026, 2, 10), False, ["A"]),
        ("kinderopvang", datetime.date(2026, 3, 10), False, ["D"]),
        ("onderwijs", datetime.date(2026, 2, 10), False, ["A", "B"]),
        ("onderwijs", datetime.date(2026, 2, 11), True, ["B"]),
    ]
    for sector, day, synthetic, keys in plan:
        narrative = make_narrative(
            response__sector=sector,
            response__submitted_on=day,
            response__is_synthetic=synthetic,
        )
        coding_save(
            narrative=narrative,
            coder=staff_user,
            codes=[codes[k] for k in keys],
            has_dilemma=True,
        )
    make_narrative()  # not coded: not counted


def counts_of(*, sector=ALL, **filters):
    """One sector's code counts (ALL: all sectors), as the dashboard reads them."""
    return code_frequencies_by_sector(**filters).of(sector)


def _counts(rows):
    return [(row.key, row.cases) for row in rows if row.cases]


def test_code_counts_over_real_responses(coded, seed_version):
    total, rows = counts_of(version_ids=[seed_version.pk])

    assert total == 4
    assert _counts(rows) == [("A", 3), ("B", 1), ("C", 1), ("D", 1)]
    assert all(isinstance(row, CodeCount) for row in rows)
    # Active codes nobody gave are listed with zero, after the others.
    assert [r.key for r in rows if not r.cases] == ["E", "F", "G", "H"]


def test_code_counts_by_sector_and_dates(coded, seed_version):
    ids = [seed_version.pk]

    total, rows = counts_of(version_ids=ids, sector="kinderopvang")
    assert total == 3
    assert _counts(rows) == [("A", 2), ("C", 1), ("D", 1)]

    total, rows = counts_of(
        version_ids=ids,
        date_from=datetime.date(2026, 2, 1),
        date_to=datetime.date(2026, 2, 28),
    )
    assert total == 2
    assert _counts(rows) == [("A", 2), ("B", 1)]


def test_synthetic_responses_only_on_request(coded, seed_version):
    total, rows = counts_of(version_ids=[seed_version.pk], include_synthetic=True)

    assert total == 5
    assert _counts(rows) == [("A", 3), ("B", 2), ("C", 1), ("D", 1)]


def test_other_versions_are_not_counted(coded, seed_version):
    other = factories.VersionFactory()

    assert counts_of(version_ids=[other.pk])[0] == 0
    assert counts_of(version_ids=[])[0] == 0


def test_only_the_final_coding_counts(
    make_narrative, codes, staff_user, second_coder, third_staff, seed_version
):
    narrative = make_narrative()
    coding_save(
        narrative=narrative,
        coder=staff_user,
        codes=[codes["A"]],
        has_dilemma=True,
        wants_second_coding=True,
    )
    coding_save(
        narrative=narrative, coder=second_coder, codes=[codes["B"]], has_dilemma=True
    )
    assert counts_of(version_ids=[seed_version.pk])[0] == 0

    coding_resolve(
        narrative=narrative, lead=third_staff, codes=[codes["E"]], has_dilemma=True
    )

    total, rows = counts_of(version_ids=[seed_version.pk])
    assert total == 1
    assert _counts(rows) == [("E", 1)]


def test_labels_in_the_active_language_and_today_s_wording(coded, seed_version, codes):
    codes["A"].label = "Onzekerheid over signalen"
    codes["A"].save()

    with translation.override("nl"):
        _total, rows = counts_of(version_ids=[seed_version.pk])
        assert rows[0].label == "Onzekerheid over signalen"
    with translation.override("en"):
        _total, rows = counts_of(version_ids=[seed_version.pk])
        assert rows[0].label == (
            "Uncertainty about signs or about who is telling the truth"
        )


def test_retired_codes_appear_only_when_given(coded, seed_version, codes):
    for key in ("D", "H"):
        codes[key].is_retired = True
        codes[key].save()

    _total, rows = counts_of(version_ids=[seed_version.pk])

    keys = [row.key for row in rows]
    assert "D" in keys
    assert "H" not in keys


def test_code_counts_run_a_handful_of_queries(
    coded, seed_version, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        counts_of(version_ids=[seed_version.pk])


# --- Examples -----------------------------------------------------------------


def _example(narrative, writer, approver, text, *, approve=True, mark=True):
    redaction = redaction_save(
        narrative=narrative,
        writer=writer,
        texts={"description": text, "dilemma": "D " + text, "follow_up": "F"},
    )
    factories.screened_clean(redaction)
    if approve:
        redaction_approve(redaction=redaction, approver=approver)
    if mark:
        redaction_set_example(redaction=redaction, is_example=True, user=approver)
    return redaction


def test_approved_examples_give_redacted_marked_texts_only(
    make_narrative, codes, staff_user, second_coder, seed_version
):
    shown = make_narrative(description="Origineel met Jan de Vries")
    coding_save(
        narrative=shown,
        coder=staff_user,
        codes=[codes["C"], codes["A"]],
        has_dilemma=True,
    )
    _example(shown, staff_user, second_coder, "Geredigeerd voorbeeld")
    _example(make_narrative(), staff_user, second_coder, "Niet gemarkeerd", mark=False)
    _example(
        make_narrative(),
        staff_user,
        second_coder,
        "Niet goedgekeurd",
        approve=False,
        mark=False,
    )
    make_narrative()  # not redacted at all

    examples = approved_examples(version_ids=[seed_version.pk])

    assert examples == [
        Example(
            description="Geredigeerd voorbeeld",
            dilemma="D Geredigeerd voorbeeld",
            follow_up="F",
            sector="kinderopvang",
            code_keys=("A", "C"),
        )
    ]


def test_approved_examples_filter_and_limit(
    make_narrative, staff_user, second_coder, seed_version
):
    for i in range(4):
        _example(make_narrative(), staff_user, second_coder, f"Opvang {i}")
    _example(
        make_narrative(response__sector="onderwijs"),
        staff_user,
        second_coder,
        "School",
    )
    _example(
        make_narrative(response__is_synthetic=True),
        staff_user,
        second_coder,
        "Synthetisch",
    )
    ids = [seed_version.pk]

    assert [e.description for e in approved_examples(version_ids=ids, limit=2)] == [
        "School",
        "Opvang 3",
    ]
    school = approved_examples(version_ids=ids, sector="onderwijs")
    assert [e.description for e in school] == ["School"]
    assert "Synthetisch" in [
        e.description
        for e in approved_examples(version_ids=ids, include_synthetic=True)
    ]
    assert approved_examples(version_ids=[factories.VersionFactory().pk]) == []


def test_approved_examples_run_a_handful_of_queries(
    make_narrative, staff_user, second_coder, seed_version, django_assert_num_queries
):
    for i in range(6):
        _example(make_narrative(), staff_user, second_coder, f"Voorbeeld {i}")

    with django_assert_num_queries(2):
        examples = approved_examples(version_ids=[seed_version.pk], limit=5)
    assert len(examples) == 5


def test_code_frequencies_by_sector(coded, seed_version):
    data = code_frequencies_by_sector(version_ids=[seed_version.pk])

    assert data.totals == {"kinderopvang": 3, "onderwijs": 1}
    assert data.cells[("A", "kinderopvang")] == 2
    assert data.cells[("B", "onderwijs")] == 1
    assert ("B", "kinderopvang") not in data.cells
    assert data.total == 4
    # One sector's figures, as the dashboard reads them.
    total, rows = data.of("kinderopvang")
    assert total == 3
    assert _counts(rows) == [("A", 2), ("C", 1), ("D", 1)]
    assert data.of(ALL) == (4, data.codes)
