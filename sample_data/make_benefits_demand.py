"""Build ``benefits_demand.csv``: a second, independent demand sample, from a council's benefits and
council tax service, for testing suggestions from the customers' words on words that are not the housing
sample's.

The story: a UK council's benefits and council tax contact team wrote down every demand for eight weeks
(Monday 2 March to Sunday 26 April 2026): people paying, moving home, claiming council tax reduction or
housing benefit, reporting a change, and (about half of it) chasing claims and refunds, bills nobody could
read, wrong bills, summonses sent to people who had paid, evidence asked for twice, promised call-backs that
never came, and people sent over by other departments.

What makes it harder than the housing sample, on purpose:

* each demand's words are put together from an opening, a core phrase (several per type, written in the
  customer's terms) and an ending, so few rows repeat word for word;
* about 15% of rows carry one or two typing mistakes (a letter dropped, doubled or swapped), some are all
  lower case or all capitals;
* about 3% are in other languages people in a UK council area write in (Polish, Welsh, Romanian, Urdu,
  Somali), both value and failure;
* the team's own labels are not perfect: about 2% of classified rows are labelled the other way (teams
  disagree at the edges), and some value demand uses words such as "again" or "wrong";
* 8% of rows are not classified yet (nature and cause blank; half of them without a type either).

Columns: received_at, touchpoint, customer_words, demand_type, nature, failure_cause. Every draw comes from
one ``random.Random(SEED)`` in a fixed order, so re-running writes the same bytes. Nothing is copied from
elsewhere: the phrases are written for this file. Run ``python sample_data/make_benefits_demand.py`` from
the repository root (standard library only).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

SEED = 20260302
HERE = Path(__file__).resolve().parent
OUT = HERE / "benefits_demand.csv"
START = dt.date(2026, 3, 2)  # a Monday
WEEKS = 8
ROWS = 1_500
FAILURE_SHARE = 0.5
TYPO_SHARE = 0.15
FOREIGN_SHARE = 0.03
LABEL_NOISE = 0.02
UNCLASSIFIED_SHARE = 0.08
HEADER = ("received_at", "touchpoint", "customer_words", "demand_type", "nature", "failure_cause")
TOUCHPOINTS = {"Phone": 0.50, "Email": 0.15, "Web form": 0.20, "Counter": 0.08, "Letter": 0.07}
DAY_WEIGHTS = (1.5, 1.1, 1.0, 1.0, 0.9, 0.15, 0.1)  # Monday .. Sunday

# (type, nature, cause, weight, core phrases). {month}, {amount}, {weeks}, {dept} are filled in.
TYPES: tuple[tuple[str, str, str, float, tuple[str, ...]], ...] = (
    ("Pay council tax", "value", "", 12, (
        "I want to pay my council tax", "can I pay this month's council tax by card",
        "I'd like to set up a direct debit for my council tax", "how do I pay the {month} instalment",
        "I need to pay the {amount} I owe", "can I switch my payments to the 15th of the month",
        "paying my council tax for the year in one go")),
    ("Report a move", "value", "", 10, (
        "I'm moving house on the {day} and need to tell you", "we've moved into a new flat, here's the new address",
        "I'm moving out of the property at the end of {month}", "just letting you know I've moved in to number {num}",
        "my tenancy starts on the {day}, please set up council tax", "I am moving again, this time to a flat in town")),
    ("Apply for council tax reduction", "value", "", 9, (
        "I've lost my job and need help with my council tax", "can I apply for council tax reduction",
        "I'm on universal credit now, do I get money off my council tax",
        "how do I claim the reduction, I'm on a low income", "I'm a pensioner, can I get help with the bill")),
    ("Apply for housing benefit", "value", "", 8, (
        "I want to claim housing benefit", "I need help paying my rent, can I apply",
        "my landlord put the rent up and I can't afford it, is there any help",
        "how do I make a new claim for housing benefit", "I'm in supported housing and need to claim")),
    ("Report a change of circumstances", "value", "", 9, (
        "my partner has moved in with me", "I've started a new job and my hours have changed",
        "I've had a baby last week", "my son has left home so I live alone now",
        "my income has gone up, what do I need to send", "my wages went wrong this month and dropped, I need to tell you")),
    ("Single person discount", "value", "", 6, (
        "I live on my own now, can I get the single person discount",
        "my husband passed away and I'm on my own", "can I have the 25% discount, I'm the only adult here")),
    ("Arrange to pay arrears", "value", "", 5, (
        "I'm behind with my council tax and want to sort out a plan",
        "can I pay what I owe in smaller amounts", "I've fallen behind, can we agree a payment plan")),
    ("Chasing a claim", "failure", "progress chasing", 14, (
        "I'm still waiting to hear about my housing benefit claim", "any update on my claim? it's been {weeks} weeks",
        "I applied for council tax reduction in {month} and have heard nothing",
        "when will my claim be sorted, my landlord is chasing me for the rent",
        "just chasing my benefit application again", "how much longer will the claim take",
        "I sent everything you asked for {weeks} weeks ago, where is my decision")),
    ("Chasing a refund", "failure", "progress chasing", 6, (
        "where is my refund, I overpaid {amount}", "you said I'd get a refund within 10 days, nothing yet",
        "still no sign of my council tax refund", "I'm chasing the refund from my old address")),
    ("Bill not understood", "failure", "not understood", 8, (
        "I don't understand my new council tax bill", "what does this letter mean, am I in trouble",
        "why has my bill gone up by {amount}", "the letter says 'liability adjusted', what does that mean",
        "I got two bills with different amounts, which one do I pay",
        "your benefit decision letter makes no sense to me")),
    ("Wrong bill", "failure", "error / wrong outcome", 7, (
        "you've billed me for the wrong property", "my single person discount has been taken off for no reason",
        "the bill is still in my late husband's name", "I've been charged twice this month",
        "the amount on my bill is wrong, I'm on full reduction", "you've put the wrong date I moved in")),
    ("Summons after paying", "failure", "error / wrong outcome", 4, (
        "I got a summons but I pay by direct debit every month", "why have I had a court summons, I've paid",
        "you sent me a reminder and I paid {amount} last week")),
    ("Evidence asked for twice", "failure", "repeat / recall", 6, (
        "you've asked for my payslips again, I sent them last month",
        "this is the second time I've sent my bank statements", "I brought my documents in already and now you want them again",
        "you lost my tenancy agreement so I'm sending it again")),
    ("Promised call-back not received", "failure", "not done", 5, (
        "someone said they'd ring me back about my claim and nobody did",
        "I was promised a call from the benefits team on {day_name}", "I've been waiting by the phone all week for your call",
        "you said a manager would call me, no one called")),
    ("Sent from another department", "failure", "sent elsewhere", 5, (
        "housing told me to ring you about my rent", "the job centre said you deal with this",
        "I was put through to you from the main switchboard", "{dept} sent me here, they said it's not theirs")),
)

# Words in other languages (written for this file): (words, type). Natures and causes follow the type.
FOREIGN: tuple[tuple[str, str], ...] = (
    ("Chcę zapłacić podatek lokalny kartą", "Pay council tax"),
    ("Przeprowadzam się w przyszłym miesiącu, nowy adres w załączniku", "Report a move"),
    ("Nadal czekam na decyzję w sprawie zasiłku mieszkaniowego", "Chasing a claim"),
    ("Nie rozumiem tego listu o podatku", "Bill not understood"),
    ("Dw i eisiau talu fy nhreth gyngor", "Pay council tax"),
    ("Rydw i'n dal i aros am ateb am fy nghais", "Chasing a claim"),
    ("Vreau să plătesc taxa locală", "Pay council tax"),
    ("Încă aștept un răspuns la cererea mea de ajutor", "Chasing a claim"),
    ("Nu înțeleg factura nouă", "Bill not understood"),
    ("میں کونسل ٹیکس ادا کرنا چاہتا ہوں", "Pay council tax"),
    ("مجھے یہ خط سمجھ نہیں آیا", "Bill not understood"),
    ("Waxaan rabaa inaan bixiyo canshuurta golaha", "Pay council tax"),
    ("Weli waan sugayaa jawaabta codsigayga", "Chasing a claim"),
)

OPENINGS = ("", "", "", "Hi, ", "Hello, ", "Good morning, ", "Sorry to bother you but ", "Hiya ", "Hi there. ",
            "Ref CT{ref}: ", "Re my account {ref} - ")
ENDINGS = ("", "", "", ".", ".", "?", " thanks", ". Thank you.", ". Please help.", ". Can someone ring me?",
           ". I'm really worried.", " asap please", ". My reference is {ref}.")
MONTHS = ("January", "February", "March", "April")
DEPTS = ("Housing", "Social services", "The DWP", "Environmental health", "The library")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def fill(rng: random.Random, text: str) -> str:
    return text.format(month=rng.choice(MONTHS), amount=f"£{rng.randint(12, 480)}", weeks=rng.randint(3, 11),
                       day=f"{rng.randint(1, 28)}th", num=rng.randint(2, 120), ref=rng.randint(10_000_000, 99_999_999),
                       dept=rng.choice(DEPTS), day_name=rng.choice(DAY_NAMES))


def typo(rng: random.Random, text: str) -> str:
    """One or two typing mistakes in words of four letters or more: a letter dropped, doubled or swapped."""
    words = text.split(" ")
    for _ in range(rng.choice((1, 1, 2))):
        long = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if not long:
            break
        i = rng.choice(long)
        w = words[i]
        k = rng.randrange(1, len(w) - 1)
        kind = rng.choice(("drop", "double", "swap"))
        if kind == "drop":
            w = w[:k] + w[k + 1:]
        elif kind == "double":
            w = w[:k] + w[k] + w[k:]
        else:
            w = w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]
        words[i] = w
    return " ".join(words)


def words_for(rng: random.Random, core: str) -> str:
    text = fill(rng, rng.choice(OPENINGS)) + fill(rng, core) + fill(rng, rng.choice(ENDINGS))
    if rng.random() < TYPO_SHARE:
        text = typo(rng, text)
    case = rng.random()
    if case < 0.08:
        text = text.lower()
    elif case < 0.11:
        text = text.upper()
    elif text[:1].islower():
        text = text[:1].upper() + text[1:]
    return text


def received(rng: random.Random) -> dt.datetime:
    day = rng.choices(range(WEEKS * 7), weights=[DAY_WEIGHTS[d % 7] for d in range(WEEKS * 7)])[0]
    hour = rng.choices(range(8, 19), weights=(1.2, 1.6, 1.5, 1.3, 1.0, 1.1, 1.1, 1.0, 0.8, 0.5, 0.3))[0]
    return dt.datetime.combine(START + dt.timedelta(days=day), dt.time(hour, rng.randrange(60)))


def rows(rng: random.Random) -> list[tuple[dt.datetime, str, str, str, str, str]]:
    by_nature = {n: [t for t in TYPES if t[1] == n] for n in ("value", "failure")}
    by_name = {t[0]: t for t in TYPES}
    out = []
    for _ in range(ROWS):
        if rng.random() < FOREIGN_SHARE:
            words, name = rng.choice(FOREIGN)
            kind = by_name[name]
        else:
            nature = "failure" if rng.random() < FAILURE_SHARE else "value"
            kind = rng.choices(by_nature[nature], weights=[t[3] for t in by_nature[nature]])[0]
            words = words_for(rng, rng.choice(kind[4]))
        name, nature, cause = kind[0], kind[1], kind[2]
        if rng.random() < LABEL_NOISE:  # the team labelled it the other way
            nature, cause = ("value", "") if nature == "failure" else ("failure", "progress chasing")
        if rng.random() < UNCLASSIFIED_SHARE:
            nature, cause = "", ""
            if rng.random() < 0.5:
                name = ""
        out.append((received(rng), weighted(rng, TOUCHPOINTS), words, name, nature, cause))
    out.sort(key=lambda r: r[0])
    return out


def main() -> int:
    rng = random.Random(SEED)
    data = rows(rng)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for when, *rest in data:
        writer.writerow([when.strftime("%Y-%m-%d %H:%M"), *rest])
    OUT.write_bytes(buf.getvalue().encode("utf-8"))
    natures = [r[4] for r in data]
    failure = natures.count("failure") / max(1, natures.count("failure") + natures.count("value"))
    print(f"wrote {OUT.relative_to(HERE.parent)}: {len(data):,} rows, failure share of classified {failure:.0%}, "
          f"{natures.count(''):,} not classified, {len({r[2] for r in data}):,} distinct customer words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
