"""Images are shown in prepared sizes: when an image is saved, a task makes every size the
public pages use, so that no citizen's request has to make one."""

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.images.models import Rendition

from notices.models import NoticeIndexPage
from tests.factories import NoticePageFactory
from website.models import MunicipalitySettings
from website.tasks import PUBLIC_RENDITIONS

pytestmark = pytest.mark.django_db

# `{% image value.image max-1200x900 alt=… %}`: the filter spec after the image
IMAGE_TAG = re.compile(r"{%\s*image\s+\S+\s+([\w-]+)")


def saved_image(title: str, capture):
    """An image as the admin saves one, with the work queued on commit done."""
    output = BytesIO()
    PillowImage.new("RGB", (1600, 1000), "#00538f").save(output, format="PNG")
    with capture(execute=True):
        return get_image_model().objects.create(
            title=title, file=ImageFile(output, name=f"{title}.png")
        )


def test_every_size_a_template_shows_is_prepared():
    shown = set()
    for template in (settings.BASE_DIR / "templates").rglob("*.html"):
        shown |= set(IMAGE_TAG.findall(template.read_text()))

    assert shown
    assert shown <= set(PUBLIC_RENDITIONS)


def test_saving_an_image_prepares_its_public_sizes(
    celery_eager, django_capture_on_commit_callbacks
):
    image = saved_image("festwiese", django_capture_on_commit_callbacks)

    assert set(image.renditions.values_list("filter_spec", flat=True)) == set(PUBLIC_RENDITIONS)


def test_pages_with_images_make_no_rendition_while_a_citizen_waits(
    client, demo, celery_eager, django_capture_on_commit_callbacks
):
    # given a logo and a notice with a picture, saved as the admin saves them
    logo = saved_image("wappen", django_capture_on_commit_callbacks)
    municipality = MunicipalitySettings.for_site(demo.get_site())
    municipality.logo = logo
    municipality.save()
    picture = saved_image("festwiese", django_capture_on_commit_callbacks)
    notice = NoticePageFactory(
        parent=NoticeIndexPage.objects.get(),
        body=[("image", {"image": picture, "alt_text": "Bänke am Teich", "caption": ""})],
    )
    prepared = Rendition.objects.count()

    # when citizens open the home page and the notice (header logo, picture, link preview)
    for url in ("/", notice.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert logo.get_rendition("height-64").url in response.content.decode()
    assert picture.get_rendition("max-1200x900").url in response.content.decode()

    # then every size they show was there already
    assert Rendition.objects.count() == prepared


def test_images_are_served_without_debug_and_nothing_else_is(
    client, celery_eager, django_capture_on_commit_callbacks, settings
):
    # given an image with its prepared sizes, on a portal with DEBUG off (as in production)
    assert settings.DEBUG is False
    image = saved_image("Ortsschild", django_capture_on_commit_callbacks)
    rendition = image.renditions.first()

    # then its sizes and its original are served, kept a day, and asked for again
    for url in (rendition.url, image.file.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/png"
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=86400"}
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304
        assert client.head(url).status_code == 200
    # and nothing outside the images' folders: documents only through the portal
    for path in (
        "/media/documents/Satzung.pdf",
        "/media/images/../documents/Satzung.pdf",
        "/media/images/%2e%2e/documents/Satzung.pdf",
        "/media/images/",
    ):
        assert client.get(path).status_code == 404, path
