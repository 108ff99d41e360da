"""Template tags of the portal's overrides of Wagtail's admin templates."""

from django import template
from wagtail.admin.auth import user_has_any_page_permission

register = template.Library()


@register.simple_tag
def may_search_pages(user) -> bool:
    """Whether the dashboard's page search leads anywhere for this user (the council has no
    page permissions: its search would end on a refusal)."""
    return user_has_any_page_permission(user)
