from django import template

from meldcode_survey.lib.i18n import Translatable

register = template.Library()


@register.filter
def tr(obj: Translatable, field: str) -> str:
    """`{{ question|tr:"text" }}`: the field in the active language."""
    return obj.tr(field)
