"""Build ``call_centre_demand.csv`` and ``call_centre_catalogue.yaml`` (also written beside the call-centre maps
in ``process_maps/call_centre/catalogues/``): a water company's customer contact
centre, for comparing designs where the phone queue matters (rosters, callers who hang up, talk times that
vary the way they really do).

The story: the contact centre of a regional water company logged every call and web chat it answered or
lost for three weeks (Monday 7 December to Sunday 27 December 2026). It is open 08:00-20:00 on weekdays and
09:00-13:00 on Saturdays, closed on Sundays and on Christmas Day and Boxing Day (Friday 25 and Saturday 26
December). Calls come in a daily shape: a peak from 09:00 to 11:00, a smaller one after lunch, a quiet
evening; Mondays are the busiest day. About 45% of what customers ask is failure demand: bills nobody could
read, wrong bills, chasing a leak repair or a refund, meter readings that were never recorded, promised
call-backs that never came.

Each row is one contact with what the agent recorded: when it came in (to the second), the touchpoint
(``Phone`` or ``Web chat``), the customer's words, the demand type, value or failure, the failure cause,
whether it was resolved in the call (billing questions are referred to the back office and leaks to the
network team, so those are rarely resolved in the call), and the handling minutes (talk plus wrap-up). Handling minutes are drawn
from a lognormal per type (the shape call-centre talk times have: most calls short, a long right tail), so
``touch: from_data`` in a map has something real-looking to resample and fit.

Every draw comes from one ``random.Random(SEED)`` in a fixed order, so re-running writes the same bytes.
Nothing is copied from elsewhere. Run ``python sample_data/make_call_centre.py`` from the repository root
(standard library only). It checks the story still holds and exits with status 1 when a figure is off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import sys
from pathlib import Path

SEED = 20261207
HERE = Path(__file__).resolve().parent
OUT = HERE / "call_centre_demand.csv"
CATALOGUE = HERE / "call_centre_catalogue.yaml"
MAPS_CATALOGUE = HERE.parent / "process_maps" / "call_centre" / "catalogues" / "call_centre_catalogue.yaml"  # beside its maps
START = dt.date(2026, 12, 7)  # a Monday
WEEKS = 3
CLOSED = (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
HEADER = ("received_at", "touchpoint", "customer_words", "demand_type", "nature", "failure_cause", "one_stop",
          "handling_minutes", "case_id")
# contacts per hour at 08:00, 09:00, ... 19:00 on an ordinary weekday (a Monday is 1.3 times this)
WEEKDAY_HOURS = (10, 22, 24, 19, 14, 16, 17, 15, 12, 9, 7, 5)
SATURDAY_HOURS = {9: 14, 10: 15, 11: 12, 12: 9}
DAY_FACTOR = (1.3, 1.05, 1.0, 1.0, 0.95, 1.0, 0.0)  # Monday .. Sunday (Saturday uses SATURDAY_HOURS)
WEB_CHAT_SHARE = 0.2
UNCLASSIFIED_SHARE = 0.03

# (type, nature, cause, weight, mean handling minutes, resolved-in-the-call share, customer's words)
TYPES: tuple[tuple[str, str, str, float, float, float, tuple[str, ...]], ...] = (
    ("Pay a bill", "value", "", 14, 4.0, 0.97, (
        "I want to pay my water bill", "can I pay the {amount} by card", "paying what I owe on my account",
        "I'd like to pay the bill that came this week")),
    ("Moving home", "value", "", 9, 8.5, 0.9, (
        "I'm moving house on the {day}, close my account", "we've just moved in, put the water in my name",
        "moving out next week, what do I need to do")),
    ("Set up a payment plan", "value", "", 7, 11.0, 0.2, (
        "I can't pay it all at once, can I spread it", "I need a payment plan for {amount}",
        "can I pay monthly instead")),
    ("Submit a meter reading", "value", "", 6, 3.0, 0.98, (
        "here is my meter reading", "I want to give you a reading, it's {num}", "reading the meter for you")),
    ("Report a leak", "value", "", 8, 7.0, 0.05, (
        "there's water coming up in the road outside", "water leaking from the pipe by my stop tap",
        "a leak in the pavement near number {num}")),
    ("Apply for a water meter", "value", "", 4, 7.5, 0.9, (
        "I'd like a water meter fitted", "would a meter save me money, I live on my own",
        "how do I get a meter")),
    ("Bill not understood", "failure", "not understood", 10, 10.0, 0.3, (
        "I don't understand this bill", "why has my bill gone up so much", "what is this standing charge")),
    ("Wrong bill", "failure", "error / wrong outcome", 7, 12.0, 0.1, (
        "this bill is wrong, I've got a meter", "you've billed me for someone else's property",
        "the reading on my bill isn't mine")),
    ("Chasing a leak repair", "failure", "progress chasing", 8, 5.5, 0.9, (
        "I reported a leak {days} days ago and nobody has come", "when are you fixing the leak outside",
        "the leak is still there, is anyone coming")),
    ("Chasing a refund", "failure", "progress chasing", 5, 5.0, 0.85, (
        "where is my refund", "you said I'd get {amount} back weeks ago", "still waiting for my refund")),
    ("Meter reading not recorded", "failure", "not done", 4, 6.0, 0.25, (
        "I gave you a reading but the bill is an estimate", "you didn't use my meter reading",
        "why is this estimated, I sent a reading")),
    ("Nobody rang me back", "failure", "not done", 4, 6.5, 0.2, (
        "someone was meant to ring me back and didn't", "I was promised a call back on {weekday}",
        "still waiting for the call back about my bill")),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method; the hourly means here are small)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def handling(rng: random.Random, mean: float, cv: float = 0.75) -> float:
    """Talk plus wrap-up minutes: a lognormal with the given mean and coefficient of variation."""
    sigma2 = math.log(1 + cv * cv)
    minutes = rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
    return round(max(minutes, 0.5), 1)


def words(rng: random.Random, phrases: tuple[str, ...]) -> str:
    text = rng.choice(phrases).format(amount=f"£{rng.randint(20, 640)}", day=f"{rng.randint(2, 28)}th",
                                      num=rng.randint(1, 240), days=rng.randint(3, 19),
                                      weekday=rng.choice(WEEKDAYS))
    return text[:1].upper() + text[1:]


def arrivals(rng: random.Random) -> list[dt.datetime]:
    out = []
    for d in range(WEEKS * 7):
        day = START + dt.timedelta(days=d)
        if day in CLOSED:
            continue
        hours = (SATURDAY_HOURS if day.weekday() == 5 else
                 {8 + i: n * DAY_FACTOR[day.weekday()] for i, n in enumerate(WEEKDAY_HOURS)})
        for hour, mean in hours.items():
            for _ in range(poisson(rng, mean)):
                second = rng.randrange(3600)
                out.append(dt.datetime.combine(day, dt.time(hour, second // 60, second % 60)))
    return sorted(out)


def rows(rng: random.Random) -> list[list[str]]:
    out = []
    weights = [t[3] for t in TYPES]
    for n, when in enumerate(arrivals(rng), start=1):
        name, nature, cause, _, mean, one_stop, phrases = rng.choices(TYPES, weights=weights)[0]
        touchpoint = "Web chat" if rng.random() < WEB_CHAT_SHARE else "Phone"
        minutes = handling(rng, mean * (1.3 if touchpoint == "Web chat" else 1.0))
        resolved = "Y" if rng.random() < one_stop else "N"
        said = words(rng, phrases)
        if rng.random() < UNCLASSIFIED_SHARE:
            name, nature, cause = "", "", ""
        out.append([when.strftime("%Y-%m-%d %H:%M:%S"), touchpoint, said, name, nature, cause, resolved,
                    f"{minutes:.1f}", f"WC-{n:05d}"])
    return out


def catalogue_yaml() -> str:
    lines = ["service: Water company customer contact",
             "description: Calls and web chats to a water company's contact centre (bills, payments, moving "
             "home, meters and leaks).",
             "types:"]
    for name, nature, cause, *_ in TYPES:
        lines += [f"  - type: {name}", f"    nature: {nature}"]
        if cause:
            lines.append(f"    cause: {cause}")
    return "\n".join(lines) + "\n"


def check(data: list[list[str]]) -> list[str]:
    """What must hold for the story; each failure is a sentence."""
    problems = []
    classified = [r for r in data if r[4]]
    failure = sum(r[4] == "failure" for r in classified) / len(classified)
    if not 0.38 <= failure <= 0.52:
        problems.append(f"failure share {failure:.0%}, expected about 45%")
    days = {r[0][:10] for r in data}
    for closed in CLOSED:
        if closed.isoformat() in days:
            problems.append(f"a contact on {closed}, when the centre is closed")
    if any(dt.date.fromisoformat(d).weekday() == 6 for d in days):
        problems.append("a contact on a Sunday, when the centre is closed")
    if not 2_500 <= len(data) <= 4_000:
        problems.append(f"{len(data):,} contacts, expected 2,500 to 4,000")
    return problems


def main() -> int:
    rng = random.Random(SEED)
    data = rows(rng)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(data)
    OUT.write_bytes(buf.getvalue().encode("utf-8"))
    for path in (CATALOGUE, MAPS_CATALOGUE):
        path.write_text(catalogue_yaml(), encoding="utf-8")
    problems = check(data)
    classified = [r for r in data if r[4]]
    failure = sum(r[4] == "failure" for r in classified) / len(classified)
    mean = sum(float(r[7]) for r in data) / len(data)
    print(f"wrote {OUT.relative_to(HERE.parent)}: {len(data):,} contacts over {WEEKS} weeks, failure share of "
          f"classified {failure:.0%}, mean handling {mean:.1f} min; and {CATALOGUE.relative_to(HERE.parent)}")
    for p in problems:
        print(f"story broken: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
