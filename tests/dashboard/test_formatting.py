"""One way of writing figures everywhere: rounding half up, the marks, fractions."""

import pytest
from django.template import Context, Template
from django.utils import translation

from meldcode_survey.dashboard import formatting
from meldcode_survey.dashboard.queries import Cell, Difference, ItemSummary, Share


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


# --- The template filters are the same rules ------------------------------------

FIGURES = {
    "count": [Cell(value=1234), Cell(value=0), Cell(value=None)],
    "percent": [
        Share(value=0.125),
        Share(value=0.025),
        Share(value=None),
        Share(value=None, hidden=True),
    ],
    "interval": [
        Share(value=0.45, low=0.375, high=0.525),
        Share(value=0.45),
        Share(value=0.45, low=0.4, high=0.5, hidden=True),
    ],
    "points": [
        Difference(value=0.125),
        Difference(value=-0.025),
        Difference(value=0.0),
        Difference(value=None, hidden=True),
        Difference(value=None),
        None,
    ],
    "mean": [_item(2.45), _item(None), _item(None, hidden=True)],
    "in_words": [Share(value=0.36), Share(value=0.9), Share(value=None, hidden=True)],
}
FORMATTING = {
    "count": formatting.count_text,
    "percent": formatting.percent_text,
    "interval": formatting.interval_text,
    "points": formatting.points_text,
    "mean": formatting.mean_text,
    "in_words": formatting.share_in_words,
}


def _filtered(name: str, figure) -> str:
    template = Template("{% load dashboard_figures %}{{ figure|" + name + " }}")
    return template.render(Context({"figure": figure}, autoescape=False))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_template_filter_writes_what_formatting_writes(name, language):
    with translation.override(language):
        for figure in FIGURES[name]:
            assert _filtered(name, figure) == FORMATTING[name](figure), figure


def test_the_template_filters_write_the_published_figures():
    with translation.override("nl"):
        written = {
            name: [_filtered(name, f) for f in FIGURES[name]] for name in FIGURES
        }

    assert written == {
        "count": ["1.234", "0", "–"],
        "percent": ["13%", "3%", "–", "x"],
        "interval": ["38–53%", "", ""],
        "points": ["+13", "−3", "±0", "x", "–", "–"],
        "mean": ["2,5", "–", "x"],
        "in_words": ["ruim 1/3", "", ""],
    }
