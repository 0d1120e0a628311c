"""How a narrative's texts are shown: escaped, with screening flags marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.responses.screening import KIND_LABELS, Flag, highlight, screen

from .models import TEXT_FIELDS, Redaction


def field_labels() -> dict[str, str]:
    return {
        "description": _("Description"),
        "dilemma": _("Dilemma"),
        "follow_up": _("Follow-up"),
    }


def stored_flags(narrative: CaseNarrative, field: str) -> list[Flag]:
    """The thorough screening's flags once it has run, else the fast one's."""
    screened = narrative.thorough_screened_at is not None
    source = narrative.thorough_flags if screened else narrative.screening_flags
    flags = []
    for raw in (source or {}).get(field) or []:
        try:
            flags.append(Flag(**raw))
        except TypeError:
            continue  # a malformed flag is shown as plain text, never an error
    return flags


def marked_texts(narrative: CaseNarrative) -> list[dict[str, Any]]:
    """The three texts, escaped, with the screening flags marked."""
    labels = field_labels()
    texts = []
    for field in TEXT_FIELDS:
        flags = stored_flags(narrative, field)
        texts.append(
            {
                "field": field,
                "label": labels[field],
                "html": highlight(getattr(narrative, field), flags),
                "flags": [(KIND_LABELS.get(f.kind, f.kind), f.fragment) for f in flags],
            }
        )
    return texts


@dataclass(frozen=True)
class ShownFlag:
    field: str
    part: str
    kind: str
    kind_label: str
    fragment: str


def _shown(field: str, flag: Flag) -> ShownFlag:
    return ShownFlag(
        field,
        field_labels()[field],
        flag.kind,
        str(KIND_LABELS.get(flag.kind, flag.kind)),
        flag.fragment,
    )


def still_identifying(redaction: Redaction) -> list[ShownFlag]:
    """Every open flag of the thorough screening; until it has run, what the
    fast screening finds (shown, but approval waits for the thorough one)."""
    if redaction.is_screened:
        return [_shown(field, flag) for field, flag in redaction.open_flags()]
    return [
        _shown(field, flag)
        for field, text in redaction.texts().items()
        for flag in screen(text)
    ]
