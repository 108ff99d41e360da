"""What every endpoint of the read-only open-data API (`/api/v1/`) shares: pagination,
filters, and a view set that answers conditional requests. The endpoints live in their apps
(notices, archive, participation), the router in the project (barleben_portal/api.py).

Every view of the API is anonymous on purpose: it authenticates nobody, so a logged-in
member of staff gets what everybody gets, never a draft. Lists are paginated with stable
ids and absolute addresses. Responses allow any origin to read them (CORS, GET only: the
API changes nothing) and carry an ETag and, where the data has one, Last-Modified, so a
client that asks again with If-None-Match or If-Modified-Since gets a 304.
"""

import hashlib
from datetime import UTC

from django import forms
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import pagination, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from .models import Ortschaft

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class ApiPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        # DRF answers a page size out of range with its default; a client that asked for 0
        # or 1,000 items should learn that it did not get them: a 400 naming the parameter.
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (value.isdigit() and 1 <= int(value) <= self.max_page_size):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number from 1 to %(maximum)s.") % {"maximum": self.max_page_size}
                    ]
                }
            )
        return int(value)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        # DRF writes OpenAPI 3.0's `nullable`; the document is 3.1 (settings), where the last
        # page's `next` and the first's `previous` are null by their type.
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            field = paginated["properties"][link]
            field.pop("nullable", None)
            field["type"] = ["string", "null"]
        return paginated

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]*$"}


@extend_schema_field(SLUG)
class SlugFilter(filters.CharFilter):
    """A slug (of a kind, a type, a body): anything else is a 400 that names the parameter."""

    field_class = forms.SlugField


@extend_schema_field(SLUG)
class OrtschaftFilter(SlugFilter):
    """`ortschaft=<slug>`: what concerns this Ortschaft, and what concerns the whole
    municipality (the model's `for_ortschaft`); an unknown slug finds nothing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Slug of an Ortschaft, e.g. `ebendorf`.")
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        ortschaft = Ortschaft.objects.filter(slug=value).first()
        return queryset.for_ortschaft(ortschaft) if ortschaft else queryset.none()


class ModifiedSinceFilter(filters.IsoDateTimeFilter):
    """`modified_since=<ISO 8601 time>`, compared in UTC: PostgreSQL takes offsets up to
    ±15:59 only, ISO 8601 up to ±23:59."""

    def filter(self, queryset, value):
        if value is None:
            return queryset
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # before the year 1 in UTC: everything is later
            return queryset
        return super().filter(queryset, value)


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """The base of every list and detail of the API; see the module's docstring."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filter_backends = [filters.DjangoFilterBackend]
    # The field whose newest value is the list's Last-Modified (None: only an ETag).
    modified_field: str | None = None
    model = None

    def public_queryset(self):
        """What the public site shows, in the list's order."""
        raise NotImplementedError

    def get_queryset(self):
        # drf-spectacular describes the view without a request (also in `check --deploy`,
        # maybe before the tables exist): the model is enough.
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.public_queryset()

    def _remember_modified(self, items) -> None:
        if self.modified_field is not None:
            values = [getattr(item, self.modified_field) for item in items]
            self._last_modified = max((value for value in values if value), default=None)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        modified = getattr(self, "_last_modified", None)
        if modified is not None:
            response["Last-Modified"] = http_date(modified.timestamp())
        # Public data: shared caches may keep it, and must ask again after a minute.
        response["Cache-Control"] = "public, max-age=60"
        conditional = get_conditional_response(
            request,
            etag=etag,
            last_modified=int(modified.timestamp()) if modified is not None else None,
            response=response,
        )
        return conditional

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._remember_modified(page or [])
        return page

    def get_object(self):
        item = super().get_object()
        self._remember_modified([item])
        return item
