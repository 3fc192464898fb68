"""Rebuild the Workbench sample data: a council housing repairs service, 12 weeks of demand.

The story (what a workshop sees on the projector)
-------------------------------------------------
A UK council's housing repairs service sampled every demand that came in for 12 weeks, from Monday
5 January 2026 to Sunday 29 March 2026: phone calls, emails, web forms, the counter, letters and things
tenants said to repairs operatives on site. The team wrote down the customer's own words, gave each demand
a type and (mostly) said whether it was value demand or failure demand.

* Before: about 45% of classified demand is failure demand (people chasing repairs, no-shows, repairs
  that did not fix it, letters nobody understands, being sent round the council).
* From week 7 (Monday 16 February 2026) a new appointment-scheduling system goes live. Progress chasing,
  no-shows and "what does this text mean?" jump, and weekly failure share sits around 58-60%. An XmR
  chart of weekly failure share shows the shift: every after-week sits above the before-period mean and
  the after-period breaks the before-period's upper natural process limit.
* Value demand itself hardly changes: the extra work is all demand the service caused.

Other realism: Mondays are the busiest day (about 1.5x a Tuesday-Thursday), weekends are quiet (web,
email and a little phone on the emergency line); failure demand often carries the case id of the earlier
report it chases; some cases are still open when the sample was exported; 6% of rows are not classified
yet, 10% have a type but no value/failure (the catalogue fills it in) and exactly 3 rows have a recorded
nature that contradicts the catalogue, so conflict reporting can be demonstrated.

Files written (next to this script)
-----------------------------------
* ``housing_repairs_demand.csv``: the main sample, canonical columns (``workbench.schema.FIELDS``).
* ``housing_repairs_catalogue.yaml``: the demand-type catalogue.
* ``messy_upload.csv``: about 300 rows from week 3 onwards the way a team really exports them (title
  line, semicolons, cp1252, day-first dates, mixed labels, blank lines, unreadable dates, a type that is
  not in the catalogue).
* ``messy_upload.xlsx``: the same content as a workbook ("Notes" sheet first, data on "Demand").

Why a fixed seed
----------------
Tests, screenshots and workshop notes quote these figures, so the files must not change unless this
script changes. Every random draw comes from one ``random.Random(SEED)`` in a fixed order (nothing
iterates over a set or depends on hash order), and the outputs are written byte for byte: re-running gives
identical CSV, YAML and XLSX files. For the XLSX, openpyxl stamps the save time into the workbook
properties and the zip entries; the script sets fixed created/modified properties and re-packs the zip
with fixed entry timestamps, so it is byte-identical too (for the same openpyxl and zlib versions).

Run ``python sample_data/generate.py`` from the repository root (standard library, pandas, pyyaml and
openpyxl only). The script checks the story still holds and prints a summary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

T = TypeVar("T")
SEED = 20260105
HERE = Path(__file__).resolve().parent
MAIN_CSV = HERE / "housing_repairs_demand.csv"
CATALOGUE_YAML = HERE / "housing_repairs_catalogue.yaml"
MESSY_CSV = HERE / "messy_upload.csv"
MESSY_XLSX = HERE / "messy_upload.xlsx"

START = dt.date(2026, 1, 5)  # Monday of week 1
WEEKS = 12
GO_LIVE_WEEK = 7  # Monday 16 February 2026: the new appointment-scheduling system
EXPORTED_AT = dt.datetime(2026, 4, 10, 17, 0)  # resolutions after this are not known yet: resolved_at blank

HEADER = (
    "received_at", "touchpoint", "customer_words", "demand_type", "nature", "failure_cause",
    "one_stop", "handling_minutes", "case_id", "resolved_at",
)
VALUE, FAILURE = "value", "failure"

# Story numbers.
VALUE_PER_WEEK = 101  # value demand hardly changes over the 12 weeks
FAILURE_SHARE_BEFORE = 0.45
WEEKLY_JITTER = 0.04  # relative noise on weekly value volume
RATIO_JITTER = 0.06  # relative noise on the weekly failure/value ratio
DAY_WEIGHTS = (1.5, 1.0, 1.0, 1.0, 0.86, 0.17, 0.13)  # Monday .. Sunday
UNCLASSIFIED_SHARE = 0.06
TYPE_ONLY_SHARE = 0.10
STALLED_SHARE = 0.01  # cases stuck with no resolution at all
MAX_CONTACTS = 6  # failure demands about one case, at most

PHONE, EMAIL, WEB, COUNTER, LETTER, OPERATIVE = (
    "Phone", "Email", "Web form", "Counter", "Letter", "Repairs operative",
)
TOUCHPOINT_SHARES = {PHONE: 0.55, EMAIL: 0.15, WEB: 0.15, COUNTER: 0.08, LETTER: 0.04, OPERATIVE: 0.03}
WEEKEND_SHARES = {PHONE: 0.20, EMAIL: 0.35, WEB: 0.45}  # counter closed; no post, no visits
MINUTES_RANGE = {PHONE: (4.0, 15.0), EMAIL: (4.0, 15.0), WEB: (3.0, 10.0), COUNTER: (8.0, 25.0),
                 LETTER: (10.0, 20.0), OPERATIVE: (5.0, 20.0)}
ONE_STOP_FACTOR = {PHONE: 1.0, EMAIL: 0.65, WEB: 0.55, COUNTER: 1.1, LETTER: 0.4, OPERATIVE: 1.3}
QUEUED = {EMAIL: (0.5, 30.0), WEB: (0.5, 30.0), LETTER: (2.0, 72.0)}  # hours before someone picks it up
# Hour-of-day weights (hour: weight). Phone and counter keep office hours (08:00-18:00).
HOURS = {
    PHONE: {8: 1.5, 9: 1.7, 10: 1.3, 11: 1.1, 12: 0.8, 13: 1.0, 14: 1.0, 15: 0.9, 16: 0.8, 17: 0.6},
    COUNTER: {9: 1.2, 10: 1.3, 11: 1.2, 12: 1.0, 13: 1.0, 14: 1.0, 15: 0.9, 16: 0.7},
    LETTER: {9: 1.5, 10: 1.0, 11: 0.5},
    OPERATIVE: {8: 0.8, 9: 1.0, 10: 1.0, 11: 1.0, 12: 0.6, 13: 1.0, 14: 1.0, 15: 0.8},
    EMAIL: {h: w for h, w in zip(range(24), (0.2,) * 6 + (0.5, 1.0) + (1.5,) * 10 + (1.3,) * 4 + (0.8, 0.4),
                                 strict=True)},
    WEB: {h: w for h, w in zip(range(24), (0.2,) * 6 + (0.4, 0.8) + (1.2,) * 9 + (1.6,) * 5 + (1.0, 0.5),
                               strict=True)},
}
WEEKEND_PHONE_HOURS = {h: 1.0 for h in range(8, 18)}  # the out-of-hours emergency line


@dataclass(frozen=True)
class DemandType:
    """One type in the catalogue, with what the generator needs to make believable demands of it."""

    name: str
    nature: str
    description: str
    weight: float  # relative frequency within its nature, before go-live
    words: tuple[tuple[str, str], ...]  # value: (words, subject); failure: (template, required value type)
    cause: str = ""
    after: float = 1.0  # volume multiplier from the go-live week
    one_stop: float = 0.3  # chance a contact is resolved at first contact (phone)
    minutes: float = 0.4  # where the usual handling time sits in the touchpoint's range (0 = shortest)
    days: tuple[float, float] = (1.0, 14.0)  # value: days to resolve when not one-stop
    touch: dict[str, float] = field(default_factory=dict)  # touchpoint affinity (default 1)
    emergency: bool = False  # comes in on the weekend emergency phone line
    chase: float = 1.0  # value: how likely an open case of this type is chased
    links_to: tuple[str, ...] = ()  # failure: value types it can relate to
    link: float = 0.85  # failure: chance it relates to an open case when one exists
    min_age: float = 1.0  # failure: the related case is at least this many days old


LEAK = "Report a leak"
HEATING = "Report no heating or hot water"
DOOR = "Report a broken door, window or lock"
DAMP = "Report damp and mould"
ELECTRICAL = "Report an electrical fault"
DRAIN = "Report a blocked drain or toilet"
GAS = "Book a gas safety check"
ADAPTATION = "Request an adaptation"
LIGHT = "Report a broken communal light"
PLANNED = "Ask about a planned kitchen or bathroom"
ROOF = "Report a roof or gutter problem"

REPAIRS = (LEAK, HEATING, DOOR, DAMP, ELECTRICAL, DRAIN, ADAPTATION, LIGHT, ROOF)
VISITS = (*REPAIRS, GAS)
ANY_CASE = (*VISITS, PLANNED)

VALUE_TYPES: tuple[DemandType, ...] = (
    DemandType(
        LEAK, VALUE, "Water coming in, dripping taps or leaking pipes.", 16,
        (("Water's coming through my kitchen ceiling from the flat upstairs", "the leak from upstairs"),
         ("There's a leak under the sink, I've put a bowl under it", "my leak under the sink"),
         ("The pipe behind the toilet is leaking all over the bathroom floor", "the leaking pipe"),
         ("Water is pouring out of the tank in the airing cupboard", "the leak in the airing cupboard"),
         ("Leak from the flat above, it's running down the wall by the fuse box", "the leak by the fuse box"),
         ("The kitchen tap won't turn off properly, it drips all night", "my dripping tap"),
         ("My neighbour Mrs Dupré says water's coming into her flat from mine but I can't see a leak",
          "the leak")),
        one_stop=0.25, minutes=0.45, days=(0.1, 6.0), emergency=True, chase=3.0,
        touch={LETTER: 0.3, OPERATIVE: 2.0, EMAIL: 0.8, WEB: 0.8},
    ),
    DemandType(
        HEATING, VALUE, "No heating, no hot water or a boiler that keeps failing.", 15,
        (("The boiler's packed in and I've got two kids", "my boiler"),
         ("No heating or hot water since last night, the boiler's showing an F28 code", "my boiler"),
         ("My radiators are stone cold and it's freezing in here", "my heating"),
         ("I've got hot water but no heating", "my heating"),
         ("Boiler keeps losing pressure, I have to top it up every day", "the boiler"),
         ("My mum is 84 and her heating's not working, she's sat in her coat", "my mum's heating"),
         ("No hot water, I've been boiling the kettle to wash the baby", "the hot water")),
        one_stop=0.4, minutes=0.45, days=(0.2, 7.0), emergency=True, chase=4.0,
        touch={LETTER: 0.1, EMAIL: 0.6, WEB: 0.6, COUNTER: 0.8},
    ),
    DemandType(
        DOOR, VALUE, "Doors, windows or locks that are broken or not secure.", 11,
        (("My front door won't lock properly", "my front door"),
         ("The bedroom window won't shut, the hinge has gone", "the bedroom window"),
         ("Someone tried to break in and the back door frame is split", "the back door"),
         ("The handle's come off the back door", "the back door handle"),
         ("Window's cracked in the kids' room", "the cracked window"),
         ("The communal entrance door doesn't close, anyone can walk in", "the entrance door")),
        one_stop=0.2, minutes=0.4, days=(1.0, 21.0), chase=1.5, touch={OPERATIVE: 1.5, LETTER: 0.5},
    ),
    DemandType(
        DAMP, VALUE, "Damp, condensation or mould in the home.", 10,
        (("There's black mould all over the bedroom wall and my son has asthma", "the mould"),
         ("Damp coming through in the corner of the living room", "the damp"),
         ("Mould's back in the bathroom, I've bleached it twice", "the mould in the bathroom"),
         ("Condensation running down the windows every morning and the sills are rotting", "the damp"),
         ("The wallpaper's peeling off with damp in the back bedroom", "the damp in the bedroom"),
         ("Our clothes in the wardrobe have gone mouldy", "the mould"),
         ("I've spent £60 on a dehumidifier and the mould is still coming back", "the mould")),
        one_stop=0.06, minutes=0.65, days=(5.0, 50.0), chase=0.6,
        touch={LETTER: 3.0, EMAIL: 1.4, WEB: 1.3, COUNTER: 1.3, OPERATIVE: 1.5},
    ),
    DemandType(
        ELECTRICAL, VALUE, "Sockets, lights, fans or alarms that do not work.", 8,
        (("Half the sockets in the kitchen have stopped working", "the sockets"),
         ("The trip switch keeps going every time I put the kettle on", "the electrics"),
         ("The light in the hallway buzzes and flickers", "the hall light"),
         ("The extractor fan in the bathroom has stopped working", "the extractor fan"),
         ("Smoke alarm keeps beeping even with a new battery", "the smoke alarm")),
        one_stop=0.4, minutes=0.4, days=(0.2, 10.0), emergency=True, chase=2.0,
        touch={LETTER: 0.2, OPERATIVE: 1.5},
    ),
    DemandType(
        DRAIN, VALUE, "Blocked toilets, sinks, baths or drains.", 8,
        (("The toilet's blocked and it's the only one we've got", "the blocked toilet"),
         ("Kitchen sink won't drain and it smells awful", "the blocked sink"),
         ("The drain outside the back door is overflowing", "the drain"),
         ("The bath water won't go down", "the bath"),
         ("Sewage coming up in the yard", "the drain")),
        one_stop=0.3, minutes=0.35, days=(0.1, 5.0), emergency=True, chase=3.0,
        touch={LETTER: 0.2, EMAIL: 0.8, WEB: 0.8},
    ),
    DemandType(
        GAS, VALUE, "Booking or rearranging the annual gas safety check.", 7,
        (("I got the letter about my gas safety check, can I book it in?", "my gas safety check"),
         ("Can you do my gas check on a Saturday? I work all week", "my gas check"),
         ("I need to rearrange my gas safety appointment, I'm in hospital that day", "my gas check"),
         ("Ringing to book the annual gas service", "my gas service")),
        one_stop=0.92, minutes=0.25, days=(1.0, 21.0), chase=0.8,
        touch={WEB: 1.3, EMAIL: 1.1, OPERATIVE: 0.5, LETTER: 0.6},
    ),
    DemandType(
        ADAPTATION, VALUE, "Aids and adaptations such as grab rails, ramps and level-access showers.", 4,
        (("Can I get a grab rail by the bath for my husband?", "the grab rail"),
         ("My OT says I need a rail by the front step", "the rail by the step"),
         ("I'm struggling with the stairs, can I have a second banister?", "the banister"),
         ("Could I get a walk-in shower? I can't get in the bath any more", "the walk-in shower"),
         ("My daughter's in a wheelchair now and can't get through the front door", "the ramp")),
        one_stop=0.08, minutes=0.6, days=(10.0, 70.0), chase=0.4,
        touch={LETTER: 4.0, COUNTER: 2.0, EMAIL: 1.2},
    ),
    DemandType(
        LIGHT, VALUE, "Lights on stairs, landings, entrances and car parks of blocks.", 5,
        (("The light on the stairwell at Carlton House has been out for days", "the stairwell light"),
         ("Communal lights in the car park are off, it's pitch black at night", "the car park lights"),
         ("The light by the entrance door is broken and people feel unsafe", "the entrance light"),
         ("Lights on the third floor landing are out", "the landing lights")),
        one_stop=0.3, minutes=0.25, days=(1.0, 21.0), chase=1.0, touch={WEB: 1.5, EMAIL: 1.5},
    ),
    DemandType(
        PLANNED, VALUE, "Questions about a planned kitchen or bathroom replacement.", 5,
        (("When am I getting my new kitchen? The neighbours have had theirs", "my new kitchen"),
         ("Am I on the list for a new bathroom this year?", "my new bathroom"),
         ("Can I choose the colour of the kitchen units?", "my new kitchen"),
         ("The surveyor came to measure for the kitchen, what happens next?", "my new kitchen"),
         ("Will I have to move out while they do the bathroom?", "my new bathroom")),
        one_stop=0.8, minutes=0.5, days=(1.0, 30.0), chase=0.5,
        touch={LETTER: 2.0, COUNTER: 1.5, OPERATIVE: 1.2},
    ),
    DemandType(
        ROOF, VALUE, "Roofs, gutters, chimneys and rainwater getting in from outside.", 4,
        (("The gutter's hanging off and water pours down the wall when it rains", "the gutter"),
         ("Slates came off the roof in the storm", "the roof"),
         ("Water's coming in round the chimney breast when it rains", "the roof"),
         ("Birds are getting in under the roof tiles", "the roof")),
        one_stop=0.05, minutes=0.4, days=(2.0, 35.0), chase=0.8, touch={LETTER: 1.5},
    ),
)

FAILURE_TYPES: tuple[DemandType, ...] = (
    DemandType(
        "Chasing a repair", FAILURE, "Where is my repair, when is someone coming?", 24,
        (("When is someone coming about {thing}? I've already rung once", ""),
         ("I reported {thing} and I've heard nothing since", ""),
         ("Just chasing up {thing}, has a job even been raised?", ""),
         ("Is there any update on {thing}? It's getting worse", ""),
         ("Third time I've rung about {thing}, can someone just give me a date", ""),
         ("I've spent £30 on towels and buckets, when is someone coming about {thing}?", LEAK),
         ("The kids are sleeping in their coats, when is someone coming about {thing}?", HEATING)),
        cause="progress chasing", after=2.3, one_stop=0.7, minutes=0.2, links_to=REPAIRS, min_age=1.0,
        touch={OPERATIVE: 0.5, LETTER: 0.5},
    ),
    DemandType(
        "Chasing an appointment date", FAILURE, "Told I would get an appointment and have not.", 8,
        (("I was told I'd get a text with an appointment for {thing} but nothing's come", ""),
         ("What day are you coming to fix {thing}?", ""),
         ("The text just says my appointment is 'pending', when is it?", ""),
         ("Is my appointment for {thing} still on for tomorrow?", ""),
         ("I rang to book {thing} and was told the system would ring me back with a date", "")),
        cause="progress chasing", after=3.3, one_stop=0.75, minutes=0.2, links_to=VISITS, min_age=0.5,
        touch={OPERATIVE: 0.3, LETTER: 0.3},
    ),
    DemandType(
        "Nobody turned up", FAILURE, "An appointment was made and nobody came.", 9,
        (("I got a letter saying you're coming Tuesday but nobody turned up", ""),
         ("I took the day off work and waited in all day about {thing}, no one came", ""),
         ("Your man was supposed to come between 8 and 12 and never showed", ""),
         ("Second time nobody's turned up about {thing}", ""),
         ("The text said the engineer was on his way, then nothing", ""),
         ("I lost £90 in wages waiting in for {thing} and nobody came", "")),
        cause="not done", after=3.0, one_stop=0.45, minutes=0.3, links_to=VISITS, min_age=1.0,
        touch={OPERATIVE: 0.0, LETTER: 0.5},
    ),
    DemandType(
        "Promised call-back not received", FAILURE, "Someone said they would ring back and did not.", 8,
        (("Someone said they'd ring me back yesterday about {thing} and they never did", ""),
         ("I was promised a call from a supervisor about {thing}", ""),
         ("Still waiting for the surveyor to call me back about {thing}", ""),
         ("You said you'd phone to arrange {thing}, I've kept my phone on all week", "")),
        cause="not done", after=1.3, one_stop=0.5, minutes=0.3, links_to=ANY_CASE, min_age=1.0,
        touch={OPERATIVE: 0.3},
    ),
    DemandType(
        "Repair did not fix it", FAILURE, "The repair was done but the problem came back.", 14,
        (("The man came but {thing} has started again", ""),
         ("You fixed {thing} and it's gone again already", ""),
         ("Same problem as before with {thing}, the last repair didn't last a week", ""),
         ("They just painted over the mould and it's come straight back", DAMP),
         ("Boiler was repaired on Friday and it's broken down again", HEATING),
         ("The leak's back, same place as before", LEAK)),
        cause="repeat / recall", one_stop=0.4, minutes=0.45,
        links_to=tuple(t for t in REPAIRS if t != ADAPTATION), min_age=3.0,
        touch={OPERATIVE: 3.0, LETTER: 1.5},
    ),
    DemandType(
        "Operative had the wrong part", FAILURE, "The visit happened but could not finish the job.", 9,
        (("The man came but didn't have the part", ""),
         ("They sent a plumber but it's an electrical job", ELECTRICAL),
         ("The fitter measured the wrong window and has to re-order", DOOR),
         ("The operative said {thing} needs a different part and he'd have to come back", ""),
         ("They went to number 41 instead of 14, so {thing} still isn't done", "")),
        cause="error / wrong outcome", one_stop=0.4, minutes=0.4, links_to=REPAIRS, min_age=1.0,
        touch={OPERATIVE: 2.5},
    ),
    DemandType(
        "Job closed but not done", FAILURE, "The system says the job is complete; it is not.", 7,
        (("I got a text saying {thing} is complete but nobody's been", ""),
         ("You've closed my repair but {thing} is still broken", ""),
         ("The system says the job's done, it isn't", ""),
         ("My job for {thing} has disappeared off the system, they said it was cancelled", "")),
        cause="error / wrong outcome", one_stop=0.45, minutes=0.35, links_to=REPAIRS, min_age=2.0,
    ),
    DemandType(
        "Letter not understood", FAILURE, "A letter from us the customer cannot make sense of.", 7,
        (("I don't understand this letter about my rent account", ""),
         ("What does 'access required under clause 7' mean? Am I in trouble?", ""),
         ("I got a letter saying I owe £45 for a rechargeable repair, what's that for?", ""),
         ("The letter says {thing} is 'on hold pending survey', what does that mean?", ""),
         ("Got a letter about {thing} with a reference number but no date on it", "")),
        cause="not understood", one_stop=0.9, minutes=0.35, links_to=ANY_CASE, link=0.4, min_age=2.0,
        touch={COUNTER: 3.0, LETTER: 2.0, OPERATIVE: 0.5},
    ),
    DemandType(
        "Appointment message not understood", FAILURE, "A text or email about an appointment that confuses.", 4,
        (("I got a text that just says 'AM slot ref 449213', what does it mean?", ""),
         ("The text says my appointment for {thing} has been 'rescheduled to TBC'", ""),
         ("I've had two texts with different dates, which one is right?", ""),
         ("What does 'access window 08:00-18:00' mean, do I have to stay in all day?", "")),
        cause="not understood", after=2.5, one_stop=0.9, minutes=0.2, links_to=VISITS, min_age=0.3,
        touch={LETTER: 0.2, OPERATIVE: 0.3},
    ),
    DemandType(
        "Passed back from another department", FAILURE, "Sent to another team and sent back to us.", 10,
        (("The council tax people told me to ring you", ""),
         ("I was put through to housing options and they sent me back here about {thing}", ""),
         ("Environmental health said {thing} is a repairs job, not theirs", ""),
         ("I rang the main council number and they gave me this number", ""),
         ("The contractor said I have to go through you, not them", "")),
        cause="sent elsewhere", one_stop=0.6, minutes=0.4, links_to=ANY_CASE, link=0.35, min_age=0.2,
        touch={COUNTER: 2.0, OPERATIVE: 0.0, LETTER: 0.5},
    ),
)
ALL_TYPES: tuple[DemandType, ...] = VALUE_TYPES + FAILURE_TYPES
BY_NAME: dict[str, DemandType] = {t.name: t for t in ALL_TYPES}
CONFLICTS = (  # (type, recorded nature, recorded cause): recorded nature contradicts the catalogue
    ("Chasing a repair", VALUE, ""),
    (LEAK, FAILURE, "repeat / recall"),
    ("Letter not understood", VALUE, ""),
)


@dataclass
class Case:
    """A customer's need: opened by a value demand (or a failure demand about nothing we know of)."""

    number: int
    type_name: str
    subject: str
    received: dt.datetime
    resolved: dt.datetime | None
    contacts: int = 0  # failure demands about this case so far


@dataclass
class Demand:
    received: dt.datetime
    touchpoint: str
    dtype: DemandType
    words: str = ""
    one_stop: bool = False
    minutes: float = 0.0
    case: Case | None = None
    own_resolved: dt.datetime | None = None
    recorded_type: str = ""
    recorded_nature: str = ""
    recorded_cause: str = ""

    @property
    def resolved(self) -> dt.datetime | None:
        resolved = self.case.resolved if self.case is not None else self.own_resolved
        return resolved if resolved is not None and resolved <= EXPORTED_AT else None


# ---------------------------------------------------------------------------------------------------------
# Generating the demand
# ---------------------------------------------------------------------------------------------------------

def weighted(rng: random.Random, options: Sequence[T], weights: Sequence[float]) -> T:
    """One weighted draw (a thin wrapper so every draw goes through the same generator)."""
    return rng.choices(list(options), weights=list(weights), k=1)[0]


def weekday_shares() -> dict[str, float]:
    """Weekday touchpoint mix such that, with the weekend mix, the whole sample hits TOUCHPOINT_SHARES."""
    weekend = (DAY_WEIGHTS[5] + DAY_WEIGHTS[6]) / sum(DAY_WEIGHTS)
    return {tp: (share - weekend * WEEKEND_SHARES.get(tp, 0.0)) / (1.0 - weekend)
            for tp, share in TOUCHPOINT_SHARES.items()}


def draw_time(rng: random.Random, day: dt.date, touchpoint: str) -> dt.datetime:
    """A received time of day that fits the touchpoint (office hours for phone and counter)."""
    hours = WEEKEND_PHONE_HOURS if touchpoint == PHONE and day.weekday() >= 5 else HOURS[touchpoint]
    hour = int(weighted(rng, list(hours), list(hours.values())))
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))


def type_weight(t: DemandType, touchpoint: str, weekend: bool, after_go_live: bool) -> float:
    """How likely a demand of nature t.nature at this touchpoint and time is of type t."""
    w = t.weight * (t.after if after_go_live else 1.0) * t.touch.get(touchpoint, 1.0)
    if weekend and touchpoint == PHONE:
        urgent = t.emergency or t.name in ("Chasing a repair", "Nobody turned up")
        w *= 1.0 if urgent else 0.15
    return w


def skeleton(rng: random.Random) -> list[Demand]:
    """Arrival time, touchpoint and type of every demand, week by week, in time order."""
    before_ratio = FAILURE_SHARE_BEFORE / (1.0 - FAILURE_SHARE_BEFORE)
    lift = sum(t.weight * t.after for t in FAILURE_TYPES) / sum(t.weight for t in FAILURE_TYPES)
    weekday_mix = weekday_shares()
    demands: list[Demand] = []
    for week in range(1, WEEKS + 1):
        after = week >= GO_LIVE_WEEK
        n_value = round(VALUE_PER_WEEK * rng.gauss(1.0, WEEKLY_JITTER))
        ratio = before_ratio * (lift if after else 1.0) * rng.gauss(1.0, RATIO_JITTER)
        n_failure = round(n_value * ratio)
        natures = [VALUE] * n_value + [FAILURE] * n_failure
        for nature in natures:
            day = START + dt.timedelta(days=7 * (week - 1) + int(weighted(rng, range(7), DAY_WEIGHTS)))
            weekend = day.weekday() >= 5
            mix = WEEKEND_SHARES if weekend else weekday_mix
            touchpoint = str(weighted(rng, list(mix), list(mix.values())))
            pool = VALUE_TYPES if nature == VALUE else FAILURE_TYPES
            weights = [type_weight(t, touchpoint, weekend, after) for t in pool]
            dtype = pool[int(weighted(rng, range(len(pool)), weights))]
            demands.append(Demand(draw_time(rng, day, touchpoint), touchpoint, dtype))
    demands.sort(key=lambda d: d.received)  # stable: ties keep generation order
    return demands


def skewed_days(rng: random.Random, low: float, high: float) -> float:
    """A duration in days between low and high, most of them near the short end."""
    return rng.triangular(low, high, low + 0.15 * (high - low))


def working_time(rng: random.Random, ts: dt.datetime, earliest: dt.datetime, anytime: bool) -> dt.datetime:
    """Move a resolution time into the hours repairs are done, never earlier than `earliest`.

    Routine work is done Monday to Friday 08:00-18:00; emergency repairs (leaks, heating, drains,
    electrics) also evenings and weekends, 07:00-22:00.
    """
    first, last = (7, 22) if anytime else (8, 18)
    day = ts.date()
    if first <= ts.hour < last and (anytime or ts.weekday() < 5) and ts > earliest:
        return ts.replace(second=0, microsecond=0)
    while True:
        if anytime or day.weekday() < 5:
            minute = rng.randrange(first * 60, last * 60 - 30)
            moved = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
            if moved > earliest:
                return moved
        day += dt.timedelta(days=1)


def handling_minutes(rng: random.Random, touchpoint: str, t: DemandType) -> float:
    lo, hi = MINUTES_RANGE[touchpoint]
    return round(max(lo, min(hi, rng.triangular(lo, hi, lo + t.minutes * (hi - lo)))), 1)


def lower_first(text: str) -> str:
    """'The light...' -> 'the light...' but leave 'I'm', 'I've' and 'OT' alone."""
    if text.startswith(("I ", "I'")) or text[:2].isupper():
        return text
    return text[0].lower() + text[1:]


def pre_sample_cases(rng: random.Random) -> list[Case]:
    """Repairs reported before the sample started and still open on 5 January: early chasing is about these."""
    numbers = sorted(rng.sample(range(3600, 4500), 240))
    cases = []
    for number in numbers:
        t = VALUE_TYPES[int(weighted(rng, range(len(VALUE_TYPES)), [v.weight for v in VALUE_TYPES]))]
        _, subject = t.words[rng.randrange(len(t.words))]
        received = dt.datetime.combine(START, dt.time(9)) - dt.timedelta(days=rng.uniform(2, 60))
        resolved = None
        if rng.random() >= STALLED_SHARE:
            resolved = dt.datetime.combine(START, dt.time(8)) + dt.timedelta(
                days=skewed_days(rng, 0.2, t.days[1] * 0.7))
            resolved = working_time(rng, resolved, resolved, t.emergency)
        cases.append(Case(number, t.name, subject, received.replace(second=0, microsecond=0), resolved))
    return cases


def fill_details(rng: random.Random, demands: list[Demand]) -> None:
    """Words, handling time, one-stop, case and resolution: in time order, so chasing follows reports."""
    open_cases = pre_sample_cases(rng)
    next_number = 4512
    go_live = dt.datetime.combine(START + dt.timedelta(weeks=GO_LIVE_WEEK - 1), dt.time(0))
    all_subjects = [s for t in VALUE_TYPES for _, s in t.words]
    for d in demands:
        t = d.dtype
        d.minutes = handling_minutes(rng, d.touchpoint, t)
        p_one_stop = min(0.95, t.one_stop * ONE_STOP_FACTOR[d.touchpoint])
        d.one_stop = rng.random() < p_one_stop
        # When a contact resolved at first contact is finished: at once in conversation (phone, counter,
        # on site after a short fix); emails, web forms and letters wait in a queue for office hours first.
        quick_finish = d.received + dt.timedelta(minutes=math.ceil(d.minutes) + (
            rng.randrange(20, 60) if d.touchpoint == OPERATIVE else 0))
        if d.touchpoint in QUEUED:
            queued = d.received + dt.timedelta(hours=rng.uniform(*QUEUED[d.touchpoint]))
            quick_finish = working_time(rng, queued, quick_finish, False)
        if t.nature == VALUE:
            words, subject = t.words[rng.randrange(len(t.words))]
            d.words = f"While you're here - {lower_first(words)}" if d.touchpoint == OPERATIVE else words
            if d.one_stop:
                resolved: dt.datetime | None = quick_finish
            elif rng.random() < STALLED_SHARE:
                resolved = None
            else:
                slow = 1.4 if d.received >= go_live and t.name in VISITS else 1.0
                resolved = d.received + dt.timedelta(days=slow * skewed_days(rng, *t.days))
                resolved = working_time(rng, resolved, quick_finish, t.emergency)
            d.case = Case(next_number, t.name, subject, d.received, resolved)
            next_number += 1
            if not d.one_stop:
                open_cases.append(d.case)
            continue
        # Failure demand: usually about a case that is still open (an earlier report by the same customer).
        open_cases = [c for c in open_cases if c.resolved is None or c.resolved > d.received]
        candidates = [c for c in open_cases
                      if c.type_name in t.links_to and c.contacts < MAX_CONTACTS
                      and c.received <= d.received - dt.timedelta(days=t.min_age)]
        case: Case | None = None
        if candidates and rng.random() < t.link:
            # Urgent repairs get chased more; a case already chased a lot is less likely to be chased again.
            case = weighted(rng, candidates, [BY_NAME[c.type_name].chase / (1 + c.contacts) ** 1.5
                                              for c in candidates])
            case.contacts += 1
        templates = [w for w, need in t.words if need == "" or (case is not None and need == case.type_name)]
        if case is None:
            templates = [w for w, _ in t.words]
        template = templates[rng.randrange(len(templates))]
        subject = case.subject if case is not None else all_subjects[rng.randrange(len(all_subjects))]
        d.words = template.replace("{thing}", subject)
        if case is not None:
            d.case = case
        else:
            if rng.random() < 0.85:  # logged as a new case; otherwise nobody gave it a case number
                d.case = Case(next_number, t.name, subject, d.received, None)
                next_number += 1
            d.own_resolved = quick_finish if d.one_stop else working_time(
                rng, d.received + dt.timedelta(days=skewed_days(rng, 0.2, 12.0)), quick_finish, False)
            if d.case is not None:
                d.case.resolved = d.own_resolved


def classify(rng: random.Random, demands: list[Demand]) -> None:
    """What the team recorded: 6% not classified, 10% type only, the rest in full; 3 deliberate conflicts."""
    order = list(range(len(demands)))
    rng.shuffle(order)
    n_unclassified = round(UNCLASSIFIED_SHARE * len(demands))
    n_type_only = round(TYPE_ONLY_SHARE * len(demands))
    unclassified = set(order[:n_unclassified])
    type_only = set(order[n_unclassified:n_unclassified + n_type_only])
    for i, d in enumerate(demands):
        if i in unclassified:
            continue
        d.recorded_type = d.dtype.name
        if i not in type_only:
            d.recorded_nature = d.dtype.nature
            d.recorded_cause = d.dtype.cause
    for k, (name, nature, cause) in enumerate(CONFLICTS):
        # One conflict in each third of the sample, so any few weeks shown in a demo can include one.
        third = len(demands) // 3
        eligible = [i for i in range(k * third, (k + 1) * third)
                    if demands[i].recorded_nature and demands[i].dtype.name == name]
        i = eligible[rng.randrange(len(eligible))]
        demands[i].recorded_nature, demands[i].recorded_cause = nature, cause


# ---------------------------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------------------------

def fmt(ts: dt.datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def main_rows(demands: list[Demand]) -> list[list[str]]:
    return [[fmt(d.received), d.touchpoint, d.words, d.recorded_type, d.recorded_nature, d.recorded_cause,
             "yes" if d.one_stop else "no", f"{d.minutes:.1f}",
             "" if d.case is None else f"HR-{d.case.number:06d}", fmt(d.resolved)]
            for d in demands]


def write_main_csv(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    MAIN_CSV.write_bytes(buf.getvalue().encode("utf-8"))


class IndentedDumper(yaml.SafeDumper):
    """Indent list items under their key (`types:` then `  - type: ...`), as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def write_catalogue() -> None:
    types = []
    for t in ALL_TYPES:
        entry = {"type": t.name, "nature": t.nature}
        if t.cause:
            entry["cause"] = t.cause
        entry["description"] = t.description
        types.append(entry)
    doc = {
        "service": "Housing repairs",
        "description": "Repairs to council homes and blocks, from the first report to the finished job.",
        "types": types,
    }
    text = yaml.dump(doc, Dumper=IndentedDumper, sort_keys=False, allow_unicode=True, width=110)
    CATALOGUE_YAML.write_bytes(text.encode("utf-8"))


MESSY_TITLE = "Housing repairs demand sample - week 3"
MESSY_HEADER = ("Date received", "Channel", "What the customer said", "Type", "V/F", "Cause",
                "Sorted first time?", "Mins")
MESSY_ROWS = 298  # plus two "Parking permit" rows = 300
MESSY_BLANK_AFTER = 150  # two blank lines after this many data rows
MESSY_BAD_DATES = {40: "not known", 171: "32/13/2026", 262: ""}  # data-row index -> what was typed
PARKING = (
    ("Mrs Hélène Dupré at 3 Carlton House wants a parking permit for the bays at the back", "V", ""),
    ("I got a £60 ticket because my visitor's parking permit ran out, who do I talk to?", "", ""),
)


@dataclass
class MessyRow:
    received: dt.datetime | None
    date_text: str
    channel: str
    words: str
    type_name: str
    vf: str
    cause: str
    sorted_first: str
    mins: int | None


def spelling(rng: random.Random, text: str) -> str:
    """How a touchpoint gets typed: mostly as is, sometimes lower case, upper case or with stray spaces."""
    return str(weighted(rng, [text, text.lower(), " " + text.lower(), text.upper(), text + " "],
                        [70, 10, 8, 7, 5]))


def messy_rows(rng: random.Random, demands: list[Demand]) -> list[MessyRow]:
    """About 300 rows from Monday of week 3 on, as the team's own spreadsheet holds them."""
    week3 = dt.datetime.combine(START + dt.timedelta(weeks=2), dt.time(0))
    chosen = [d for d in demands if d.received >= week3][:MESSY_ROWS]
    value_labels, failure_labels = ["V", "Value ", "value demand"], ["F", "FD", "failure demand"]
    rows: list[MessyRow] = []
    for d in chosen:
        vf = ""
        if d.recorded_nature == VALUE:
            vf = str(weighted(rng, value_labels, [50, 30, 20]))
        elif d.recorded_nature == FAILURE:
            vf = str(weighted(rng, failure_labels, [45, 35, 20]))
        type_name = d.recorded_type
        if type_name == LEAK and rng.random() < 0.3:
            type_name = "report a leak "
        elif type_name == "Chasing a repair" and rng.random() < 0.15:
            type_name = "Chasing a Repair"
        sorted_first = "" if rng.random() < 0.03 else ("Yes" if d.one_stop else "No")
        mins = None if rng.random() < 0.03 else max(1, round(d.minutes))
        rows.append(MessyRow(d.received, d.received.strftime("%d/%m/%Y %H:%M"), spelling(rng, d.touchpoint),
                             d.words, type_name, vf, d.recorded_cause, sorted_first, mins))
    # Two demands the catalogue does not know about: a parking permit is not a repairs matter.
    for k, (words, vf, cause) in enumerate(PARKING):
        at = 60 + 120 * k
        when = rows[at].received
        assert when is not None
        rows.insert(at + 1, MessyRow(when, when.strftime("%d/%m/%Y %H:%M"), spelling(rng, (PHONE, EMAIL)[k]),
                                     words, "Parking permit", vf, cause, "No", 4 + 3 * k))
    for i, typed in MESSY_BAD_DATES.items():
        rows[i].received, rows[i].date_text = None, typed
    return rows


def write_messy_csv(rows: list[MessyRow]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    buf.write(MESSY_TITLE + "\r\n")
    writer.writerow(MESSY_HEADER)
    for i, r in enumerate(rows):
        if i == MESSY_BLANK_AFTER:
            buf.write("\r\n\r\n")
        writer.writerow([r.date_text, r.channel, r.words, r.type_name, r.vf, r.cause, r.sorted_first,
                         "" if r.mins is None else str(r.mins)])
    MESSY_CSV.write_bytes(buf.getvalue().encode("cp1252"))


def write_messy_xlsx(rows: list[MessyRow]) -> None:
    """The same rows as a workbook: a Notes sheet first, the data on 'Demand' under a title row."""
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    for line in (
        MESSY_TITLE,
        "Written down by the repairs contact team as customers rang, emailed, wrote or came in.",
        "V/F: V = value demand, F = failure demand. Left blank if we have not decided yet.",
        "Data is on the 'Demand' sheet.",
    ):
        notes.append([line])
    notes["A1"].font = Font(bold=True)
    ws = wb.create_sheet("Demand")
    ws.append([MESSY_TITLE])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(MESSY_HEADER))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows):
        if i == MESSY_BLANK_AFTER:
            ws.append([])
            ws.append([])
        date_cell: object = r.received if r.received is not None else (r.date_text or None)
        ws.append([date_cell, r.channel, r.words, r.type_name, r.vf or None, r.cause or None,
                   r.sorted_first or None, r.mins])
        if r.received is not None:
            ws.cell(row=ws.max_row, column=1).number_format = "dd/mm/yyyy hh:mm"
    for col, width in zip("ABCDEFGH", (17, 18, 70, 36, 14, 22, 18, 7), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    fixed = dt.datetime(2026, 1, 26, 9, 30)
    wb.properties.creator = "Repairs contact team"
    wb.properties.lastModifiedBy = "Repairs contact team"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    # openpyxl's save_workbook() stamps the current time; write through ExcelWriter instead, then re-pack
    # the zip with fixed entry timestamps so the file is byte-identical on every run.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 26, 9, 30, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    MESSY_XLSX.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------------------------
# Checking the story and summarising
# ---------------------------------------------------------------------------------------------------------

def summarise(problems: list[str]) -> None:
    """Re-read the main CSV with pandas, print the figures, and record any way the story does not hold."""
    df = pd.read_csv(MAIN_CSV, dtype=str, keep_default_na=False)
    catalogue = yaml.safe_load(CATALOGUE_YAML.read_text(encoding="utf-8"))
    nature_of = {t["type"]: t["nature"] for t in catalogue["types"]}
    received = pd.to_datetime(df["received_at"], format="%Y-%m-%d %H:%M")
    resolved = pd.to_datetime(df["resolved_at"].replace("", None), format="%Y-%m-%d %H:%M")
    nature = df["nature"].where(df["nature"] != "", df["demand_type"].map(nature_of).fillna(""))
    week = (received - pd.Timestamp(START)).dt.days // 7 + 1
    n = len(df)

    def check(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    print(f"housing_repairs_demand.csv: {n} rows, {received.min():%a %d %b %Y %H:%M} to "
          f"{received.max():%a %d %b %Y %H:%M}")
    check(2400 <= n <= 2800, f"{n} rows, expected 2,400-2,800")
    check(received.min() >= pd.Timestamp(START) and week.max() == WEEKS, "dates outside the 12 weeks")
    print("Rows per touchpoint:")
    counts = df["touchpoint"].value_counts()
    for tp, target in TOUCHPOINT_SHARES.items():
        share = counts.get(tp, 0) / n
        print(f"  {tp:<18} {counts.get(tp, 0):>5}  {share:6.1%}  (story ~{target:.0%})")
        check(abs(share - target) < 0.02, f"{tp} share {share:.1%}, story ~{target:.0%}")

    classified = nature.isin([VALUE, FAILURE])
    weekly = (nature[classified] == FAILURE).groupby(week[classified]).mean() * 100
    before, after = weekly[weekly.index < GO_LIVE_WEEK], weekly[weekly.index >= GO_LIVE_WEEK]
    mr_bar = before.diff().abs().mean()
    unpl = before.mean() + 2.66 * mr_bar
    share_before = (nature[classified & (week < GO_LIVE_WEEK)] == FAILURE).mean()
    share_after = (nature[classified & (week >= GO_LIVE_WEEK)] == FAILURE).mean()
    print(f"Failure share of classified demand: weeks 1-6 {share_before:.1%}, weeks 7-12 {share_after:.1%}")
    print("  weekly %: " + " ".join(f"{v:.1f}" for v in weekly))
    print(f"  before mean {before.mean():.1f}, mR-bar {mr_bar:.1f}, upper limit {unpl:.1f}; "
          f"after-weeks above the limit: {(after > unpl).sum()} of {len(after)}")
    check(0.42 <= share_before <= 0.48, f"before failure share {share_before:.1%}, story ~45%")
    check(0.57 <= share_after <= 0.61, f"after failure share {share_after:.1%}, story ~58-60%")
    check(bool((after > before.mean()).all()), "an after-week sits below the before mean")
    check(bool((after > unpl).any()), "no after-week exceeds the before upper natural process limit")
    check(bool((before < unpl).all()), "the before period is not stable")

    daily = received.dt.normalize().value_counts()
    weekday = daily.index.day_of_week
    monday, midweek = daily[weekday == 0].mean(), daily[(weekday >= 1) & (weekday <= 3)].mean()
    weekend = daily[weekday >= 5].mean()
    print(f"Average demands per day: Monday {monday:.1f}, Tue-Thu {midweek:.1f} (ratio {monday / midweek:.2f}), "
          f"Friday {daily[weekday == 4].mean():.1f}, Sat/Sun {weekend:.1f}")
    check(len(daily) == 7 * WEEKS, f"demand on {len(daily)} of the {7 * WEEKS} days")
    check(1.4 <= monday / midweek <= 1.6, f"Monday / Tue-Thu ratio {monday / midweek:.2f}, story ~1.5")
    weekend_tp = set(df.loc[received.dt.day_of_week >= 5, "touchpoint"])
    check(weekend_tp <= {PHONE, EMAIL, WEB}, f"weekend touchpoints {sorted(weekend_tp)}")
    hours = received.dt.hour
    office = df["touchpoint"].isin([PHONE, COUNTER])
    check(bool(((hours >= 8) & (hours < 18))[office].all()), "phone/counter outside 08:00-18:00")

    unclassified = (df["demand_type"] == "").mean()
    type_only = ((df["demand_type"] != "") & (df["nature"] == "")).mean()
    conflicts = ((df["nature"] != "") & (df["nature"] != df["demand_type"].map(nature_of))).sum()
    print(f"Classification: {unclassified:.1%} not classified, {type_only:.1%} type only "
          f"(catalogue fills nature), {conflicts} rows conflict with the catalogue")
    check(conflicts == len(CONFLICTS), f"{conflicts} conflicts, expected {len(CONFLICTS)}")
    check(set(df["demand_type"]) - {""} <= set(nature_of), "a demand_type is missing from the catalogue")

    one_stop = df["one_stop"] == "yes"
    phone = df["touchpoint"] == PHONE
    os_value = one_stop[phone & (nature == VALUE)].mean()
    os_failure = one_stop[phone & (nature == FAILURE)].mean()
    print(f"One-stop at the phone: value {os_value:.0%}, failure {os_failure:.0%}; all rows {one_stop.mean():.0%}")
    check(0.30 <= os_value <= 0.40, f"value one-stop at phone {os_value:.0%}, story ~35%")
    check(0.55 <= os_failure <= 0.65, f"failure one-stop at phone {os_failure:.0%}, story ~60%")

    open_share = resolved.isna().mean()
    days = (resolved - received).dt.total_seconds() / 86400
    check(bool((days.dropna() > 0).all()), "a resolved_at is not after received_at")
    failure_rows = nature == FAILURE
    shared = df["case_id"].duplicated(keep=False) & (df["case_id"] != "")
    print(f"Still open (resolved_at blank): {open_share:.1%}; median days to resolve {days.median():.1f}; "
          f"failure rows sharing a case id with other rows: {shared[failure_rows].mean():.0%}")
    check(0.06 <= open_share <= 0.10, f"open share {open_share:.1%}, story ~8%")
    minutes = df["handling_minutes"].astype(float)
    check(bool((minutes > 0).all()), "a handling time is not positive")


def summarise_messy(rows: list[MessyRow], problems: list[str]) -> None:
    text = MESSY_CSV.read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    dated = [r.received for r in rows if r.received is not None]
    print(f"messy_upload.csv / .xlsx: {len(rows)} data rows, {min(dated):%d/%m/%Y} to {max(dated):%d/%m/%Y}, "
          f"{len(MESSY_BAD_DATES)} unreadable dates, 2 blank lines, title on line 1, header on line 2")
    if lines[0] != MESSY_TITLE or not lines[1].startswith("Date received;"):
        problems.append("messy_upload.csv does not start with the title and header lines")
    for needed in ("£", "é"):
        if needed not in text:
            problems.append(f"messy_upload.csv has no '{needed}'")
    if sum(1 for ln in lines[:-1] if ln == "") != 2:
        problems.append("messy_upload.csv should have exactly two blank lines")


def main() -> int:
    rng = random.Random(SEED)
    demands = skeleton(rng)
    fill_details(rng, demands)
    classify(rng, demands)
    write_main_csv(main_rows(demands))
    write_catalogue()
    rows = messy_rows(rng, demands)
    write_messy_csv(rows)
    write_messy_xlsx(rows)
    problems: list[str] = []
    summarise(problems)
    summarise_messy(rows, problems)
    for name in (MAIN_CSV, CATALOGUE_YAML, MESSY_CSV, MESSY_XLSX):
        print(f"wrote {name.relative_to(HERE.parent)}")
    if problems:
        print("The sample no longer tells the story:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
