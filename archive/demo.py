"""The demo archive: the archive page, the issuing bodies of Barleben and a dozen documents
of the last five years as real PDF files with a text layer, dated relative to today."""

import zlib
from datetime import date, timedelta
from textwrap import wrap

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.formats import date_format

from website.models import HomePage, Ortschaft
from website.slugs import german_slugify

from .forms import file_checksum
from .models import ArchiveIndexPage, Document, DocumentType, IssuingBody

ISSUING_BODIES = [
    ("Ortschaftsrat Barleben", "ortschaftsrat-barleben"),
    ("Ortschaftsrat Ebendorf", "ortschaftsrat-ebendorf"),
    ("Ortschaftsrat Meitzendorf", "ortschaftsrat-meitzendorf"),
    ("Bau- und Umweltausschuss", "bau-und-umweltausschuss"),
]

# title, document type slug, issuing body slug, Ortschaft slugs, days before today,
# description, pages. Titles and texts may use {date}, {year} and {next_year} of the
# document's date. On a page, each line is a paragraph; "# " starts a heading.
DOCUMENTS = [
    (
        "Niederschrift der öffentlichen Sitzung des Gemeinderates vom {date}",
        "sitzungsniederschrift",
        "gemeinderat",
        [],
        40,
        "Tagesordnung, Beschlüsse und Anfragen der Einwohnerinnen und Einwohner.",
        [
            "Ort: Ratssaal der Gemeinde Barleben, Ernst-Thälmann-Straße 22\n"
            "Beginn: 18:00 Uhr, Ende: 20:45 Uhr\n"
            "Anwesend: der Bürgermeister als Vorsitzender, 17 von 20 Mitgliedern des "
            "Gemeinderates; entschuldigt fehlten drei Mitglieder. Der Gemeinderat ist "
            "beschlussfähig.\n"
            "# Tagesordnung – öffentlicher Teil\n"
            "TOP 1 Eröffnung, Feststellung der ordnungsgemäßen Ladung und der "
            "Beschlussfähigkeit\n"
            "TOP 2 Einwohnerfragestunde\n"
            "TOP 3 Genehmigung der Niederschrift der letzten Sitzung\n"
            "TOP 4 Bericht des Bürgermeisters\n"
            "TOP 5 Bebauungsplan Nr. 12 „Am Mühlenberg“, Ortschaft Ebendorf – "
            "Billigung des Entwurfs und Beschluss über die öffentliche Auslegung\n"
            "TOP 6 Vergabe der Bauleistungen für die Sanierung der Sporthalle Barleben\n"
            "TOP 7 Haushaltssatzung {next_year} – erste Lesung\n"
            "TOP 8 Anfragen und Anregungen der Mitglieder des Gemeinderates",
            "# Beschlüsse\n"
            "Zu TOP 3: Die Niederschrift der letzten Sitzung wird ohne Änderungen genehmigt. "
            "Abstimmung: 16 Ja-Stimmen, 0 Nein-Stimmen, 1 Enthaltung.\n"
            "Zu TOP 5 (Beschluss-Nr. {year}/41): Der Gemeinderat billigt den Entwurf des "
            "Bebauungsplans Nr. 12 „Am Mühlenberg“ mit Begründung und beschließt, ihn nach "
            "§ 3 Abs. 2 BauGB für die Dauer eines Monats öffentlich auszulegen. "
            "Abstimmung: 15 Ja-Stimmen, 1 Nein-Stimme, 1 Enthaltung.\n"
            "Zu TOP 6 (Beschluss-Nr. {year}/42): Die Bauleistungen für die Sanierung der "
            "Sporthalle werden an den wirtschaftlichsten Bieter vergeben. Die Kosten von "
            "412.000 Euro sind im Haushalt veranschlagt. Abstimmung: einstimmig.\n"
            "Zu TOP 7: Der Kämmerer stellt den Entwurf der Haushaltssatzung vor. Die "
            "Beratung wird in den Ausschüssen fortgesetzt; ein Beschluss wird nicht gefasst.",
            "# Einwohnerfragestunde und Anfragen\n"
            "Eine Einwohnerin aus Meitzendorf fragt nach der Beleuchtung des Radweges nach "
            "Ebendorf. Der Bürgermeister antwortet, dass die Leuchten im Frühjahr aufgestellt "
            "werden.\n"
            "Ein Mitglied des Gemeinderates regt an, die Sitzungstermine auch im Bürgerportal "
            "zu veröffentlichen. Die Verwaltung sagt dies zu.\n"
            "Der Vorsitzende schließt den öffentlichen Teil der Sitzung um 20:45 Uhr.\n"
            "Barleben, den {date}\n"
            "Der Bürgermeister als Vorsitzender – die Protokollführerin",
        ],
    ),
    (
        "Bebauungsplan Nr. 12 „Am Mühlenberg“ – Begründung",
        "plan",
        "verwaltung",
        ["ebendorf"],
        130,
        "Begründung zum Entwurf des Bebauungsplans für ein Wohngebiet am Mühlenberg in Ebendorf.",
        [
            "Gemeinde Barleben, Ortschaft Ebendorf – Entwurf, Stand {date}\n"
            "# 1. Anlass und Ziel der Planung\n"
            "In der Gemeinde Barleben ist die Nachfrage nach Bauplätzen für Einfamilienhäuser "
            "seit Jahren größer als das Angebot. Die Ortschaft Ebendorf verfügt über keine "
            "freien Baugrundstücke mehr. Mit dem Bebauungsplan Nr. 12 „Am Mühlenberg“ sollen "
            "die planungsrechtlichen Voraussetzungen für rund 45 Wohnhäuser geschaffen werden.\n"
            "Ziel ist ein durchgrüntes Wohngebiet, das sich in das Ortsbild einfügt, mit "
            "sparsamem Umgang mit Grund und Boden und kurzen Wegen zur Grundschule und zur "
            "Kindertagesstätte.",
            "# 2. Lage und Geltungsbereich\n"
            "Das Plangebiet liegt am nördlichen Ortsrand von Ebendorf zwischen der "
            "Mühlenstraße und dem Feldweg zum Mühlenberg. Es umfasst etwa 4,2 Hektar, "
            "bisher als Acker genutzt.\n"
            "# 3. Übergeordnete Planungen\n"
            "Der Flächennutzungsplan der Gemeinde stellt die Fläche als Wohnbaufläche dar; "
            "der Bebauungsplan ist damit aus dem Flächennutzungsplan entwickelt. Die "
            "rechtskräftigen Bebauungspläne Nr. 5 „Mühlenstraße“ und Nr. 8 „Am Sportplatz“ "
            "grenzen im Süden an und werden nicht geändert. Die Ziele der Raumordnung des "
            "Landes Sachsen-Anhalt stehen der Planung nicht entgegen.",
            "# 4. Festsetzungen\n"
            "Festgesetzt wird ein allgemeines Wohngebiet nach § 4 BauNVO mit einer "
            "Grundflächenzahl von 0,3 und höchstens zwei Vollgeschossen. Zulässig sind "
            "Einzel- und Doppelhäuser. Je Grundstück ist ein Laubbaum zu pflanzen.\n"
            "# 5. Umweltbelange\n"
            "Der Umweltbericht kommt zu dem Ergebnis, dass der Eingriff in Boden und "
            "Landschaft durch eine Streuobstwiese von 0,8 Hektar am Mühlenberg ausgeglichen "
            "wird. Das Niederschlagswasser wird auf den Grundstücken versickert.\n"
            "# 6. Verfahren\n"
            "Der Gemeinderat hat die Aufstellung beschlossen. Nach der frühzeitigen "
            "Beteiligung der Öffentlichkeit wird der Entwurf öffentlich ausgelegt.",
        ],
    ),
    (
        "Satzung über die Straßenreinigung in der Gemeinde Barleben (Straßenreinigungssatzung)",
        "satzung",
        "gemeinderat",
        [],
        700,
        "Wer welche Straßen und Gehwege reinigt und im Winter räumt und streut.",
        [
            "Aufgrund der §§ 8 und 45 des Kommunalverfassungsgesetzes des Landes "
            "Sachsen-Anhalt und des § 50 des Straßengesetzes für das Land Sachsen-Anhalt hat "
            "der Gemeinderat der Gemeinde Barleben in seiner Sitzung am {date} folgende "
            "Satzung beschlossen:\n"
            "# § 1 Übertragung der Reinigungspflicht\n"
            "Die Reinigung der öffentlichen Straßen innerhalb der geschlossenen Ortslagen "
            "von Barleben, Ebendorf und Meitzendorf wird den Eigentümerinnen und Eigentümern "
            "der angrenzenden Grundstücke auferlegt.\n"
            "# § 2 Umfang der Reinigung\n"
            "Die Reinigung umfasst die Gehwege, die Radwege und die Fahrbahn bis zu ihrer "
            "Mitte. Laub, Unrat und Unkraut sind zu beseitigen.\n"
            "# § 3 Zeit der Reinigung\n"
            "Die Straßen sind wöchentlich, jeweils bis Samstag 18 Uhr, zu reinigen.",
            "# § 4 Winterdienst\n"
            "Gehwege sind werktags bis 7 Uhr, sonn- und feiertags bis 9 Uhr, von Schnee zu "
            "räumen und bei Glätte mit abstumpfenden Mitteln zu streuen. Salz darf nur auf "
            "Treppen und steilen Gehwegen verwendet werden.\n"
            "# § 5 Ordnungswidrigkeiten\n"
            "Ordnungswidrig handelt, wer vorsätzlich oder fahrlässig der Reinigungspflicht "
            "nach den §§ 2 bis 4 nicht nachkommt. Die Ordnungswidrigkeit kann mit einer "
            "Geldbuße bis zu 1.000 Euro geahndet werden.\n"
            "# § 6 Inkrafttreten\n"
            "Diese Satzung tritt am Tag nach ihrer Bekanntmachung in Kraft.\n"
            "Barleben, den {date} – der Bürgermeister",
        ],
    ),
    (
        "Amtsblatt der Gemeinde Barleben Nr. 11/{year}",
        "amtsblatt",
        "verwaltung",
        [],
        25,
        "Amtliche Bekanntmachungen der Gemeinde und ihrer Ortschaften.",
        [
            "Herausgeberin: Gemeinde Barleben, Ernst-Thälmann-Straße 22, 39179 Barleben\n"
            "Erscheinungstag: {date}\n"
            "# Inhalt\n"
            "1. Öffentliche Sitzung des Gemeinderates\n"
            "2. Öffentliche Auslegung des Bebauungsplans Nr. 12 „Am Mühlenberg“\n"
            "3. Jahresabschluss der Gemeinde für das Haushaltsjahr {year}\n"
            "4. Sprechzeiten der Verwaltung zwischen den Feiertagen",
            "# 1. Öffentliche Sitzung des Gemeinderates\n"
            "Die nächste Sitzung des Gemeinderates findet im Ratssaal statt. Die Tagesordnung "
            "ist im Bürgerportal und im Schaukasten am Rathaus bekannt gemacht.\n"
            "# 2. Öffentliche Auslegung\n"
            "Der Entwurf des Bebauungsplans Nr. 12 „Am Mühlenberg“ liegt einen Monat lang im "
            "Rathaus aus. Stellungnahmen können schriftlich oder zur Niederschrift abgegeben "
            "werden.\n"
            "# 4. Sprechzeiten zwischen den Feiertagen\n"
            "Vom 27. bis 30. Dezember ist das Bürgerbüro nur vormittags von 9 bis 12 Uhr "
            "geöffnet. In dringenden Fällen erreichen Sie den Bereitschaftsdienst über die "
            "Telefonzentrale.",
        ],
    ),
    (
        "Haushaltssatzung der Gemeinde Barleben für das Haushaltsjahr {year}",
        "satzung",
        "gemeinderat",
        [],
        300,
        "Der Haushalt der Gemeinde: Erträge, Aufwendungen, Investitionen und Steuersätze.",
        [
            "Aufgrund des § 102 des Kommunalverfassungsgesetzes des Landes Sachsen-Anhalt "
            "hat der Gemeinderat in der Sitzung am {date} folgende Haushaltssatzung "
            "beschlossen:\n"
            "# § 1\n"
            "Der Haushaltsplan für das Haushaltsjahr {year} wird im Ergebnisplan mit "
            "Erträgen von 38.410.200 Euro und Aufwendungen von 37.985.600 Euro festgesetzt, "
            "im Finanzplan mit Einzahlungen aus Investitionstätigkeit von 2.140.000 Euro und "
            "Auszahlungen für Investitionen von 6.870.000 Euro.\n"
            "# § 2\n"
            "Kredite für Investitionen werden nicht veranschlagt.\n"
            "# § 3\n"
            "Verpflichtungsermächtigungen werden in Höhe von 1.500.000 Euro festgesetzt.",
            "# § 4\n"
            "Der Höchstbetrag der Liquiditätskredite wird auf 3.000.000 Euro festgesetzt.\n"
            "# § 5 Steuersätze\n"
            "Grundsteuer A für land- und forstwirtschaftliche Betriebe: 350 v. H.\n"
            "Grundsteuer B für die Grundstücke: 380 v. H.\n"
            "Gewerbesteuer: 350 v. H.\n"
            "# Bekanntmachung\n"
            "Der Haushaltsplan liegt nach der Bekanntmachung eine Woche lang im Rathaus, "
            "Zimmer 112, zur Einsicht aus.\n"
            "Barleben, den {date} – der Bürgermeister",
        ],
    ),
    (
        "Antrag auf Sondernutzung öffentlicher Verkehrsflächen",
        "formular",
        "verwaltung",
        [],
        1100,
        "Für Baugerüste, Container, Umzüge und Stände auf Straßen und Gehwegen.",
        [
            "Gemeinde Barleben – Ordnungsamt, Ernst-Thälmann-Straße 22, 39179 Barleben\n"
            "Bitte reichen Sie den Antrag mindestens zwei Wochen vor der Nutzung ein.\n"
            "# 1. Antragstellerin oder Antragsteller\n"
            "Name, Vorname oder Firma: ____________________________\n"
            "Anschrift: ____________________________\n"
            "Telefon und E-Mail: ____________________________\n"
            "# 2. Art der Sondernutzung\n"
            "[ ] Baugerüst   [ ] Container   [ ] Umzug (Halteverbot)   [ ] Verkaufsstand\n"
            "[ ] Sonstiges: ____________________________",
            "# 3. Ort und Dauer\n"
            "Straße und Hausnummer, Ortschaft: ____________________________\n"
            "In Anspruch genommene Fläche (Länge x Breite in Metern): ______________\n"
            "Vom ____________ bis ____________\n"
            "# 4. Anlagen\n"
            "Ein Lageplan oder eine Skizze mit den Maßen ist beizufügen.\n"
            "# Hinweise\n"
            "Für die Sondernutzung werden Gebühren nach der Sondernutzungssatzung erhoben. "
            "Die Fläche ist nach dem Ende der Nutzung im ursprünglichen Zustand zu "
            "übergeben.\n"
            "Datum und Unterschrift: ____________________________",
        ],
    ),
    (
        "Niederschrift der Sitzung des Ortschaftsrates Ebendorf vom {date}",
        "sitzungsniederschrift",
        "ortschaftsrat-ebendorf",
        ["ebendorf"],
        200,
        "Dorffest, Spielplatz an der Kirche und Stellungnahme zum Mühlenberg.",
        [
            "Ort: Dorfgemeinschaftshaus Ebendorf. Beginn: 19:00 Uhr, Ende: 20:30 Uhr\n"
            "Anwesend: die Ortsbürgermeisterin und sechs von sieben Mitgliedern des "
            "Ortschaftsrates.\n"
            "# Tagesordnung\n"
            "TOP 1 Eröffnung und Feststellung der Beschlussfähigkeit\n"
            "TOP 2 Einwohnerfragestunde\n"
            "TOP 3 Vorbereitung des Dorffestes Ebendorf\n"
            "TOP 4 Erneuerung des Spielplatzes an der Dorfkirche\n"
            "TOP 5 Stellungnahme zum Vorentwurf des Bebauungsplans „Am Mühlenberg“",
            "# Beschlüsse\n"
            "Zu TOP 3: Der Ortschaftsrat stellt für das Dorffest 2.500 Euro aus seinen "
            "Mitteln bereit. Abstimmung: einstimmig.\n"
            "Zu TOP 4: Der Ortschaftsrat empfiehlt dem Gemeinderat, den Spielplatz an der "
            "Dorfkirche im kommenden Jahr zu erneuern. Abstimmung: einstimmig.\n"
            "Zu TOP 5: Der Ortschaftsrat begrüßt das Wohngebiet am Mühlenberg und bittet, "
            "einen sicheren Schulweg zur Grundschule vorzusehen. Abstimmung: 5 Ja-Stimmen, "
            "1 Enthaltung.\n"
            "Ebendorf, den {date} – die Ortsbürgermeisterin",
        ],
    ),
    (
        "Lärmaktionsplan der Gemeinde Barleben – Stufe 4",
        "plan",
        "bau-und-umweltausschuss",
        ["barleben", "ebendorf"],
        900,
        "Wo der Verkehr an der A 2 und der B 189 laut ist, und was dagegen getan wird.",
        [
            "# 1. Anlass\n"
            "Nach § 47d des Bundes-Immissionsschutzgesetzes sind für Hauptverkehrsstraßen "
            "Lärmaktionspläne aufzustellen und alle fünf Jahre zu überprüfen. Die Gemeinde "
            "Barleben ist von der Bundesautobahn A 2, der Bundesstraße B 189 und der "
            "Eisenbahnstrecke Magdeburg–Stendal betroffen.\n"
            "# 2. Lärmbelastung\n"
            "Die Lärmkarten des Landesamtes für Umweltschutz zeigen an 240 Wohnungen in "
            "Barleben und Ebendorf Pegel von mehr als 55 dB(A) in der Nacht.",
            "# 3. Beteiligung der Öffentlichkeit\n"
            "Bürgerinnen und Bürger konnten den Entwurf einen Monat lang einsehen und "
            "Hinweise geben. 34 Hinweise gingen ein; am häufigsten wurde eine "
            "Geschwindigkeitsbegrenzung auf der Ortsdurchfahrt Ebendorf genannt.\n"
            "# 4. Maßnahmen\n"
            "Tempo 30 in der Nacht auf der Ortsdurchfahrt Ebendorf;\n"
            "lärmarmer Asphalt bei der nächsten Erneuerung der Magdeburger Straße;\n"
            "Prüfung einer Lärmschutzwand an der A 2 bei Barleben durch den Bund;\n"
            "Schallschutz in neuen Wohngebieten: Bebauungspläne entlang der B 189 setzen ihn fest.",
            "# 5. Ruhige Gebiete\n"
            "Als ruhige Gebiete werden der Mühlenberg und die Feldflur zwischen Barleben und "
            "Meitzendorf festgelegt. Sie sollen vor einer Zunahme des Lärms geschützt "
            "werden.\n"
            "# 6. Beschluss\n"
            "Der Bau- und Umweltausschuss empfiehlt dem Gemeinderat, den Lärmaktionsplan zu "
            "beschließen.",
        ],
    ),
    (
        "Niederschrift der Sitzung des Ortschaftsrates Meitzendorf vom {date}",
        "sitzungsniederschrift",
        "ortschaftsrat-meitzendorf",
        ["meitzendorf"],
        520,
        "Weihnachtsmarkt, Feuerwehrgerätehaus und Straßenbeleuchtung.",
        [
            "Ort: Feuerwehrgerätehaus Meitzendorf. Beginn: 19:00 Uhr, Ende: 20:10 Uhr\n"
            "Anwesend: der Ortsbürgermeister und fünf Mitglieder des Ortschaftsrates.\n"
            "# Tagesordnung\n"
            "TOP 1 Eröffnung\n"
            "TOP 2 Einwohnerfragestunde\n"
            "TOP 3 Weihnachtsmarkt auf dem Dorfplatz\n"
            "TOP 4 Anbau an das Feuerwehrgerätehaus\n"
            "TOP 5 Straßenbeleuchtung in der Dorfstraße",
            "# Beschlüsse\n"
            "Zu TOP 3: Der Weihnachtsmarkt findet am zweiten Adventswochenende statt; der "
            "Ortschaftsrat übernimmt die Kosten für den Strom. Abstimmung: einstimmig.\n"
            "Zu TOP 4: Der Ortschaftsrat unterstützt den Anbau einer Fahrzeughalle und bittet "
            "die Verwaltung, Fördermittel zu beantragen. Abstimmung: einstimmig.\n"
            "Zu TOP 5: Die Verwaltung berichtet, dass die Leuchten in der Dorfstraße auf LED "
            "umgerüstet werden. Der Stromverbrauch sinkt dadurch um etwa 60 Prozent.\n"
            "Meitzendorf, den {date} – der Ortsbürgermeister",
        ],
    ),
    (
        "Beschluss über die Sanierung der Kindertagesstätte „Sonnenschein“",
        "beschluss",
        "gemeinderat",
        ["barleben"],
        1300,
        "Energetische Sanierung und Erweiterung um eine Krippengruppe.",
        [
            "Beschluss-Nr. {year}/17 des Gemeinderates vom {date}\n"
            "# Beschluss\n"
            "Der Gemeinderat beschließt die energetische Sanierung der Kindertagesstätte "
            "„Sonnenschein“ in Barleben und ihre Erweiterung um eine Krippengruppe mit "
            "zwölf Plätzen. Die Verwaltung wird beauftragt, die Planungsleistungen "
            "auszuschreiben und Fördermittel des Landes zu beantragen.\n"
            "Abstimmung: 18 Ja-Stimmen, 0 Nein-Stimmen, 1 Enthaltung.",
            "# Begründung\n"
            "Das Gebäude stammt aus dem Jahr 1978. Dach, Fenster und Heizung entsprechen "
            "nicht mehr dem Stand der Technik; der Energieverbrauch ist doppelt so hoch wie "
            "bei einem Neubau. Zugleich fehlen in Barleben Krippenplätze: auf der Warteliste "
            "stehen 26 Kinder.\n"
            "# Finanzierung\n"
            "Die Kosten werden auf 1,9 Millionen Euro geschätzt. Es wird eine Förderung von "
            "bis zu 60 Prozent erwartet. Der Eigenanteil wird in den Haushaltsjahren {year} "
            "und {next_year} veranschlagt.",
        ],
    ),
    (
        "Niederschrift der Sitzung des Bau- und Umweltausschusses vom {date}",
        "sitzungsniederschrift",
        "bau-und-umweltausschuss",
        [],
        1500,
        "Aufstellung des Bebauungsplans „Am Mühlenberg“ und Radweg nach Meitzendorf.",
        [
            "Ort: Ratssaal der Gemeinde Barleben. Beginn: 17:30 Uhr, Ende: 19:15 Uhr\n"
            "Anwesend: sieben Mitglieder des Ausschusses, zwei sachkundige Einwohner, von "
            "der Verwaltung die Leiterin des Bauamtes.\n"
            "# Tagesordnung\n"
            "TOP 1 Eröffnung und Beschlussfähigkeit\n"
            "TOP 2 Aufstellung des Bebauungsplans Nr. 12 „Am Mühlenberg“ – Empfehlung an "
            "den Gemeinderat\n"
            "TOP 3 Radweg zwischen Barleben und Meitzendorf\n"
            "TOP 4 Bauanträge und Bauvoranfragen",
            "# Ergebnisse\n"
            "Zu TOP 2: Der Ausschuss empfiehlt dem Gemeinderat, die Aufstellung des "
            "Bebauungsplans zu beschließen. Die Verwaltung soll prüfen, wie viele "
            "Bauplätze an junge Familien aus der Gemeinde vergeben werden können. "
            "Abstimmung: 6 Ja-Stimmen, 1 Nein-Stimme.\n"
            "Zu TOP 3: Die Verwaltung stellt drei Varianten der Trasse vor. Der Ausschuss "
            "bevorzugt die Variante entlang der Kreisstraße.\n"
            "Zu TOP 4: Dem Neubau eines Einfamilienhauses in der Breiteweg-Siedlung wird das "
            "gemeindliche Einvernehmen erteilt.",
        ],
    ),
    (
        "Sitzungstermine des Ortschaftsrates Barleben {year}",
        "bekanntmachung",
        "ortschaftsrat-barleben",
        ["barleben"],
        1720,
        "Wann der Ortschaftsrat Barleben im Jahr öffentlich tagt.",
        [
            "Der Ortschaftsrat Barleben tagt im Jahr {year} öffentlich im Bürgerhaus "
            "Barleben, Breiteweg 40, jeweils um 19:00 Uhr an folgenden Tagen:\n"
            "im Februar, im April, im Juni, im September und im November, jeweils am "
            "zweiten Dienstag des Monats.\n"
            "Die Tagesordnungen werden eine Woche vorher im Bürgerportal und im Schaukasten "
            "am Bürgerhaus bekannt gemacht.",
            "# Einwohnerfragestunde\n"
            "Zu Beginn jeder Sitzung können Einwohnerinnen und Einwohner Fragen zu "
            "Angelegenheiten der Ortschaft stellen und Anregungen geben. Wer eine "
            "ausführliche Antwort wünscht, reicht die Frage bitte drei Tage vorher "
            "schriftlich ein.\n"
            "Barleben, den {date} – der Ortsbürgermeister",
        ],
    ),
]

# A4 in points; Helvetica at 11 pt fits about 85 characters between the margins.
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
MARGIN = 64
LINE_CHARACTERS = 85
FONT_SIZE, HEADING_SIZE, LEADING = 11, 13, 15
MAX_LINES = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def archive_seed_demo(home: HomePage) -> None:
    """Create the archive page, the issuing bodies and the demo documents, unless they exist."""
    if not home.get_children().type(ArchiveIndexPage).exists():
        home.add_child(
            instance=ArchiveIndexPage(
                title="Archiv",
                slug="archiv",
                show_in_menus=True,
                introduction="Was die Gemeinde beschlossen und veröffentlicht hat: "
                "Niederschriften, Satzungen, Pläne, Amtsblätter und Formulare.",
            )
        )
    for order, (name, slug) in enumerate(ISSUING_BODIES, start=10):
        IssuingBody.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    types = {item.slug: item for item in DocumentType.objects.all()}
    bodies = {item.slug: item for item in IssuingBody.objects.all()}
    ortschaften = {item.slug: item for item in Ortschaft.objects.all()}
    today = timezone.localdate()
    for title, type_slug, body_slug, ortschaft_slugs, days, description, pages in DOCUMENTS:
        day = today - timedelta(days=days)
        title = _filled(title, day)
        if Document.objects.filter(title=title).exists():
            continue
        content = ContentFile(
            pdf_write(title=title, pages=[_filled(page, day) for page in pages]),
            name=f"{german_slugify(title)[:70]}.pdf",
        )
        # Saving a waiting document queues the reading of its text (signal handler).
        document = Document.objects.create(
            title=title,
            file=content,
            file_size=content.size,
            checksum=file_checksum(content),
            document_type=types[type_slug],
            issuing_body=bodies[body_slug],
            date=day,
            description=description,
        )
        document.ortschaften.set([ortschaften[slug] for slug in ortschaft_slugs])


def _filled(text: str, day: date) -> str:
    with translation.override("de"):
        long_date = date_format(day, "j. F Y")
    return text.format(date=long_date, year=day.year, next_year=day.year + 1)


def pdf_write(*, title: str, pages: list[str]) -> bytes:
    """A PDF with a text layer: the title, then each page's paragraphs, wrapped to the width.

    Helvetica with WinAnsiEncoding (cp1252) is built into every PDF reader, so the file
    embeds no font and needs no library.
    """
    fonts = [
        "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        "<</Type/Font/Subtype/Type1/BaseFont/Helvetica-Bold/Encoding/WinAnsiEncoding>>",
    ]
    streams = [
        _page_stream(page, title=title, number=number) for number, page in enumerate(pages, 1)
    ]
    # Objects: 1 catalog, 2 page tree, 3–4 fonts, then a page and its content per page.
    page_ids = [5 + 2 * index for index in range(len(streams))]
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>"
        % (b" ".join(b"%d 0 R" % page_id for page_id in page_ids), len(page_ids)),
        *(font.encode() for font in fonts),
    ]
    for page_id, stream in zip(page_ids, streams, strict=True):
        packed = zlib.compress(stream)
        objects.append(
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]/Contents %d 0 R"
            b"/Resources<</Font<</F1 3 0 R/F2 4 0 R>>>>>>" % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1)
        )
        objects.append(
            b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(packed), packed)
        )
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(output))
        output += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(output)


def _page_stream(page: str, *, title: str, number: int) -> bytes:
    lines = []
    if number == 1:
        lines += [("F2", HEADING_SIZE, line) for line in wrap(title, LINE_CHARACTERS - 12)]
        lines.append(("F1", FONT_SIZE, ""))
    for paragraph in page.split("\n"):
        if paragraph.startswith("# "):
            lines.append(("F2", FONT_SIZE, ""))
            lines += [("F2", FONT_SIZE, line) for line in wrap(paragraph[2:], LINE_CHARACTERS)]
        else:
            lines += [("F1", FONT_SIZE, line) for line in wrap(paragraph, LINE_CHARACTERS)]
    if len(lines) > MAX_LINES:
        # The writer does not break pages itself: the demo decides what is on each page.
        raise ValueError(f"Page {number} of “{title}” has {len(lines)} lines, {MAX_LINES} fit")
    commands = [b"BT", b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, PAGE_HEIGHT - MARGIN)]
    for font, size, line in lines:
        commands.append(b"/%s %d Tf (%s) Tj T*" % (font.encode(), size, _pdf_string(line)))
    commands.append(b"ET")
    return b"\n".join(commands)


def _pdf_string(text: str) -> bytes:
    encoded = text.encode("cp1252")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
