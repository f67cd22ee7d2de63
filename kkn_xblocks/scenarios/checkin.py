"""Workbench scenarios of the meeting check-in block: a facilitator and two participants.

Switch user with ``?student=``: ``staff`` is the facilitator (Karin Berg), ``student_1`` and
``student_2`` are participants. Session times are set relative to when the preview started, so
that one session is open for checking in right away (restart the preview to move them again).
"""
from datetime import timedelta

from .. import checkin_rules as rules
from .. import clock
from . import block_element, scenario

PROGRAMME = "kkn-naringslivsutvecklare"


def _at(base, hours=0, minutes=0):
    return rules.utc_text(base + timedelta(hours=hours, minutes=minutes))


def meeting_2(now=None):
    """"Träff 2" of the sister programme: five regional seminars, Skåne and Halland open now."""
    now = (now or clock.now()).replace(second=0, microsecond=0)
    start = now + timedelta(minutes=10)  # opens 30 minutes before: check-in is open, not yet late
    return {
        "display_name": "Träff 2: Kommunens strategiska roll",
        "programme_id": PROGRAMME,
        "meeting_id": "traff-2",
        "introduction": (
            "Vid den andra träffen arbetar vi med **kommunens strategiska roll** för kulturella och kreativa "
            "näringar. Både kulturchefen och näringslivs- eller turismchefen från varje kommun deltar. "
            "Ta med kommunens näringslivsstrategi och kulturplan."
        ),
        "sessions": [
            {"id": "skane-2", "region": "Skåne", "venue": "Malmö, Moriskan", "start": _at(start),
             "end": _at(start, hours=6), "note": "Vi börjar med kaffe i entrén."},
            {"id": "halland-2", "region": "Halland", "venue": "Varberg, Campus Varberg", "start": _at(start),
             "end": _at(start, hours=6), "note": ""},
            {"id": "kronoberg-2", "region": "Kronoberg", "venue": "Växjö, Residenset", "start": _at(start, hours=24),
             "end": _at(start, hours=30), "note": "Parkering finns bakom huset."},
            {"id": "blekinge-2", "region": "Blekinge", "venue": "Karlskrona, Blekinge museum",
             "start": _at(start, hours=-48), "end": _at(start, hours=-42), "note": ""},
            {"id": "kalmar-2", "region": "Kalmar län", "venue": "Kalmar, Kalmar slott",
             "start": _at(start, hours=24 * 7), "end": _at(start, hours=24 * 7 + 6), "note": ""},
        ],
        "opens_minutes_before": 30,
        "late_after_minutes": 15,
    }


def r10_meeting(now=None):
    """The national programme's first meeting in R10, with the R10 municipalities as a region."""
    now = (now or clock.now()).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=20)  # started 20 minutes ago: check-ins count as late
    return {
        "display_name": "Träff 1: Näringslivsutvecklarens roll",
        "programme_id": PROGRAMME,
        "meeting_id": "traff-1",
        "introduction": "Första fysiska träffen för deltagarna i R10-kommunerna.",
        "regions": [rules.R10_REGION],
        "municipalities": {rules.R10_REGION: rules.R10_MUNICIPALITIES},
        "required_roles": [rules.BUSINESS],
        "sessions": [
            {"id": "r10-1", "region": rules.R10_REGION, "venue": "Lycksele, Forum Lycksele", "start": _at(start),
             "end": _at(start, hours=5), "note": "Samåkning från Vilhelmina och Storuman."},
        ],
        "late_after_minutes": 10,
        "weight": 1.0,
    }


def checkin_scenarios():
    return [
        ("Regional träff med incheckning (kursledare: staff; deltagare: student_1, student_2)",
         scenario(block_element("kkn_checkin", meeting_2()))),
        ("Träff i R10-kommunerna, poängsatt", scenario(block_element("kkn_checkin", r10_meeting()))),
    ]
