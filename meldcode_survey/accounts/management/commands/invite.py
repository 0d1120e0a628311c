from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meldcode_survey.accounts.invitations import invite
from meldcode_survey.accounts.management import user_named


class Command(BaseCommand):
    help = (
        "Print (and e-mail, if the account has an address) an invitation link with "
        "which the user chooses a password and links an authenticator app. For a "
        "superuser made with createsuperuser, or after reset_two_factor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = user_named(username)
        invitation = invite(user)
        self.stdout.write(
            self.style.SUCCESS(f"Invitation for {username}: {invitation.url}")
        )
        if invitation.emailed:
            self.stdout.write(f"E-mailed to {user.email}.")
