"""Pick the Dutch or English variant of a translated model field."""

from django.utils.translation import get_language


class Translatable:
    """Mixin for models that store Dutch text in `name` and English in `name_en`."""

    def tr(self, field: str) -> str:
        """Return `field` in the active language, falling back to Dutch."""
        if (get_language() or "nl").startswith("en"):
            english: str = getattr(self, f"{field}_en", "")
            if english:
                return english
        dutch: str = getattr(self, field)
        return dutch
