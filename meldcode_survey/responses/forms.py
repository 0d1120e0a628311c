"""The form for one questionnaire page, built from its questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from meldcode_survey.lib.memo import ProcessCache
from meldcode_survey.questionnaires.models import (
    NO,
    YES,
    LikertGroup,
    Question,
    Section,
    Version,
)

from .flow import Flow

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FIELD_PREFIX = "q_"
HONEYPOT = "website"
# The form fields of published versions' questions, made once per process and
# shared by the forms (see SectionForm): a published version is frozen.
_fields: ProcessCache[forms.Field] = ProcessCache(limit=10_000)
# The question types shown as radio buttons, and all shown as options (radio
# buttons or checkboxes), whose blank HTML marks each option (rendering.py).
RADIO_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.LIKERT, Question.Type.YES_NO)
OPTION_TYPES = (*RADIO_TYPES, Question.Type.MULTIPLE_CHOICE)


def field_name(question: Question) -> str:
    return f"{FIELD_PREFIX}{question.code}"


def _choices(question: Question) -> list[tuple[str, StrOrPromise]]:
    if question.type == Question.Type.LIKERT:
        assert question.group is not None  # a Likert item has one (Question.clean)
        return [(p.code, p.tr("label")) for p in question.group.scale.points.all()]
    if question.type == Question.Type.YES_NO:
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(c.code, c.tr("label")) for c in question.choices.all()]


def _field_for(question: Question, required: bool) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.tr("text"),
        "help_text": question.tr("help_text"),
        "required": required,
    }
    kind = question.type
    if kind == Question.Type.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind in RADIO_TYPES:
        return forms.ChoiceField(
            choices=_choices(question), widget=forms.RadioSelect, **common
        )
    if kind == Question.Type.NUMBER:
        return forms.IntegerField(
            min_value=question.min_value, max_value=question.max_value, **common
        )
    widget = (
        forms.Textarea(attrs={"rows": 6}) if kind == Question.Type.LONG_TEXT else None
    )
    return forms.CharField(
        max_length=question.max_length or 10_000, widget=widget, **common
    )


@dataclass
class Block:
    """Consecutive fields of a page, with the stem of their Likert group if any."""

    group: LikertGroup | None
    fields: list[forms.BoundField]


def likert_runs(
    questions: list[Question],
) -> list[tuple[LikertGroup | None, list[Question]]]:
    """A page's questions in runs: consecutive questions of one Likert group
    share its stem (one fieldset on the page); any other question stands alone."""
    runs: list[tuple[LikertGroup | None, list[Question]]] = []
    for question in questions:
        if runs and question.group_id and runs[-1][0] == question.group:
            runs[-1][1].append(question)
        else:
            runs.append((question.group, [question]))
    return runs


def _shared_field(version: Version, question: Question, required: bool) -> forms.Field:
    key = (version.frozen_key, get_language(), question.pk, required)
    return _fields.get_or_make(key, lambda: _question_field(question, required))


def _question_field(question: Question, required: bool) -> forms.Field:
    field = _field_for(question, required)
    field.question = question  # type: ignore[attr-defined]
    return field


class SectionForm(forms.Form):
    """One page. `partial` drops the required checks (for going back a page).

    Given the published `version` the questions belong to, the form uses the
    fields made for them once per process and language: building a page's
    fields costs about as much as the rest of the page view. Nothing changes a
    form's fields after they are made, so sharing them is safe.
    """

    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        partial: bool = False,
        version: Version | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        # A published version's fields are made once per process and shared.
        shared = version if version is not None and version.frozen_key else None
        for question in questions:
            required = question.required and not partial
            self.fields[field_name(question)] = (
                _shared_field(shared, question, required)
                if shared is not None
                else _question_field(question, required)
            )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        expected = {field_name(q) for q in self.questions}
        unknown = [
            key
            for key in self.data
            if key.startswith(FIELD_PREFIX) and key not in expected
        ]
        if unknown:
            raise forms.ValidationError(
                _("This page contains a question that is not part of it."),
                code="unknown_question",
            )
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def answers(self) -> dict[str, Any]:
        """The cleaned answers keyed by question code (None for no answer)."""
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if isinstance(value, str):
                value = value.strip()
            result[question.code] = value if value not in ("", []) else None
        return result

    def blocks(self) -> list[Block]:
        return [
            Block(group, [self[field_name(q)] for q in run])
            for group, run in likert_runs(self.questions)
        ]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[field_name(q)] for q in self.questions]


def first_invalid_section(flow: Flow, answers: dict[str, Any]) -> Section | None:
    """The first shown page whose stored answers would not pass that page's form:
    a required answer missing, or a value that is no longer an option. Submit
    checks the draft with the same rules as the pages."""
    kept = flow.visible_answers(answers)
    for section in flow.visible_sections(answers):
        questions = flow.visible_questions(section, answers)
        data = {field_name(q): kept[q.code] for q in questions if q.code in kept}
        if not SectionForm(data, questions=questions, version=flow.version).is_valid():
            return section
    return None


def initial_from_answers(
    questions: list[Question], answers: dict[str, Any]
) -> dict[str, Any]:
    return {field_name(q): answers[q.code] for q in questions if q.code in answers}


class ResumeForm(forms.Form):
    code = forms.CharField(
        label=_("Resume code"),
        max_length=30,
        help_text=_("The code you received when you saved, e.g. ABCD-EFGH-JKLM."),
    )


class SubmitForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    confirm_screening = forms.BooleanField(
        required=False,
        label=_(
            "I have checked the highlighted fragments: they do not identify a child, "
            "parent, colleague or organisation."
        ),
        error_messages={
            "required": _(
                "Check the highlighted fragments: change your text or confirm that "
                "it does not identify anyone."
            )
        },
    )

    def __init__(self, *args: Any, needs_confirmation: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["confirm_screening"].required = needs_confirmation
        if not needs_confirmation:
            del self.fields["confirm_screening"]
