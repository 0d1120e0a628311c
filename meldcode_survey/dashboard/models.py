"""Rollups that feed the dashboard, and the staff's "wat valt op" notes.

The rollups hold counts per questionnaire version, data set (real or synthetic),
calendar month and sector, each with the sum of its responses' record keys
beside it (`*_keys`): the sum of a cell's keys over any months is the sum of
the months' sums, so a month filter gets the exact cell key that disclosure
control needs (queries/disclosure.py). They are kept current after every submit
(a task sent after the submit's commit, tasks.py) and rebuilt from the raw
answers by `refresh_aggregates` (services.py), so no page ever groups the raw
answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldcode_survey.lib.i18n import Translatable
from meldcode_survey.questionnaires.models import Question, Version

# AnswerRollup.key: an answer's Answer.rollup_key (the scale value 1-5 of a
# Likert item, responses.models.NOT_APPLICABLE_KEY for its unscored point, the
# choice id of a choice question). ANSWERED_KEY counts the respondents who
# answered a multiple-choice question (a row per chosen option otherwise). Only
# Likert items and choice questions other than the sector are counted: the
# sector is part of the grain, yes/no roles are counted per response.
ANSWERED_KEY = -1


class ResponseRollup(models.Model):
    """Respondents and described cases in one version, data set, month, sector."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    is_synthetic = models.BooleanField()
    month = models.DateField(help_text="First day of the month of submission.")
    sector = models.CharField(max_length=40, blank=True)
    respondents = models.IntegerField(default=0)
    applied = models.IntegerField(default=0)
    not_applied = models.IntegerField(default=0)
    cases = models.IntegerField(default=0)
    cases_with_dilemma = models.IntegerField(default=0)
    cases_without_dilemma = models.IntegerField(default=0)
    respondents_keys = models.BigIntegerField(default=0)
    applied_keys = models.BigIntegerField(default=0)
    not_applied_keys = models.BigIntegerField(default=0)
    cases_keys = models.BigIntegerField(default=0)
    cases_with_dilemma_keys = models.BigIntegerField(default=0)
    cases_without_dilemma_keys = models.BigIntegerField(default=0)

    COUNTS = (
        "respondents",
        "applied",
        "not_applied",
        "cases",
        "cases_with_dilemma",
        "cases_without_dilemma",
    )
    KEY_SUMS = tuple(f"{count}_keys" for count in COUNTS)

    class Meta:
        verbose_name = _("response rollup")
        verbose_name_plural = _("response rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "is_synthetic", "sector", "month"],
                name="response_rollup_grain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.sector}/{self.month:%Y-%m}"


class AnswerRollup(models.Model):
    """How often one answer (see the *_KEY constants) was given, per grain."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    is_synthetic = models.BooleanField()
    month = models.DateField()
    sector = models.CharField(max_length=40, blank=True)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    answers = models.IntegerField(default=0)
    keys = models.BigIntegerField(default=0)  # the answering responses' record keys

    class Meta:
        verbose_name = _("answer rollup")
        verbose_name_plural = _("answer rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "version",
                    "is_synthetic",
                    "sector",
                    "month",
                    "question",
                    "key",
                ],
                name="answer_rollup_grain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.key}: {self.answers}"


class SectorNote(Translatable, models.Model):
    """What stands out in a sector ("Wat valt op?"), written by staff per wave."""

    version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="sector_notes"
    )
    sector = models.CharField(_("sector"), max_length=40)
    text = models.TextField(_("what stands out"), blank=True)
    text_en = models.TextField(_("what stands out (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["version", "sector"]
        verbose_name = _("sector note")
        verbose_name_plural = _("sector notes")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "sector"], name="sector_note_once_per_wave"
            )
        ]
        # Given to analysts by accounts.roles; staff hold every dashboard permission.
        permissions = [("view_dashboard", _("Can view the dashboard"))]

    def __str__(self) -> str:
        return f"{self.sector} ({self.version})"


class FiguresStamp(models.Model):
    """Changes whenever a figure of the version may have changed.

    Rollup updates, rebuilds, notes and the narrative coding replace the token,
    so a page cached under the old token is never served again; the token is
    random, so no two states of the database share one.
    """

    version = models.OneToOneField(
        Version, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("figures stamp")
        verbose_name_plural = _("figures stamps")

    def __str__(self) -> str:
        return f"{self.version_id}: {self.token}"
