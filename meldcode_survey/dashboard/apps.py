from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "meldcode_survey.dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401 - checks register on import

        pre_delete.connect(
            receivers.uncount_deleted_response,
            sender="responses.Response",
            dispatch_uid="dashboard_uncount_deleted_response",
        )
        for model in ("review.FinalCoding", "review.Redaction", "review.Code"):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    receivers.coding_changed,
                    sender=model,
                    dispatch_uid=f"dashboard_coding_{name}_{model}",
                )
