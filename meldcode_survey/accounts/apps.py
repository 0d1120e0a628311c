from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender: AppConfig, **kwargs: Any) -> None:
    from .roles import ensure_role_groups

    ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "meldcode_survey.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # After every migrate, once all permissions exist.
        post_migrate.connect(_ensure_roles, sender=self)
