"""The exam's rules as plain functions: the bank format, the draw, scoring, eligibility, time, review."""
import copy
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from kkn_xblocks import exam_rules as rules
from kkn_xblocks.studio import AuthorError

from .conftest import BANK

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
BANK_TEXT = """\
? roll-1 | single | 2 | modul-1
Vad står **R10** för?
* a) Tio inlandskommuner
- b) En riksväg
- c) En fond
> R10 är tio inlandskommuner
> som samverkar.

? kkn-1 | multiple | 1 | modul-2
Vilka chefer deltar?
Välj alla som stämmer.
* a) Kulturchefen
* b) Turismchefen
- c) Skolchefen

? sant-1 | truefalse
Modulerna kan läsas fristående.
* a) Sant
- b) Falskt"""


def bank(value=BANK):
    return rules.bank_from_field(value, str)


# --- the bank as text -------------------------------------------------------------------------------

def test_the_text_format_parses_every_part():
    parsed = rules.parse_question_bank(BANK_TEXT, str)
    assert [q["id"] for q in parsed] == ["roll-1", "kkn-1", "sant-1"]
    first = parsed[0]
    assert (first["type"], first["points"], first["topic"]) == ("single", 2, "modul-1")
    assert first["text"] == "Vad står **R10** för?"
    assert first["options"][0] == {"id": "a", "text": "Tio inlandskommuner", "correct": True}
    assert first["explanation"] == "R10 är tio inlandskommuner\nsom samverkar."
    assert parsed[1]["text"] == "Vilka chefer deltar?\nVälj alla som stämmer."
    assert [o["correct"] for o in parsed[1]["options"]] == [True, True, False]
    assert (parsed[2]["type"], parsed[2]["points"], parsed[2]["topic"]) == ("truefalse", 1, "")


def test_the_text_round_trips_and_keeps_ids_when_options_move():
    parsed = rules.parse_question_bank(BANK_TEXT, str)
    text = rules.question_bank_to_text(parsed)
    assert rules.parse_question_bank(text, str) == parsed
    moved = text.replace("* a) Tio inlandskommuner\n- b) En riksväg", "- b) En riksväg\n* a) Tio inlandskommuner")
    reparsed = rules.parse_question_bank(moved, str)
    assert {o["id"]: o["text"] for o in reparsed[0]["options"]} == {o["id"]: o["text"] for o in parsed[0]["options"]}


def test_missing_ids_and_types_are_filled_in():
    parsed = rules.parse_question_bank("? q7\nA?\n* ja\n- nej\n\n?\nB?\n* x\n* y\n- z\n\n? \nC?\n- e) ett\n* två", str)
    assert [q["id"] for q in parsed] == ["q7", "q8", "q9"]
    assert [q["type"] for q in parsed] == ["single", "multiple", "single"]
    assert [o["id"] for o in parsed[2]["options"]] == ["e", "a"]  # a new option gets the first free letter


@pytest.mark.parametrize("text, message", [
    ("Vad?\n* a", "Rad 1: börja varje fråga med en rad som börjar med ”?”."),
    ("? q1 | single | 1 | ämne | extra\nA?\n* x\n- y", "Rad 1: en frågerad har högst fyra delar: ? id | typ | poäng | ämne."),
    ("? q 1\nA?\n* x\n- y", "Rad 1: frågans id får bara innehålla bokstäver, siffror, ”-” och ”_” (högst 64)."),
    ("? q1 | essay\nA?\n* x\n- y", "Rad 1: typen måste vara en av: single, multiple, truefalse."),
    ("? q1 | single | två\nA?\n* x\n- y", "Rad 1: poängen ska vara ett heltal från 1 till 100."),
    ("? q1 | single | 0\nA?\n* x\n- y", "Frågan på rad 1: poängen ska vara ett heltal från 1 till 100."),
    ("? q1\nA?\n* x\n> förklaring\n- y", "Rad 5: alternativen ska stå före förklaringen (”>”)."),
    ("? q1\nA?\n* x\n- y\nlös text", "Rad 5: efter alternativen skriver du ”>” för förklaringen eller börjar nästa fråga med ”?”."),
    ("? q1\nA?\n*  \n- y", "Rad 3: alternativet saknar text."),
    ("? q1\nA?", "Frågan på rad 1: lägg till alternativen: ”*” före ett rätt, ”-” före ett fel."),
    ("? q1\n* x\n- y", "Frågan på rad 1: frågan saknar text."),
    ("? q1\nA?\n* x", "Frågan på rad 1: en fråga behöver 2 till 10 alternativ."),
    ("? q1 | single\nA?\n* x\n* y", "Frågan på rad 1: markera exakt ett alternativ som rätt (med ”*”), eller gör den till en "
                                    "”multiple”-fråga."),
    ("? q1 | multiple\nA?\n- x\n- y", "Frågan på rad 1: markera minst ett alternativ som rätt (med ”*”)."),
    ("? q1 | truefalse\nA?\n* x\n- y\n- z", "Frågan på rad 1: en sant-eller-falskt-fråga har exakt 2 alternativ "
                                           "(sant och falskt)."),
    ("? q1\nA?\n* a) x\n- a) y", "Frågan på rad 1: alternativets id ”a” används två gånger."),
    ("? q1\nA?\n* x\n- y\n\n? q1\nB?\n* x\n- y", "Frågans id ”q1” används två gånger. Ge varje fråga ett eget id."),
])
def test_text_errors_name_the_line_and_the_fix(text, message, sv_gettext):
    with pytest.raises(AuthorError) as error:
        rules.parse_question_bank(text, sv_gettext)
    assert str(error.value) == message


@pytest.mark.parametrize("value, message", [
    ("inte en lista", "Frågebanken måste vara en lista med frågor."),
    (["q"], "Fråga 1: den måste vara ett objekt med id, type, text och options."),
    ([{"id": "å ä", "options": []}], "Fråga 1: id:t ska vara 1 till 64 bokstäver, siffror, ”-” eller ”_”."),
    ([{**BANK[0], "type": "essay"}], "Fråga q1: typen måste vara en av: single, multiple, truefalse."),
    ([{**BANK[0], "points": True}], "Fråga q1: poängen ska vara ett heltal från 1 till 100."),
    ([{**BANK[0], "text": 5}], "Fråga q1: text, explanation och topic måste vara text."),
    ([{**BANK[0], "options": "x"}], "Fråga q1: options måste vara en lista."),
    ([{**BANK[0], "options": [{"id": "a", "text": "x", "correct": "ja"}]}],
     "Fråga q1: varje alternativ behöver ett id, en text och correct (true eller false)."),
    ([{**BANK[0], "options": [{"id": "a b", "text": "x", "correct": True}, {"id": "c", "text": "y"}]}],
     "Fråga q1: alternativets id ”a b” får bara innehålla bokstäver, siffror, ”-” och ”_” (högst 16)."),
    ([], ""),
])
def test_a_bank_field_from_olx_is_checked_like_the_editor(value, message, sv_gettext):
    if not message:
        assert rules.bank_from_field(value, sv_gettext) == ()
        assert rules.bank_problem(value, sv_gettext) == "Frågebanken är tom. Lägg till frågor."
        return
    with pytest.raises(AuthorError) as error:
        rules.bank_from_field(value, sv_gettext)
    assert str(error.value) == message
    assert rules.bank_problem(value, sv_gettext) == message


def test_the_field_value_and_the_text_describe_the_same_bank():
    assert rules.parse_question_bank(rules.question_bank_to_text(BANK), str) == [q.to_field() for q in bank()]


# --- the draw ---------------------------------------------------------------------------------------

def test_a_full_draw_without_shuffle_is_the_bank_in_order():
    draw = rules.draw_questions(bank(), 0, False, False, random.Random(1))
    assert draw == [{"id": q["id"], "options": [o["id"] for o in q["options"]]} for q in BANK]


def test_shuffling_changes_orders_but_keeps_every_question_and_option():
    orders = set()
    for seed in range(30):
        draw = rules.draw_questions(bank(), 0, False, True, random.Random(seed))
        assert sorted(item["id"] for item in draw) == sorted(q["id"] for q in BANK)
        for item in draw:
            original = next(q for q in BANK if q["id"] == item["id"])
            assert sorted(item["options"]) == sorted(o["id"] for o in original["options"])
            if original["type"] == "truefalse":
                assert item["options"] == [o["id"] for o in original["options"]]  # true, false: never swapped
        orders.add(tuple((item["id"], tuple(item["options"])) for item in draw))
    assert len(orders) > 20


def test_a_partial_draw_takes_n_distinct_questions_in_bank_order_when_not_shuffled():
    for seed in range(20):
        draw = rules.draw_questions(bank(), 3, False, False, random.Random(seed))
        ids = [item["id"] for item in draw]
        assert len(set(ids)) == 3
        assert ids == sorted(ids, key=[q["id"] for q in BANK].index)


def test_balanced_draws_spread_over_topics():
    big = [dict(q, id=f"{q['id']}-{n}") for q in BANK for n in range(4)]  # topics 8/8/4 questions
    questions = bank(big)
    for seed in range(40):
        draw = rules.draw_questions(questions, 6, True, True, random.Random(seed))
        assert rules.topic_counts(questions, draw) == {"modul-1": 2, "modul-2": 2, "modul-3": 2}
        counts = rules.topic_counts(questions, rules.draw_questions(questions, 7, True, False, random.Random(seed)))
        assert sorted(counts.values()) == [2, 2, 3]
    # A topic with too few questions gives what it has; the others make up the rest.
    counts = rules.topic_counts(questions, rules.draw_questions(questions, 18, True, True, random.Random(3)))
    assert counts == {"modul-1": 7, "modul-2": 7, "modul-3": 4}


def test_unbalanced_partial_draws_can_leave_a_topic_out():
    questions = bank([dict(q, id=f"{q['id']}-{n}") for q in BANK for n in range(4)])
    seen = {len(rules.topic_counts(questions, rules.draw_questions(questions, 2, False, True, random.Random(s))))
            for s in range(50)}
    assert 1 in seen or 2 in seen


# --- answers and scoring ----------------------------------------------------------------------------

def drawn():
    return rules.draw_questions(bank(), 0, False, False, random.Random(0))


def by_id():
    return {q.id: q for q in bank()}


def test_letters_map_to_option_ids_through_the_draw():
    draw = [{"id": "q1", "options": ["fel-q1-1", "ratt-q1-0", "fel-q1-0"]}]
    assert rules.read_answers(draw, by_id(), {"q1": ["B"]}, str) == {"q1": ["ratt-q1-0"]}
    assert rules.read_answers(draw, by_id(), {"q1": []}, str) == {}
    assert rules.chosen_letters(draw[0], ["ratt-q1-0"]) == ["B"]


@pytest.mark.parametrize("raw, message", [
    ({"q9": ["A"]}, "Dessa frågor ingår inte i ditt försök: q9. Ladda om sidan."),
    ({"q1": "A"}, "Svaret på fråga 1 måste vara en lista med bokstäverna för alternativen."),
    ({"q1": [1]}, "Svaret på fråga 1 måste vara en lista med bokstäverna för alternativen."),
    ({"q1": ["D"]}, "Svaret på fråga 1 är inte ett av dess alternativ."),
    ({"q1": ["AB"]}, "Svaret på fråga 1 är inte ett av dess alternativ."),
    ({"q1": ["A", "B"]}, "Fråga 1 har bara ett svar."),
    ({"q2": ["A", "B"]}, "Fråga 2 har bara ett svar."),
])
def test_wrong_answers_from_the_browser_are_explained(raw, message, sv_gettext):
    with pytest.raises(ValueError) as error:
        rules.read_answers(drawn(), by_id(), raw, sv_gettext)
    assert str(error.value) == message


def test_scoring_is_all_or_nothing_per_question_in_raw_points():
    draw = drawn()
    right = {q["id"]: [o["id"] for o in q["options"] if o["correct"]] for q in BANK}
    full = rules.grade(draw, by_id(), right)
    assert (full.earned, full.possible, full.fraction) == (6, 6, 1.0)
    half_multiple = {**right, "q3": ["ratt-q3-0"]}
    graded = rules.grade(draw, by_id(), half_multiple)
    assert (graded.earned, graded.possible) == (4, 6)
    assert [r.right for r in graded.results] == [True, True, False, True, True]
    too_many = {**right, "q3": ["ratt-q3-0", "ratt-q3-1", "fel-q3-0"]}
    assert rules.grade(draw, by_id(), too_many).earned == 4
    assert rules.grade(draw, by_id(), {}).earned == 0


def test_a_question_deleted_after_the_draw_counts_neither_way():
    draw = drawn()
    fewer = {k: v for k, v in by_id().items() if k != "q3"}
    graded = rules.grade(draw, fewer, {"q1": ["ratt-q1-0"]})
    assert (graded.earned, graded.possible) == (1, 4)
    assert [q.id for q in rules.shown_questions(draw, fewer)] == ["q1", "q2", "q4", "q5"]


@pytest.mark.parametrize("earned, possible, percent, passes, shown", [
    (8, 10, 80, True, 80), (79, 100, 80, False, 79), (7999, 10000, 80, False, 79), (2, 3, 66, True, 66),
    (2, 3, 67, False, 66), (0, 0, 1, False, 0), (5, 5, 100, True, 100),
])
def test_the_pass_rule_in_whole_numbers(earned, possible, percent, passes, shown):
    assert rules.passes(earned, possible, percent) is passes
    assert rules.percent_floor(earned, possible) == shown


def test_shown_questions_carry_no_answer_key():
    for question in rules.shown_questions(drawn(), by_id()):
        assert set(question._fields) == {"number", "id", "type", "text", "options", "points"}
        for option in question.options:
            assert set(option._fields) == {"letter", "text", "html"}


def test_a_shown_option_carries_its_text_escaped_for_the_page():
    question = rules.Question("q", rules.SINGLE, "Text", (rules.Option("o0", 'Mer än 5 <b> & "citat"', True),
                                                         rules.Option("o1", "Nej", False)))
    assert question.shown_options(["o1", "o0"]) == (
        rules.ShownOption("A", "Nej", "Nej"),
        rules.ShownOption("B", 'Mer än 5 <b> & "citat"', "Mer än 5 &lt;b&gt; &amp; &quot;citat&quot;"))


# --- eligibility, attempts, time, review ------------------------------------------------------------

def test_eligibility_names_what_is_missing():
    result = rules.eligibility(["m1", "m2", "m3"], ["m2"], 1, 2)
    assert (result.missing_modules, result.meetings_missing, result.eligible) == (("m1", "m3"), 1, False)
    assert rules.eligibility(["m1"], ["m1", "other"], 2, 2).eligible
    exempt = rules.eligibility(["m1"], [], 0, 2, exempt=True)
    assert exempt.eligible and not exempt.requirements_met
    assert rules.eligibility([], [], 0, 0).eligible


def test_start_rules():
    assert rules.start_block(0, 2, None, 60, False, T0) == (None, None)
    assert rules.start_block(2, 2, T0, 0, False, T0) == (rules.StartBlock.NO_ATTEMPTS_LEFT, None)
    assert rules.start_block(5, 0, T0, 0, False, T0) == (None, None)  # 0: no limit
    assert rules.start_block(1, 3, T0, 60, False, T0 + timedelta(minutes=59)) == (rules.StartBlock.WAIT,
                                                                                  T0 + timedelta(minutes=60))
    assert rules.start_block(1, 3, T0, 60, False, T0 + timedelta(minutes=60)) == (None, None)
    assert rules.start_block(1, 3, T0, 0, True, T0) == (rules.StartBlock.PASSED, None)
    assert rules.attempts_left(1, 3) == 2 and rules.attempts_left(4, 0) is None and rules.attempts_left(5, 3) == 0


def test_deadline_rules():
    assert rules.deadline_for(T0, 0, 30) is None
    deadline = rules.deadline_for(T0, 60, 15)
    assert deadline == T0 + timedelta(minutes=75)
    assert not rules.time_is_up(deadline, deadline, 0)
    assert rules.time_is_up(deadline, deadline + timedelta(seconds=1), 0)
    assert not rules.time_is_up(deadline, deadline + timedelta(seconds=5), 5)
    assert rules.time_is_up(deadline, deadline + timedelta(seconds=6), 5)
    assert not rules.time_is_up(None, T0 + timedelta(days=999))
    assert rules.seconds_left(deadline, T0) == 75 * 60
    assert rules.seconds_left(deadline, deadline + timedelta(minutes=1)) == 0
    assert rules.seconds_left(deadline, deadline - timedelta(milliseconds=1500)) == 2
    assert rules.seconds_left(None, T0) is None


@pytest.mark.parametrize("policy, finished, level", [
    ("score_only", True, "score"),
    ("right_after_attempt", False, "right"),
    ("right_after_final", False, "score"),
    ("right_after_final", True, "right"),
    ("answers_after_attempt", False, "answers"),
    ("answers_after_final", False, "score"),
    ("answers_after_final", True, "answers"),
    ("hand-edited-nonsense", True, "score"),
])
def test_review_levels(policy, finished, level):
    assert rules.review_level(policy, finished) == level


def test_cross_field_problems(sv_gettext):
    values = {"programme_id": "kkn", "exam_id": "slut prov", "questions": BANK, "draw_count": 9,
              "required_modules": ["modul-1"], "module_titles": {"modul-9": "X"},
              "module_links": {"modul-1": "javascript:alert(1)"}, "review_policy": "nope"}
    problems = rules.exam_problems(values, sv_gettext)
    assert problems == {
        "exam_id": "Använd 1 till 64 bokstäver, siffror, ”-” eller ”_”, till exempel ”slutprov”.",
        "draw_count": "Provet drar 9 frågor men frågebanken har bara 5. Dra färre, eller 0 för alla.",
        "module_titles": "Dessa moduler finns inte bland de moduler som krävs: modul-9.",
        "module_links": "En länk måste börja med https:// (eller http://, eller / för en sida på den här "
                        "webbplatsen): modul-1.",
        "review_policy": "Välj ett av alternativen i listan.",
    }
    good = {**values, "exam_id": "slutprov", "draw_count": 5, "module_titles": {"modul-1": "Roll"},
            "module_links": {"modul-1": "/courses/x/jump_to_id/modul-1"}, "review_policy": "score_only"}
    assert rules.exam_problems(good, sv_gettext) == {}


def test_module_lines_and_weight(sv_gettext):
    assert rules.parse_module_lines("modul-1 | Roll och uppdrag\n\nmodul-2|KKN", sv_gettext) == {
        "modul-1": "Roll och uppdrag", "modul-2": "KKN"}
    with pytest.raises(AuthorError):
        rules.parse_module_lines("modul-1 Roll", sv_gettext)
    assert rules.parse_weight("2,5", sv_gettext) == 2.5
    for bad in ("", "två", "-1", "nan", "5000"):
        with pytest.raises(AuthorError):
            rules.parse_weight(bad, sv_gettext)
    assert rules.safe_link("https://example.org/x") and rules.safe_link("/courses/a")
    assert not rules.safe_link("//evil.example") and not rules.safe_link("javascript:alert(1)")


def test_bank_statistics_count_questions_and_points_per_topic_and_type(sv_gettext):
    bank = rules.bank_from_field(BANK, sv_gettext)
    stats = rules.bank_statistics(bank)
    assert [(s.topic, s.by_type, s.questions, s.points) for s in stats] == [
        ("modul-1", {"single": 1, "multiple": 0, "truefalse": 1}, 2, 2),
        ("modul-2", {"single": 1, "multiple": 1, "truefalse": 0}, 2, 3),
        ("modul-3", {"single": 1, "multiple": 0, "truefalse": 0}, 1, 1),
        (None, {"single": 3, "multiple": 1, "truefalse": 1}, 5, 6),
    ]
    assert rules.bank_statistics(()) == [rules.TopicStats(None, {"single": 0, "multiple": 0, "truefalse": 0}, 0, 0)]


def test_a_bank_is_parsed_once_per_content():
    """Every request reads the questions field; equal content gives the very same parsed bank."""
    value = [{"id": "q1", "type": "single", "text": "Vad?", "topic": "modul-1",
              "options": [{"id": "a", "text": "Rätt", "correct": True}, {"id": "b", "text": "Fel"}]}]
    first = rules.usable_bank(value)
    assert first is not None and first[0].id == "q1"
    assert rules.usable_bank(json.loads(json.dumps(value))) is first
    changed = json.loads(json.dumps(value))
    changed[0]["text"] = "Vad nu?"
    assert rules.usable_bank(changed)[0].text == "Vad nu?"
    assert rules.usable_bank([{"id": "q1"}]) is None  # unusable: no options
    assert rules.usable_bank("inte en lista") is None
    assert rules.usable_bank([]) is None  # empty


def test_an_edited_bank_is_never_served_from_the_cache():
    """The cache key is the content: every edit an author can make gives the edited bank, and the
    same content in another key order is parsed again rather than mistaken."""
    value = [{"id": "q1", "type": "single", "text": "Vad?", "points": 1, "topic": "modul-1",
              "options": [{"id": "a", "text": "Rätt", "correct": True}, {"id": "b", "text": "Fel", "correct": False}]}]
    first = rules.usable_bank(value)
    moved = copy.deepcopy(value)  # the right answer moved to the other option
    moved[0]["options"][0]["correct"], moved[0]["options"][1]["correct"] = False, True
    assert rules.usable_bank(moved)[0].correct_ids == {"b"} and first[0].correct_ids == {"a"}
    heavier = copy.deepcopy(value)
    heavier[0]["points"] = 2
    assert rules.usable_bank(heavier)[0].points == 2
    reworded = copy.deepcopy(value)
    reworded[0]["options"][1]["text"] = "Fel, men nära"
    assert rules.usable_bank(reworded)[0].option("b").text == "Fel, men nära"
    reordered = [dict(reversed(list(value[0].items())))]
    assert rules.usable_bank(reordered) == first
    assert rules.usable_bank(value) is first and first[0].option("a").correct
    unreadable = copy.deepcopy(value)
    unreadable[0]["topic"] = object()  # no field value holds one; not cached, refused as before
    assert rules.usable_bank(unreadable) is None


def test_shown_options_are_remembered_per_order_within_a_bound():
    """A question remembers how each drawn order of its options shows (it is immutable and shared by
    every request), up to ``MAX_SHOWN_ORDERS`` orders; an order beyond them shows the same, made anew."""
    import itertools  # pylint: disable=import-outside-toplevel
    question = rules.Question("q", rules.SINGLE, "Text", tuple(
        rules.Option(f"o{i}", f"Alternativ {i}", i == 0) for i in range(6)))
    orders = list(itertools.permutations([f"o{i}" for i in range(6)]))[:rules.MAX_SHOWN_ORDERS + 10]
    for order in orders:
        shown = question.shown_options(list(order))
        assert shown == tuple(rules.ShownOption(rules.LETTERS[i], f"Alternativ {oid[1:]}", f"Alternativ {oid[1:]}")
                              for i, oid in enumerate(order))
        assert question.shown_options(list(order)) == shown
    assert len(question._shown) == rules.MAX_SHOWN_ORDERS  # pylint: disable=protected-access
    assert question.shown_options(["o1", "gone", "o0"]) == (rules.ShownOption("A", "Alternativ 1", "Alternativ 1"),
                                                           rules.ShownOption("C", "Alternativ 0", "Alternativ 0"))
