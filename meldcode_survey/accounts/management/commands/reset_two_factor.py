from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_otp import devices_for_user

from meldcode_survey import audit
from meldcode_survey.accounts.invitations import invite
from meldcode_survey.accounts.management import user_named
from meldcode_survey.audit.models import Action


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (lost phone, new app) and print an "
        "invitation link with which they choose a new password and link a new "
        "authenticator app. Each removal is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = user_named(username)
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            with transaction.atomic():
                audit.record(None, Action.OTP_RESET, user, device=device.name)
                device.delete()
        self.stdout.write(
            self.style.SUCCESS(f"Removed {len(devices)} device(s) of {username}.")
        )
        invitation = invite(user)
        self.stdout.write(f"Invitation to set up a new app: {invitation.url}")
        if invitation.emailed:
            self.stdout.write(f"E-mailed to {user.email}.")
