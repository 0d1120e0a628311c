"""Reading and coding case narratives: codebooks, codings, redactions, read log.

The rules, enforced in services.py and, where a database can, by constraints:

Codebook
    One per questionnaire, seeded with the fact sheet's categories (defaults.py)
    and editable by staff in the admin. A code's key ("A") is its identity: it
    cannot change once the code is in use, and a code in use cannot be deleted
    (retire it instead). Retired codes are not offered for new codings; codings
    that carry them keep them. Each chosen code also stores the label it had when
    it was chosen (`CodingCode.label`), so a rename never rewrites history: reports
    count by code and show today's wording, a coding's history shows the wording
    the coder saw.

Coding
    One `Coding` per (narrative, coder): the codes and the coder's own judgement
    of with/without dilemma (confirming or correcting the respondent's answer).
    Coding is blind: a coder sees other codings of a narrative, and its final
    coding, only after saving their own. Someone who has opened the resolve page
    of a narrative (and so has seen the codings) can no longer code it.

Final coding
    A narrative needs one coding, or two when it falls in the codebook's
    double-coding sample (`Codebook.double_coding_percent`, spread evenly over
    narratives by id) or when a coder asks for a second coding. After each coding:
    - one coding of a narrative that needs one: it becomes the final ("single");
    - two or more codings that agree on every code and on the dilemma: the final
      ("agreed");
    - otherwise there is no automatic final coding, and a lead (permission
      `review.resolve_coding`) decides ("resolved"). A lead's decision is never
      replaced automatically; a lead may revise it.
    Only final codings feed the figures (queries.code_frequencies_by_sector).
    Agreement and Cohen's kappa are computed over the first two codings of each
    narrative.

Redaction
    A redacted copy of the three texts; the CaseNarrative itself is never changed.
    Four eyes: the approver must be another person than the last writer, and any
    change to the text withdraws the approval. Only an approved redaction can be
    an example for the fact sheet (a CheckConstraint, besides the services).

Read log
    Every page that shows a narrative's text writes a NarrativeRead. Reads survive
    the deletion of the narrative they name (no foreign-key constraint), so the
    audit trail does not disappear with the data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldcode_survey.lib.i18n import Translatable
from meldcode_survey.questionnaires.models import Questionnaire
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.responses.screening import Flag

# Narrative ids are spread over 100 sample slots by multiplying with a number
# coprime to 100: any run of 100 consecutive ids fills every slot exactly once,
# so a percentage of 20 picks 20 of every 100 narratives, not 20 in a row.
SAMPLE_SLOTS = 100
SAMPLE_MULTIPLIER = 37


def sample_slot(narrative_id: int) -> int:
    return (narrative_id * SAMPLE_MULTIPLIER) % SAMPLE_SLOTS


def in_double_coding_sample(narrative_id: int, percent: int) -> bool:
    return sample_slot(narrative_id) < percent


class Codebook(models.Model):
    questionnaire = models.OneToOneField(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="codebook",
        verbose_name=_("questionnaire"),
    )
    double_coding_percent = models.PositiveSmallIntegerField(
        _("share coded twice (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Share of narratives that two coders code independently, for the "
            "agreement figures. Coders can also ask for a second coding."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("codebook")
        verbose_name_plural = _("codebooks")
        constraints = [
            models.CheckConstraint(
                condition=Q(double_coding_percent__lte=100),
                name="codebook_percent_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return str(self.questionnaire)


def _validate_key(value: str) -> None:
    RegexValidator(
        r"^[A-Z0-9]{1,8}$",
        _("Use 1 to 8 capital letters or digits, e.g. A or B2."),
    )(value)


class Code(Translatable, models.Model):
    codebook = models.ForeignKey(
        Codebook, on_delete=models.CASCADE, related_name="codes"
    )
    key = models.CharField(
        _("key"),
        max_length=8,
        validators=[_validate_key],
        help_text=_("Short, stable identifier such as A; fixed once the code is used."),
    )
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("No longer offered for new codings; earlier codings keep it."),
    )

    class Meta:
        ordering = ["codebook", "position", "key"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["codebook", "key"], name="code_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_key_unchanged()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_key_unchanged()

    def check_key_unchanged(self) -> None:
        """Refuse to change the key of a code that codings already carry."""
        if not self.pk:
            return
        stored = Code.objects.filter(pk=self.pk).values_list("key", flat=True).first()
        if stored is not None and stored != self.key and self.is_used():
            raise ValidationError(
                {"key": _("This code is in use; its key can no longer change.")},
                code="key_in_use",
            )

    def is_used(self) -> bool:
        return (
            CodingCode.objects.filter(code=self).exists()
            or FinalCodingCode.objects.filter(code=self).exists()
        )


class ChosenCode(models.Model):
    """A code on a coding, with the label it had when it was chosen."""

    code = models.ForeignKey(
        Code, on_delete=models.PROTECT, related_name="+", verbose_name=_("code")
    )
    label = models.CharField(_("label when chosen"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label


class Coding(models.Model):
    narrative = models.ForeignKey(
        CaseNarrative,
        on_delete=models.CASCADE,
        related_name="codings",
        verbose_name=_("narrative"),
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coder"),
    )
    codes = models.ManyToManyField(
        Code, through="CodingCode", related_name="codings", verbose_name=_("codes")
    )
    has_dilemma = models.BooleanField(_("with dilemma"))
    wants_second_coding = models.BooleanField(
        _("second coding requested"), default=False
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["narrative", "created_at", "pk"]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            models.UniqueConstraint(
                fields=["narrative", "coder"], name="one_coding_per_coder"
            )
        ]

    def __str__(self) -> str:
        return f"Coding of case {self.narrative_id} by {self.coder_id}"


class CodingCode(ChosenCode):
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="chosen")

    class Meta:
        ordering = ["code__position", "code__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["coding", "code"], name="coding_code_unique"
            )
        ]


class FinalCoding(models.Model):
    class Method(models.TextChoices):
        SINGLE = "single", _("Single coding")
        AGREED = "agreed", _("Coders agreed")
        RESOLVED = "resolved", _("Resolved by a lead")

    narrative = models.OneToOneField(
        CaseNarrative,
        on_delete=models.CASCADE,
        related_name="final_coding",
        verbose_name=_("narrative"),
    )
    codes = models.ManyToManyField(
        Code, through="FinalCodingCode", related_name="+", verbose_name=_("codes")
    )
    has_dilemma = models.BooleanField(_("with dilemma"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("final coding")
        verbose_name_plural = _("final codings")
        permissions = [
            ("resolve_coding", _("Can resolve codings into the final coding"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="resolved", decided_by__isnull=False)
                | (~Q(method="resolved") & Q(decided_by__isnull=True)),
                name="final_coding_resolved_by_a_lead",
            )
        ]

    def __str__(self) -> str:
        return f"Final coding of case {self.narrative_id}"


class FinalCodingCode(ChosenCode):
    final = models.ForeignKey(
        FinalCoding, on_delete=models.CASCADE, related_name="chosen"
    )

    class Meta:
        ordering = ["code__position", "code__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["final", "code"], name="final_coding_code_unique"
            )
        ]


TEXT_FIELDS = ("description", "dilemma", "follow_up")


def stored_flags(flags: dict | None) -> list[tuple[str, Flag]]:
    """(field, flag) from a stored {field: [flag dict, ...]}; malformed ones are
    skipped, never an error."""
    found = []
    for field in TEXT_FIELDS:
        for raw in (flags or {}).get(field) or []:
            try:
                found.append((field, Flag(**raw)))
            except TypeError:
                continue
    return found


class Redaction(models.Model):
    narrative = models.OneToOneField(
        CaseNarrative,
        on_delete=models.CASCADE,
        related_name="redaction",
        verbose_name=_("narrative"),
    )
    description = models.TextField(_("description"), blank=True)
    dilemma = models.TextField(_("dilemma"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    is_example = models.BooleanField(_("example for the fact sheet"), default=False)
    # What the thorough screening finds in the redacted texts, per field (as
    # CaseNarrative.screening_flags); screened_at is None until it has run on
    # the current texts, and every change of the texts resets both.
    flags = models.JSONField(_("screening flags"), default=dict, blank=True)
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")
        permissions = [("approve_redaction", _("Can approve redactions"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="redaction_approval_complete",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("written_by")),
                name="redaction_four_eyes",
                violation_error_message=_(
                    "A redaction must be approved by someone other than its writer."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_example=False)
                | (Q(approved_by__isnull=False) & ~Q(description="")),
                name="redaction_example_only_when_approved",
                violation_error_message=_(
                    "Only an approved redaction with a description can be an example."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Redaction of case {self.narrative_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_by_id is not None

    def texts(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in TEXT_FIELDS}

    @property
    def is_screened(self) -> bool:
        return self.screened_at is not None

    def open_flags(self) -> list[tuple[str, Flag]]:
        """(field, flag) for each screening flag that no one has dismissed."""
        dismissed = {(d.field, d.kind, d.fragment) for d in self.dismissals.all()}
        return [
            (field, flag)
            for field, flag in stored_flags(self.flags)
            if (field, flag.kind, flag.fragment) not in dismissed
        ]


class FlagDismissal(models.Model):
    """A staff member's judgement that a screening flag identifies no one.

    Keyed by the flagged fragment, so it still holds when the same fragment is
    found again after an edit. The reason is also in the audit log (without
    the fragment, which the audit log must not keep).
    """

    redaction = models.ForeignKey(
        Redaction,
        on_delete=models.CASCADE,
        related_name="dismissals",
        verbose_name=_("redaction"),
    )
    field = models.CharField(_("text"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20)
    fragment = models.TextField(_("fragment"))
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), default=timezone.now)

    class Meta:
        verbose_name = _("dismissed screening flag")
        verbose_name_plural = _("dismissed screening flags")
        constraints = [
            models.UniqueConstraint(
                fields=["redaction", "field", "kind", "fragment"],
                name="flag_dismissed_once",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="flag_dismissal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Dismissed {self.kind} flag on redaction {self.redaction_id}"


class NarrativeRead(models.Model):
    class Purpose(models.TextChoices):
        CODE = "code", _("Reading and coding")
        RESOLVE = "resolve", _("Resolving codings")
        REDACT = "redact", _("Redaction")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    narrative = models.ForeignKey(
        CaseNarrative,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("narrative"),
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    read_at = models.DateTimeField(_("read at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-read_at", "-pk"]
        verbose_name = _("narrative read")
        verbose_name_plural = _("narrative reads")
        indexes = [models.Index(fields=["narrative", "user", "purpose"])]

    def __str__(self) -> str:
        return f"Case {self.narrative_id} read by {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(_("The read log cannot be changed."))
        super().save(*args, **kwargs)
