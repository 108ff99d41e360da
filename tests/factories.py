"""Factories for the portal's models; pages come from `seed_demo` (the `demo` fixture)."""

import factory
from django.utils.text import slugify
from wagtail.models import Site

from barleben_portal.models import BarrierReport, Ortschaft


class OrtschaftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ortschaft
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda number: f"Ortsteil {number}")
    slug = factory.LazyAttribute(lambda ortschaft: slugify(ortschaft.name))
    short_description = factory.LazyAttribute(lambda ortschaft: f"Über {ortschaft.name}.")
    sort_order = factory.Sequence(lambda number: 100 + number)


class BarrierReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BarrierReport

    site = factory.LazyFunction(lambda: Site.objects.filter(is_default_site=True).first())
    message = factory.Sequence(lambda number: f"The download link number {number} has no label.")
    location = "/impressum/"
    name = "Erika Mustermann"
    email = factory.Sequence(lambda number: f"citizen{number}@example.org")
