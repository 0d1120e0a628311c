"""The work list, the next narrative to code, and what a reading page shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Mod

from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import Answer, CaseNarrative

from ..models import (
    SAMPLE_MULTIPLIER,
    SAMPLE_SLOTS,
    TEXT_FIELDS,
    ChosenCode,
    Code,
    Codebook,
    Coding,
    FinalCoding,
    NarrativeRead,
    Redaction,
)


def has_seen_codings(user: User, narrative: CaseNarrative) -> bool:
    """Whether `user` opened the resolve page, and so can no longer code blind."""
    return NarrativeRead.objects.filter(
        user=user, narrative=narrative, purpose=NarrativeRead.Purpose.RESOLVE
    ).exists()


def coded_versions() -> QuerySet[Version]:
    return (
        Version.objects.exclude(status=Version.Status.DRAFT)
        .select_related("questionnaire")
        .order_by("questionnaire__title", "-number")
    )


class Status:
    """Values of the coding-status filter."""

    TODO = "todo"  # still needs a coding, and the user may give it blind
    UNCODED = "uncoded"
    MINE = "mine"
    SECOND = "second"  # coded once, needs a second coding
    RESOLVE = "resolve"  # coded enough times, no final coding: a lead decides
    FINAL = "final"


@dataclass(frozen=True)
class NarrativeFilters:
    version: int | None = None
    sector: str = ALL
    status: str = ""
    flags: str = ""  # "with" | "without"
    dilemma: str = ""  # "with" | "without" | "unknown"
    redaction: str = ""  # "none" | "draft" | "approved" | "example"
    data: str = ""  # "real" | "synthetic"


# Flagged by either screening: the respondent's quick one or the thorough one.
_FLAGGED = Q()
for _column in ("screening_flags", "thorough_flags"):
    for _field in ("description", "dilemma", "follow_up"):
        _FLAGGED |= Q(**{f"{_column}__{_field}__0__isnull": False})

_STATUS = {
    Status.TODO: Q(coded_by_me=False, seen_codings=False, n_codings__lt=F("required")),
    Status.UNCODED: Q(n_codings=0),
    Status.MINE: Q(coded_by_me=True),
    Status.SECOND: Q(n_codings__gte=1, n_codings__lt=F("required")),
    Status.RESOLVE: Q(final_coding__isnull=True, n_codings__gte=F("required")),
    Status.FINAL: Q(final_coding__isnull=False),
}
_FLAGS = {"with": _FLAGGED, "without": ~_FLAGGED}
_DILEMMA = {
    "with": Q(has_dilemma=True),
    "without": Q(has_dilemma=False),
    "unknown": Q(has_dilemma__isnull=True),
}
_REDACTION = {
    "none": Q(redaction__isnull=True),
    "draft": Q(redaction__isnull=False, redaction__approved_by__isnull=True),
    "approved": Q(redaction__approved_by__isnull=False),
    "example": Q(redaction__is_example=True),
}
_DATA = {
    "real": Q(response__is_synthetic=False),
    "synthetic": Q(response__is_synthetic=True),
}


def _with_state(
    narratives: QuerySet[CaseNarrative], user: User
) -> QuerySet[CaseNarrative]:
    """Annotate how far each narrative's coding is, as seen by `user`."""
    codings = Coding.objects.filter(narrative=OuterRef("pk"))
    count = codings.order_by().values("narrative").annotate(n=Count("pk")).values("n")
    percent = "response__version__questionnaire__codebook__double_coding_percent"
    return narratives.annotate(
        n_codings=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        coded_by_me=Exists(codings.filter(coder=user)),
        second_requested=Exists(codings.filter(wants_second_coding=True)),
        seen_codings=Exists(
            NarrativeRead.objects.filter(
                narrative=OuterRef("pk"),
                user=user,
                purpose=NarrativeRead.Purpose.RESOLVE,
            )
        ),
        slot=Mod(F("pk") * SAMPLE_MULTIPLIER, SAMPLE_SLOTS),
        required=Case(
            When(second_requested=True, then=Value(2)),
            When(slot__lt=Coalesce(F(percent), 0), then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )


def narratives_for(user: User, filters: NarrativeFilters) -> QuerySet[CaseNarrative]:
    """The filtered work list, without the narratives' texts, oldest first."""
    narratives = CaseNarrative.objects.defer(*TEXT_FIELDS).select_related(
        "response__version__questionnaire"
    )
    if filters.version is not None:
        narratives = narratives.filter(response__version_id=filters.version)
    if filters.sector != ALL:
        narratives = narratives.filter(response__sector=filters.sector)
    narratives = _with_state(narratives, user)
    for value, conditions in (
        (filters.status, _STATUS),
        (filters.flags, _FLAGS),
        (filters.dilemma, _DILEMMA),
        (filters.redaction, _REDACTION),
        (filters.data, _DATA),
    ):
        if value in conditions:
            narratives = narratives.filter(conditions[value])
    return narratives.order_by("pk")


@dataclass(frozen=True)
class RedactionState:
    approved: bool
    example: bool


def describe_page(narratives: list[CaseNarrative]) -> None:
    """Set `final_keys` (None: no final coding) and `redaction` (a RedactionState
    or None) on each narrative of a page, in two queries whatever its size."""
    ids = [n.pk for n in narratives]
    finals: dict[int, list[str]] = {}
    for narrative_id, key in (
        FinalCoding.objects.filter(narrative_id__in=ids)
        .order_by("chosen__code__position", "chosen__code__key")
        .values_list("narrative_id", "chosen__code__key")
    ):
        finals.setdefault(narrative_id, [])
        if key is not None:
            finals[narrative_id].append(key)
    redactions = {
        narrative_id: RedactionState(approved=approver is not None, example=example)
        for narrative_id, approver, example in Redaction.objects.filter(
            narrative_id__in=ids
        ).values_list("narrative_id", "approved_by_id", "is_example")
    }
    for narrative in narratives:
        # Read by the index template.
        narrative.final_keys = finals.get(narrative.pk)  # type: ignore[attr-defined]
        narrative.redaction_state = redactions.get(narrative.pk)  # type: ignore[attr-defined]


def next_to_code(
    user: User, filters: NarrativeFilters, after: int | None = None
) -> CaseNarrative | None:
    """The first narrative after `after` that still needs `user`'s coding."""
    todo = narratives_for(user, filters).filter(_STATUS[Status.TODO])
    if after is not None:
        following = todo.filter(pk__gt=after).first()
        if following is not None:
            return following
        todo = todo.exclude(pk=after)
    return todo.first()


def narratives_for_reading() -> QuerySet[CaseNarrative]:
    return CaseNarrative.objects.select_related("response__version__questionnaire")


def codes_for_form(codebook: Codebook, keep: Iterable[int] = ()) -> list[Code]:
    """Active codes, plus retired ones that the coding being edited carries."""
    keep = list(keep)
    return list(
        codebook.codes.filter(Q(is_retired=False) | Q(pk__in=keep)).order_by(
            "position", "key"
        )
    )


@dataclass
class CodingView:
    """A coding as shown to a reader: codes with the label given at the time."""

    coder: User | None  # None: a final coding nobody decided (agreed)
    has_dilemma: bool
    note: str
    chosen: Sequence[ChosenCode]  # with the label given at the time
    method: str = ""
    when: datetime | None = None
    code_ids: set[int] = field(default_factory=set)
    wants_second_coding: bool = False


def codings_of(narrative: CaseNarrative) -> list[CodingView]:
    codings = (
        Coding.objects.filter(narrative=narrative)
        .select_related("coder")
        .prefetch_related("chosen__code")
    )
    return [
        CodingView(
            coder=c.coder,
            has_dilemma=c.has_dilemma,
            note=c.note,
            chosen=list(c.chosen.all()),
            when=c.updated_at,
            code_ids={row.code_id for row in c.chosen.all()},
            wants_second_coding=c.wants_second_coding,
        )
        for c in codings
    ]


def final_of(narrative: CaseNarrative) -> CodingView | None:
    final = (
        FinalCoding.objects.filter(narrative=narrative)
        .select_related("decided_by")
        .prefetch_related("chosen__code")
        .first()
    )
    if final is None:
        return None
    return CodingView(
        coder=final.decided_by,
        has_dilemma=final.has_dilemma,
        note=final.note,
        chosen=list(final.chosen.all()),
        method=final.get_method_display(),
        when=final.decided_at,
        code_ids={row.code_id for row in final.chosen.all()},
    )


_CONTEXT_ROLES = (
    Question.Role.CASE_STEP,
    Question.Role.CASE_KINDCHECK,
    Question.Role.CASE_OUTCOME,
)


def case_context(narrative: CaseNarrative) -> list[tuple[str, str]]:
    """The respondent's other answers about the case: step, kindcheck, outcome."""
    answers = (
        Answer.objects.filter(
            response_id=narrative.response_id, question__role__in=_CONTEXT_ROLES
        )
        .select_related("question", "choice")
        .order_by("question__section__position", "question__position")
    )
    return [
        (a.question.tr("text"), a.choice.tr("label") if a.choice else a.text)
        for a in answers
    ]
