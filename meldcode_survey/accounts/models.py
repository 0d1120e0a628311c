"""Per-user limits on what an analyst may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalystSectorAccess(models.Model):
    """Limits an analyst to some sectors, in pages and in files.

    An analyst without a row sees every sector; with a row, only the sectors in
    it (an empty list: none).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sector_access",
        verbose_name=_("user"),
    )
    sectors = models.JSONField(
        _("sectors"),
        default=list,
        blank=True,
        help_text=_("The sector codes this analyst may see."),
    )

    class Meta:
        verbose_name = _("sector access")
        verbose_name_plural = _("sector access")

    def __str__(self) -> str:
        return ", ".join(self.sectors) or "-"
