"""One way of writing figures everywhere: rounding half up, the marks, fractions."""

import pytest
from django.utils import translation

from meldcode_survey.dashboard import formatting
from meldcode_survey.dashboard.queries import Cell, ItemSummary, Share


def _item(mean, hidden=False):
    empty = Share(value=None)
    return ItemSummary(
        code="D01",
        text="",
        points=[],
        not_applicable=None,
        valid_n=Cell(value=10),
        mean=mean,
        mean_hidden=hidden,
        top_two=empty,
    )


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.125, "13%"), (0.025, "3%"), (0.285, "29%"), (0.4949, "49%"), (1.0, "100%")],
)
def test_percentages_round_half_up(share, text):
    # Python's round() would give 12% for 12.5% and 2% for 2.5%.
    assert formatting.percent_text(Share(value=share)) == text


@pytest.mark.parametrize(
    ("mean", "text"), [(2.45, "2,5"), (2.46, "2,5"), (3.37, "3,4"), (3.94, "3,9")]
)
def test_means_are_rounded_not_cut_off(mean, text):
    with translation.override("nl"):
        assert formatting.mean_text(_item(mean)) == text


def test_files_get_the_same_rounding_with_more_decimals():
    assert formatting.percent_value(Share(value=0.12345)) == 12.3
    assert formatting.percent_value(Share(value=0.12355)) == 12.4
    assert formatting.mean_value(_item(2.445)) == 2.45


def test_counts_are_written_as_published_and_hidden_shares_as_x():
    with translation.override("nl"):
        assert formatting.count_text(Cell(value=10)) == "10"
        assert formatting.count_text(Cell(value=1234)) == "1.234"
    assert formatting.count_text(Cell(value=0)) == "0"
    assert formatting.count_text(Cell(value=None)) == formatting.EMPTY
    assert formatting.count_value(Cell(value=10)) == 10
    assert formatting.percent_text(Share(value=None, hidden=True)) == "x"
    assert formatting.percent_value(Share(value=None, hidden=True)) == "x"
    assert formatting.mean_text(_item(None, hidden=True)) == "x"
    assert formatting.mean_value(_item(None, hidden=True)) == "x"


@pytest.mark.parametrize(
    ("share", "words"),
    [(0.36, "ruim 1/3"), (0.32, "bijna 1/3"), (0.5, "ongeveer 1/2"), (0.9, "")],
)
def test_a_share_in_plain_words_as_the_published_sheet(share, words):
    with translation.override("nl"):
        assert formatting.share_in_words(Share(value=share)) == words
