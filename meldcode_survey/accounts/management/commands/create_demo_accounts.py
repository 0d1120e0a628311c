from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from meldcode_survey import audit
from meldcode_survey.accounts.invitations import invite
from meldcode_survey.accounts.roles import ANALYST, STAFF, roles_update
from meldcode_survey.audit.models import Action

DEMO_ACCOUNTS = [("demo-staff", STAFF), ("demo-analyst", ANALYST)]


class Command(BaseCommand):
    help = (
        "Create a demo staff and a demo analyst account without a password; print "
        "the invitation link of each, with which one chooses a password and links "
        "an authenticator app."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        roles_update()
        User = get_user_model()
        for username, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(
                    f"{username} already exists (`manage.py invite {username}` "
                    "for a new invitation link)."
                )
                continue
            with transaction.atomic():
                user = User.objects.create_user(username, is_staff=role == STAFF)
                user.groups.add(Group.objects.get(name=role))
                flags = {"is_staff": user.is_staff, "is_superuser": False}
                audit.record(None, Action.USER_CREATED, user, **flags)
                audit.record(None, Action.USER_ROLES_CHANGED, user, added=[role])
            url = invite(user).url
            self.stdout.write(self.style.SUCCESS(f"{role:8} {username}  {url}"))
