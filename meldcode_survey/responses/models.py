"""Respondents' drafts and submitted responses.

A response stores no IP address, user agent or exact time: only the day it was
submitted. Case narratives live apart from the other answers so that they can be
access-logged, redacted and purged on their own.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldcode_survey.questionnaires.models import Choice, Question, Version

# No 0/O, 1/I/L: easy to read aloud and to type on another device.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_LENGTH = 12  # 31**12 ≈ 2**59 possible codes


# What an answer counts as in the dashboard's rollups (Answer.rollup_key): its
# choice, its scale point, or NOT_APPLICABLE_KEY for a Likert item's unscored
# "n.v.t."; other answers (text, number, yes/no) have none.
NOT_APPLICABLE_KEY = 0

# Record keys for cell key perturbation (dashboard.queries.disclosure): every
# response draws one of RECORD_KEYS values once, a cell's key is the sum of its
# responses' keys modulo RECORD_KEYS.
RECORD_KEYS = 256


def new_record_key() -> int:
    return secrets.randbelow(RECORD_KEYS)


def new_resume_code() -> str:
    code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RESUME_LENGTH, 4))


def hash_resume_code(code: str) -> str:
    """Normalise what a person typed and hash it; only the hash is stored."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _draft_expiry() -> datetime:
    """When a draft saved now expires: the one definition of draft expiry."""
    return timezone.now() + timedelta(days=settings.DRAFT_RETENTION_DAYS)


class DraftQuerySet(models.QuerySet):
    def live(self) -> DraftQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def expired(self) -> DraftQuerySet:
        return self.filter(expires_at__lte=timezone.now())


class Draft(models.Model):
    """Answers in progress, saved server-side page by page.

    A draft expires DRAFT_RETENTION_DAYS after its last save (`expires_at`, set
    by save()): `Draft.objects.live()` finds the others (the respondent's
    requests ask the same in queries.live_draft, written out for speed), and
    the nightly retention deletes `Draft.objects.expired()` (responses.retention).
    """

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    # Issued with the draft: identifies it in forms and makes submit idempotent.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resume_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    answers = models.JSONField(default=dict, blank=True)
    current_section = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=_draft_expiry, db_index=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"Draft {self.pk} of {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.expires_at = _draft_expiry()
        super().save(*args, **kwargs)

    def assign_resume_code(self) -> str:
        """Give the draft a fresh resume code and return it (shown once)."""
        code = new_resume_code()
        self.resume_code_hash = hash_resume_code(code)
        return code


class ResponseQuerySet(models.QuerySet):
    def real(self) -> ResponseQuerySet:
        return self.filter(is_synthetic=False)


class Response(models.Model):
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(unique=True, editable=False)
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    # Denormalised from the answers to the questions with these roles: the
    # dashboard's grouping variable and filter.
    sector = models.CharField(_("sector"), max_length=40, blank=True, db_index=True)
    applied_meldcode = models.BooleanField(_("applied the meldcode"), null=True)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated test or demo data, never mixed with real responses."),
    )
    # Random, drawn once, never shown: it decides the noise of every published
    # count this response is part of (see dashboard.queries.disclosure).
    record_key = models.PositiveSmallIntegerField(
        default=new_record_key, editable=False
    )
    # Set by the dashboard when it has added the response to its rollups (after
    # the submit, in a task or its sweep) or counted it in a rebuild.
    counted_in_rollups = models.BooleanField(default=False, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["version", "sector", "submitted_on"]),
            models.Index(
                fields=["id"],
                condition=models.Q(counted_in_rollups=False),
                name="response_not_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"


def month_of(day: date) -> date:
    return day.replace(day=1)


class AnswerQuerySet(models.QuerySet["Answer"]):
    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[Answer], *args: Any, **kwargs: Any
    ) -> list[Answer]:
        objs = list(objs)
        for answer in objs:
            answer.copy_response_grain()
        # The stubs do not resolve the model of a queryset's own subclass.
        return super().bulk_create(objs, *args, **kwargs)  # type: ignore[arg-type,return-value]


class Answer(models.Model):
    """One answer, in a typed column. A multiple-choice answer is a row per choice.

    An answer carries copies of its response's sector, month, synthetic
    mark and record key, set when it is stored (responses never change afterwards): the
    dashboard's full rebuild then counts millions of answers per sector and
    month from this table alone, without joining them to their responses.
    """

    # No indexes of their own: answer_once serves lookups by response,
    # answer_grain_for_rollups by question, answer_by_choice by choice.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    scale_value = models.PositiveSmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    yes = models.BooleanField(null=True, blank=True)
    number = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    screening_flags = models.JSONField(default=list, blank=True)
    sector = models.CharField(max_length=40, blank=True, editable=False)
    submitted_month = models.DateField(editable=False)
    is_synthetic = models.BooleanField(default=False, editable=False)
    record_key = models.PositiveSmallIntegerField(default=0, editable=False)
    # Computed by the database on every insert path (ORM, COPY, SQL), so the
    # incremental rollups and the full rebuild count an answer by one rule.
    rollup_key = models.GeneratedField(
        expression=Coalesce(
            "choice",
            "scale_value",
            Case(When(not_applicable=True, then=Value(NOT_APPLICABLE_KEY))),
            output_field=models.BigIntegerField(),  # choice ids are bigint
        ),
        output_field=models.BigIntegerField(),
        db_persist=True,
        null=True,
    )

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            # One answer per question; a multiple-choice answer, one per choice.
            models.UniqueConstraint(
                F("response"),
                F("question"),
                Coalesce("choice", Value(0)),
                name="answer_once",
            ),
            models.CheckConstraint(
                condition=Q(scale_value__isnull=True) | Q(not_applicable=False),
                name="answer_scored_or_not_applicable",
            ),
        ]
        indexes = [
            # Every column the dashboard's full rebuild groups answers by: it
            # counts millions of answers with an index-only scan feeding a
            # streaming GROUP BY instead of hashing them (dashboard.services).
            # Fixed-width columns first and the sector last keep the sort that
            # builds the index cheap (a bulk load rebuilds it). It also serves
            # lookups by question.
            models.Index(
                fields=[
                    "question",
                    "submitted_month",
                    "is_synthetic",
                    "rollup_key",
                    "sector",
                    "record_key",
                ],
                name="answer_grain_for_rollups",
            ),
            # Most answers have no choice: they need no entry here.
            models.Index(
                fields=["choice"],
                condition=Q(choice__isnull=False),
                name="answer_by_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} of response {self.response_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.copy_response_grain()
        super().save(*args, **kwargs)

    def copy_response_grain(self) -> None:
        """Copy the response's grain and record key onto the answer."""
        response = self.response
        self.record_key = response.record_key
        self.sector = response.sector
        self.submitted_month = month_of(response.submitted_on)
        self.is_synthetic = response.is_synthetic


class CaseNarrative(models.Model):
    """The concrete case described by someone who applied the meldcode."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="narrative"
    )
    description = models.TextField(_("description"), blank=True)
    dilemma = models.TextField(_("dilemma"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    has_dilemma = models.BooleanField(_("with dilemma (as stated)"), null=True)
    # {"description": [flag, ...], "dilemma": [...], "follow_up": [...]}; see
    # screening.Flag.as_dict. The respondent saw and confirmed these.
    screening_flags = models.JSONField(_("screening flags"), default=dict, blank=True)
    # The same form, from the thorough screening (deidentify.py) that a worker
    # runs after submit; empty and unscreened until it has run.
    thorough_flags = models.JSONField(
        _("thorough screening flags"), default=dict, blank=True
    )
    thorough_screened_at = models.DateTimeField(
        _("thoroughly screened at"), null=True, blank=True
    )
    texts_purged_on = models.DateField(_("texts purged on"), null=True, blank=True)

    class Meta:
        verbose_name = _("case narrative")
        verbose_name_plural = _("case narratives")

    def __str__(self) -> str:
        return f"Case of response {self.response_id}"

    @property
    def flag_count(self) -> int:
        return sum(len(flags) for flags in self.screening_flags.values())


NARRATIVE_FIELDS: dict[str, str] = {
    Question.Role.CASE_DESCRIPTION: "description",
    Question.Role.CASE_DILEMMA: "dilemma",
    Question.Role.CASE_FOLLOW_UP: "follow_up",
}
