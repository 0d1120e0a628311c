from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "meldcode_survey.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401 (checks registers itself)

        signals.connect()
