"""The administrative services in the open-data API (website/api.py): what the catalogue
lists, with the responsible offices (and the Ortschaft each serves), the opening hours, the
online services and the life situations."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from website.api import ModifiedSinceFilter, PublicReadOnlyViewSet, SlugFilter

from .models import (
    OnlineService,
    OpeningHours,
    Service,
    ServiceResponsibility,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$",
        "description": "Local time (Europe/Berlin), HH:MM:SS.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day in the municipality: JSON Schema's `time` format would ask for an
    offset, which opening hours do not have."""


class OpeningHoursSerializer(serializers.ModelSerializer):
    weekday = serializers.IntegerField(help_text="0 Monday … 6 Sunday.")
    opens = LocalTimeField()
    closes = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    ortschaft = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The Ortschaft the office serves for this service; null: the whole municipality.",
    )
    name = serializers.CharField(source="office.name")
    street_address = serializers.CharField(source="office.street_address")
    postal_code = serializers.CharField(source="office.postal_code")
    city = serializers.CharField(source="office.city")
    phone = serializers.CharField(source="office.phone")
    email = serializers.CharField(source="office.email")
    website = serializers.CharField(source="office.website")
    accessibility = serializers.CharField(source="office.accessibility")
    opening_hours = OpeningHoursSerializer(source="office.opening_hours", many=True)

    class Meta:
        model = ServiceResponsibility
        fields = [
            "ortschaft",
            "name",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "accessibility",
            "opening_hours",
        ]


class OnlineServiceSerializer(serializers.ModelSerializer):
    link_type = serializers.CharField(
        help_text="Code of urn:xoev-de:fim:codeliste:onlinedienstlinktyp, where imported."
    )

    class Meta:
        model = OnlineService
        fields = ["name", "url", "link_type", "trust_level"]


class ServiceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    leika_key = serializers.CharField(help_text="The 14-digit key of the Leistungskatalog.")
    life_situations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    online_services = OnlineServiceSerializer(many=True)
    offices = ResponsibilitySerializer(source="responsibilities", many=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "leika_key",
            "name",
            "url",
            "short_text",
            "life_situations",
            "online_services",
            "offices",
            "modified_at",
        ]

    def get_url(self, service) -> str:
        return self.context["request"].build_absolute_uri(service.get_absolute_url())


class ServiceDetailSerializer(ServiceSerializer):
    """With the texts, as sanitised HTML."""

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, *Service.TEXT_FIELDS[1:], "synonyms"]


class ServiceFilter(filters.FilterSet):
    life_situation = SlugFilter(
        field_name="life_situations__slug", help_text="Slug of a life situation."
    )
    leika_key = filters.CharFilter(help_text="The 14-digit LeiKa key.")
    modified_since = ModifiedSinceFilter(
        field_name="modified_at",
        lookup_expr="gte",
        help_text="Only services changed at or after this time (ISO 8601).",
    )


class ServiceViewSet(PublicReadOnlyViewSet):
    """The administrative services of the catalogue, by name."""

    filterset_class = ServiceFilter
    modified_field = "modified_at"
    model = Service

    def public_queryset(self):
        return Service.objects.current().with_details().order_by("name", "pk")

    def get_serializer_class(self):
        return ServiceDetailSerializer if self.action == "retrieve" else ServiceSerializer
