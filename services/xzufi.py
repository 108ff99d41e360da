"""Reading an XZuFi 2.2 export (the XÖV standard for services, offices and online services)
into plain data, checked, with every problem named; nothing here touches the database.

What is read (docs/services.md lists it for staff): `leistung` (id, the LeiKa key, the text
modules by their code of `urn:de:xzufi:codeliste:leistungstextmodulleika`, costs, deadline
and processing time, the terms in context as search terms, the categories as life
situations), `organisationseinheit` (id, name, address, contact, structured opening hours,
its responsibilities: service and area) and `onlinedienst` (id, name, links, trust level,
the services it takes applications for). Everything else in an export is skipped.

The file is parsed with defusedxml, which refuses a DTD, and with it every entity (external
ones, and the expansion bombs), and element by element, so a large export never sits in
memory as a tree. Imported HTML is reduced to a short list of safe elements (nh3).
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
VERSION = "2.2.0"
LEIKA_KEY = re.compile(r"^\d{14}$")
# A report names at most this many problems: a broken export usually repeats one.
MAX_PROBLEMS = 50

# Text modules by their code (urn:de:xzufi:codeliste:leistungstextmodulleika) → our fields.
NAME_MODULES = ("03", "02")  # Leistungsname (for citizens) first, then Leistungsbezeichnung
SHORT_TEXT_MODULES = ("05", "24")  # Kurztext, then Teaser
TEXT_MODULES = {
    "06": "full_text",
    "07": "legal_basis",
    "08": "required_documents",
    "09": "prerequisites",
    "10": "fees",
    "11": "procedure",
    "12": "processing_time",
    "13": "deadlines",
    "14": "forms",
    "15": "further_information",
    "16": "notes",
    "25": "remedies",
}
# The structured modules' descriptions, preferred to the text modules 10, 12 and 13.
STRUCTURED_MODULES = {
    "modulKosten": "fees",
    "modulFrist": "deadlines",
    "modulBearbeitungsdauer": "processing_time",
}
# Communication channels (urn:de:xoev:codeliste:erreichbarkeit).
CHANNELS = {"01": "email", "02": "phone", "03": "phone", "09": "website"}
# The longest value each channel's field holds (Office in services/models.py).
CHANNEL_LENGTHS = {"email": 254, "phone": 100, "website": 200}
# Weekdays as the exports write them: 1 (or 01) Monday … 7 Sunday.
WEEKDAY_CODES = {str(number + 1): number for number in range(7)}
WEEKDAY_CODES.update({f"0{number + 1}": number for number in range(7)})
TRUST_LEVELS = {
    "basisregistrierung": "basic",
    "niedrig": "low",
    "substanziell": "substantial",
    "hoch": "high",
}
SAFE_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "h3", "h4"}
SAFE_URL_SCHEMES = {"http", "https", "mailto", "tel"}


class CatalogueError(Exception):
    """The export cannot be imported; `problems` says why, each naming the element."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ServiceData:
    xzufi_id: str
    leika_key: str
    name: str
    texts: dict[str, str] = field(default_factory=dict)
    synonyms: list[str] = field(default_factory=list)
    # (the category's id, its name)
    life_situations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class OfficeData:
    xzufi_id: str
    name: str
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    # (weekday 0 Monday … 6 Sunday, opens, closes)
    opening_hours: list[tuple[int, time, time]] = field(default_factory=list)
    # (the service's XZuFi id, the area's key)
    responsibilities: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class OnlineServiceData:
    xzufi_id: str
    name: str
    url: str
    link_type: str = ""
    trust_level: str = ""
    service_ids: list[str] = field(default_factory=list)


@dataclass
class Catalogue:
    services: list[ServiceData] = field(default_factory=list)
    offices: list[OfficeData] = field(default_factory=list)
    online_services: list[OnlineServiceData] = field(default_factory=list)


def html_clean(text: str) -> str:
    """Imported HTML with only paragraphs, lists, emphasis, two levels of headings and
    links (http, https, mailto, tel) left."""
    return nh3.clean(
        text,
        tags=SAFE_TAGS,
        attributes={"a": {"href"}},
        url_schemes=SAFE_URL_SCHEMES,
        link_rel=None,
    ).strip()


def plain_text(text: str) -> str:
    """Imported HTML as plain text, for the short text and the names."""
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _local(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def _children(element: Element, name: str) -> list[Element]:
    return element.findall(_tag(name))


def _find(element: Element, path: str) -> Element | None:
    """The element at `path`, step by step in the XZuFi namespace or in none: the children
    of XÖV code types (`code`, `name`) are unqualified in real exports."""
    for step in path.split("/"):
        found = element.find(_tag(step))
        element = found if found is not None else element.find(step)
        if element is None:
            return None
    return element


def _text(element: Element | None, path: str = "") -> str:
    if element is not None and path:
        element = _find(element, path)
    return "" if element is None else (element.text or "").strip()


def _german(elements: list[Element]) -> str:
    """Of a multilingual text, the German version (or the only one)."""
    for element in elements:
        code = (element.get("languageCode") or "de").lower()
        if code == "de" or code.startswith("de-"):
            return (element.text or "").strip()
    return (elements[0].text or "").strip() if elements else ""


def _describe(element: Element, number: int) -> str:
    identifier = _text(element, "id")
    return f"{_local(element)} „{identifier}“" if identifier else f"{_local(element)} Nr. {number}"


def _service(element: Element, number: int, problems: list[str]) -> ServiceData | None:
    where = _describe(element, number)
    xzufi_id = _text(element, "id")
    leika_key = _text(element, "referenzLeiKa/code")
    modules: dict[str, str] = {}
    for module in _children(element, "modulText"):
        code = _text(module, "leikaTextmodul/code")
        content = _german(_children(module, "inhalt"))
        if code and content:
            modules.setdefault(code, content)
    name = next((plain_text(modules[code]) for code in NAME_MODULES if code in modules), "")
    if not xzufi_id:
        problems.append(f"{where}: ohne id")
    if not leika_key:
        problems.append(f"{where}: ohne LeiKa-Schlüssel (referenzLeiKa/code)")
    elif not LEIKA_KEY.match(leika_key):
        problems.append(f"{where}: LeiKa-Schlüssel „{leika_key}“ hat nicht 14 Ziffern")
    if not name:
        problems.append(f"{where}: ohne Namen (Textmodul 02 oder 03)")
    if not (xzufi_id and name and LEIKA_KEY.match(leika_key)):
        return None
    texts = {
        field_name: html_clean(modules[code])
        for code, field_name in TEXT_MODULES.items()
        if code in modules
    }
    short = next((modules[code] for code in SHORT_TEXT_MODULES if code in modules), "")
    texts["short_text"] = plain_text(short)
    for module_name, field_name in STRUCTURED_MODULES.items():
        module = element.find(_tag(module_name))
        if module is not None:
            description = _german(_children(module, "beschreibung"))
            if description:
                texts[field_name] = html_clean(description)
    synonyms = []
    for context in element.iter(_tag("begriffImKontext")):
        term = plain_text(_german(_children(context, "begriff")))
        if term and term not in synonyms:
            synonyms.append(term)
    life_situations = []
    for category in _children(element, "kategorie"):
        category_id = _text(category, "id")
        category_name = plain_text(_german(_children(category, "bezeichnung")))
        if category_id and category_name:
            life_situations.append((category_id, category_name[:200]))
    return ServiceData(
        xzufi_id=xzufi_id,
        leika_key=leika_key,
        name=name[:300],
        texts=texts,
        synonyms=synonyms,
        life_situations=life_situations,
    )


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value.strip()[:8])
    except ValueError:
        return None


def _office(element: Element, number: int, problems: list[str]) -> OfficeData | None:
    where = _describe(element, number)
    xzufi_id = _text(element, "id")
    name = plain_text(_german(element.findall(f"{_tag('name')}/{_tag('name')}")))
    if not xzufi_id:
        problems.append(f"{where}: ohne id")
    if not name:
        problems.append(f"{where}: ohne Namen (name/name)")
    if not (xzufi_id and name):
        return None
    office = OfficeData(xzufi_id=xzufi_id, name=name[:300])
    address = element.find(_tag("anschrift"))
    if address is not None:
        street = " ".join(filter(None, [_text(address, "strasse"), _text(address, "hausnummer")]))
        office.street_address = street[:200]
        office.postal_code = _text(address, "postleitzahl")[:10]
        office.city = _text(address, "ort")[:100]
    for contact in _children(element, "kommunikation"):
        channel = CHANNELS.get(_text(contact, "kanal/code"))
        value = _text(contact, "kennung")
        if channel and value and not getattr(office, channel):
            if channel == "website" and not value.lower().startswith(("http://", "https://")):
                problems.append(f"{where}: Website „{value}“ ist keine http(s)-Adresse")
                continue
            setattr(office, channel, value[: CHANNEL_LENGTHS[channel]])
    for day in element.iter(_tag("tagesoeffnungszeiten")):
        weekday = WEEKDAY_CODES.get(_text(day, "wochentag/code"))
        for period in _children(day, "zeitraum"):
            opens, closes = _time(_text(period, "beginn")), _time(_text(period, "ende"))
            if weekday is None or opens is None or closes is None or closes <= opens:
                problems.append(f"{where}: Öffnungszeit nicht lesbar")
                continue
            office.opening_hours.append((weekday, opens, closes))
    for responsibility in _children(element, "zustaendigkeit"):
        service_id = _text(responsibility, "leistungID")
        for area in _children(responsibility, "gebietID"):
            if service_id and (area.text or "").strip():
                office.responsibilities.append((service_id, area.text.strip()))
    return office


def _online_service(element: Element, number: int, problems: list[str]) -> OnlineServiceData | None:
    where = _describe(element, number)
    xzufi_id = _text(element, "id")
    name = plain_text(_german(_children(element, "bezeichnung")))
    links = _children(element, "link")
    if not xzufi_id:
        problems.append(f"{where}: ohne id")
    if not name:
        problems.append(f"{where}: ohne Bezeichnung")
    if not links:
        problems.append(f"{where}: ohne Link")
    url, link_type = "", ""
    for link in links:
        address = _text(link, "link")
        if not address.lower().startswith(("http://", "https://")):
            problems.append(f"{where}: Link „{address[:100]}“ ist keine http(s)-Adresse")
        elif not url:
            url, link_type = address, _text(link, "typ/code")
    if not (xzufi_id and name and url):
        return None
    trust = _text(element, "vertrauensniveau/code").lower()
    return OnlineServiceData(
        xzufi_id=xzufi_id,
        name=name[:300],
        url=url[:1000],
        link_type=link_type[:20],
        trust_level=TRUST_LEVELS.get(trust, ""),
        service_ids=[
            service_id
            for responsibility in _children(element, "zustaendigkeit")
            if (service_id := _text(responsibility, "leistungID"))
        ],
    )


READERS = {
    "leistung": ("services", _service),
    "organisationseinheit": ("offices", _office),
    "onlinedienst": ("online_services", _online_service),
}


def _elements(source: BinaryIO) -> Iterator[Element]:
    """The export's leistung, organisationseinheit and onlinedienst elements (the children of
    `schreibe`), each complete, after the root was checked; each is dropped once read."""
    ancestors: list[Element] = []
    for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            if not ancestors:
                _check_root(element)
            ancestors.append(element)
            continue
        ancestors.pop()
        parent = ancestors[-1] if ancestors else None
        if (
            parent is not None
            and parent.tag == _tag("schreibe")
            and element.tag.startswith(f"{{{NAMESPACE}}}")
            and _local(element) in READERS
        ):
            yield element
            parent.remove(element)


def _check_root(root: Element) -> None:
    if not root.tag.startswith(f"{{{NAMESPACE}}}"):
        raise CatalogueError(
            [
                f"Keine XZuFi-2.2-Nachricht: das Wurzelelement ist „{root.tag}“, "
                f"erwartet wird eines im Namensraum {NAMESPACE}"
            ]
        )
    version = root.get("xzufiVersion")
    if version != VERSION:
        raise CatalogueError(
            [
                f"XZuFi-Version „{version or 'ohne Angabe'}“ im Element „{_local(root)}“: "
                f"gelesen wird {VERSION}"
            ]
        )


def catalogue_read(source: BinaryIO) -> Catalogue:
    """The catalogue of an XZuFi 2.2 export; CatalogueError names every problem found (up to
    MAX_PROBLEMS), and then nothing of the file may be used."""
    catalogue = Catalogue()
    problems: list[str] = []
    counts = dict.fromkeys(READERS, 0)
    try:
        for element in _elements(source):
            kind = _local(element)
            counts[kind] += 1
            attribute, read = READERS[kind]
            item = read(element, counts[kind], problems)
            if item is not None:
                getattr(catalogue, attribute).append(item)
            if len(problems) >= MAX_PROBLEMS:
                break
    except ParseError as error:
        raise CatalogueError([f"Kein wohlgeformtes XML: {error}"]) from error
    except DefusedXmlException as error:
        raise CatalogueError(
            [f"Die Datei enthält eine DTD oder Entitäten, die nicht gelesen werden: {error}"]
        ) from error
    if not any(counts.values()) and not problems:
        problems.append(
            "Die Nachricht enthält keine leistung, organisationseinheit oder onlinedienst"
        )
    for attribute, label in [
        ("services", "leistung"),
        ("offices", "organisationseinheit"),
        ("online_services", "onlinedienst"),
    ]:
        seen: set[str] = set()
        for item in getattr(catalogue, attribute):
            if item.xzufi_id in seen:
                problems.append(f"{label} „{item.xzufi_id}“: die id kommt mehrfach vor")
            seen.add(item.xzufi_id)
    if problems:
        raise CatalogueError(problems[:MAX_PROBLEMS])
    return catalogue
