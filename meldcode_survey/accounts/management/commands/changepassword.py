"""Django's changepassword, with the change in the audit log.

Recorded as a password changed anywhere else is (the admin, an invitation):
"user changed", with the password only as "changed". Django's command saves
the password itself after asking for it; this subclass records the entry once
it has, and records nothing when it gives up.
"""

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.models import User

from meldcode_survey import audit
from meldcode_survey.audit.models import Action


class Command(changepassword.Command):
    help = (
        "Change a user's password for django.contrib.auth; the change is "
        "recorded in the audit log."
    )

    def handle(self, *args: Any, **options: Any) -> str | None:
        done = super().handle(*args, **options)
        username = options["username"] or getpass.getuser()
        user = User.objects.db_manager(options["database"]).get_by_natural_key(username)
        changes = {"password": "changed"}
        audit.record(
            None, Action.USER_CHANGED, user, changes=changes, via="changepassword"
        )
        return done
