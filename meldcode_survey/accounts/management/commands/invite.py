from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldcode_survey.accounts.invitations import invite


class Command(BaseCommand):
    help = (
        "Print (and e-mail, if the account has an address) an invitation link with "
        "which the user chooses a password and links an authenticator app. For a "
        "superuser made with createsuperuser, or after reset_two_factor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as missing:
            raise CommandError(f"No user named {username!r}.") from missing
        invitation = invite(user)
        self.stdout.write(
            self.style.SUCCESS(f"Invitation for {username}: {invitation.url}")
        )
        if invitation.emailed:
            self.stdout.write(f"E-mailed to {user.email}.")
