from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (lost phone, new app). The user sets "
        "up a new authenticator app at the next login. Each removal is audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as missing:
            raise CommandError(f"No user named {username!r}.") from missing
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {len(devices)} device(s) of {username}; they set up "
                "two-factor authentication again at their next login."
            )
        )
