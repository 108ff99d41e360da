"""The OParl 1.1 interface: JSON for any OParl client, read-only, open to every origin.

The objects and lists come from `archive.oparl`; a view only answers the request: JSON with
`Content-Type: application/json`, `Access-Control-Allow-Origin: *`, and for a bad request
a JSON error with a message in German.
"""

import functools
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from . import oparl
from .oparl import ObjectType, OParlRequestError, oparl_url


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def oparl_view(view: Callable[..., dict]) -> Callable[..., JsonResponse]:
    """GET and HEAD only; the view's dict as JSON; OParlRequestError as a JSON error."""

    @require_safe
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            return _json(view(request, *args, **kwargs))
        except OParlRequestError as error:
            return _json({"error": error.message}, status=error.status)

    return wrapped


@oparl_view
def system(request: HttpRequest) -> dict:
    return oparl.system_object()


@oparl_view
def bodies(request: HttpRequest) -> dict:
    return oparl.single_list(items=[oparl.body_object()], list_url=oparl_url("oparl_bodies"))


@oparl_view
def body(request: HttpRequest) -> dict:
    return oparl.body_object()


@oparl_view
def persons(request: HttpRequest) -> dict:
    # OParl requires the list; the archive knows no persons.
    oparl.list_filters_parse(request.GET)
    return oparl.single_list(items=[], list_url=oparl_url("oparl_persons"))


def _list_view(object_type: str, list_name: str) -> Callable[..., JsonResponse]:
    @oparl_view
    def object_list(request: HttpRequest) -> dict:
        return oparl.oparl_list(
            object_type=object_type, list_url=oparl_url(list_name), params=request.GET
        )

    object_list.__name__ = f"{object_type}_list"
    return object_list


def _detail_view(object_type: str) -> Callable[..., JsonResponse]:
    @oparl_view
    def detail(request: HttpRequest, pk: int) -> dict:
        return oparl.oparl_object(object_type=object_type, object_id=pk)

    detail.__name__ = f"{object_type}_detail"
    return detail


organizations = _list_view(ObjectType.ORGANIZATION, "oparl_organizations")
meetings = _list_view(ObjectType.MEETING, "oparl_meetings")
papers = _list_view(ObjectType.PAPER, "oparl_papers")
files = _list_view(ObjectType.FILE, "oparl_files")
organization = _detail_view(ObjectType.ORGANIZATION)
meeting = _detail_view(ObjectType.MEETING)
paper = _detail_view(ObjectType.PAPER)
file = _detail_view(ObjectType.FILE)


@oparl_view
def organization_meetings(request: HttpRequest, pk: int) -> dict:
    """The meetings of one organization (its Sitzungsniederschriften)."""
    oparl.oparl_object(object_type=ObjectType.ORGANIZATION, object_id=pk)
    return oparl.oparl_list(
        object_type=ObjectType.MEETING,
        list_url=oparl_url("oparl_organization_meetings", pk),
        params=request.GET,
        served=oparl.KINDS[ObjectType.MEETING].served().filter(issuing_body=pk),
    )
