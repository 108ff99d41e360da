"""Image uploads (the municipality's logo, pictures in pages): only real raster images of a
limited size; markup that calls itself an image is refused. Documents have their own tests
(tests/archive/test_upload.py)."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Collection

pytestmark = pytest.mark.django_db


def png(width: int = 40, height: int = 20) -> bytes:
    output = io.BytesIO()
    PillowImage.new("RGB", (width, height), "#00538f").save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def upload(client, staff_member):
    client.force_login(staff_member("Redaktion"))

    def post(content: bytes, name: str):
        return client.post(
            reverse("wagtailimages:add"),
            {
                "title": name,
                "file": SimpleUploadedFile(name, content),
                "collection": Collection.get_first_root_node().pk,
                "tags": "",
            },
        )

    return post


def test_a_real_image_is_stored(upload):
    response = upload(png(), "wappen.png")

    assert response.status_code == 302
    assert get_image_model().objects.filter(title="wappen.png").exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "wappen.svg"),
        (b"<html><script>alert(1)</script></html>", "wappen.png"),
        (b"<html><script>alert(1)</script></html>", "wappen.html"),
    ],
    ids=["svg", "html-named-png", "html"],
)
def test_markup_is_refused_as_an_image(upload, content, name):
    before = get_image_model().objects.count()

    response = upload(content, name)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert get_image_model().objects.count() == before


def test_an_image_over_the_limit_is_refused(upload, settings):
    # given a photo of random noise, which PNG cannot compress below the 10 MiB limit
    noise = PillowImage.frombytes("RGB", (1900, 1900), os.urandom(1900 * 1900 * 3))
    output = io.BytesIO()
    noise.save(output, format="PNG", compress_level=0)
    content = output.getvalue()
    assert len(content) > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    before = get_image_model().objects.count()

    response = upload(content, "foto.png")

    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert "zu groß" in error
    assert get_image_model().objects.count() == before
