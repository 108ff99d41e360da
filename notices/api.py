"""Notices and events in the open-data API (website/api.py): what the board, the
archive and the calendar show, nothing else: live public pages, official notices once their
display period has begun (after it, as `archived`)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from website.api import (
    ModifiedSinceFilter,
    OrtschaftFilter,
    PublicReadOnlyViewSet,
    SlugFilter,
)

from .models import NoticePage


def notices_public(now=None):
    """Every notice the public site shows somewhere, newest first."""
    return NoticePage.objects.shown(now).for_listing().order_by("-publication_date", "-pk")


class EventSerializer(serializers.Serializer):
    start = serializers.DateTimeField(source="event_start")
    end = serializers.DateTimeField(source="event_end", allow_null=True)
    is_all_day = serializers.BooleanField()
    location_name = serializers.CharField()
    location_address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    organiser = serializers.CharField()
    registration_url = serializers.URLField(allow_null=True, help_text="Null when there is none.")

    def to_representation(self, notice):
        data = super().to_representation(notice)
        data["registration_url"] = data["registration_url"] or None
        return data


class NoticeSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    kind = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_name = serializers.CharField(source="kind.name")
    is_official = serializers.BooleanField()
    status = serializers.SerializerMethodField()
    ortschaften = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    easy_language_original = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="For a version in Leichte Sprache: the id of the notice it explains (only "
        "that one is legally binding); null for a notice in standard language.",
    )
    event = serializers.SerializerMethodField()

    class Meta:
        model = NoticePage
        fields = [
            "id",
            "title",
            "url",
            "kind",
            "kind_name",
            "is_official",
            "status",
            "ortschaften",
            "categories",
            "teaser",
            "publication_date",
            "display_from",
            "display_until",
            "event",
            "easy_language_original",
            "first_published_at",
            "last_published_at",
        ]

    def get_url(self, notice) -> str:
        return notice.get_full_url(self.context["request"])

    def get_status(self, notice) -> str:
        """`current` on the board, `archived` once an official notice's period is over."""
        return "archived" if notice.is_expired() else "current"

    @extend_schema_field(EventSerializer(allow_null=True))
    def get_event(self, notice):
        if not (notice.kind.is_event and notice.event_start):
            return None
        return EventSerializer(notice).data


class NoticeFilter(filters.FilterSet):
    ortschaft = OrtschaftFilter()
    kind = SlugFilter(field_name="kind__slug", help_text="Slug of a kind of notice.")
    date_from = filters.DateFilter(field_name="publication_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="publication_date", lookup_expr="lte")
    modified_since = ModifiedSinceFilter(
        field_name="last_published_at",
        lookup_expr="gte",
        help_text="Only notices published or changed at or after this time (ISO 8601).",
    )


class NoticeViewSet(PublicReadOnlyViewSet):
    """Notices of the board and the archive, newest first."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    modified_field = "last_published_at"
    model = NoticePage

    def public_queryset(self):
        return notices_public()


class EventFilter(NoticeFilter):
    date_from = filters.DateFilter(
        field_name="event_start", lookup_expr="date__gte", help_text="Events from this day on."
    )
    date_to = filters.DateFilter(
        field_name="event_start", lookup_expr="date__lte", help_text="Events up to this day."
    )


class EventViewSet(NoticeViewSet):
    """Events (notices of a kind that is an event, with a start), soonest first."""

    filterset_class = EventFilter

    def public_queryset(self):
        return (
            notices_public()
            .filter(kind__is_event=True, event_start__isnull=False)
            .order_by("event_start", "pk")
        )
