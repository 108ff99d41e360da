"""XZuFi 2.2 exports for tests, written independently of the app's reader (services/xzufi.py).

An `Export` holds plain descriptions of services (`leistung`), offices
(`organisationseinheit`) and online services (`onlinedienst`) and writes them as the state's
editorial system does: a message in the namespace of XZuFi 2.2.0 with `nachrichtenkopf` and
`schreibe`, texts as escaped HTML in `inhalt` elements with a language code. Tests change
the descriptions (`export.service("L200").fee = …`) and write the export again.

`example_export()` is the catalogue most tests start from: three services of Barleben, an
office for the whole municipality, one serving Ebendorf and Meitzendorf differently, two
online services.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
VERSION = "2.2.0"
ROOT = "xzufi.transfer.operation.0101"

# The area keys (gebietID) tests give the municipality and its Ortschaften; the demo's and
# the `municipality` fixture's AGS is 15083040 (Barleben, Landkreis Börde, Sachsen-Anhalt).
AGS = "15083040"
# The regional key (ARS): state, region, county, the Verband's four digits, municipality.
ARS = "150835405040"
AREA_KEYS = {
    "barleben": "150835405040001",
    "ebendorf": "150835405040002",
    "meitzendorf": "150835405040003",
}
OTHER_MUNICIPALITY = "15003000"  # Magdeburg

# Text modules (urn:de:xzufi:codeliste:leistungstextmodulleika).
NAME = "03"
SHORT_TEXT = "05"
FULL_TEXT = "06"
LEGAL_BASIS = "07"
REQUIRED_DOCUMENTS = "08"
PREREQUISITES = "09"
PROCEDURE = "11"
# Communication channels (urn:de:xoev:codeliste:erreichbarkeit).
EMAIL, PHONE, WEBSITE = "01", "02", "09"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = "1", "2", "3", "4", "5"


@dataclass
class Service:
    id: str
    name: str
    # None: without referenzLeiKa
    leika_key: str | None = "99102013104000"
    short_text: str = ""
    # further text modules: code → HTML
    texts: dict[str, str] = field(default_factory=dict)
    fee: str = ""  # modulKosten
    deadline: str = ""  # modulFrist
    processing_time: str = ""  # modulBearbeitungsdauer
    synonyms: list[str] = field(default_factory=list)
    # (the category's id, its name)
    life_situations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Office:
    id: str
    name: str
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""
    # (channel code, value)
    contacts: list[tuple[str, str]] = field(default_factory=list)
    # (weekday code 1 Monday … 7 Sunday, begins "08:00:00", ends)
    hours: list[tuple[str, str, str]] = field(default_factory=list)
    # (the service's id, an area key)
    responsibilities: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class OnlineService:
    id: str
    name: str
    # (address, link type code)
    links: list[tuple[str, str]] = field(default_factory=list)
    trust_level: str = ""  # niedrig, substanziell, hoch
    service_ids: list[str] = field(default_factory=list)


@dataclass
class Export:
    services: list[Service] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    online_services: list[OnlineService] = field(default_factory=list)
    version: str | None = VERSION
    namespace: str = NAMESPACE
    # The children of XÖV code types (`code`) without a namespace, as the states' exports
    # write them (the schema declares them unqualified).
    is_code_unqualified: bool = False

    def service(self, id: str) -> Service:
        return next(service for service in self.services if service.id == id)

    def office(self, id: str) -> Office:
        return next(office for office in self.offices if office.id == id)

    def online_service(self, id: str) -> OnlineService:
        return next(online for online in self.online_services if online.id == id)

    def without_service(self, id: str) -> "Export":
        """The export as it is once the editorial system dropped a service: the service,
        the offices' responsibilities for it and the online services' links to it gone."""
        self.services = [service for service in self.services if service.id != id]
        for office in self.offices:
            office.responsibilities = [pair for pair in office.responsibilities if pair[0] != id]
        for online in self.online_services:
            online.service_ids = [other for other in online.service_ids if other != id]
        return self

    def xml(self) -> bytes:
        # with a prefix (ns0:) for the namespace: the same message to a namespace-aware reader
        return ET.tostring(self._root(), encoding="utf-8", xml_declaration=True)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.xml())
        return path

    def _root(self) -> ET.Element:
        root = ET.Element(self._tag(ROOT))
        if self.version is not None:
            root.set("xzufiVersion", self.version)
        header = self._sub(root, "nachrichtenkopf")
        self._sub(header, "nachrichtenUUID", "6c1f6f0e-6c51-4b7e-9a43-0b4b3d1c2a10")
        self._sub(header, "erstellungszeitpunkt", "2025-03-01T02:00:00+01:00")
        self._sub(self._sub(header, "absender"), "kennung", "redaktion-sachsen-anhalt")
        write = self._sub(root, "schreibe")
        for service in self.services:
            self._service(write, service)
        for office in self.offices:
            self._office(write, office)
        for online in self.online_services:
            self._online_service(write, online)
        return root

    def _tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def _sub(self, parent: ET.Element, name: str, text: str | None = None, **attributes):
        tag = name if name == "code" and self.is_code_unqualified else self._tag(name)
        element = ET.SubElement(parent, tag, attributes)
        if text is not None:
            element.text = text
        return element

    def _id(self, parent: ET.Element, value: str) -> None:
        self._sub(parent, "id", value, schemeAgencyID="S1000001")

    def _german(self, parent: ET.Element, name: str, text: str) -> None:
        self._sub(parent, name, text, languageCode="de")

    def _text_module(self, parent: ET.Element, code: str, html: str) -> None:
        module = self._sub(parent, "modulText")
        self._german(module, "inhalt", html)
        kind = self._sub(
            module, "leikaTextmodul", listURI="urn:de:xzufi:codeliste:leistungstextmodulleika"
        )
        self._sub(kind, "code", code)

    def _service(self, parent: ET.Element, service: Service) -> None:
        element = self._sub(parent, "leistung")
        self._id(element, service.id)
        if service.leika_key is not None:
            reference = self._sub(element, "referenzLeiKa", listURI="urn:de:fim:leika:leistung")
            self._sub(reference, "code", service.leika_key)
        self._text_module(element, NAME, service.name)
        if service.short_text:
            self._text_module(element, SHORT_TEXT, service.short_text)
        for code, html in service.texts.items():
            self._text_module(element, code, html)
        for module_name, text in [
            ("modulKosten", service.fee),
            ("modulFrist", service.deadline),
            ("modulBearbeitungsdauer", service.processing_time),
        ]:
            if text:
                self._german(self._sub(element, module_name), "beschreibung", text)
        if service.synonyms:
            module = self._sub(element, "modulBegriffImKontext")
            for synonym in service.synonyms:
                context = self._sub(module, "begriffImKontext")
                self._german(context, "begriff", synonym)
                self._sub(self._sub(context, "typ"), "code", "01")
        for category_id, name in service.life_situations:
            category = self._sub(element, "kategorie")
            self._id(category, category_id)
            self._german(category, "bezeichnung", name)

    def _office(self, parent: ET.Element, office: Office) -> None:
        element = self._sub(parent, "organisationseinheit")
        self._id(element, office.id)
        self._german(self._sub(element, "name"), "name", office.name)
        if office.street or office.city:
            address = self._sub(element, "anschrift")
            self._sub(address, "strasse", office.street)
            self._sub(address, "hausnummer", office.house_number)
            self._sub(address, "postleitzahl", office.postal_code)
            self._sub(address, "ort", office.city)
        for channel, value in office.contacts:
            contact = self._sub(element, "kommunikation")
            self._sub(self._sub(contact, "kanal"), "code", channel)
            self._sub(contact, "kennung", value)
        if office.hours:
            week = self._sub(self._sub(element, "oeffnungszeiten"), "wochenoeffnungszeiten")
            for weekday, begins, ends in office.hours:
                day = self._sub(week, "tagesoeffnungszeiten")
                self._sub(self._sub(day, "wochentag"), "code", weekday)
                period = self._sub(day, "zeitraum")
                self._sub(period, "beginn", begins)
                self._sub(period, "ende", ends)
        by_service: dict[str, list[str]] = {}
        for service_id, area_key in office.responsibilities:
            by_service.setdefault(service_id, []).append(area_key)
        for service_id, area_keys in by_service.items():
            responsibility = self._sub(element, "zustaendigkeit")
            self._sub(responsibility, "leistungID", service_id)
            for area_key in area_keys:
                self._sub(responsibility, "gebietID", area_key)

    def _online_service(self, parent: ET.Element, online: OnlineService) -> None:
        element = self._sub(parent, "onlinedienst")
        self._id(element, online.id)
        self._german(element, "bezeichnung", online.name)
        for address, link_type in online.links:
            link = self._sub(element, "link")
            self._sub(link, "link", address)
            self._sub(self._sub(link, "typ"), "code", link_type)
        if online.trust_level:
            level = self._sub(element, "vertrauensniveau")
            self._sub(level, "code", online.trust_level)
        for service_id in online.service_ids:
            self._sub(self._sub(element, "zustaendigkeit"), "leistungID", service_id)


# What the import must take out of imported HTML, next to what it keeps.
HOSTILE_FULL_TEXT = (
    '<p onclick="steal()">Den <strong>Personalausweis</strong> beantragen Sie '
    '<a href="https://www.personalausweisportal.de" target="_blank">persönlich</a>.</p>'
    '<script>alert("xss")</script>'
    '<ul><li>ein biometrisches Foto</li><li><a href="javascript:alert(1)">Formular</a></li></ul>'
    '<img src="x" onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
)
CLEAN_FULL_TEXT = (
    "<p>Den <strong>Personalausweis</strong> beantragen Sie "
    '<a href="https://www.personalausweisportal.de">persönlich</a>.</p>'
    "<ul><li>ein biometrisches Foto</li><li><a>Formular</a></li></ul>"
)


def example_export() -> Export:
    """Three services, two offices (one for the whole municipality, one serving two
    Ortschaften differently) and two online services."""
    return Export(
        services=[
            Service(
                id="L100",
                name="Personalausweis beantragen",
                leika_key="99102013104000",
                short_text="<p>Einen neuen <b>Personalausweis</b> beantragen.</p>",
                texts={
                    FULL_TEXT: HOSTILE_FULL_TEXT,
                    REQUIRED_DOCUMENTS: "<ul><li>Geburtsurkunde</li><li>Foto</li></ul>",
                },
                fee="<p>37,00 Euro</p>",
                processing_time="<p>etwa drei Wochen</p>",
                synonyms=["Perso", "Ausweisdokument"],
                life_situations=[("K-ausweis", "Ausweise & Dokumente")],
            ),
            Service(
                id="L200",
                name="Hund anmelden",
                leika_key="99017003000000",
                short_text="<p>Einen Hund zur Hundesteuer anmelden.</p>",
                texts={PROCEDURE: "<p>Formular ausfüllen und abgeben.</p>"},
                fee="<p>60,00 Euro im Jahr</p>",
                deadline="<p>zwei Wochen nach der Anschaffung</p>",
                synonyms=["Hundesteuer"],
                life_situations=[("K-tiere", "Haustiere und Tierhaltung")],
            ),
            Service(
                id="L300",
                name="Wohnsitz anmelden",
                leika_key="99115001000000",
                short_text="<p>Nach dem Umzug den neuen Wohnsitz anmelden.</p>",
                fee="<p>gebührenfrei</p>",
                life_situations=[
                    ("K-umzug", "Umzug und Wohnen"),
                    ("K-ausweis", "Ausweise & Dokumente"),
                ],
            ),
        ],
        offices=[
            Office(
                id="O1",
                name="Bürgerbüro Barleben",
                street="Ernst-Thälmann-Straße",
                house_number="22",
                postal_code="39179",
                city="Barleben",
                contacts=[
                    (EMAIL, "buergerbuero@barleben.de"),
                    (PHONE, "039203 565-0"),
                    (WEBSITE, "https://www.barleben.de/buergerbuero"),
                ],
                hours=[
                    (MONDAY, "08:00:00", "12:00:00"),
                    (TUESDAY, "13:00:00", "18:00:00"),
                    (THURSDAY, "08:00:00", "12:00:00"),
                    (THURSDAY, "13:00:00", "16:00:00"),
                ],
                # the AGS, and the regional key holding it: both the whole municipality
                responsibilities=[("L100", AGS), ("L300", ARS)],
            ),
            Office(
                id="O2",
                name="Außenstelle Ebendorf",
                street="Magdeburger Straße",
                house_number="5",
                postal_code="39179",
                city="Barleben OT Ebendorf",
                contacts=[(PHONE, "039203 565-20")],
                hours=[(WEDNESDAY, "09:00:00", "11:30:00")],
                # the dog in both Ortschaften, the residence only in Meitzendorf, and
                # what it does for Magdeburg is none of this site's business
                responsibilities=[
                    ("L200", AREA_KEYS["ebendorf"]),
                    ("L200", AREA_KEYS["meitzendorf"]),
                    ("L300", AREA_KEYS["meitzendorf"]),
                    ("L100", OTHER_MUNICIPALITY),
                ],
            ),
        ],
        online_services=[
            OnlineService(
                id="OD1",
                name="Personalausweis online beantragen",
                links=[("https://id.sachsen-anhalt.de/perso?ags=15083040", "01")],
                trust_level="substanziell",
                service_ids=["L100"],
            ),
            OnlineService(
                id="OD2",
                name="Hundesteuer online",
                links=[("http://formulare.barleben.de/hund", "02")],
                trust_level="niedrig",
                service_ids=["L200"],
            ),
        ],
    )


def with_doctype(export: Export, doctype: str, entity_use: str) -> bytes:
    """The export with a DTD before its root and `entity_use` (e.g. "&xxe;") as the name of
    its first service: what defusedxml must refuse."""
    marker = "ENTITY-USE-MARKER"
    export.services[0].name = marker
    xml = export.xml().decode()
    declaration, _, rest = xml.partition("?>")
    return f"{declaration}?>\n{doctype}\n{rest.lstrip()}".replace(marker, entity_use).encode()


def external_entity(export: Export) -> bytes:
    return with_doctype(
        export,
        f'<!DOCTYPE {ROOT} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        "&xxe;",
    )


def entity_bomb(export: Export) -> bytes:
    """Billion laughs: ten levels of ten references, 10^9 "lol"s once expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    return with_doctype(export, f"<!DOCTYPE {ROOT} [{''.join(entities)}]>", "&lol9;")
