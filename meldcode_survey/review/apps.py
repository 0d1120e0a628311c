from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _give_codebook(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every new questionnaire starts with the default codebook."""
    if created and not kwargs.get("raw"):
        from .services import ensure_default_codebook

        ensure_default_codebook(instance)


class ReviewConfig(AppConfig):
    name = "meldcode_survey.review"
    verbose_name = _("Review")

    def ready(self) -> None:
        post_save.connect(
            _give_codebook,
            sender="questionnaires.Questionnaire",
            dispatch_uid="review_default_codebook",
        )
