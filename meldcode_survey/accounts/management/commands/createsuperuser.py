"""Django's createsuperuser, with the account it makes in the audit log.

Django's command creates the account and commits it itself, after asking for
input; this subclass records the entry once it has (the same details as an
account added in the admin). The account is the one with the username the
command used (given, prompted for or from DJANGO_SUPERUSER_USERNAME) that did
not exist when it started: Django refuses a username that is taken, and with
no terminal to ask on it makes nothing.
"""

import os
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.models import User
from django.db.models import Field, Max

from meldcode_survey import audit
from meldcode_survey.audit.models import Action


class Command(createsuperuser.Command):
    help = "Used to create a superuser; the new account is recorded in the audit log."

    prompted_username: str | None = None

    def handle(self, *args: Any, **options: Any) -> None:
        self.prompted_username = None
        users = User.objects.db_manager(options["database"])
        last_pk = users.aggregate(last=Max("pk"))["last"] or 0
        super().handle(*args, **options)
        username = self._used_username(options)
        if username is None:
            return
        # Stored as Django's User.normalize_username (NFKC) gives it.
        username = User.normalize_username(username)
        user = users.filter(pk__gt=last_pk, username=username).first()
        if user is not None:
            flags = {"is_staff": user.is_staff, "is_superuser": user.is_superuser}
            audit.record(
                None, Action.USER_CREATED, user, via="createsuperuser", **flags
            )

    def get_input_data(
        self, field: Field, message: str, default: str | None = None
    ) -> Any:
        value = super().get_input_data(field, message, default)
        if field is self.username_field:
            self.prompted_username = value
        return value

    def _used_username(self, options: dict[str, Any]) -> str | None:
        """The username Django's handle went on with, by its own rules: the last
        one prompted for (it asks again until one is valid), else the option,
        else, without input, the environment variable."""
        if self.prompted_username:
            return self.prompted_username
        if options[User.USERNAME_FIELD]:
            return options[User.USERNAME_FIELD]
        if not options["interactive"]:
            return os.environ.get("DJANGO_SUPERUSER_" + User.USERNAME_FIELD.upper())
        return None
