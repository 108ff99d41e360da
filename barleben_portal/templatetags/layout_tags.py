"""What the layout of every page asks of the portal: `{% page_ancestors page as ancestors %}`
for the breadcrumbs (barleben_portal/layout.py)."""

from django import template

from barleben_portal import layout

register = template.Library()


@register.simple_tag(takes_context=True)
def page_ancestors(context, page) -> list:
    return layout.page_ancestors(context["request"], page)
