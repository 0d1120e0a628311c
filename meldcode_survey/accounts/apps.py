from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _update_roles(sender: AppConfig, **kwargs: Any) -> None:
    """Django's own event: migrate runs none of our services.

    migrate sends this signal app by app, in INSTALLED_APPS order, and makes each
    app's permissions in its own turn; accounts comes early (before auth, for its
    commands), so the permissions of every app are made here first, as the role
    migration does (create_permissions leaves existing ones alone).
    """
    from django.contrib.auth.management import create_permissions

    from .roles import roles_update

    for app_config in global_apps.get_app_configs():
        create_permissions(
            app_config,
            verbosity=0,
            using=kwargs.get("using", DEFAULT_DB_ALIAS),
            apps=kwargs.get("apps", global_apps),
        )
    roles_update()


class AccountsConfig(AppConfig):
    name = "meldcode_survey.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(_update_roles, sender=self)
