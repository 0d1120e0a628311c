"""Recall and precision of both screenings on the labelled corpus.

The figures are printed (run with -s to see them; `make bench` prints them too)
and must stay above floors set a little under what was measured (see
bench/README.md). The corpus is small and was also used while adding the
patterns that complement deduce, so the figures are optimistic.
"""

import pytest

from meldcode_survey.responses.deidentify import thorough_screen
from meldcode_survey.responses.screening import screen
from tests.responses.screening_corpus import (
    CORPUS,
    IDENTIFYING,
    ORDINARY,
    score,
)

# Measured (thorough): recall 99% overall, 95% for institutions, 100% for the
# other kinds; precision 100%; 0 of 56 ordinary sentences flagged.
THOROUGH_RECALL_FLOORS = {
    "name": 0.97,
    "place": 0.95,
    "institution": 0.85,
    "date": 0.85,
    "bsn": 1.0,
    "phone": 1.0,
    "email": 1.0,
}
THOROUGH_MIN_PRECISION = 0.95
THOROUGH_MAX_ORDINARY_FLAGGED = 2

# Measured (fast): recall 44%, precision 100%; it is a first warning only.
FAST_MIN_RECALL = 0.40
FAST_MIN_PRECISION = 0.95


def test_the_corpus_is_large_and_varied_enough():
    assert len(CORPUS) >= 100
    assert len(ORDINARY) >= 40
    sectors = {sentence.sector for sentence in IDENTIFYING}
    assert len(sectors) >= 6
    for sentence in CORPUS:
        sentence.offsets()  # every labelled fragment occurs in its sentence


@pytest.mark.deduce
def test_thorough_screening_recall_and_precision_per_kind():
    result = score(thorough_screen)
    print("\nThorough screening (deduce + patterns):", *result.lines(), sep="\n")
    for kind, floor in THOROUGH_RECALL_FLOORS.items():
        assert result.kinds[kind].recall >= floor, (kind, result.missed)
    assert result.total.precision >= THOROUGH_MIN_PRECISION, result.false_flags
    assert result.ordinary_flagged <= THOROUGH_MAX_ORDINARY_FLAGGED


def test_fast_screening_recall_and_precision():
    result = score(screen)
    print("\nFast screening:", *result.lines(), sep="\n")
    assert result.total.recall >= FAST_MIN_RECALL
    assert result.total.precision >= FAST_MIN_PRECISION, result.false_flags
    assert result.ordinary_flagged == 0
