"""Template tags that mask phone and license numbers for the signed-in user's role."""

from django import template

from tobacco_crm.core import masking

register = template.Library()


@register.simple_tag(takes_context=True)
def phone_for(context, value: str) -> str:
    return masking.phone_for(context["request"].user, value)


@register.simple_tag(takes_context=True)
def license_for(context, value: str) -> str:
    return masking.license_no_for(context["request"].user, value)
