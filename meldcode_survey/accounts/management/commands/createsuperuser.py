"""Django's createsuperuser, with the account it makes in the audit log.

Django's command creates the account and commits it itself, after asking for
input; this subclass records the entry once it has (the same details as an
account added in the admin). The command makes one account at most: the one
added while it ran. A taken username, or no terminal to ask on, makes none.
"""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.models import User
from django.db.models import Max

from meldcode_survey import audit
from meldcode_survey.audit.models import Action


class Command(createsuperuser.Command):
    help = "Used to create a superuser; the new account is recorded in the audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        users = User.objects.db_manager(options["database"])
        last_pk = users.aggregate(last=Max("pk"))["last"] or 0
        super().handle(*args, **options)
        made = users.filter(pk__gt=last_pk, is_superuser=True).order_by("pk").last()
        if made is not None:
            flags = {"is_staff": made.is_staff, "is_superuser": made.is_superuser}
            audit.record(
                None, Action.USER_CREATED, made, via="createsuperuser", **flags
            )
