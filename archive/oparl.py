"""The archive's council documents as OParl 1.1 (https://oparl.org/spezifikation/), read-only.

What is served, and from what:

- `System`: the installation (`/oparl/v1/`); `Body`: the municipality, from the default
  site's `MunicipalitySettings` (name, AGS, e-mail). The archive is not split by site, so
  there is one body.
- `Organization`: every `IssuingBody`. `organizationType` is "Verwaltungsbereich" for the
  administration (slug `verwaltung`), "Gremium" for every other body; `classification`
  says which kind of Gremium where the slug tells it (Gemeinderat, Ortschaftsrat,
  Ausschuss).
- `Meeting`: every document of type Sitzungsniederschrift is the meeting of its issuing
  body on its date. The Niederschrift (KVG LSA § 58: what was dealt with and decided, not
  every word) is the meeting's `resultsProtocol`. The archive knows the day, not the hour:
  `start` is the day's beginning.
- `Paper`: the documents of types Beschluss, Satzung, Bekanntmachung and Plan, with the
  document as `mainFile`, the type's name as `paperType` and the issuing body as
  `originatorOrganization`. Amtsblatt (a gazette, not a council paper), Formular,
  Sonstiges and untyped documents are not council documents and are not served.
- `File`: the document of each meeting and paper, embedded there and in its own list:
  `accessUrl` is the portal's download, `sha1Checksum` Wagtail's `file_hash`,
  `sha512Checksum` the archive's `checksum`, `text` the extracted text. `downloadUrl` only
  where the portal sends the file as an attachment (PDFs open in the browser).
- Persons, agenda items, consultations and legislative terms: the archive has none; the
  required person list is served empty, `legislativeTerm` is an empty array.

Only what the public archive shows is served: documents outside collections with a view
restriction, and only once their text is read (`indexed`): a waiting or failed document
has no `text` to publish.

Lists are paged (`page`, `limit` up to 100) and filtered by `created_since`,
`created_until`, `modified_since` and `modified_until`. With `modified_since`, objects no
longer served since then are listed as `deleted: true` (`OParlTombstone`, written by the
signal handlers below when a document is deleted, made private (also by a restriction on
its collection or the admin's bulk move), changes its type or is read again; served again,
it counts as modified then). Not tracked: a collection moved under a restricted one (its
documents vanish without a tombstone), and deleted meetings in an organization's own
meeting list (they are in the body's). Persons, bodies and the system have no timestamps
to filter by: the filters pass them through.

Ids are absolute URLs from `settings.BASE_URL`, so they do not change with the host a
request used.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import BooleanField, F, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Collection, CollectionViewRestriction, Site

from website.models import MunicipalitySettings

from .models import Document, IssuingBody, OParlTombstone

OPARL_VERSION = "https://schema.oparl.org/1.1/"
SCHEMA = "https://schema.oparl.org/1.1/"
MEETING_TYPE_SLUGS = frozenset({"sitzungsniederschrift"})
PAPER_TYPE_SLUGS = frozenset({"beschluss", "satzung", "bekanntmachung", "plan"})
ADMINISTRATION_SLUG = "verwaltung"
# The kind of Gremium, by the start of its slug.
CLASSIFICATIONS = [
    ("gemeinderat", "Gemeinderat"),
    ("stadtrat", "Stadtrat"),
    ("ortschaftsrat", "Ortschaftsrat"),
]
DEFAULT_PAGE_SIZE = 20
# Each file carries its whole text: a page of long plans is large enough at 100.
MAX_PAGE_SIZE = 100
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")

ObjectType = OParlTombstone.ObjectType


class OParlRequestError(Exception):
    """A request OParl cannot answer: its message is for the client, its status the HTTP one."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# Addresses


def _absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def oparl_url(name: str, *args) -> str:
    """The absolute address of an OParl view (`oparl_url("oparl_paper", 7)`)."""
    return _absolute(reverse(name, args=args))


def _timestamp(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


# What is served


def served_documents() -> models.QuerySet:
    """The documents OParl serves: public, read, and a meeting's or paper's type."""
    return (
        Document.objects.public()
        .indexed()
        .filter(document_type__slug__in=MEETING_TYPE_SLUGS | PAPER_TYPE_SLUGS)
    )


def _served_meetings() -> models.QuerySet:
    return served_documents().filter(document_type__slug__in=MEETING_TYPE_SLUGS)


def _served_papers() -> models.QuerySet:
    return served_documents().filter(document_type__slug__in=PAPER_TYPE_SLUGS)


def _for_output(documents: models.QuerySet) -> models.QuerySet:
    return documents.select_related("document_type").prefetch_related("ortschaften")


def _object_types_of(type_slug: str | None) -> set[str]:
    """The OParl objects a served document of this type is."""
    if type_slug in MEETING_TYPE_SLUGS:
        return {ObjectType.MEETING, ObjectType.FILE}
    if type_slug in PAPER_TYPE_SLUGS:
        return {ObjectType.PAPER, ObjectType.FILE}
    return set()


def _is_meeting(document: Document) -> bool:
    return document.document_type is not None and document.document_type.slug in (
        MEETING_TYPE_SLUGS
    )


# Objects


def system_object() -> dict:
    """The installation's `System`."""
    site = Site.objects.filter(is_default_site=True).first()
    municipality = MunicipalitySettings.for_site(site) if site else None
    system = {
        "id": oparl_url("oparl_system"),
        "type": f"{SCHEMA}System",
        "oparlVersion": OPARL_VERSION,
        "body": oparl_url("oparl_bodies"),
        "website": _absolute("/"),
        "web": _absolute("/"),
    }
    if site and site.site_name:
        system["name"] = site.site_name
    if municipality and municipality.email:
        system["contactEmail"] = municipality.email
    return system


def body_object() -> dict:
    """The municipality as OParl `Body`."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise OParlRequestError(_("This portal has no municipality yet."), status=404)
    municipality = MunicipalitySettings.for_site(site)
    body = {
        "id": oparl_url("oparl_body"),
        "type": f"{SCHEMA}Body",
        "system": oparl_url("oparl_system"),
        "name": municipality.name,
        "website": _absolute("/"),
        "organization": oparl_url("oparl_organizations"),
        "person": oparl_url("oparl_persons"),
        "meeting": oparl_url("oparl_meetings"),
        "paper": oparl_url("oparl_papers"),
        "file": oparl_url("oparl_files"),
        "legislativeTerm": [],
        "classification": "Gemeinde",
        "web": _absolute("/"),
    }
    if municipality.city:
        body["shortName"] = municipality.city
    if municipality.ags:
        body["ags"] = municipality.ags
    if municipality.email:
        body["contactEmail"] = municipality.email
    return body


def organization_object(issuing_body: IssuingBody) -> dict:
    """An issuing body as OParl `Organization`."""
    is_administration = issuing_body.slug == ADMINISTRATION_SLUG
    organization = {
        "id": oparl_url("oparl_organization", issuing_body.pk),
        "type": f"{SCHEMA}Organization",
        "body": oparl_url("oparl_body"),
        "name": issuing_body.name,
        "organizationType": "Verwaltungsbereich" if is_administration else "Gremium",
        "meeting": oparl_url("oparl_organization_meetings", issuing_body.pk),
        "created": _timestamp(issuing_body.created_at),
        "modified": _timestamp(issuing_body.modified_at),
    }
    classification = next(
        (name for prefix, name in CLASSIFICATIONS if issuing_body.slug.startswith(prefix)),
        "Ausschuss" if "ausschuss" in issuing_body.slug else None,
    )
    if classification and not is_administration:
        organization["classification"] = classification
    return organization


def file_object(document: Document) -> dict:
    """A served document's file as OParl `File`."""
    owner = (
        {"meeting": [oparl_url("oparl_meeting", document.pk)]}
        if _is_meeting(document)
        else {"paper": [oparl_url("oparl_paper", document.pk)]}
    )
    file = {
        "id": oparl_url("oparl_file", document.pk),
        "type": f"{SCHEMA}File",
        "name": document.title,
        "fileName": document.filename,
        "mimeType": document.content_type,
        "date": document.date.isoformat(),
        "text": document.text,
        "accessUrl": _absolute(document.url),
        **owner,
        "web": _absolute(document.get_absolute_url()),
        "created": _timestamp(document.created_at),
        "modified": _timestamp(document.modified_at),
    }
    if document.file_size is not None:
        file["size"] = document.file_size
    if document.file_hash:
        file["sha1Checksum"] = document.file_hash
    if document.checksum:
        file["sha512Checksum"] = document.checksum
    if document.content_disposition.startswith("attachment"):
        file["downloadUrl"] = file["accessUrl"]
    return file


def _keywords(document: Document) -> dict:
    names = [ortschaft.name for ortschaft in document.ortschaften.all()]
    return {"keyword": names} if names else {}


def meeting_object(document: Document) -> dict:
    """A Sitzungsniederschrift as the OParl `Meeting` it records."""
    start = timezone.make_aware(datetime.combine(document.date, time.min))
    meeting = {
        "id": oparl_url("oparl_meeting", document.pk),
        "type": f"{SCHEMA}Meeting",
        "name": document.title,
        "meetingState": "durchgeführt",
        "cancelled": False,
        "start": _timestamp(start),
        "resultsProtocol": file_object(document),
        **_keywords(document),
        "web": _absolute(document.get_absolute_url()),
        "created": _timestamp(document.created_at),
        "modified": _timestamp(document.modified_at),
    }
    if document.issuing_body_id:
        meeting["organization"] = [oparl_url("oparl_organization", document.issuing_body_id)]
    return meeting


def paper_object(document: Document) -> dict:
    """A council document as OParl `Paper`."""
    paper = {
        "id": oparl_url("oparl_paper", document.pk),
        "type": f"{SCHEMA}Paper",
        "body": oparl_url("oparl_body"),
        "name": document.title,
        "date": document.date.isoformat(),
        "paperType": document.document_type.name,
        "mainFile": file_object(document),
        **_keywords(document),
        "web": _absolute(document.get_absolute_url()),
        "created": _timestamp(document.created_at),
        "modified": _timestamp(document.modified_at),
    }
    if document.issuing_body_id:
        paper["originatorOrganization"] = [
            oparl_url("oparl_organization", document.issuing_body_id)
        ]
    return paper


def deleted_object(tombstone: OParlTombstone) -> dict:
    """What OParl keeps of an object no longer served."""
    kind = ObjectType(tombstone.object_type)
    return {
        "id": oparl_url(f"oparl_{kind.value}", tombstone.object_id),
        "type": f"{SCHEMA}{kind.label}",
        "created": _timestamp(tombstone.created_at),
        "modified": _timestamp(tombstone.deleted_at),
        "deleted": True,
    }


@dataclass(frozen=True)
class Kind:
    """One kind of OParl object: where its rows come from and how each is written."""

    object_type: str
    served: Callable[[], models.QuerySet]
    write: Callable[[models.Model], dict]


KINDS = {
    ObjectType.ORGANIZATION: Kind(
        ObjectType.ORGANIZATION, IssuingBody.objects.all, organization_object
    ),
    ObjectType.MEETING: Kind(
        ObjectType.MEETING, lambda: _for_output(_served_meetings()), meeting_object
    ),
    ObjectType.PAPER: Kind(ObjectType.PAPER, lambda: _for_output(_served_papers()), paper_object),
    ObjectType.FILE: Kind(ObjectType.FILE, lambda: _for_output(served_documents()), file_object),
}


def oparl_object(*, object_type: str, object_id: int) -> dict:
    """One object, or what is kept of it once deleted; OParlRequestError if unknown."""
    kind = KINDS[object_type]
    found = kind.served().filter(pk=object_id).first()
    if found is not None:
        return kind.write(found)
    tombstone = OParlTombstone.objects.filter(object_type=object_type, object_id=object_id).first()
    if tombstone is not None:
        return deleted_object(tombstone)
    raise OParlRequestError(_("There is no such object."), status=404)


# Lists


@dataclass(frozen=True)
class ListFilters:
    created_since: datetime | None = None
    created_until: datetime | None = None
    modified_since: datetime | None = None
    modified_until: datetime | None = None


def _parsed_time(name: str, raw: str) -> datetime:
    # A "+" of a time zone that was not encoded arrives as a space.
    value = raw.strip().replace(" ", "+")
    try:
        # Python's parser stops at a NUL character; such a value is no time.
        parsed = parse_datetime(value) if value.isprintable() else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise OParlRequestError(
            _("The parameter %(name)s needs a date and time such as 2024-01-31T12:00:00+01:00.")
            % {"name": name}
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def list_filters_parse(params: QueryDict) -> ListFilters:
    """The filters of a list's address; OParlRequestError for one that is not a time."""
    return ListFilters(
        **{name: _parsed_time(name, params[name]) for name in FILTERS if params.get(name)}
    )


def _page_size(params: QueryDict) -> int:
    raw = params.get("limit") or str(DEFAULT_PAGE_SIZE)
    # isdigit() alone takes "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise OParlRequestError(
            _("The parameter limit needs a whole number from 1 to %(max)s.")
            % {"max": MAX_PAGE_SIZE}
        )
    return int(raw)


def _filtered(rows: models.QuerySet, filters: ListFilters, *, created: str, modified: str):
    lookups = {
        f"{created}__gte": filters.created_since,
        f"{created}__lte": filters.created_until,
        f"{modified}__gte": filters.modified_since,
        f"{modified}__lte": filters.modified_until,
    }
    return rows.filter(**{lookup: value for lookup, value in lookups.items() if value})


def _entries(served: models.QuerySet, object_type: str, filters: ListFilters):
    """(id, is_deleted) of a list, in id order; the deleted only for a sync (modified_since)."""
    entry = {"is_deleted": Value(False, output_field=BooleanField())}
    live = (
        _filtered(served, filters, created="created_at", modified="modified_at")
        .order_by()
        .annotate(entry_id=F("pk"), **entry)
        .values_list("entry_id", "is_deleted")
    )
    if filters.modified_since is None:
        return live.order_by("entry_id")
    deleted = (
        _filtered(
            OParlTombstone.objects.filter(object_type=object_type),
            filters,
            created="created_at",
            modified="deleted_at",
        )
        .exclude(object_id__in=served.order_by().values("pk"))
        .order_by()
        .annotate(entry_id=F("object_id"), is_deleted=Value(True, output_field=BooleanField()))
        .values_list("entry_id", "is_deleted")
    )
    return live.union(deleted, all=True).order_by("entry_id")


def _links(list_url: str, params: QueryDict, page_number: int, total_pages: int) -> dict:
    def address(number: int) -> str:
        query = params.copy()
        query["page"] = str(number)
        return f"{list_url}?{urlencode(sorted(query.items()))}"

    links = {"first": address(1), "self": address(page_number), "last": address(total_pages)}
    if page_number > 1:
        links["prev"] = address(page_number - 1)
    if page_number < total_pages:
        links["next"] = address(page_number + 1)
    return links


def oparl_list(
    *,
    object_type: str,
    list_url: str,
    params: QueryDict,
    served: models.QuerySet | None = None,
) -> dict:
    """One page of an external object list, in the fixed queries of any page size.

    `served` narrows the kind's rows (an organization's meetings); OParlRequestError for a
    bad filter, page size or page.
    """
    kind = KINDS[object_type]
    served = kind.served() if served is None else served
    filters = list_filters_parse(params)
    page_size = _page_size(params)
    paginator = Paginator(_entries(served, object_type, filters), page_size)
    try:
        page = paginator.page(params.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise OParlRequestError(_("This list has no such page."), status=404) from None
    live_ids = [entry_id for entry_id, is_deleted in page.object_list if not is_deleted]
    deleted_ids = [entry_id for entry_id, is_deleted in page.object_list if is_deleted]
    objects = {item.pk: kind.write(item) for item in served.filter(pk__in=live_ids)}
    if deleted_ids:
        objects |= {
            tombstone.object_id: deleted_object(tombstone)
            for tombstone in OParlTombstone.objects.filter(
                object_type=object_type, object_id__in=deleted_ids
            )
        }
    link_params = params.copy()
    link_params.pop("page", None)
    return {
        "data": [objects[entry_id] for entry_id, _is_deleted in page.object_list],
        "pagination": {
            "totalElements": paginator.count,
            "elementsPerPage": page_size,
            "currentPage": page.number,
            "totalPages": paginator.num_pages,
        },
        "links": _links(list_url, link_params, page.number, paginator.num_pages),
    }


def single_list(*, items: list[dict], list_url: str) -> dict:
    """A list that is never longer than a page: the bodies, the (empty) persons."""
    return {
        "data": items,
        "pagination": {
            "totalElements": len(items),
            "elementsPerPage": max(len(items), 1),
            "currentPage": 1,
            "totalPages": 1,
        },
        "links": {"first": f"{list_url}?page=1", "self": f"{list_url}?page=1"},
    }


# Tombstones: written in the transaction of the change that ends an object's publication.


def _served_object_types(*, document_id: int) -> set[str]:
    type_slug = (
        served_documents().filter(pk=document_id).values_list("document_type__slug", flat=True)
    ).first()
    return _object_types_of(type_slug)


def tombstones_write(*, object_types: Iterable[str], object_id: int, created_at: datetime):
    """Mark these objects of one id as deleted now (again, if they were before)."""
    OParlTombstone.objects.bulk_create(
        [
            OParlTombstone(object_type=object_type, object_id=object_id, created_at=created_at)
            for object_type in object_types
        ],
        update_conflicts=True,
        unique_fields=["object_type", "object_id"],
        update_fields=["created_at", "deleted_at"],
    )


def remember_served_objects(sender, instance: Document, raw: bool = False, **kwargs):
    # pre_save: what the row in the database is served as, before this save changes it.
    is_new = raw or instance._state.adding or instance.pk is None
    instance._oparl_served_before = (
        set() if is_new else _served_object_types(document_id=instance.pk)
    )


def update_document_tombstones(sender, instance: Document, raw: bool = False, **kwargs):
    # post_save: objects no longer served get a tombstone; those served again lose theirs.
    if raw:
        return
    served_now = _served_object_types(document_id=instance.pk)
    ended = getattr(instance, "_oparl_served_before", set()) - served_now
    if ended:
        tombstones_write(object_types=ended, object_id=instance.pk, created_at=instance.created_at)
    if served_now:
        OParlTombstone.objects.filter(object_id=instance.pk, object_type__in=served_now).delete()


def tombstone_deleted_document(sender, instance: Document, **kwargs):
    # pre_delete: the row is still there to say what it was served as.
    served = _served_object_types(document_id=instance.pk)
    if served:
        tombstones_write(object_types=served, object_id=instance.pk, created_at=instance.created_at)


def tombstone_deleted_issuing_body(sender, instance: IssuingBody, **kwargs):
    tombstones_write(
        object_types=[ObjectType.ORGANIZATION],
        object_id=instance.pk,
        created_at=instance.created_at,
    )


def _documents_under(collection: Collection) -> models.QuerySet:
    subtree = Collection.objects.filter(path__startswith=collection.path)
    return Document.objects.filter(collection__in=subtree.values("pk"))


def tombstone_restricted_documents(
    sender, instance: CollectionViewRestriction, created: bool = False, **kwargs
):
    # post_save of a new restriction: what was served from its collection is not any more.
    # (A changed password or group changes nothing OParl serves.)
    if not created:
        return
    other_restrictions = CollectionViewRestriction.objects.exclude(pk=instance.pk)
    other_paths = list(other_restrictions.values_list("collection__path", flat=True))
    before = (
        _documents_under(instance.collection)
        .indexed()
        .filter(document_type__slug__in=MEETING_TYPE_SLUGS | PAPER_TYPE_SLUGS)
    )
    for path in other_paths:
        before = before.exclude(collection__path__startswith=path)
    for document_id, type_slug, created_at in before.values_list(
        "pk", "document_type__slug", "created_at"
    ):
        tombstones_write(
            object_types=_object_types_of(type_slug), object_id=document_id, created_at=created_at
        )


def republish_unrestricted_documents(sender, instance: CollectionViewRestriction, **kwargs):
    # post_delete of a restriction: its documents are served again, as changed now.
    served_again = served_documents().filter(
        pk__in=_documents_under(instance.collection).values("pk")
    )
    ids = list(served_again.values_list("pk", flat=True))
    if ids:
        Document.objects.filter(pk__in=ids).update(modified_at=timezone.now())
        OParlTombstone.objects.filter(object_id__in=ids).exclude(
            object_type=ObjectType.ORGANIZATION
        ).delete()


def _served_object_types_by_id(document_ids: list[int]) -> dict[int, set[str]]:
    served = served_documents().filter(pk__in=document_ids)
    found = dict(served.values_list("pk", "document_type__slug"))
    return {pk: _object_types_of(found.get(pk)) for pk in document_ids}


def remember_bulk_served_objects(request, action_type, objects, action, **kwargs):
    # Wagtail's "add to collection" moves documents with one UPDATE, without signals.
    if action_type == "add_to_collection" and action.models == [Document]:
        action._oparl_served_before = _served_object_types_by_id([obj.pk for obj in objects])


def update_bulk_tombstones(request, action_type, objects, action, **kwargs):
    before = getattr(action, "_oparl_served_before", None)
    if before is None:
        return
    served_again = tombstones_follow(
        before=before, created={obj.pk: obj.created_at for obj in objects}
    )
    # Served again counts as changed now, for clients that sync with modified_since.
    Document.objects.filter(pk__in=served_again).update(modified_at=timezone.now())


def tombstones_follow(*, before: dict[int, set[str]], created: dict[int, datetime]) -> list[int]:
    """After documents changed without their signals (`before` from
    `_served_object_types_by_id`): tombstones for what is no longer served, none for what is
    served again. Returns the documents served again (the caller marks them changed)."""
    after = _served_object_types_by_id(list(before))
    for document_id, served_before in before.items():
        ended = served_before - after[document_id]
        if ended:
            tombstones_write(
                object_types=ended, object_id=document_id, created_at=created[document_id]
            )
    served_again = [pk for pk, served in after.items() if served - before[pk]]
    if served_again:
        OParlTombstone.objects.filter(object_id__in=served_again).exclude(
            object_type=ObjectType.ORGANIZATION
        ).delete()
    return served_again


def register_oparl_signal_handlers() -> None:
    """Keep the tombstones in step with what is served (called in AppConfig.ready), also
    through the admin's bulk move of documents to another collection."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    pre_save.connect(remember_served_objects, sender=Document)
    post_save.connect(update_document_tombstones, sender=Document)
    pre_delete.connect(tombstone_deleted_document, sender=Document)
    pre_delete.connect(tombstone_deleted_issuing_body, sender=IssuingBody)
    post_save.connect(tombstone_restricted_documents, sender=CollectionViewRestriction)
    post_delete.connect(republish_unrestricted_documents, sender=CollectionViewRestriction)
    hooks.register("before_bulk_action", remember_bulk_served_objects)
    hooks.register("after_bulk_action", update_bulk_tombstones)
