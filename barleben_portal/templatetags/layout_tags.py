"""What the layout of every page asks of the portal: `{% page_ancestors page as ancestors %}`
for the breadcrumbs, and `{% kept_per_generation %}` for what is the same on every page
(barleben_portal/layout.py)."""

from django import template
from django.utils.translation import get_language

from barleben_portal import layout

register = template.Library()


@register.simple_tag(takes_context=True)
def page_ancestors(context, page) -> list:
    return layout.page_ancestors(context["request"], page)


@register.tag
def kept_per_generation(parser, token):
    """`{% kept_per_generation "footer" %}…{% endkept_per_generation %}`: the block made once
    per process, generation of the page cache, site and language, and shown on every page
    after; only for what shows the site and its settings, nothing of the page or request."""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("kept_per_generation takes a name") from None
    nodelist = parser.parse(("endkept_per_generation",))
    parser.delete_first_token()
    return KeptNode(name.strip("\"'"), nodelist)


class KeptNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        site_root = context.get("site_root")
        if request is None or site_root is None:
            return self.nodelist.render(context)
        key = ("kept", self.name, site_root["pk"], get_language())
        return layout.once_per_generation(request, key, lambda: self.nodelist.render(context))
