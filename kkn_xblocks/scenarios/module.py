"""Workbench scenarios of the distance-module block."""
from . import block_element, scenario

PROGRAMME = "kkn-naringslivsutvecklare"
MODULES = ["modul-1", "modul-2", "modul-3", "modul-4", "modul-5", "modul-6"]

MODULE_1 = {
    "display_name": "Näringslivsutvecklarens roll och uppdrag",
    "programme_id": PROGRAMME,
    "programme_modules": MODULES,
    "module_id": "modul-1",
    "number": 1,
    "weeks": 3,
    "introduction": (
        "I den här modulen bygger du en gemensam grund: vad kommunens näringslivsarbete är till för, "
        "vem som gör vad och hur din roll hänger ihop med kommunens övriga uppdrag."
    ),
    "outcomes": [
        "beskriva kommunens ansvar och möjligheter i det lokala näringslivsarbetet",
        "förklara hur näringsliv, kultur och turism kan stärka varandra",
        "formulera din egen roll i kommunens organisation",
    ],
    "knowledge": (
        "Forskningen om lokal och regional utveckling visar att **små kommuner** ofta har en eller två "
        "personer som ska kunna *mellanmycket om mycket*: företagsutveckling, samhällsbyggnad och kommunikation."
    ),
    "inspiration": (
        "R10, tio inlandskommuner i Västerbotten och södra Norrbotten, samverkar kring attraktionskraft och "
        "tillväxt. Läs hur näringslivskontoren där formulerade en gemensam kunskapsbas för näringslivsutvecklare."
    ),
    "task_prompt": (
        "Beskriv hur näringslivsarbetet är organiserat i din kommun i dag. Vilka aktörer finns, vem gör vad, "
        "och var ser du den största luckan?"
    ),
    "task_min_words": 30,
    "reading_list": [
        {"title": "Tillväxtverket: Kommunernas näringslivsarbete", "url": "https://tillvaxtverket.se/"},
        {"title": "SKR: Lokalt näringslivsarbete", "url": ""},
    ],
    "self_check": [
        {"id": "q1", "text": "Vad står R10 för?", "correct": 1,
         "options": ["En riksväg i Norrland", "Tio samverkande inlandskommuner", "En regional fond"]},
        {"id": "q2", "text": "Vilka tre moment har varje modul?", "correct": 0,
         "options": ["Kunskap, inspiration och utvecklingsuppgift", "Föreläsning, tenta och uppsats"]},
    ],
    "self_check_pass_percent": 50,
    "completion_rule": "task_and_self_check",
}

MODULE_2 = {
    "display_name": "Företagsfrämjande infrastruktur och system",
    "programme_id": PROGRAMME,
    "programme_modules": MODULES,
    "module_id": "modul-2",
    "number": 2,
    "weeks": 2,
    "introduction": "Vilka stödsystem finns för företag i din kommun och region, och hur hittar företagen dit?",
    "outcomes": ["kartlägga det företagsfrämjande systemet i din region"],
    "knowledge": "Det företagsfrämjande systemet består av offentliga, ideella och privata aktörer.",
    "inspiration": "Exempel: en gemensam företagslots för flera kommuner.",
    "task_prompt": "Rita en karta över de aktörer som ett nystartat företag i din kommun möter första året.",
    "task_min_words": 20,
    "completion_rule": "task",
}


def module_scenarios():
    return [
        ("Distansmodul med utvecklingsuppgift och självtest", scenario(block_element("kkn_module", MODULE_1))),
        ("Två moduler i samma program", scenario(
            block_element("kkn_module", MODULE_1), block_element("kkn_module", MODULE_2))),
    ]
