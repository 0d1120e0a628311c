"""Writes of the review workspace: codebooks, codings, final codings, redactions.

Every function is atomic and checks the rules of models.py itself, so no form or
view is needed to keep them. Each write is audited here, and a change to what
the figures show (final codings, redactions, codes) renews the dashboard's
figures stamps after the commit (`coded_figures_changed`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldcode_survey import audit
from meldcode_survey.audit.models import Action
from meldcode_survey.dashboard.services import figures_changed
from meldcode_survey.lib.tasks import run_later
from meldcode_survey.questionnaires.models import Questionnaire
from meldcode_survey.responses.deidentify import thorough_screen
from meldcode_survey.responses.models import CaseNarrative

from .defaults import DEFAULT_CODES
from .models import (
    TEXT_FIELDS,
    ChosenCode,
    Code,
    Codebook,
    Coding,
    CodingCode,
    FinalCoding,
    FinalCodingCode,
    FlagDismissal,
    NarrativeRead,
    Redaction,
    in_double_coding_sample,
)
from .queries import has_seen_codings

RESOLVE_PERMISSION = "review.resolve_coding"
APPROVE_PERMISSION = "review.approve_redaction"


def ensure_default_codebook(questionnaire: Questionnaire) -> Codebook:
    """The questionnaire's codebook; a new one gets the default codes.

    Called where a questionnaire is created (`import_definition`, the admin's
    add page); everything else reads `questionnaire.codebook`.
    """
    codebook, created = Codebook.objects.get_or_create(questionnaire=questionnaire)
    if created:
        Code.objects.bulk_create(
            Code(codebook=codebook, position=position, **code)
            for position, code in enumerate(DEFAULT_CODES, start=1)
        )
    return codebook


def coded_figures_changed() -> None:
    """Coded dilemmas and approved examples are figures too: after the commit,
    every version's figures get a new stamp, so no cached page shows old ones."""
    transaction.on_commit(lambda: figures_changed(everything=True))


@transaction.atomic
def narrative_read_record(
    user: User, narrative: CaseNarrative, purpose: str = NarrativeRead.Purpose.CODE
) -> NarrativeRead:
    read = NarrativeRead.objects.create(user=user, narrative=narrative, purpose=purpose)
    audit.record(user, Action.NARRATIVE_READ, narrative, purpose=purpose)
    return read


def _codebook_of(narrative: CaseNarrative) -> Codebook:
    return narrative.response.version.questionnaire.codebook


def _check_codes(
    codes: list[Code], codebook: Codebook, allowed_retired: set[int]
) -> None:
    for code in codes:
        if code.codebook_id != codebook.pk:
            raise ValidationError(
                _("Code %(key)s belongs to another codebook.") % {"key": code.key},
                code="foreign_code",
            )
        if code.is_retired and code.pk not in allowed_retired:
            raise ValidationError(
                _("Code %(key)s is retired and cannot be given any more.")
                % {"key": code.key},
                code="retired_code",
            )


def _set_codes(
    owner: Coding | FinalCoding,
    codes: list[Code],
    through: type[ChosenCode],
) -> None:
    """Make `codes` the owner's codes; kept codes keep the label they were given."""
    owner_field = "coding" if isinstance(owner, Coding) else "final"
    rows = through._default_manager.filter(**{owner_field: owner})
    wanted = {code.pk: code for code in codes}
    rows.exclude(code__in=wanted).delete()
    present = set(rows.values_list("code_id", flat=True))
    through._default_manager.bulk_create(
        through(**{owner_field: owner}, code=code, label=code.label)
        for pk, code in wanted.items()
        if pk not in present
    )


@transaction.atomic
def coding_save(
    *,
    narrative: CaseNarrative,
    coder: User,
    codes: Iterable[Code],
    has_dilemma: bool,
    wants_second_coding: bool = False,
    note: str = "",
) -> Coding:
    """Store (or revise) `coder`'s coding of `narrative`, then update its final."""
    # The lock serialises codings of one narrative, so two coders saving at the
    # same moment both see each other when the final coding is worked out.
    narrative = (
        CaseNarrative.objects.select_for_update()
        .select_related("response__version__questionnaire")
        .get(pk=narrative.pk)
    )
    codes = list(codes)
    existing = Coding.objects.filter(narrative=narrative, coder=coder).first()
    if existing is None and has_seen_codings(coder, narrative):
        raise ValidationError(
            _(
                "You have seen the other codings of this case, so you can no "
                "longer code it blind."
            ),
            code="not_blind",
        )
    kept = set(existing.codes.values_list("pk", flat=True)) if existing else set()
    _check_codes(codes, _codebook_of(narrative), kept)
    values = {
        "has_dilemma": has_dilemma,
        "wants_second_coding": wants_second_coding,
        "note": note,
    }
    if existing is None:
        coding = Coding.objects.create(narrative=narrative, coder=coder, **values)
    else:
        coding = existing
        for field, value in values.items():
            setattr(coding, field, value)
        coding.save()
    audit.record(
        coder,
        Action.CODING_CHANGED,
        coding,
        narrative=narrative.pk,
        created=existing is None,
        has_dilemma=has_dilemma,
    )
    _set_codes(coding, codes, CodingCode)
    _refresh_final(narrative, coder)
    return coding


def required_codings(narrative: CaseNarrative, codings: list[Coding]) -> int:
    percent = _codebook_of(narrative).double_coding_percent
    if any(c.wants_second_coding for c in codings):
        return 2
    return 2 if in_double_coding_sample(narrative.pk, percent) else 1


def _agree(codings: list[Coding]) -> bool:
    first = codings[0]
    keys = {code.pk for code in first.codes.all()}
    return all(
        c.has_dilemma == first.has_dilemma and {k.pk for k in c.codes.all()} == keys
        for c in codings[1:]
    )


def _refresh_final(narrative: CaseNarrative, coder: User) -> None:
    """Set or withdraw the automatic final coding (see the rules in models.py),
    audited as the doing of the coder whose coding decided it."""
    final = FinalCoding.objects.filter(narrative=narrative).first()
    if final is not None and final.method == FinalCoding.Method.RESOLVED:
        return
    codings = list(narrative.codings.prefetch_related("codes"))
    source, method = None, None
    if len(codings) == 1 and required_codings(narrative, codings) == 1:
        source, method = codings[0], FinalCoding.Method.SINGLE
    elif len(codings) >= 2 and _agree(codings):
        source, method = codings[0], FinalCoding.Method.AGREED
    if source is None:
        if final is not None:
            audit.record(
                coder,
                Action.FINAL_CODING_CHANGED,
                final,
                narrative=narrative.pk,
                withdrawn=True,
            )
            final.delete()
            coded_figures_changed()
        return
    assert method is not None  # set with the source
    codes = list(source.codes.all())
    _write_final(narrative, codes, source.has_dilemma, method, actor=coder)


def _write_final(
    narrative: CaseNarrative,
    codes: list[Code],
    has_dilemma: bool,
    method: str,
    *,
    actor: User,
    lead: User | None = None,
    note: str = "",
) -> FinalCoding:
    """Store the final coding (`lead`: who decided it; none when automatic)."""
    final, _created = FinalCoding.objects.update_or_create(
        narrative=narrative,
        defaults={
            "has_dilemma": has_dilemma,
            "method": method,
            "decided_by": lead,
            "note": note,
            "decided_at": timezone.now(),
        },
    )
    _set_codes(final, codes, FinalCodingCode)
    audit.record(
        actor,
        Action.FINAL_CODING_CHANGED,
        final,
        narrative=narrative.pk,
        method=method,
        has_dilemma=has_dilemma,
    )
    coded_figures_changed()
    return final


@transaction.atomic
def coding_resolve(
    *,
    narrative: CaseNarrative,
    lead: User,
    codes: Iterable[Code],
    has_dilemma: bool,
    note: str = "",
) -> FinalCoding:
    """A lead decides the final coding of a narrative that has been coded."""
    if not lead.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied
    narrative = (
        CaseNarrative.objects.select_for_update()
        .select_related("response__version__questionnaire")
        .get(pk=narrative.pk)
    )
    if not narrative.codings.exists():
        raise ValidationError(
            _("Only a case that has been coded can be resolved."), code="uncoded"
        )
    codes = list(codes)
    current = FinalCoding.objects.filter(narrative=narrative).first()
    coded = Code.objects.filter(codings__narrative=narrative)
    allowed = set(coded.values_list("pk", flat=True))
    if current is not None:
        allowed |= set(current.codes.values_list("pk", flat=True))
    _check_codes(codes, _codebook_of(narrative), allowed)
    return _write_final(
        narrative,
        codes,
        has_dilemma,
        FinalCoding.Method.RESOLVED,
        actor=lead,
        lead=lead,
        note=note,
    )


@transaction.atomic
def redaction_save(
    *, narrative: CaseNarrative, writer: User, texts: dict[str, str]
) -> Redaction:
    """Write the redacted texts; a change withdraws approval and example status.

    The narrative itself is never written.
    """
    texts = {field: texts.get(field, "") for field in TEXT_FIELDS}
    redaction = (
        Redaction.objects.select_for_update().filter(narrative=narrative).first()
    )
    if redaction is None:
        redaction = Redaction.objects.create(
            narrative=narrative, written_by=writer, **texts
        )
        _redaction_changed(redaction, writer, created=True)
    elif redaction.texts() != texts:
        for field, value in texts.items():
            setattr(redaction, field, value)
        redaction.written_by = writer
        redaction.written_at = timezone.now()
        redaction.approved_by = None
        redaction.approved_at = None
        redaction.is_example = False
        redaction.flags = {}
        redaction.screened_at = None
        redaction.save()
        _redaction_changed(redaction, writer)
    elif redaction.is_screened:
        return redaction
    pk = redaction.pk
    transaction.on_commit(lambda: redaction_screen_later(pk))
    return redaction


def _redaction_changed(
    redaction: Redaction,
    actor: User | None,
    *,
    created: bool = False,
    fields: list[str] | None = None,
) -> None:
    """Audit a change of a redaction (`actor` None: the worker's screening)
    and renew the figures stamps after commit (examples are on the pages)."""
    audit.record(
        actor,
        Action.REDACTION_CHANGED,
        redaction,
        narrative=redaction.narrative_id,
        created=created,
        fields=sorted(fields) if fields else None,
    )
    coded_figures_changed()


def redaction_screen_later(redaction_id: int) -> None:
    """Send the redaction to the worker for the thorough screening (never
    raises; see lib.tasks.run_later)."""
    from .tasks import screen_redaction_task

    run_later(
        screen_redaction_task, [redaction_id], when_lost="the screening sweep will"
    )


def redaction_screen(redaction_id: int) -> bool:
    """Screen a redaction's texts thoroughly and store what is found.

    An approved redaction in which the screening finds an open flag (say,
    after deduce was upgraded) loses its approval and example status. Returns
    False when the texts changed meanwhile (their own screening follows).
    Raises deidentify.NotBuilt when deduce is not installed.
    """
    redaction = Redaction.objects.filter(pk=redaction_id).first()
    if redaction is None:
        return False
    flags = {
        field: [flag.as_dict() for flag in thorough_screen(text)]
        for field, text in redaction.texts().items()
        if text
    }
    with transaction.atomic():
        current = Redaction.objects.select_for_update().filter(pk=redaction_id).first()
        if current is None or current.texts() != redaction.texts():
            return False
        current.flags = flags
        current.screened_at = timezone.now()
        if current.is_approved and current.open_flags():
            # A withdrawal is a change of the redaction, so it is audited.
            current.approved_by = current.approved_at = None
            current.is_example = False
            current.save()
            _redaction_changed(current, None)
        else:
            Redaction.objects.filter(pk=redaction_id).update(
                flags=flags, screened_at=current.screened_at
            )
    return True


def _check_clean(redaction: Redaction) -> None:
    """Refuse while the thorough screening has not run or still finds anything."""
    if not redaction.is_screened:
        raise ValidationError(
            _(
                "The thorough screening of this redaction has not finished yet. "
                "Reload the page in a minute and try again."
            ),
            code="not_screened",
        )
    if redaction.open_flags():
        raise ValidationError(
            _(
                "The screening still finds identifying details in the redacted "
                "text. Remove them, or dismiss each flag with a reason."
            ),
            code="still_identifying",
        )


@transaction.atomic
def redaction_flag_dismiss(
    *,
    redaction: Redaction,
    user: User,
    field: str,
    kind: str,
    fragment: str,
    reason: str,
) -> FlagDismissal:
    """Record that a flag identifies no one; logged with its reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Give a reason for dismissing this flag."), code="no_reason"
        )
    redaction = Redaction.objects.select_for_update().get(pk=redaction.pk)
    if (field, kind, fragment) not in {
        (f, flag.kind, flag.fragment) for f, flag in redaction.open_flags()
    }:
        raise ValidationError(
            _("This flag is no longer open; the page was out of date."),
            code="no_such_flag",
        )
    dismissal = FlagDismissal.objects.create(
        redaction=redaction,
        field=field,
        kind=kind,
        fragment=fragment,
        reason=reason,
        dismissed_by=user,
    )
    # The fragment itself stays out of the audit log, which outlives the texts.
    audit.record(
        user,
        Action.SCREENING_FLAG_DISMISSED,
        redaction,
        narrative=redaction.narrative_id,
        field=field,
        kind=kind,
        reason=reason,
    )
    return dismissal


@transaction.atomic
def redaction_approve(*, redaction: Redaction, approver: User) -> Redaction:
    if not approver.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    redaction = Redaction.objects.select_for_update().get(pk=redaction.pk)
    if redaction.written_by_id == approver.pk:
        raise ValidationError(
            _("A redaction must be approved by someone other than its writer."),
            code="four_eyes",
        )
    _check_clean(redaction)
    redaction.approved_by = approver
    redaction.approved_at = timezone.now()
    fields = ["approved_by", "approved_at"]
    redaction.save(update_fields=fields)
    _redaction_changed(redaction, approver, fields=fields)
    return redaction


@transaction.atomic
def redaction_set_example(
    *, redaction: Redaction, is_example: bool, user: User
) -> Redaction:
    """Mark or unmark an approved redaction as an example for the fact sheet."""
    redaction = Redaction.objects.select_for_update().get(pk=redaction.pk)
    if is_example and not redaction.is_approved:
        raise ValidationError(
            _("Only an approved redaction can be an example."), code="not_approved"
        )
    if is_example and not redaction.description:
        raise ValidationError(
            _("An example needs a redacted description."), code="no_description"
        )
    if is_example:
        _check_clean(redaction)
    redaction.is_example = is_example
    redaction.save(update_fields=["is_example"])
    _redaction_changed(redaction, user, fields=["is_example"])
    return redaction
