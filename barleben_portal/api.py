"""The read-only open-data API's addresses (`/api/v1/`): the router over the apps' endpoints
(their common ground is website/api.py) and the hooks that shape its OpenAPI document at
`/api/v1/openapi.json`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from archive.api import DocumentViewSet
from notices.api import EventViewSet, NoticeViewSet
from participation.api import SurveyResultsViewSet
from services.api import ServiceViewSet


def api_urls() -> list:
    router = SimpleRouter()
    router.register("notices", NoticeViewSet, basename="api-notice")
    router.register("events", EventViewSet, basename="api-event")
    router.register("documents", DocumentViewSet, basename="api-document")
    router.register("survey-results", SurveyResultsViewSet, basename="api-survey-results")
    router.register("services", ServiceViewSet, basename="api-service")
    return [
        path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
        path("", include(router.urls)),
    ]


def schema_endpoints(endpoints: list) -> list:
    """drf-spectacular's preprocessing hook: the OpenAPI document describes this API only,
    not the admin's internal one."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def schema_error_responses(result, generator, request, public):
    """drf-spectacular's postprocessing hook: the answers besides 200 that every operation
    can give, so that clients (and Schemathesis) find them in the document."""
    detail = {"type": "object", "properties": {"detail": {"type": "string"}}}
    invalid = {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }
    for address, operations in result["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            responses["304"] = {"description": "Not modified (If-None-Match, If-Modified-Since)."}
            responses["404"] = {
                "description": "No such item, or no such page of the list.",
                "content": {"application/json": {"schema": detail}},
            }
            if "{id}" not in address:
                responses["400"] = {
                    "description": "A filter's value is invalid; the body names it.",
                    "content": {"application/json": {"schema": invalid}},
                }
    return result
