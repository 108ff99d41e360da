"""German municipal text for the archive benchmark: what a municipality of three Ortschaften
files over twenty years (minutes, plans, by-laws, budgets, notices), made from word lists and
sentence templates, reproducible from the document's number.

Only Latin-1 characters, so that fpdf2's core fonts can write every text into a PDF.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

ORTSCHAFTEN = ["Barleben", "Ebendorf", "Meitzendorf"]
# (name, slug): the two bodies of migration 0002 and those a municipality adds itself.
ISSUING_BODIES = [
    ("Gemeinderat", "gemeinderat"),
    ("Verwaltung", "verwaltung"),
    ("Ortschaftsrat Barleben", "ortschaftsrat-barleben"),
    ("Ortschaftsrat Ebendorf", "ortschaftsrat-ebendorf"),
    ("Ortschaftsrat Meitzendorf", "ortschaftsrat-meitzendorf"),
    ("Bau- und Vergabeausschuss", "bauausschuss"),
    ("Finanzausschuss", "finanzausschuss"),
    ("Ausschuss für Bildung, Soziales und Kultur", "sozialausschuss"),
]
FIRST_YEAR, YEARS = 2006, 20

STREETS = [
    "Breiteweg",
    "Magdeburger Straße",
    "Ebendorfer Straße",
    "Meitzendorfer Straße",
    "Lindenallee",
    "Am Bahnhof",
    "Schulstraße",
    "Kirchplatz",
    "Bahnhofstraße",
    "Wolmirstedter Straße",
    "Feldstraße",
    "Gartenweg",
    "Am Anger",
    "Mittellandkanal-Ufer",
    "Rothenseer Weg",
    "Hinter den Höfen",
    "Olvenstedter Straße",
    "Birkenweg",
    "Ahornring",
    "Thomas-Müntzer-Straße",
    "Angerstraße",
    "Heideweg",
    "Rosenweg",
    "Am Sportplatz",
    "Steinfeldstraße",
]
PEOPLE = [
    "Frau Schulze",
    "Herr Müller",
    "Frau Wagner",
    "Herr Becker",
    "Frau Hoffmann",
    "Herr Krüger",
    "Frau Neumann",
    "Herr Zimmermann",
    "Frau Lehmann",
    "Herr Schröder",
    "Frau Köhler",
    "Herr Fuchs",
    "Frau Vogel",
    "Herr Richter",
    "Frau Hartmann",
    "Herr Lange",
    "Frau Kaiser",
]
COMPANIES = [
    "Ingenieurbüro Hansen",
    "Planungsbüro Elbe-Börde",
    "Tiefbau Ostfalen GmbH",
    "Straßenbau Wolmirstedt",
    "Elektro Barleben",
    "Architekturbüro Kessler",
    "Gartenbau Ohre",
]

# Per topic: phrases for titles, nouns of the field (singular and plural forms), sentences.
TOPICS = {
    "bauleitplanung": {
        "titles": [
            "Bebauungsplan Nr. {n} {area}",
            "Änderung des Flächennutzungsplans im Bereich {area}",
            "Aufstellungsbeschluss Bebauungsplan {area}",
            "Vorhabenbezogener Bebauungsplan {area}",
        ],
        "sentences": [
            "Der Geltungsbereich des Bebauungsplans umfasst die Grundstücke {street} {n} bis {n2}.",
            "Ziel der Planung ist die Ausweisung eines allgemeinen Wohngebiets mit "
            "Einzel- und Doppelhäusern.",
            "Die frühzeitige Beteiligung der Öffentlichkeit erfolgt durch Auslegung der "
            "Planunterlagen im Bauamt.",
            "Die Träger öffentlicher Belange werden gemäß § 4 Abs. 1 BauGB beteiligt.",
            "Im Plangebiet ist eine Grundflächenzahl von 0,{n3} und eine Geschossigkeit von "
            "höchstens zwei Vollgeschossen festgesetzt.",
            "Das Niederschlagswasser ist auf den Grundstücken zu versickern; ein "
            "Regenrückhaltebecken ist nicht erforderlich.",
            "Der Umweltbericht des {company} stellt keine erheblichen Beeinträchtigungen fest.",
            "Für die Ausgleichsmaßnahmen werden Obstbäume am {street} gepflanzt.",
            "Die Erschließung der Baugrundstücke übernimmt ein Erschließungsträger.",
        ],
    },
    "haushalt": {
        "titles": [
            "Haushaltssatzung der Gemeinde Barleben für das Haushaltsjahr {year}",
            "Jahresabschluss {year}",
            "Haushaltsplan {year}",
            "Nachtragshaushalt {year}",
            "Überplanmäßige Ausgabe für {thing}",
        ],
        "sentences": [
            "Der Ergebnisplan schließt mit Erträgen von {amount} EUR und Aufwendungen von "
            "{amount2} EUR ab.",
            "Kredite für Investitionen werden im Haushaltsjahr nicht veranschlagt.",
            "Der Hebesatz der Grundsteuer B beträgt {n3}0 vom Hundert, der Gewerbesteuer "
            "{n3}5 vom Hundert.",
            "Die Kämmerin erläutert die Entwicklung der Gewerbesteuereinnahmen aus dem "
            "Technologiepark Ostfalen.",
            "Der Finanzausschuss empfiehlt dem Gemeinderat, die Haushaltssatzung zu beschließen.",
            "Für die Sanierung der {thing} werden {amount} EUR im Finanzplan vorgesehen.",
            "Die Liquiditätsreserve beträgt zum Jahresende {amount} EUR.",
            "Die Kommunalaufsicht hat die Haushaltssatzung ohne Auflagen bestätigt.",
        ],
    },
    "strassenbau": {
        "titles": [
            "Ausbau der {street}",
            "Sanierung der Fahrbahn {street}",
            "Vollsperrung {street}",
            "Straßenausbaubeitrag {street}",
            "Neubau eines Radwegs zwischen {place} und {place2}",
        ],
        "sentences": [
            "Die Fahrbahn der {street} wird auf einer Länge von {n}0 Metern grundhaft erneuert.",
            "Während der Bauarbeiten ist die {street} voll gesperrt; die Umleitung ist "
            "ausgeschildert.",
            "Die Gehwege erhalten ein neues Pflaster, die Straßenbeleuchtung wird auf LED "
            "umgestellt.",
            "Den Auftrag erhält die {company} als wirtschaftlichste Bieterin.",
            "Die Anlieger werden über die Bauabschnitte in einer Einwohnerversammlung informiert.",
            "Der Radweg schließt die Lücke im Netz entlang der Landesstraße.",
            "Die Straßenbäume werden erhalten und durch neue Baumscheiben geschützt.",
            "Im Winter übernimmt der Bauhof den Winterdienst auf den Radwegen.",
        ],
    },
    "kita": {
        "titles": [
            "Satzung über die Benutzung der Kindertageseinrichtungen",
            "Kostenbeiträge für die Kindertagesstätte {kita}",
            "Erweiterung der Kita {kita}",
            "Bedarfsplanung Kindertagesbetreuung {year}",
        ],
        "sentences": [
            "Die Kindertagesstätte {kita} betreut derzeit {n} Kinder in Krippe und Kindergarten.",
            "Die Kostenbeiträge der Eltern werden zum 1. August neu festgesetzt.",
            "Für die Erweiterung um zwei Gruppenräume liegt die Baugenehmigung vor.",
            "Die Betreuungszeiten werden auf Wunsch der Eltern bis 17 Uhr verlängert.",
            "Das Land fördert den Ausbau der Krippenplätze mit {amount} EUR.",
            "Der Hort an der Grundschule wird von {n} Schulkindern besucht.",
            "Die Verpflegung übernimmt künftig ein regionaler Anbieter mit Bioanteil.",
        ],
    },
    "feuerwehr": {
        "titles": [
            "Beschaffung eines Löschfahrzeugs für die Ortsfeuerwehr {place}",
            "Brandschutzbedarfsplan {year}",
            "Neubau des Feuerwehrgerätehauses {place}",
            "Satzung über die Kostenerstattung für Einsätze der Freiwilligen Feuerwehr",
        ],
        "sentences": [
            "Die Freiwillige Feuerwehr {place} rückte im vergangenen Jahr zu {n} Einsätzen aus.",
            "Das neue Löschgruppenfahrzeug ersetzt ein Fahrzeug aus dem Jahr 1991.",
            "Der Brandschutzbedarfsplan sieht eine Hilfsfrist von zwölf Minuten vor.",
            "Die Jugendfeuerwehr zählt {n3} Mitglieder und übt jeden zweiten Samstag.",
            "Das Feuerwehrgerätehaus erhält neue Stellplätze und Umkleiden.",
            "Die Ortswehrleitung dankt den Kameradinnen und Kameraden für ihren Einsatz.",
            "Die Atemschutzgeräte werden turnusgemäß durch die Kreisfeuerwehr geprüft.",
        ],
    },
    "abwasser": {
        "titles": [
            "Abwasserbeseitigungssatzung",
            "Erneuerung des Schmutzwasserkanals {street}",
            "Gebühren für die Niederschlagswasserbeseitigung {year}",
        ],
        "sentences": [
            "Der Schmutzwasserkanal in der {street} wird in geschlossener Bauweise saniert.",
            "Die Gebühr für die Niederschlagswasserbeseitigung beträgt 0,{n3} EUR je "
            "Quadratmeter versiegelter Fläche.",
            "Der Abwasserzweckverband übernimmt die Planung und die Bauüberwachung.",
            "Das Regenrückhaltebecken am {street} wird entschlammt.",
            "Die Hausanschlüsse werden bis zur Grundstücksgrenze erneuert.",
        ],
    },
    "schule_sport": {
        "titles": [
            "Sanierung der Sporthalle {place}",
            "Schulentwicklungsplanung {year}",
            "Förderung der Sportvereine {year}",
            "Neubau des Spielplatzes {street}",
        ],
        "sentences": [
            "Die Sporthalle erhält eine neue Lüftungsanlage und einen Schwingboden.",
            "Die Grundschule {place} wird im kommenden Schuljahr dreizügig geführt.",
            "Die Sportvereine erhalten Zuschüsse für Übungsleiter und Jugendarbeit.",
            "Der Spielplatz am {street} bekommt neue Spielgeräte und einen Sonnenschutz.",
            "Die Spielplätze der Gemeinde werden jährlich durch einen Sachverständigen geprüft.",
            "Der Schulhof wird entsiegelt und mit Bäumen bepflanzt.",
        ],
    },
    "ordnung": {
        "titles": [
            "Hundesteuersatzung",
            "Friedhofssatzung",
            "Straßenreinigungssatzung",
            "Satzung über Sondernutzungen an öffentlichen Straßen",
            "Gefahrenabwehrverordnung",
            "Friedhofsgebührensatzung {year}",
        ],
        "sentences": [
            "Die Steuer beträgt für den ersten Hund {n3} EUR und für jeden weiteren Hund "
            "{n2} EUR im Jahr.",
            "Die Anlieger sind verpflichtet, die Gehwege von Schnee und Eis zu räumen.",
            "Die Ruhezeit der Gräber beträgt zwanzig Jahre.",
            "Auf dem Friedhof {place} werden Urnengemeinschaftsanlagen angeboten.",
            "Ordnungswidrig handelt, wer vorsätzlich oder fahrlässig gegen diese Satzung verstößt.",
            "Diese Satzung tritt am Tag nach ihrer Bekanntmachung in Kraft.",
            "Die Satzungen der Gemeinde werden im Amtsblatt öffentlich bekannt gemacht.",
        ],
    },
    "gemeindeleben": {
        "titles": [
            "Glasfaserausbau in {place}",
            "Klimaschutzkonzept der Gemeinde Barleben",
            "Dorfgemeinschaftshaus {place}",
            "Wahlbekanntmachung zur Kommunalwahl {year}",
            "Ehrenamtspreis {year}",
            "Städtepartnerschaft und Heimatfest {place}",
        ],
        "sentences": [
            "Der Glasfaserausbau erreicht bis Jahresende {n}0 Haushalte in {place}.",
            "Das Klimaschutzkonzept sieht Photovoltaik auf allen gemeindeeigenen Dächern vor.",
            "Das Dorfgemeinschaftshaus steht den Vereinen für Veranstaltungen zur Verfügung.",
            "Die Wahlräume sind am Wahltag von 8 bis 18 Uhr geöffnet.",
            "Der Heimatverein lädt zum Heimatfest auf den Anger ein.",
            "Der Bürgermeister würdigt das Ehrenamt in den Vereinen der drei Ortschaften.",
            "Die Bürgerinnen und Bürger können Vorschläge bis zum Ende des Monats einreichen.",
        ],
    },
}
# Sentences of every kind of document, with nouns of the administration's whole vocabulary:
# real texts of 2 KB have some hundreds of different words, not the few of one topic.
GENERAL_SENTENCES = [
    "Die {noun} wird im {month} mit der {noun2} abgestimmt.",
    "{person} weist auf die {noun} in der {street} hin.",
    "Zur {noun} liegen {n2} Stellungnahmen vor, darunter eine der {noun2}.",
    "Die Verwaltung prüft, ob die {noun} bis {month} abgeschlossen werden kann.",
    "Auf Nachfrage erläutert {person} die Kosten der {noun} und der {noun2}.",
    "Die {noun} ist Voraussetzung für die Förderung aus Mitteln des Landes.",
    "Es wird angeregt, die {noun} gemeinsam mit der {noun2} zu betrachten.",
    "Ein Vertreter des {company} stellt die {noun} vor.",
    "Die Mitglieder nehmen den Bericht zur {noun} zur Kenntnis.",
    "Die {noun} soll im {month} in einer Einwohnerversammlung vorgestellt werden.",
]
NOUNS = [
    "Ausschreibung",
    "Vergabe",
    "Förderung",
    "Stellungnahme",
    "Planung",
    "Kostenschätzung",
    "Bürgerbeteiligung",
    "Verkehrszählung",
    "Baugenehmigung",
    "Entwässerung",
    "Beleuchtung",
    "Bepflanzung",
    "Vermessung",
    "Prüfung",
    "Beschaffung",
    "Unterhaltung",
    "Pflege",
    "Instandsetzung",
    "Erweiterung",
    "Umgestaltung",
    "Ersatzpflanzung",
    "Verkehrsführung",
    "Parkraumbewirtschaftung",
    "Haltestelle",
    "Buslinie",
    "Lärmschutzwand",
    "Ladesäule",
    "Photovoltaikanlage",
    "Wärmepumpe",
    "Heizungsanlage",
    "Dachsanierung",
    "Fassadendämmung",
    "Barrierefreiheit",
    "Aufzugsanlage",
    "Hochwasserschutz",
    "Deichverteidigung",
    "Ortsumgehung",
    "Gewerbeansiedlung",
    "Breitbandversorgung",
    "Mobilfunkversorgung",
    "Schulwegsicherung",
    "Geschwindigkeitsbegrenzung",
    "Tempo-30-Zone",
    "Fußgängerüberweg",
    "Bushaltestelle",
    "Jugendbeteiligung",
    "Seniorenbetreuung",
    "Vereinsförderung",
    "Kulturförderung",
    "Denkmalpflege",
    "Dorfkirche",
    "Gutspark",
    "Streuobstwiese",
    "Baumschutzsatzung",
    "Grünflächenpflege",
    "Wertstoffhof",
    "Sperrmüllabfuhr",
    "Biotonne",
    "Abfallentsorgung",
    "Trinkwasserversorgung",
    "Löschwasserversorgung",
    "Zisterne",
    "Regenwassernutzung",
    "Straßenentwässerung",
    "Kanalbefahrung",
    "Grundwassermessstelle",
    "Bodengutachten",
    "Altlastenerkundung",
    "Artenschutzprüfung",
    "Fledermauskartierung",
    "Ausgleichsfläche",
    "Pachtfläche",
    "Grundstücksveräußerung",
    "Erbbaurecht",
    "Vorkaufsrecht",
    "Nutzungsvertrag",
    "Kooperationsvereinbarung",
    "Zweckvereinbarung",
    "Gebührenkalkulation",
    "Rücklage",
]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
THINGS = [
    "Grundschule Barleben",
    "Sporthalle Ebendorf",
    "Straßenbeleuchtung",
    "Friedhofskapelle",
    "Kindertagesstätte Meitzendorf",
    "Mehrzweckhalle",
    "Bauhofhalle",
    "Jugendclub",
]
KITAS = ["Sonnenschein", "Pusteblume", "Regenbogen", "Kunterbunt", "Mühlenzwerge"]
AREAS = [
    "Wohngebiet Am Mühlenberg",
    "Gewerbegebiet Technologiepark Ostfalen",
    "Ortsmitte Ebendorf",
    "Sondergebiet Photovoltaik Meitzendorf",
    "Am Schäferteich",
    "Wohnpark Lindenhof",
    "Mischgebiet Bahnhofsumfeld",
]

# What each document type says around the topic's sentences.
OPENINGS = {
    "sitzungsniederschrift": [
        "Niederschrift über die {number}. öffentliche Sitzung des {body} am {day} im "
        "Ratssaal, Ernst-Thälmann-Straße 22, Barleben.",
        "Beginn: {time} Uhr. Anwesend: {count} Mitglieder; entschuldigt: {people}.",
        "Der Vorsitzende eröffnet die Sitzung, stellt die ordnungsgemäße Ladung und die "
        "Beschlussfähigkeit fest.",
        "Die Niederschrift der letzten Sitzung wird ohne Änderungen bestätigt.",
        "In der Einwohnerfragestunde fragt {person} nach dem Stand der Arbeiten in der {street}.",
    ],
    "beschluss": [
        "Beschluss Nr. {number}/{year} des {body} vom {day}.",
        "Der {body} beschließt auf Empfehlung des Fachausschusses:",
        "Abstimmungsergebnis: {count} Ja-Stimmen, {n2} Nein-Stimmen, {n3} Enthaltungen.",
    ],
    "satzung": [
        "Aufgrund der §§ 8 und 45 des Kommunalverfassungsgesetzes des Landes Sachsen-Anhalt "
        "hat der Gemeinderat der Gemeinde Barleben in seiner Sitzung am {day} folgende Satzung "
        "beschlossen:",
        "§ 1 Geltungsbereich. Diese Satzung gilt für das Gebiet der Gemeinde Barleben mit den "
        "Ortschaften Barleben, Ebendorf und Meitzendorf.",
    ],
    "amtsblatt": [
        "Amtsblatt der Gemeinde Barleben, Jahrgang {year}, Nummer {number}, erschienen am {day}.",
        "Inhalt: Amtliche Bekanntmachungen der Gemeinde und ihrer Ortschaften.",
    ],
    "bekanntmachung": [
        "Öffentliche Bekanntmachung der Gemeinde Barleben vom {day}.",
        "Die Unterlagen liegen im Bürgerbüro während der Sprechzeiten zur Einsicht aus.",
    ],
    "plan": [
        "Planzeichnung und Begründung, Stand {day}, bearbeitet vom {company}.",
        "Maßstab 1:1000. Kartengrundlage: Liegenschaftskarte des Landesamts für Vermessung.",
    ],
    "formular": [
        "Antrag an die Gemeinde Barleben, Fachbereich Bürgerdienste. Bitte vollständig "
        "ausfüllen und mit den erforderlichen Unterlagen einreichen.",
        "Name, Vorname, Anschrift, Telefon, E-Mail-Adresse des Antragstellers.",
    ],
    "sonstiges": [
        "Vermerk der Verwaltung vom {day}, Aktenzeichen {number}-{year}.",
        "Bearbeitet von {person}, Fachbereich Bau und Ordnung.",
    ],
}
CLOSINGS = {
    "sitzungsniederschrift": [
        "Der Vorsitzende schließt die Sitzung um {time2} Uhr.",
        "Protokoll: {person}.",
    ],
    "beschluss": ["Der Beschluss wird im Amtsblatt bekannt gemacht."],
    "satzung": [
        "§ {n3} Inkrafttreten. Diese Satzung tritt am Tag nach ihrer Bekanntmachung in Kraft.",
        "Barleben, den {day}. Der Bürgermeister.",
    ],
    "amtsblatt": ["Herausgeberin: Gemeinde Barleben. Das Amtsblatt erscheint monatlich."],
    "bekanntmachung": ["Barleben, den {day}. Der Bürgermeister."],
    "plan": ["Die Planzeichnung ist Bestandteil des Satzungsbeschlusses."],
    "formular": ["Datum, Unterschrift. Hinweise zum Datenschutz finden Sie auf der Rückseite."],
    "sonstiges": ["Zur Kenntnis an den Bürgermeister und die Fachbereiche."],
}
# Which bodies issue which type; None: the whole administration.
BODIES_OF_TYPE = {
    "sitzungsniederschrift": [
        "gemeinderat",
        "ortschaftsrat-barleben",
        "ortschaftsrat-ebendorf",
        "ortschaftsrat-meitzendorf",
        "bauausschuss",
        "finanzausschuss",
        "sozialausschuss",
    ],
    "beschluss": ["gemeinderat", "gemeinderat", "bauausschuss", "finanzausschuss"],
    "satzung": ["gemeinderat"],
    "amtsblatt": ["verwaltung"],
    "bekanntmachung": ["verwaltung", "verwaltung", "gemeinderat"],
    "plan": ["verwaltung", "bauausschuss"],
    "formular": ["verwaltung"],
    "sonstiges": ["verwaltung"],
}
# Relative frequency of the types in an archive: mostly minutes, resolutions and notices.
TYPE_WEIGHTS = {
    "sitzungsniederschrift": 30,
    "beschluss": 20,
    "bekanntmachung": 18,
    "amtsblatt": 8,
    "satzung": 8,
    "plan": 8,
    "sonstiges": 5,
    "formular": 3,
}
TARGET_CHARACTERS = 2000
# What one document in a thousand mentions: the rare words citizens search for.
RARE_SENTENCES = [
    "Der Storchenhorst auf dem Schornstein der alten Brennerei wird erneuert.",
    "Die Glocken der Dorfkirche erhalten einen neuen Glockenstuhl aus Eichenholz.",
    "Am Mittellandkanal wird ein Anleger für Paddelboote eingerichtet.",
    "Der Eiskeller am Gutshof wird als Winterquartier für Fledermäuse gesichert.",
    "Die Streuobstwiese erhält Nistkästen für den Steinkauz.",
    "Für den Wasserturm in Meitzendorf liegt ein Gutachten zur Standsicherheit vor.",
    "Auf dem Anger wird ein Bücherschrank in einer ausgedienten Telefonzelle aufgestellt.",
    "Der Backofen im Heimathaus Ebendorf wird von Ehrenamtlichen wieder aufgebaut.",
]


@dataclass
class GeneratedDocument:
    title: str
    document_type: str  # slug
    issuing_body: str  # slug
    date: date
    ortschaften: list[str]  # names; empty: the whole municipality
    pages: list[str]


def _fill(template: str, rng: random.Random, *, body: str, day: date) -> str:
    places = rng.sample(ORTSCHAFTEN, 2)
    nouns = rng.sample(NOUNS, 2)
    return template.format(
        n=rng.randint(1, 99),
        n2=rng.randint(2, 40),
        n3=rng.randint(2, 9),
        number=rng.randint(1, 60),
        year=day.year,
        day=f"{day.day}.{day.month}.{day.year}",
        time=f"{rng.randint(17, 19)}:{rng.choice(['00', '15', '30'])}",
        time2=f"{rng.randint(20, 22)}:{rng.randint(10, 59)}",
        count=rng.randint(9, 21),
        amount=f"{rng.randint(10, 9_999)}.{rng.randint(100, 999)}",
        amount2=f"{rng.randint(10, 9_999)}.{rng.randint(100, 999)}",
        body=body,
        place=places[0],
        place2=places[1],
        street=rng.choice(STREETS),
        person=rng.choice(PEOPLE),
        people=", ".join(rng.sample(PEOPLE, 2)),
        company=rng.choice(COMPANIES),
        thing=rng.choice(THINGS),
        kita=rng.choice(KITAS),
        area=rng.choice(AREAS),
        noun=nouns[0],
        noun2=nouns[1],
        month=rng.choice(MONTHS),
    )


def document_generate(number: int) -> GeneratedDocument:
    """The document with this number: the same one on every run."""
    rng = random.Random(number)
    type_slug = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    body_slug = rng.choice(BODIES_OF_TYPE[type_slug])
    body = dict((slug, name) for name, slug in ISSUING_BODIES)[body_slug]
    day = date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(YEARS * 365))
    spread = rng.random()
    if body_slug.startswith("ortschaftsrat-"):
        ortschaften = [body.removeprefix("Ortschaftsrat ")]
    elif spread < 0.35:
        ortschaften = []
    elif spread < 0.9:
        ortschaften = [rng.choice(ORTSCHAFTEN)]
    else:
        ortschaften = rng.sample(ORTSCHAFTEN, 2)
    topics = rng.sample(
        list(TOPICS), 2 if type_slug in ("sitzungsniederschrift", "amtsblatt") else 1
    )

    def fill(template: str) -> str:
        return _fill(template, rng, body=body, day=day)

    title = fill(rng.choice(TOPICS[topics[0]]["titles"]))
    if type_slug == "sitzungsniederschrift":
        title = f"Niederschrift {body} {day.day}.{day.month}.{day.year}: {title}"
    sentences = [fill(template) for template in OPENINGS[type_slug]]
    # Topic and general sentences mixed, each template used once while there are others:
    # minutes do not repeat themselves.
    topical = [sentence for topic in topics for sentence in TOPICS[topic]["sentences"]]
    rng.shuffle(topical)
    general: list[str] = []
    closing = [fill(template) for template in CLOSINGS[type_slug]]
    length = sum(len(sentence) + 1 for sentence in sentences + closing)
    item = 1
    while length < TARGET_CHARACTERS:
        if not general:
            general = rng.sample(GENERAL_SENTENCES, len(GENERAL_SENTENCES))
        sentence = fill(topical.pop() if topical and rng.random() < 0.6 else general.pop())
        if type_slug in ("sitzungsniederschrift", "amtsblatt") and rng.random() < 0.2:
            item += 1
            heading = fill(rng.choice(TOPICS[rng.choice(topics)]["titles"]))
            sentence = f"TOP {item}: {heading}. {sentence}"
        sentences.append(sentence)
        length += len(sentence) + 1
    if rng.random() < 0.008:
        sentences.append(rng.choice(RARE_SENTENCES))
    sentences += closing
    if rng.random() < 0.4:  # a longer one runs onto a second page
        middle = len(sentences) // 2
        pages = [" ".join(sentences[:middle]), " ".join(sentences[middle:])]
    else:
        pages = [" ".join(sentences)]
    return GeneratedDocument(
        title=title[:255],
        document_type=type_slug,
        issuing_body=body_slug,
        date=day,
        ortschaften=ortschaften,
        pages=pages,
    )


def pdf_render(document: GeneratedDocument) -> bytes:
    """A PDF with a text layer, one page per text page, as an office suite exports it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(document.title)
    for text in document.pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())
