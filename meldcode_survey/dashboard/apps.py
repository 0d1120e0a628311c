from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "meldcode_survey.dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - the checks register on import
