from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic responses for demos, tests and benchmarks; no models, no pages."""

    name = "meldcode_survey.demo"
    verbose_name = _("Demo data")
