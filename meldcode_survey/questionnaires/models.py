"""Questionnaire definitions: questionnaires, versions and their content.

A version that has been published is frozen: its sections, questions, scales and
choices can no longer be changed or deleted, so that every answer keeps pointing at
the exact wording the respondent saw. `save()`, `delete()`, queryset `update()` and
deletes of a questionnaire or version that hold frozen content all refuse such
changes (see `FrozenAwareQuerySet` and `VersionContent`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldcode_survey.lib.i18n import Translatable


class FrozenVersionError(ValidationError):
    """Raised on any attempt to change the content of a published version."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This version has been published and can no longer be changed. "
                "Make a new version to change it."
            ),
            code="frozen",
        )


class FrozenAwareQuerySet(models.QuerySet):
    """`delete()` refuses rows that are, or hold, content of a frozen version.

    Checked before Django opens its delete transaction, so a refusal leaves the
    caller's transaction usable. A cascade calls no model or queryset method, so
    every model a cascade into frozen content can start from (questionnaire,
    version, content) refuses in its queryset's and its own `delete()`.
    """

    def frozen(self) -> models.QuerySet:
        # Every frozen-aware model names its path to the version.
        path: str = self.model.version_path  # type: ignore[attr-defined]
        lookup = f"{path}__status__in" if path else "status__in"
        return self.filter(**{lookup: FROZEN_STATUSES})

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.frozen().exists():
            raise FrozenVersionError()
        return super().delete()


class Questionnaire(Translatable, models.Model):
    # The fact sheet's texts, Dutch and English (the admin and the JSON
    # definition both list them from here).
    FACTSHEET_FIELDS = (
        "factsheet_intro",
        "factsheet_intro_en",
        "dilemma_source",
        "dilemma_source_en",
        "more_information",
        "more_information_en",
        "source",
        "source_en",
    )

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # Texts of the published fact sheet (exports' PDF), edited by staff.
    factsheet_intro = models.TextField(_("fact sheet introduction"), blank=True)
    factsheet_intro_en = models.TextField(
        _("fact sheet introduction (English)"), blank=True
    )
    dilemma_source = models.TextField(
        _("where the dilemma list comes from"),
        blank=True,
        help_text=_("Printed above the dilemma chart of the fact sheet."),
    )
    dilemma_source_en = models.TextField(
        _("where the dilemma list comes from (English)"), blank=True
    )
    more_information = models.TextField(
        _("more information"),
        blank=True,
        help_text=_("The fact sheet's 'More information?' box."),
    )
    more_information_en = models.TextField(_("more information (English)"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Who publishes the figures; printed on every page of the sheet."),
    )
    source_en = models.CharField(_("source (English)"), max_length=200, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=15
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    # Lookup path to the versions, for FrozenAwareQuerySet.
    version_path = "versions"
    objects = FrozenAwareQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="questionnaire_closes_after_opening",
                violation_error_message=_("The closing date must follow the opening."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("responses:landing", args=[self.slug])

    def published_version(self) -> Version | None:
        return self.versions.filter(status=Version.Status.PUBLISHED).first()

    def has_frozen_versions(self) -> bool:
        return self.versions.exclude(status=Version.Status.DRAFT).exists()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.has_frozen_versions():
            raise FrozenVersionError()
        return super().delete(*args, **kwargs)

    def is_open(self, now: Any = None, *, published: Version | None = None) -> bool:
        """Whether new respondents may start: within the dates, with a live version
        (`published`: the caller's copy of published_version(), saving a query)."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        if self.closes_at and now >= self.closes_at:
            return False
        return (published or self.published_version()) is not None


class Version(Translatable, models.Model):
    """One wave of a questionnaire. Its texts, as respondents see them, belong to
    the version, so that importing or editing a newer one never rewrites them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    privacy_text = models.TextField(_("privacy statement"), blank=True)
    privacy_text_en = models.TextField(_("privacy statement (English)"), blank=True)
    english_fallback = models.BooleanField(
        _("show Dutch where English is missing"),
        default=False,
        help_text=_(
            "Without this, publishing requires every text in Dutch and English."
        ),
    )
    notes = models.TextField(_("notes for staff"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    version_path = ""  # the version itself, for FrozenAwareQuerySet
    objects = FrozenAwareQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=Q(status="published"),
                name="one_published_version_per_questionnaire",
                violation_error_message=_(
                    "A questionnaire can have only one published version."
                ),
            ),
        ]

    TEXT_FIELDS = (
        "title",
        "title_en",
        "intro",
        "intro_en",
        "privacy_text",
        "privacy_text_en",
        "english_fallback",
    )

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = Version.objects.filter(pk=self.pk).values(
                "status", "number", "questionnaire_id", *self.TEXT_FIELDS
            )
            before = stored.first()
            if before and before["status"] != Version.Status.DRAFT:
                fixed = ("number", "questionnaire_id", *self.TEXT_FIELDS)
                if self.status == Version.Status.DRAFT or any(
                    before[name] != getattr(self, name) for name in fixed
                ):
                    raise FrozenVersionError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        stored = Version.objects.filter(pk=self.pk)
        if self.is_frozen or stored.frozen().exists():
            raise FrozenVersionError()
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != Version.Status.DRAFT

    @property
    def frozen_key(self) -> tuple[int, datetime] | None:
        """What a process may keep this version's structure and HTML under: a
        frozen version never changes, and a new one (or a pk a test database
        reuses) gets a new publication time. None for a draft."""
        if self.is_frozen and self.published_at:
            return (self.pk, self.published_at)
        return None

    def questions(self) -> models.QuerySet[Question]:
        return self.question_set.order_by("section__position", "position")


FROZEN_STATUSES = [Version.Status.PUBLISHED, Version.Status.CLOSED]


class VersionContentQuerySet(FrozenAwareQuerySet):
    """Refuses bulk updates and deletes that would touch a frozen version."""

    def update(self, **kwargs: Any) -> int:
        if self.frozen().exists():
            raise FrozenVersionError()
        return super().update(**kwargs)


class VersionContent(models.Model):
    """Base for everything that belongs to a version and freezes with it."""

    # Lookup path from the model to its Version, for queryset-level checks.
    version_path = "version"

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_not_frozen()
        self.check_references()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self.check_not_frozen()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.check_not_frozen()
            self.check_references()
        except ObjectDoesNotExist:  # the form has not set the parent yet
            pass

    def reference_errors(self) -> dict[str, Any]:
        """Field errors for references to content of another version."""
        return {}

    def check_references(self) -> None:
        errors = self.reference_errors()
        if errors:
            raise ValidationError(errors, code="other_version")

    def owning_version(self) -> Version:
        target: object = self
        for part in self.version_path.split("__"):
            target = getattr(target, part)
        assert isinstance(target, Version)
        return target

    def stored_version_is_frozen(self) -> bool:
        """Whether the row as stored belongs to a frozen version (a move counts)."""
        if not self.pk:
            return False
        return type(self).objects.filter(pk=self.pk).frozen().exists()

    def check_not_frozen(self) -> None:
        if self.owning_version().is_frozen or self.stored_version_is_frozen():
            raise FrozenVersionError()


class Scale(VersionContent):
    """Labelled points shared by the Likert groups of a version."""

    version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="scales"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="scale_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def scored_values(self) -> list[int]:
        return [p.value for p in self.points.all() if p.value is not None]


class ScalePoint(Translatable, VersionContent):
    version_path = "scale__version"

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    value = models.PositiveSmallIntegerField(
        _("value"),
        null=True,
        blank=True,
        help_text=_("Empty for the unscored 'don't know / not applicable' option."),
    )
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)

    class Meta:
        ordering = ["scale", "position"]
        verbose_name = _("scale point")
        verbose_name_plural = _("scale points")
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "value"], name="scale_point_value_unique"
            ),
            models.UniqueConstraint(
                fields=["scale"],
                condition=Q(value__isnull=True),
                name="one_unscored_point_per_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def code(self) -> str:
        """The answer code: the value as text, or `nvt` for the unscored point."""
        return NOT_APPLICABLE if self.value is None else str(self.value)


NOT_APPLICABLE = "nvt"


OTHER_VERSION_MESSAGE = _("This belongs to another version of the questionnaire.")


def condition_errors(obj: Conditional, version_id: int | None) -> dict[str, Any]:
    """A condition may only look at a question of the same version."""
    question = obj.condition_question
    if question is not None and question.version_id != version_id:
        return {"condition_question": OTHER_VERSION_MESSAGE}
    return {}


class Conditional(models.Model):
    """A display condition on the answer to an earlier question."""

    condition_question = models.ForeignKey(
        "Question",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shown only when question"),
    )
    condition_values = models.JSONField(
        _("has one of these answer codes"),
        default=list,
        blank=True,
        help_text=_('Codes of the answers that show it, e.g. ["yes"].'),
    )

    class Meta:
        abstract = True

    def is_shown(self, answers: dict[str, Any]) -> bool:
        """Whether to show this, given answers keyed by question code."""
        if self.condition_question is None:
            return True
        given = answers.get(self.condition_question.code)
        given_codes = given if isinstance(given, list) else [given]
        return any(str(code) in self.condition_values for code in given_codes)


class Section(Translatable, Conditional, VersionContent):
    """A page of the questionnaire."""

    version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="section_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def reference_errors(self) -> dict[str, Any]:
        return condition_errors(self, self.version_id)


class LikertGroup(Translatable, VersionContent):
    """Likert items that share one stem and one scale."""

    version_path = "section__version"

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="likert_groups"
    )
    code = models.SlugField(_("code"), max_length=40)
    text = models.TextField(_("stem"))
    text_en = models.TextField(_("stem (English)"), blank=True)
    scale = models.ForeignKey(Scale, on_delete=models.RESTRICT, related_name="groups")

    class Meta:
        ordering = ["section", "code"]
        verbose_name = _("Likert group")
        verbose_name_plural = _("Likert groups")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "code"], name="likert_group_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def reference_errors(self) -> dict[str, Any]:
        if self.scale_id and self.scale.version_id != self.section.version_id:
            return {"scale": OTHER_VERSION_MESSAGE}
        return {}


class Question(Translatable, Conditional, VersionContent):
    class Type(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        LIKERT = "likert", _("Likert item")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes/no")

    class Role(models.TextChoices):
        """What the rest of the platform relies on a question for."""

        NONE = "", _("No special role")
        SECTOR = "sector", _("Sector (grouping variable)")
        APPLIED_MELDCODE = "applied_meldcode", _("Applied the meldcode")
        CASE_DESCRIPTION = "case_description", _("Case: description")
        CASE_DILEMMA = "case_dilemma", _("Case: dilemma")
        CASE_FOLLOW_UP = "case_follow_up", _("Case: follow-up")
        CASE_HAS_DILEMMA = "case_has_dilemma", _("Case: with or without dilemma")
        CASE_STEP = "case_step", _("Case: meldcode step")
        CASE_KINDCHECK = "case_kindcheck", _("Case: kindcheck applied")
        CASE_OUTCOME = "case_outcome", _("Case: outcome")

    TEXT_TYPES = (Type.SHORT_TEXT, Type.LONG_TEXT)
    CHOICE_TYPES = (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE)

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions"
    )
    # Denormalised from the section so that codes are unique per version in the
    # database and answers can be looked up by version without a join.
    version = models.ForeignKey(Version, on_delete=models.CASCADE, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stable across versions; used as column name in exports."),
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default="", blank=True
    )
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    help_text_en = models.TextField(_("help text (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    group = models.ForeignKey(
        LikertGroup,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("Likert group"),
    )
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)

    class Meta:
        ordering = ["section", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="question_code_unique"
            ),
            models.UniqueConstraint(
                fields=["version", "role"],
                condition=~Q(role=""),
                name="question_role_unique",
                violation_error_message=_("Each role can be given to one question."),
            ),
            models.CheckConstraint(
                condition=~Q(type="likert") | Q(group__isnull=False),
                name="likert_question_has_group",
                violation_error_message=_("A Likert item needs a Likert group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version_id = self.section.version_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.type == self.Type.LIKERT and self.group_id is None:
            raise ValidationError({"group": _("A Likert item needs a Likert group.")})

    def reference_errors(self) -> dict[str, Any]:
        errors = condition_errors(self, self.section.version_id)
        if self.group is not None and self.group.section_id != self.section_id:
            errors["group"] = _("The Likert group must belong to the same section.")
        return errors

    @property
    def scale(self) -> Scale | None:
        return self.group.scale if self.group is not None else None


class Choice(Translatable, VersionContent):
    version_path = "question__version"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "code"], name="choice_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


YES = "yes"
NO = "no"
