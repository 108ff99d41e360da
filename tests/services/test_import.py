"""The import of the service catalogue from XZuFi 2.2 files: `manage.py import_xzufi` and
`catalogue_import_file`, on files written by tests/services/xzufi_files.py.

A run is all or nothing, a second run of the same export changes nothing, and what staff
changed or added stays; each run leaves a `CatalogueImport` report.
"""

import io
from datetime import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Site

from services.importing import catalogue_import_file
from services.models import (
    CatalogueImport,
    LifeSituation,
    Office,
    OnlineService,
    OpeningHours,
    Service,
    ServiceResponsibility,
)
from website.models import MunicipalitySettings, Ortschaft

from . import xzufi_files
from .xzufi_files import (
    AGS,
    AREA_KEYS,
    CLEAN_FULL_TEXT,
    FRIDAY,
    MONDAY,
    entity_bomb,
    example_export,
    external_entity,
)

MODELS = [
    Service,
    Office,
    OpeningHours,
    ServiceResponsibility,
    OnlineService,
    LifeSituation,
    Service.life_situations.through,
    OnlineService.services.through,
]


@pytest.fixture
def municipality(home) -> dict[str, Ortschaft]:
    """The home page's municipality with its AGS, and its Ortschaften with their area keys
    in the state's catalogue; returns the Ortschaften by slug."""
    settings = MunicipalitySettings.for_site(Site.objects.get(is_default_site=True))
    settings.ags = AGS
    settings.save()
    ortschaften = {}
    for ortschaft in Ortschaft.objects.all():
        ortschaft.area_key = AREA_KEYS[ortschaft.slug]
        ortschaft.save()
        ortschaften[ortschaft.slug] = ortschaft
    return ortschaften


def rows() -> dict[str, list[dict]]:
    """Every row of the catalogue's tables with all its values, to compare before and after."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in MODELS}


def run_command(path: Path) -> tuple[str, str | None]:
    """`manage.py import_xzufi path --no-progress`: its output and its error (or None)."""
    stdout = io.StringIO()
    try:
        call_command(
            "import_xzufi", str(path), "--no-progress", stdout=stdout, stderr=io.StringIO()
        )
    except CommandError as error:
        return stdout.getvalue(), str(error)
    return stdout.getvalue(), None


def responsibilities(service_id: str) -> set[tuple[str, str | None, bool]]:
    """(office's XZuFi id or name, Ortschaft's slug or None for all, is imported)."""
    return {
        (
            row.office.xzufi_id or row.office.name,
            row.ortschaft.slug if row.ortschaft else None,
            row.is_imported,
        )
        for row in ServiceResponsibility.objects.filter(
            service__xzufi_id=service_id
        ).select_related("office", "ortschaft")
    }


def hours(office_id: str) -> list[tuple[int, time, time]]:
    return list(
        OpeningHours.objects.filter(office__xzufi_id=office_id)
        .order_by("weekday", "opens")
        .values_list("weekday", "opens", "closes")
    )


@pytest.fixture
def imported(municipality, tmp_path) -> Path:
    """The example export, imported once; returns its file."""
    path = example_export().write(tmp_path / "katalog.xml")
    run = catalogue_import_file(path)
    assert run.state == "done", run.errors
    return path


# --- a first import -----------------------------------------------------------------------


def test_first_import_by_command_creates_the_services_and_reports_them(municipality, tmp_path):
    # given
    path = example_export().write(tmp_path / "katalog.xml")

    # when
    output, error = run_command(path)

    # then
    assert error is None, error
    assert "New: 3" in output
    assert "Personalausweis beantragen (L100)" in output
    assert "Changed: 0" in output
    assert "Removed: 0" in output
    run = CatalogueImport.objects.get()
    assert run.state == "done"
    assert run.source == str(path)
    assert run.finished_at is not None
    assert sorted(run.created) == [
        ["L100", "Personalausweis beantragen"],
        ["L200", "Hund anmelden"],
        ["L300", "Wohnsitz anmelden"],
    ]
    assert run.changed == run.removed == run.errors == []
    assert set(Service.objects.values_list("xzufi_id", "leika_key", "name")) == {
        ("L100", "99102013104000", "Personalausweis beantragen"),
        ("L200", "99017003000000", "Hund anmelden"),
        ("L300", "99115001000000", "Wohnsitz anmelden"),
    }


def test_first_import_takes_the_texts_synonyms_and_life_situations(imported):
    # given an imported catalogue (`imported`)

    # when
    identity_card = Service.objects.get(xzufi_id="L100")
    dog = Service.objects.get(xzufi_id="L200")

    # then
    assert identity_card.short_text == "Einen neuen Personalausweis beantragen."
    assert identity_card.required_documents == "<ul><li>Geburtsurkunde</li><li>Foto</li></ul>"
    assert identity_card.fees == "<p>37,00 Euro</p>"
    assert identity_card.processing_time == "<p>etwa drei Wochen</p>"
    assert identity_card.deadlines == ""
    assert identity_card.synonyms == "Perso\nAusweisdokument"
    assert identity_card.removed_at is None
    assert identity_card.is_imported
    assert identity_card.locally_changed_fields() == []
    assert dog.procedure == "<p>Formular ausfüllen und abgeben.</p>"
    assert dog.deadlines == "<p>zwei Wochen nach der Anschaffung</p>"
    assert dog.synonyms == "Hundesteuer"
    assert set(LifeSituation.objects.values_list("xzufi_id", "name", "slug")) == {
        ("K-ausweis", "Ausweise & Dokumente", "ausweise-und-dokumente"),
        ("K-tiere", "Haustiere und Tierhaltung", "haustiere-und-tierhaltung"),
        ("K-umzug", "Umzug und Wohnen", "umzug-und-wohnen"),
    }
    assert {
        service.xzufi_id
        for service in LifeSituation.objects.get(xzufi_id="K-ausweis").services.all()
    } == {"L100", "L300"}
    assert list(dog.life_situations.values_list("xzufi_id", flat=True)) == ["K-tiere"]


def test_imported_html_keeps_only_the_safe_elements(imported):
    # given an export whose full text has a script, an event handler, a javascript: link,
    # an image and an iframe next to paragraphs, a list, emphasis and an https link

    # when
    full_text = Service.objects.get(xzufi_id="L100").full_text

    # then
    assert full_text == CLEAN_FULL_TEXT
    for hostile in ["<script", "alert", "onclick", "javascript:", "<img", "onerror", "<iframe"]:
        assert hostile not in full_text
    assert '<a href="https://www.personalausweisportal.de">' in full_text


def test_first_import_creates_offices_with_address_contact_and_opening_hours(imported):
    # given an imported catalogue (`imported`)

    # when
    office = Office.objects.get(xzufi_id="O1")

    # then
    assert office.name == "Bürgerbüro Barleben"
    assert office.street_address == "Ernst-Thälmann-Straße 22"
    assert office.postal_code == "39179"
    assert office.city == "Barleben"
    assert office.email == "buergerbuero@barleben.de"
    assert office.phone == "039203 565-0"
    assert office.website == "https://www.barleben.de/buergerbuero"
    assert hours("O1") == [
        (0, time(8), time(12)),
        (1, time(13), time(18)),
        (3, time(8), time(12)),
        (3, time(13), time(16)),
    ]
    assert [(period.opens, period.closes) for period in office.opening_hours_on(3)] == [
        (time(8), time(12)),
        (time(13), time(16)),
    ]
    assert hours("O2") == [(2, time(9), time(11, 30))]
    assert Office.objects.get(xzufi_id="O2").email == ""


def test_responsibilities_are_for_the_whole_municipality_or_for_one_ortschaft(imported):
    # given an office responsible by the AGS and by the regional key, and one responsible
    # for the dog in Ebendorf and Meitzendorf, for the residence only in Meitzendorf, and
    # for the identity card in Magdeburg (`example_export`)

    # when
    identity_card, dog, residence = (responsibilities(id) for id in ["L100", "L200", "L300"])

    # then
    assert identity_card == {("O1", None, True)}
    assert dog == {("O2", "ebendorf", True), ("O2", "meitzendorf", True)}
    assert residence == {("O1", None, True), ("O2", "meitzendorf", True)}


@pytest.mark.parametrize("area_key", ["15", "150", "15083", AGS, "150835405040"])
def test_an_area_key_of_the_state_county_or_municipality_means_the_whole_municipality(
    municipality, tmp_path, area_key
):
    # given an office responsible for the dog in an area that holds the municipality
    export = example_export()
    export.office("O2").responsibilities = [("L200", area_key)]

    # when
    run = catalogue_import_file(export.write(tmp_path / "katalog.xml"))

    # then
    assert run.state == "done", run.errors
    assert responsibilities("L200") == {("O2", None, True)}


@pytest.mark.parametrize("area_key", ["16", "15003000", "150030000000", "1508304", "150835405041"])
def test_an_area_key_of_another_municipality_gives_no_responsibility_here(
    municipality, tmp_path, area_key
):
    # given
    export = example_export()
    export.office("O2").responsibilities = [("L200", area_key)]

    # when
    run = catalogue_import_file(export.write(tmp_path / "katalog.xml"))

    # then
    assert run.state == "done", run.errors
    assert responsibilities("L200") == set()


def test_online_services_are_imported_with_trust_level_link_type_and_services(imported):
    # given an imported catalogue (`imported`)

    # when
    online = {row.xzufi_id: row for row in OnlineService.objects.all()}

    # then
    assert set(online) == {"OD1", "OD2"}
    assert online["OD1"].name == "Personalausweis online beantragen"
    assert online["OD1"].url == "https://id.sachsen-anhalt.de/perso?ags=15083040"
    assert online["OD1"].link_type == "01"
    assert online["OD1"].trust_level == "substantial"
    assert list(online["OD1"].services.values_list("xzufi_id", flat=True)) == ["L100"]
    assert online["OD2"].url == "http://formulare.barleben.de/hund"
    assert online["OD2"].link_type == "02"
    assert online["OD2"].trust_level == "low"
    assert list(online["OD2"].services.values_list("xzufi_id", flat=True)) == ["L200"]


@pytest.mark.parametrize(
    ("code", "trust_level"),
    [("hoch", "high"), ("substanziell", "substantial"), ("niedrig", "low"), ("", "")],
)
def test_the_trust_level_codes_are_taken(municipality, tmp_path, code, trust_level):
    # given
    export = example_export()
    export.online_service("OD1").trust_level = code

    # when
    catalogue_import_file(export.write(tmp_path / "katalog.xml"))

    # then
    assert OnlineService.objects.get(xzufi_id="OD1").trust_level == trust_level


def test_an_imported_life_situation_gets_a_slug_of_its_own(municipality, tmp_path):
    # given staff's own life situation has the slug an imported one would get, and two
    # categories of the export have the same name
    LifeSituation.objects.create(name="Umzug", slug="umzug-und-wohnen")
    export = example_export()
    export.service("L200").life_situations.append(("K-umzug-2", "Umzug und Wohnen"))

    # when
    catalogue_import_file(export.write(tmp_path / "katalog.xml"))

    # then
    imported_slugs = LifeSituation.objects.filter(xzufi_id__in=["K-umzug", "K-umzug-2"])
    assert sorted(imported_slugs.values_list("slug", flat=True)) == [
        "umzug-und-wohnen-2",
        "umzug-und-wohnen-3",
    ]
    assert LifeSituation.objects.get(slug="umzug-und-wohnen").xzufi_id is None


# --- a second import ----------------------------------------------------------------------


def test_an_export_with_unqualified_codes_reads_as_the_same_catalogue(imported, tmp_path):
    # given the catalogue imported from the example export, whose codes are in the namespace
    before = rows()
    export = example_export()
    export.is_code_unqualified = True
    assert b"<code>" in export.xml()

    # when the same export comes with the XÖV codes unqualified, as the states write them
    run = catalogue_import_file(export.write(tmp_path / "unqualifiziert.xml"))

    # then it is the same catalogue: nothing new, changed or removed
    assert (run.state, run.created, run.changed, run.removed) == ("done", [], [], [])
    assert rows() == before


def test_the_same_export_imported_twice_changes_nothing(imported):
    # given an imported catalogue
    before = rows()

    # when
    output, error = run_command(imported)

    # then
    assert error is None, error
    assert "New: 0" in output
    assert "Changed: 0" in output
    assert "Removed: 0" in output
    run = CatalogueImport.objects.latest("started_at")
    assert (run.state, run.created, run.changed, run.removed, run.errors) == (
        "done",
        [],
        [],
        [],
        [],
    )
    assert rows() == before


def test_a_changed_fee_changes_only_that_service(imported, tmp_path):
    # given
    before = {row.xzufi_id: row for row in Service.objects.all()}
    export = example_export()
    export.service("L200").fee = "<p>96,00 Euro im Jahr, <em>ermäßigt</em> 48,00 Euro</p>"

    # when
    run = catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    assert (run.state, run.created, run.changed, run.removed) == (
        "done",
        [],
        [["L200", "Hund anmelden"]],
        [],
    )
    after = {row.xzufi_id: row for row in Service.objects.all()}
    assert after["L200"].fees == "<p>96,00 Euro im Jahr, <em>ermäßigt</em> 48,00 Euro</p>"
    assert after["L200"].modified_at > before["L200"].modified_at
    assert after["L200"].short_text == before["L200"].short_text
    for unchanged in ["L100", "L300"]:
        assert after[unchanged].fees == before[unchanged].fees
        assert after[unchanged].modified_at == before[unchanged].modified_at


def test_a_changed_office_and_online_service_follow_the_export(imported, tmp_path):
    # given
    export = example_export()
    export.office("O2").contacts.append(("01", "ebendorf@barleben.de"))
    export.office("O2").hours = [(MONDAY, "07:30:00", "12:00:00")]
    export.office("O2").responsibilities.remove(("L200", AREA_KEYS["meitzendorf"]))
    export.online_service("OD2").links = [("https://formulare.barleben.de/hund/v2", "03")]
    export.online_service("OD2").service_ids = ["L200", "L300"]

    # when
    run = catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    assert run.state == "done", run.errors
    assert Office.objects.get(xzufi_id="O2").email == "ebendorf@barleben.de"
    assert hours("O2") == [(0, time(7, 30), time(12))]
    assert hours("O1")[0] == (0, time(8), time(12))
    assert responsibilities("L200") == {("O2", "ebendorf", True)}
    online = OnlineService.objects.get(xzufi_id="OD2")
    assert (online.url, online.link_type) == ("https://formulare.barleben.de/hund/v2", "03")
    assert set(online.services.values_list("xzufi_id", flat=True)) == {"L200", "L300"}


def test_a_service_gone_from_the_export_is_marked_removed_and_comes_back(imported, tmp_path):
    # given
    without_residence = example_export().without_service("L300").write(tmp_path / "ohne.xml")

    # when
    run = catalogue_import_file(without_residence)

    # then it is reported and marked, not deleted
    assert (run.state, run.created, run.changed, run.removed) == (
        "done",
        [],
        [],
        [["L300", "Wohnsitz anmelden"]],
    )
    residence = Service.objects.get(xzufi_id="L300")
    assert residence.removed_at is not None
    assert set(Service.objects.current().values_list("xzufi_id", flat=True)) == {"L100", "L200"}
    assert Service.objects.get(xzufi_id="L100").removed_at is None
    assert responsibilities("L300") == set()

    # when it is back in the next export
    run = catalogue_import_file(imported)

    # then it is current again, with its responsibilities
    assert run.created == [["L300", "Wohnsitz anmelden"]]
    assert run.removed == []
    residence = Service.objects.get(xzufi_id="L300")
    assert residence.removed_at is None
    assert responsibilities("L300") == {("O1", None, True), ("O2", "meitzendorf", True)}


def test_a_service_already_removed_is_not_reported_removed_again(imported, tmp_path):
    # given
    without_residence = example_export().without_service("L300").write(tmp_path / "ohne.xml")
    catalogue_import_file(without_residence)
    removed_at = Service.objects.get(xzufi_id="L300").removed_at

    # when
    run = catalogue_import_file(without_residence)

    # then
    assert (run.created, run.changed, run.removed) == ([], [], [])
    assert Service.objects.get(xzufi_id="L300").removed_at == removed_at


# --- what staff changed and added ---------------------------------------------------------


def test_a_fee_staff_changed_survives_an_import_and_other_fields_follow_the_export(
    imported, tmp_path
):
    # given staff changed the dog's fee
    dog = Service.objects.get(xzufi_id="L200")
    dog.fees = "<p>Ermäßigung für Rettungshunde: 0 Euro</p>"
    dog.save()
    # and the export changes the fee and the short text
    export = example_export()
    export.service("L200").fee = "<p>96,00 Euro im Jahr</p>"
    export.service("L200").short_text = "<p>Einen Hund bei der Gemeinde anmelden.</p>"

    # when
    run = catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    assert run.state == "done", run.errors
    dog.refresh_from_db()
    assert dog.fees == "<p>Ermäßigung für Rettungshunde: 0 Euro</p>"
    assert dog.short_text == "Einen Hund bei der Gemeinde anmelden."
    assert dog.locally_changed_fields() == ["fees"]
    assert run.changed == [["L200", "Hund anmelden"]]
    # and the report notes the export's fee that was not taken
    assert [note for note in run.errors if "L200" in note and "beibehalten" in note], run.errors

    # and a later import of the same export still keeps the staff's fee
    run = catalogue_import_file(tmp_path / "neu.xml")
    dog.refresh_from_db()
    assert dog.fees == "<p>Ermäßigung für Rettungshunde: 0 Euro</p>"
    assert (run.created, run.changed, run.removed) == ([], [], [])


def test_an_office_field_staff_changed_survives_an_import(imported, tmp_path):
    # given
    office = Office.objects.get(xzufi_id="O1")
    office.phone = "039203 565-111"
    office.accessibility = "Eingang ohne Stufen, Aufzug zum ersten Stock."
    office.save()
    export = example_export()
    export.office("O1").contacts = [
        ("01", "service@barleben.de"),
        ("02", "039203 565-999"),
        ("09", "https://www.barleben.de/buergerbuero"),
    ]

    # when
    catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    office.refresh_from_db()
    assert office.phone == "039203 565-111"
    assert office.email == "service@barleben.de"
    assert office.accessibility == "Eingang ohne Stufen, Aufzug zum ersten Stock."


def test_a_local_service_and_local_responsibilities_survive_an_import(
    imported, municipality, tmp_path
):
    # given a service staff added, responsible the imported office, and a responsibility
    # staff added to an imported service
    bulky_waste = Service.objects.create(
        name="Sperrmüll anmelden", leika_key="99037002000000", fees="<p>frei</p>"
    )
    office = Office.objects.get(xzufi_id="O1")
    ServiceResponsibility.objects.create(service=bulky_waste, office=office)
    ServiceResponsibility.objects.create(
        service=Service.objects.get(xzufi_id="L200"),
        office=office,
        ortschaft=municipality["barleben"],
    )
    export = example_export()
    export.service("L200").fee = "<p>96,00 Euro im Jahr</p>"

    # when
    run = catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    assert run.removed == []
    bulky_waste.refresh_from_db()
    assert (bulky_waste.name, bulky_waste.fees, bulky_waste.removed_at) == (
        "Sperrmüll anmelden",
        "<p>frei</p>",
        None,
    )
    assert list(
        ServiceResponsibility.objects.filter(service=bulky_waste).values_list(
            "office__xzufi_id", "ortschaft", "is_imported"
        )
    ) == [("O1", None, False)]
    assert responsibilities("L200") == {
        ("O1", "barleben", False),
        ("O2", "ebendorf", True),
        ("O2", "meitzendorf", True),
    }


def test_a_local_responsibility_the_export_then_also_carries_stays_local(imported, tmp_path):
    # given staff made the Bürgerbüro responsible for the dog, for the whole municipality
    ServiceResponsibility.objects.create(
        service=Service.objects.get(xzufi_id="L200"), office=Office.objects.get(xzufi_id="O1")
    )
    # and the export then says the same
    export = example_export()
    export.office("O1").responsibilities.append(("L200", AGS))
    catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # when the export drops it again
    run = catalogue_import_file(imported)

    # then the staff's row stays
    assert run.state == "done", run.errors
    assert ("O1", None, False) in responsibilities("L200")


def test_a_local_service_keeps_its_link_to_an_imported_life_situation(imported):
    # given a service staff added, in the imported life situation "Umzug und Wohnen"
    moving = LifeSituation.objects.get(xzufi_id="K-umzug")
    removal_van = Service(name="Halteverbot für den Umzug", leika_key="99058012000000")
    removal_van.save()
    removal_van.life_situations.add(moving)
    removal_van.save()  # a parental many-to-many field is written on save
    assert list(Service.objects.get(pk=removal_van.pk).life_situations.all()) == [moving]

    # when
    catalogue_import_file(imported)

    # then
    assert list(Service.objects.get(pk=removal_van.pk).life_situations.all()) == [moving]


def test_opening_hours_staff_changed_survive_an_import(imported, tmp_path):
    # given staff closed the Tuesday afternoon and opened on Friday morning
    office = Office.objects.get(xzufi_id="O1")
    office.opening_hours.filter(weekday=1).delete()
    OpeningHours.objects.create(office=office, weekday=4, opens=time(9), closes=time(12))
    staff_hours = hours("O1")
    # and the export changes the hours of both offices
    export = example_export()
    export.office("O1").hours = [(MONDAY, "07:00:00", "12:00:00")]
    export.office("O2").hours = [(FRIDAY, "10:00:00", "12:00:00")]

    # when
    catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then the staff's hours stay, the other office's follow the export
    assert hours("O1") == staff_hours
    assert (4, time(9), time(12)) in staff_hours
    assert hours("O2") == [(4, time(10), time(12))]

    # and the next import keeps them too
    catalogue_import_file(tmp_path / "neu.xml")
    assert hours("O1") == staff_hours


# --- bad input ----------------------------------------------------------------------------


def _changed_export():
    """The example export with a new service and a changed fee: what a partial import would
    have written."""
    export = example_export()
    export.services.append(
        xzufi_files.Service(
            id="L900", name="Fischereischein beantragen", leika_key="99036001000000"
        )
    )
    export.service("L100").fee = "<p>46,00 Euro</p>"
    return export


def _without_leika_key():
    export = _changed_export()
    export.service("L200").leika_key = None
    return export.xml()


def _leika_key(key: str):
    def make():
        export = _changed_export()
        export.service("L200").leika_key = key
        return export.xml()

    return make


def _duplicate_service():
    export = _changed_export()
    export.services.append(xzufi_files.Service(id="L100", name="Reisepass beantragen"))
    return export.xml()


def _duplicate_office():
    export = _changed_export()
    export.offices.append(example_export().office("O1"))
    return export.xml()


def _online_link(address: str):
    def make():
        export = _changed_export()
        export.online_services.append(
            xzufi_files.OnlineService(
                id="OD9",
                name="Fischereischein online",
                links=[(address, "01")],
                service_ids=["L900"],
            )
        )
        return export.xml()

    return make


def _office_website():
    export = _changed_export()
    export.office("O2").contacts.append(("09", "javascript:alert(1)"))
    return export.xml()


def _unreadable_hours():
    export = _changed_export()
    export.office("O2").hours = [(MONDAY, "14:00:00", "09:00:00")]
    return export.xml()


def _other_namespace():
    export = _changed_export()
    export.namespace = "http://xoev.de/schemata/xzufi/2_1_0"
    return export.xml()


def _version(version: str | None):
    def make():
        export = _changed_export()
        export.version = version
        return export.xml()

    return make


def _cut_off():
    xml = _changed_export().xml()
    return xml[: len(xml) // 2]


BAD_EXPORTS = {
    "not-xml": (
        lambda: b"LeiKa;Name\n99102013104000;Personalausweis\n",
        ["Kein wohlgeformtes XML"],
    ),
    "empty": (lambda: b"", ["Kein wohlgeformtes XML"]),
    "malformed": (_cut_off, ["Kein wohlgeformtes XML"]),
    "html": (
        lambda: b"<html><body><p>Wartungsarbeiten</p></body></html>",
        ["Keine XZuFi-2.2-Nachricht", "„html“"],
    ),
    "other-namespace": (
        _other_namespace,
        ["Keine XZuFi-2.2-Nachricht", "http://xoev.de/schemata/xzufi/2_2_0"],
    ),
    "other-version": (_version("2.1.0"), ["XZuFi-Version „2.1.0“", "gelesen wird 2.2.0"]),
    "no-version": (_version(None), ["XZuFi-Version „ohne Angabe“"]),
    "external-entity": (lambda: external_entity(_changed_export()), ["DTD"]),
    "entity-bomb": (lambda: entity_bomb(_changed_export()), ["DTD"]),
    "no-leika-key": (_without_leika_key, ["leistung „L200“: ohne LeiKa-Schlüssel"]),
    "leika-key-13-digits": (
        _leika_key("9901700300000"),
        ["leistung „L200“: LeiKa-Schlüssel „9901700300000“ hat nicht 14 Ziffern"],
    ),
    "leika-key-letters": (
        _leika_key("99017OO3000000"),
        ["leistung „L200“: LeiKa-Schlüssel „99017OO3000000“ hat nicht 14 Ziffern"],
    ),
    "duplicate-service": (_duplicate_service, ["leistung „L100“: die id kommt mehrfach vor"]),
    "duplicate-office": (
        _duplicate_office,
        ["organisationseinheit „O1“: die id kommt mehrfach vor"],
    ),
    "javascript-link": (
        _online_link("javascript:alert(document.cookie)"),
        ["onlinedienst „OD9“: Link „javascript:alert(document.cookie)“ ist keine http(s)-Adresse"],
    ),
    "ftp-link": (
        _online_link("ftp://formulare.barleben.de/fischerei.pdf"),
        [
            "onlinedienst „OD9“: Link „ftp://formulare.barleben.de/fischerei.pdf“ "
            "ist keine http(s)-Adresse"
        ],
    ),
    "javascript-website": (
        _office_website,
        ["organisationseinheit „O2“: Website „javascript:alert(1)“ ist keine http(s)-Adresse"],
    ),
    "closes-before-it-opens": (
        _unreadable_hours,
        ["organisationseinheit „O2“: Öffnungszeit nicht lesbar"],
    ),
}


@pytest.mark.parametrize(("content", "problems"), BAD_EXPORTS.values(), ids=BAD_EXPORTS.keys())
def test_a_bad_export_is_reported_and_nothing_is_stored(imported, tmp_path, content, problems):
    # given a catalogue imported before, and a bad export that would also change it
    before = rows()
    path = tmp_path / "kaputt.xml"
    path.write_bytes(content())

    # when
    output, error = run_command(path)

    # then the command says nothing was imported, and why
    assert error is not None, output
    assert error.startswith("Nothing was imported; the catalogue is unchanged.")
    for problem in problems:
        assert problem in error
    # and the run's report says so too
    run = CatalogueImport.objects.latest("started_at")
    assert run.source == str(path)
    assert run.state == "failed"
    assert run.finished_at is not None
    assert (run.created, run.changed, run.removed) == ([], [], [])
    for problem in problems:
        assert any(problem in reported for reported in run.errors), run.errors
    # and the catalogue is the one before
    assert rows() == before
    assert not Service.objects.filter(xzufi_id="L900").exists()


def test_every_problem_of_an_export_is_named(imported, tmp_path):
    # given an export with three broken services
    export = _changed_export()
    export.service("L100").leika_key = None
    export.service("L200").leika_key = "123"
    export.services.append(xzufi_files.Service(id="L901", name=""))

    # when
    run = catalogue_import_file(export.write(tmp_path / "kaputt.xml"))

    # then
    assert run.state == "failed"
    assert run.errors == [
        "leistung „L100“: ohne LeiKa-Schlüssel (referenzLeiKa/code)",
        "leistung „L200“: LeiKa-Schlüssel „123“ hat nicht 14 Ziffern",
        "leistung „L901“: ohne Namen (Textmodul 02 oder 03)",
    ]


def test_an_export_larger_than_the_limit_is_not_read(imported, tmp_path):
    # given an export of more than a megabyte, and a limit of one
    before = rows()
    export = _changed_export()
    export.service("L900").texts = {"06": "<p>" + "Angelkarte und Prüfung. " * 50_000 + "</p>"}
    path = export.write(tmp_path / "gross.xml")
    assert path.stat().st_size > 1024 * 1024

    # when
    with override_settings(SERVICES_IMPORT_MAX_MB=1):
        run = catalogue_import_file(path)

    # then
    assert run.state == "failed"
    assert len(run.errors) == 1
    assert "höchstens 1 MB" in run.errors[0]
    assert "SERVICES_IMPORT_MAX_MB" in run.errors[0]
    assert rows() == before

    # and with a higher limit the same file is imported
    with override_settings(SERVICES_IMPORT_MAX_MB=2):
        assert catalogue_import_file(path).state == "done"
    assert Service.objects.filter(xzufi_id="L900").exists()


def test_the_command_refuses_a_file_that_is_not_there(municipality, tmp_path):
    # when
    output, error = run_command(tmp_path / "fehlt.xml")

    # then
    assert error == f"{tmp_path / 'fehlt.xml'}: no such file"
    assert not CatalogueImport.objects.exists()


@pytest.mark.service("postgres")
def test_an_overlong_phone_number_is_shortened_to_fit_and_still_follows_the_export(
    imported, tmp_path
):
    # given an overlong number for a new office and for an existing one
    number = "039203 565-20, " * 10
    export = _changed_export()
    export.office("O2").contacts = [("02", number)]
    export.offices.append(
        xzufi_files.Office(id="O3", name="Standesamt Barleben", contacts=[("02", number)])
    )

    # when
    run = catalogue_import_file(export.write(tmp_path / "lang.xml"))

    # then
    assert run.state == "done", run.errors
    phone_length = Office._meta.get_field("phone").max_length
    assert Office.objects.get(xzufi_id="O3").phone == number.strip()[:phone_length]
    assert Office.objects.get(xzufi_id="O2").phone == number.strip()[:phone_length]

    # when the next export has a short number
    export.office("O2").contacts = [("02", "039203 565-21")]
    catalogue_import_file(export.write(tmp_path / "kurz.xml"))

    # then it follows the export: nobody changed it here
    assert Office.objects.get(xzufi_id="O2").phone == "039203 565-21"


@pytest.mark.service("postgres")
def test_an_overlong_life_situation_name_is_shortened_to_fit(imported, tmp_path):
    # given
    export = _changed_export()
    export.service("L900").life_situations = [("K-angeln", "Angeln und Fischen " * 20)]

    # when
    run = catalogue_import_file(export.write(tmp_path / "lang.xml"))

    # then
    assert run.state == "done", run.errors
    assert len(LifeSituation.objects.get(xzufi_id="K-angeln").name) <= 200


# --- the search index ---------------------------------------------------------------------


@pytest.mark.service("postgres")
def test_an_imported_service_is_found_by_its_name_and_by_a_synonym(imported):
    # given an imported catalogue (`imported`)

    # when
    by_name = [service.xzufi_id for service in Service.objects.search("Personalausweis")]
    by_synonym = [service.xzufi_id for service in Service.objects.search("Ausweisdokument")]

    # then
    assert by_name == ["L100"]
    assert by_synonym == ["L100"]


@pytest.mark.service("postgres")
def test_a_changed_service_is_found_by_its_new_synonym(imported, tmp_path):
    # given
    assert list(Service.objects.search("Hundemarke")) == []
    export = example_export()
    export.service("L200").synonyms = ["Hundesteuer", "Hundemarke"]

    # when
    catalogue_import_file(export.write(tmp_path / "neu.xml"))

    # then
    assert [service.xzufi_id for service in Service.objects.search("Hundemarke")] == ["L200"]
