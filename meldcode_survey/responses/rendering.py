"""A page's questions as HTML, each blank question rendered once and reused.

A published version is frozen, so the HTML of a question without an answer
depends only on the version, the question and the language. It is rendered
once per process, with markers where an answer goes (a radio's or checkbox's
`checked`, a text's value), and filled in for each page view with what the
draft holds (`blank_blocks`: a page view needs no form at all). The cached HTML
is made from an unbound form without initial values, so it cannot hold anyone's
answers. A bound form (a page sent back with errors) and a version that is not
published are rendered in full each time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from meldcode_survey.lib.memo import ProcessCache
from meldcode_survey.questionnaires.models import LikertGroup, Question, Version

from .forms import OPTION_TYPES, SectionForm, field_name, likert_runs

FIELD_TEMPLATE = "responses/_field.html"
# The NUL character never occurs in rendered HTML (nor in an answer: Django's
# form fields refuse it), so it marks the places an answer goes.
MARK = "\x00"
_MARKED = re.compile(f"{MARK}([^{MARK}]*){MARK}")
_blanks: ProcessCache[SafeString] = ProcessCache(limit=10_000)


@dataclass
class RenderedBlock:
    """Consecutive questions of a page, with the stem of their Likert group."""

    group: LikertGroup | None
    fields: list[SafeString]


def page_blocks(form: SectionForm) -> list[RenderedBlock]:
    """The form's questions rendered in full, grouped as SectionForm.blocks()
    groups them: a page sent back with errors, or a version not published."""
    return [
        RenderedBlock(
            block.group,
            [render_to_string(FIELD_TEMPLATE, {"field": b}) for b in block.fields],
        )
        for block in form.blocks()
    ]


def blank_blocks(
    version: Version, questions: list[Question], initial: Mapping[str, Any]
) -> list[RenderedBlock]:
    """A published version's page with the values in `initial` (by field name),
    as page_blocks renders its unbound form with those initial values, without
    building that form."""
    return [
        RenderedBlock(
            group, [_filled(version, q, initial.get(field_name(q))) for q in run]
        )
        for group, run in likert_runs(questions)
    ]


def _filled(version: Version, question: Question, value: Any) -> SafeString:
    key = (version.frozen_key, get_language(), question.pk)
    blank = _blanks.get_or_make(key, lambda: render_blank(question))
    return fill(blank, value, question.type in OPTION_TYPES)


def render_blank(question: Question) -> SafeString:
    """The question's HTML with markers: MARK value MARK at each option, MARK MARK
    where a text's value goes."""
    name = field_name(question)
    form = SectionForm(questions=[question], initial={name: MARK * 2})
    return render_to_string(FIELD_TEMPLATE, {"field": form[name], "blank": MARK})


def fill(blank: str, value: Any, is_choice: bool) -> SafeString:
    if is_choice:
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {escape(str(v)) for v in values if v is not None}
        html = _MARKED.sub(lambda m: " checked" if m[1] in chosen else "", blank)
    else:
        text = "" if value is None else escape(str(value))
        html = _MARKED.sub(lambda m: text, blank)
    return mark_safe(html)  # noqa: S308 - a rendered template and escaped values
