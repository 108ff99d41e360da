"""Reflow (WCAG 1.4.10): no horizontal scrolling at 320 CSS px, nor at 1280 px zoomed to 200 %."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    "path",
    ["/", "/barrierefreiheit/", "/suche/?q=Barleben"],
    ids=["home", "barrierefreiheit", "search"],
)
@pytest.mark.parametrize(
    ("width", "scale"),
    [
        pytest.param(320, 1, id="320px"),
        # 1280 device pixels at 200 % zoom leave 640 CSS pixels, as a zooming browser does.
        pytest.param(640, 2, id="1280px-zoom-200"),
    ],
)
def test_no_horizontal_scrolling(new_page, audit, path, width, scale):
    # given
    page = new_page(viewport={"width": width, "height": 800}, device_scale_factor=scale)

    # when
    page.goto(path)

    # then
    assert page.evaluate("window.innerWidth") == width
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"
    audit(page, "reflow")
