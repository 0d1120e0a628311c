from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _update_roles(sender: AppConfig, **kwargs: Any) -> None:
    """Django's own event: migrate runs none of our services."""
    from .roles import roles_update

    roles_update()


class AccountsConfig(AppConfig):
    name = "meldcode_survey.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # After every migrate, once all permissions exist.
        post_migrate.connect(_update_roles, sender=self)
