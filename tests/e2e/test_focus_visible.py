"""A keyboard user can see where the focus is (WCAG 2.4.7)."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUS_INDICATOR = """() => {
  const style = getComputedStyle(document.activeElement);
  return {
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    boxShadow: style.boxShadow !== 'none',
    css: `outline: ${style.outline}; box-shadow: ${style.boxShadow}`,
  };
}"""


def test_focused_controls_have_a_visible_indicator(page, audit, tab_to):
    # given
    page.goto("/")
    audit(page, "home")

    for selector in [
        "#site-search-query",
        ".site-search button",
        ".main-nav a",
        "#ortschaft-choice",
        ".ortschaft-switcher button",
    ]:
        # when
        tab_to(page, selector)

        # then
        indicator = page.evaluate(FOCUS_INDICATOR)
        assert indicator["outline"] or indicator["boxShadow"], f"{selector}: {indicator['css']}"
