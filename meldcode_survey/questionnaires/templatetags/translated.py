from typing import Any

from django import template

register = template.Library()


@register.filter
def tr(obj: Any, field: str) -> str:
    """`{{ question|tr:"text" }}`: the field in the active language."""
    return obj.tr(field)
