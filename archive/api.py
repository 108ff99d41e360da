"""Archive documents in the open-data API (website/api.py): the public ones, as the
archive shows them, with their stable page, the download and, in the detail, the extracted
text page by page."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from website.api import (
    ModifiedSinceFilter,
    OrtschaftFilter,
    PublicReadOnlyViewSet,
    SlugFilter,
)

from .models import Document


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    document_type = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    issuing_body = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    ortschaften = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    checksum = serializers.CharField(help_text="SHA-512 of the file, hexadecimal.")

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "url",
            "download_url",
            "document_type",
            "issuing_body",
            "date",
            "ortschaften",
            "description",
            "page_count",
            "file_size",
            "checksum",
            "indexing_state",
            "created_at",
            "modified_at",
            "indexed_at",
        ]

    def get_url(self, document) -> str:
        return self.context["request"].build_absolute_uri(document.get_absolute_url())

    def get_download_url(self, document) -> str:
        return self.context["request"].build_absolute_uri(document.url)


class PageTextSerializer(serializers.Serializer):
    page_number = serializers.IntegerField()
    text = serializers.CharField()
    is_ocr = serializers.BooleanField(help_text="Read by OCR from a scanned page.")


class DocumentDetailSerializer(DocumentSerializer):
    pages = PageTextSerializer(many=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "pages"]


class DocumentFilter(filters.FilterSet):
    ortschaft = OrtschaftFilter()
    type = SlugFilter(field_name="document_type__slug", help_text="Document type slug.")
    body = SlugFilter(field_name="issuing_body__slug", help_text="Issuing body slug.")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    modified_since = ModifiedSinceFilter(
        field_name="modified_at",
        lookup_expr="gte",
        help_text="Only documents changed (file, text or data) at or after this time (ISO 8601).",
    )


class DocumentViewSet(PublicReadOnlyViewSet):
    """Public archive documents, newest first."""

    filterset_class = DocumentFilter
    modified_field = "modified_at"
    model = Document

    def public_queryset(self):
        documents = Document.objects.public().for_listing().order_by("-date", "-pk")
        if self.action == "retrieve":
            documents = documents.prefetch_related("pages")
        return documents

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer
