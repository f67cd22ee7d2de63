"""Workbench scenarios of the final exam: an eligible learner, an ineligible one, and staff.

Switch user with ``?student=``. Nothing is seeded behind the scenes: eligibility comes from the
record exactly as in the LMS.

* "Slutprov, kort övning": an exam of the demo programme without requirements, so every learner
  (``student_1``...) is eligible and can take it at once.
* "Slutprov med behörighetskrav": the exam needs the two modules above it and one regional
  meeting. ``student_1`` and ``student_2`` start ineligible and see exactly what is missing. They
  become eligible by passing the modules' self-checks and checking in with the code the
  facilitator (``staff``) shows in the meeting block; or ``staff`` grants one of them an exemption
  in the exam's staff view (recorded with who, when and why).
"""
from . import block_element, scenario
from .checkin import meeting_2

PROGRAMME = "kkn-slutprov-demo"
PROGRAMME_TITLE = "Certifierad näringslivsutvecklare"


def _q(qid, topic, text, options, explanation, qtype="single", points=1):
    """A bank question; ``options`` are (text, right) pairs, given ids a, b, c... in order."""
    return {
        "id": qid, "type": qtype, "text": text, "points": points, "topic": topic, "explanation": explanation,
        "options": [{"id": "abcdefgh"[i], "text": t, "correct": right} for i, (t, right) in enumerate(options)],
    }


QUESTIONS = [
    _q("roll-1", "modul-1", "Vad står **R10** för?",
       [("Tio inlandskommuner i Västerbotten och södra Norrbotten som samverkar", True),
        ("En riksväg genom Norrlands inland", False),
        ("Ett regionalt investeringsprogram med tio miljoner kronor", False)],
       "R10 är tio inlandskommuner som samverkar kring attraktionskraft och tillväxt."),
    _q("roll-2", "modul-1", "Vad betyder det att en näringslivsutvecklare i en liten kommun ska kunna "
       "\u201dmellanmycket om mycket\u201d?",
       [("Att en eller två personer behöver bred kunskap om många områden", True),
        ("Att näringslivsutvecklaren bara ska hänvisa vidare till experter", False),
        ("Att kommunen ska anställa en specialist per område", False)],
       "Där det bara finns en eller två personer behöver de bred grundkunskap: företagsutveckling, "
       "samhällsbyggnad och kommunikation."),
    _q("roll-3", "modul-1", "Sant eller falskt: den som vill bli certifierad måste gå hela utbildningen och klara "
       "slutprovet.",
       [("Sant", True), ("Falskt", False)],
       "Modulerna kan läsas fristående, men certifieringen kräver alla moduler och ett godkänt slutprov.",
       qtype="truefalse"),
    _q("kkn-1", "modul-2", "Vilka tre moment har utbildningen om kulturella och kreativa näringar?",
       [("Kunskap från forskningen, inspiration från praktiken och gemensamt utvecklingsarbete", True),
        ("Föreläsning, tentamen och uppsats", False),
        ("Studiebesök, mässa och nätverksmiddag", False)],
       "Utbildningen bygger på forskning, praktiska exempel och gemensamt utvecklingsarbete."),
    _q("kkn-2", "modul-2", "Vilka chefer från varje kommun deltar i seminarieserien? Välj alla som stämmer.",
       [("Kulturchefen", True), ("Näringslivs- eller turismchefen", True), ("Kommundirektören", False),
        ("Skolchefen", False)],
       "Både kulturchefen och näringslivs- eller turismchefen (eller motsvarande) deltar.", qtype="multiple",
       points=2),
    _q("kkn-3", "modul-2", "Vilket är det övergripande temat för seminarieserien?",
       [("Kommunens roll i utvecklingen av kulturella och kreativa näringar", True),
        ("Regionens ansvar för kollektivtrafiken", False),
        ("Statens stöd till enskilda konstnärer", False)],
       "Alla fem seminarier handlar om kommunens roll, från strategisk till operativ nivå."),
    _q("sys-1", "modul-3", "Vad är det företagsfrämjande systemet?",
       [("Offentliga, ideella och privata aktörer som stöttar företag", True),
        ("Ett datasystem där kommunen registrerar företag", False),
        ("Skatteverkets regler för nya företag", False)],
       "Systemet består av många aktörer; kommunen hjälper företagen att hitta rätt bland dem."),
    _q("sys-2", "modul-3", "Sant eller falskt: en gemensam företagslots kan delas av flera kommuner.",
       [("Sant", True), ("Falskt", False)],
       "Flera kommuner kan dela en företagslots, särskilt där varje kommun har få medarbetare.",
       qtype="truefalse"),
    _q("sys-3", "modul-3", "Vilka seminarieteman handlar om kommunens egen roll? Välj alla som stämmer.",
       [("Kommunens strategiska roll", True), ("Kommunens operativa roll", True), ("Vad är KKN?", False),
        ("Affärsutveckling", False)],
       "Två av de fem seminarierna handlar uttryckligen om kommunens strategiska och operativa roll.",
       qtype="multiple", points=2),
    _q("aff-1", "modul-4", "Vad ger medlemskap i SKNT för den som går hela utbildningen?",
       [("Tio procents rabatt på kursavgiften", True), ("Gratis utbildning", False),
        ("Förtur till seminarierna", False)],
       "Medlemmar i SKNT får tio procents rabatt på kursavgiften."),
    _q("aff-2", "modul-4", "Hur lång är hela utbildningen?",
       [("16 veckor", True), ("4 veckor", False), ("Ett år", False)],
       "Hela utbildningen sträcker sig över 16 veckor."),
    _q("aff-3", "modul-4", "Var träffas deltagarna i den nationella distansutbildningen?",
       [("Fysiskt i sina egna regioner", True), ("Bara digitalt", False), ("Alltid i Stockholm", False)],
       "Utbildningen kombinerar de fysiska mötenas fördelar med de digitala mötenas oberoende av plats."),
]

INTRODUCTION = (
    "Slutprovet avslutar utbildningen. Frågorna kommer från alla moduler. När du startar dras dina frågor "
    "och tiden börjar gå; dina svar sparas medan du skriver. Du behöver inte göra provet på en gång: "
    "stänger du sidan fortsätter tiden, och det som är sparat lämnas in när tiden är slut."
)


def practice_exam():
    """No requirements: every learner may take it."""
    return {
        "display_name": "Slutprov, kort övning",
        "programme_id": PROGRAMME,
        "programme_title": PROGRAMME_TITLE,
        "exam_id": "slutprov-ovning",
        "introduction": INTRODUCTION,
        "questions": QUESTIONS,
        "draw_count": 6,
        "balance_topics": True,
        "shuffle": True,
        "time_limit_minutes": 15,
        "attempts_allowed": 3,
        "wait_minutes_between_attempts": 0,
        "pass_percent": 70,
        "review_policy": "answers_after_final",
        "certificate_valid_months": 36,
        "weight": 1.0,
    }


def _module(number, title, question, options):
    return {
        "display_name": title,
        "programme_id": PROGRAMME,
        "programme_modules": ["modul-1", "modul-2"],
        "module_id": f"modul-{number}",
        "number": number,
        "weeks": 2,
        "introduction": ("En kort modul för att prova slutprovets behörighetskrav. "
                         "Klara självtestet så är modulen klar."),
        "self_check": [{"id": "q1", "text": question, "options": [t for t, _r in options],
                        "correct": next(i for i, (_t, right) in enumerate(options) if right)}],
        "self_check_pass_percent": 100,
        "completion_rule": "self_check",
    }


def exam_with_requirements():
    return {
        **practice_exam(),
        "display_name": "Slutprov",
        "exam_id": "slutprov",
        "required_modules": ["modul-1", "modul-2"],
        "module_titles": {"modul-1": "Näringslivsutvecklarens roll", "modul-2": "Kulturella och kreativa näringar"},
        "min_meetings": 1,
        "draw_count": 8,
        "time_limit_minutes": 20,
        "attempts_allowed": 2,
        "wait_minutes_between_attempts": 5,
        "pass_percent": 75,
        "review_policy": "right_after_final",
    }


def exam_scenarios():
    meeting = {**meeting_2(), "programme_id": PROGRAMME}
    return [
        ("Slutprov, kort övning (alla är behöriga; kursledare: staff)",
         scenario(block_element("kkn_exam", practice_exam()))),
        ("Slutprov med behörighetskrav: två moduler och en träff (student_1, student_2; kursledare: staff)",
         scenario(
             block_element("kkn_module", _module(1, "Näringslivsutvecklarens roll", "Vad står R10 för?", [
                 ("Tio samverkande inlandskommuner", True), ("En riksväg i Norrland", False)])),
             block_element("kkn_module", _module(2, "Kulturella och kreativa näringar", "Vad står KKN för?", [
                 ("Kulturella och kreativa näringar", True), ("Kommunala kulturnämnder", False)])),
             block_element("kkn_checkin", meeting),
             block_element("kkn_exam", exam_with_requirements()),
         )),
    ]
