"""How a narrative's texts are shown: escaped, with screening flags marked."""

from __future__ import annotations

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
    flags = []
    for raw in (narrative.screening_flags or {}).get(field) or []:
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


def still_identifying(redaction: Redaction) -> list[tuple[str, str, str]]:
    """(text, kind, fragment) for every detail the screening still finds."""
    labels = field_labels()
    return [
        (labels[field], KIND_LABELS.get(flag.kind, flag.kind), flag.fragment)
        for field, text in redaction.texts().items()
        for flag in screen(text)
    ]
