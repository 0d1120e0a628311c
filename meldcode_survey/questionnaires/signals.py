"""Refuse cascading deletes of frozen content.

Connecting a pre_delete receiver also stops Django from "fast deleting" these rows
in bulk, so a cascade from a questionnaire or version passes through here.
"""

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import FrozenVersionError, Version, VersionContent


@receiver(pre_delete)
def refuse_frozen_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, VersionContent):
        instance.check_not_frozen()
    elif isinstance(instance, Version) and instance.is_frozen:
        raise FrozenVersionError()
