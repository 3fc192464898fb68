"""Write small demand files shaped like the exports of real systems: their documented column names and
order, quoting, encodings, delimiters, date formats and typical values. Every row is made up here, from a
fixed seed: nothing is copied from any system or data set. Where each system's names come from is in
docs/data-contracts.md, "Systems recognised".

    python tests/exports/make_exports.py          # rewrites the files beside this script

tests/test_system_exports.py checks that this script gives the committed files byte for byte, and loads each
one. The tests compare what is loaded with `Export.truth`, this script's own numbers (the touchpoint, demand
type, words, case and handling time of each record, before they were written out in the system's format).
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = datetime(2026, 3, 2, 7, 0)  # a Monday; each file covers four weeks from here


@dataclass
class Record:
    """One demand as this script made it, before it was written in the system's format."""

    received: datetime
    touchpoint: str
    words: str
    demand_type: str
    case: str
    seconds: int | None = None  # handling time where the system records one, in seconds
    resolved: datetime | None = None


@dataclass
class Export:
    name: str  # file name
    system: str  # what it looks like
    data: bytes
    truth: list[Record] = field(default_factory=list)


def _when(rng: random.Random) -> datetime:
    """A time in the four weeks, in opening hours, to the second."""
    day = rng.randrange(28)
    return START + timedelta(days=day, seconds=rng.randrange(11 * 3600))


def _csv(rows: list[list[str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL,
         newline: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    return out.getvalue()


def _paragraphs(rng: random.Random, opening: str, parts: list[str], k: int) -> str:
    """Customer's words over several lines (a ticket's description, a complaint's narrative)."""
    chosen = rng.sample(parts, k=min(k, len(parts)))
    return "\n".join([opening, *chosen])


# --- ServiceNow: incident list exported as CSV (display values, every field quoted) -----------------------
_SN_CATEGORIES = {"Inquiry / Help": "How do I", "Software": "The app", "Hardware": "My laptop",
                  "Network": "The wifi", "Database": "The report"}
_SN_SUB = {"Inquiry / Help": "Antivirus", "Software": "Email", "Hardware": "Monitor", "Network": "VPN",
           "Database": "DB2"}
_SN_CHANNELS = ["Phone", "Email", "Self-service", "Walk-in", "Chat"]


def servicenow() -> Export:
    rng = random.Random(101)
    header = ["number", "opened_at", "sys_created_on", "contact_type", "caller_id", "category", "subcategory",
              "short_description", "description", "priority", "state", "assignment_group", "assigned_to",
              "reassignment_count", "resolved_at", "closed_at"]
    rows, truth = [header], []
    for i in range(120):
        opened = _when(rng)
        cat = rng.choice(list(_SN_CATEGORIES))
        channel = rng.choice(_SN_CHANNELS)
        short = f"{_SN_CATEGORIES[cat]} is not working"
        desc = _paragraphs(rng, f"{short} since this morning.", [
            "I have restarted it twice, as the portal says.", "This is the second time I have reported this.",
            "Nobody has called me back yet, can you tell me when someone will look at it?",
            "It says \"access denied\", then closes.", "I need it for payroll by Friday, 5pm."], rng.randint(1, 3))
        resolved = opened + timedelta(minutes=rng.randint(20, 4000)) if rng.random() < 0.8 else None
        closed = resolved + timedelta(days=3) if resolved else None
        number = f"INC{10040 + i:07d}"
        rows.append([number, f"{opened:%Y-%m-%d %H:%M:%S}", f"{opened + timedelta(seconds=2):%Y-%m-%d %H:%M:%S}",
                     channel, f"Caller {rng.randint(1, 40)}", cat, _SN_SUB[cat], short, desc,
                     rng.choice(["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"]),
                     "Closed" if closed else "In Progress", "Service Desk", f"Agent {rng.randint(1, 6)}",
                     str(rng.randint(0, 3)), f"{resolved:%Y-%m-%d %H:%M:%S}" if resolved else "",
                     f"{closed:%Y-%m-%d %H:%M:%S}" if closed else ""])
        truth.append(Record(opened, channel, desc, cat, number, resolved=resolved))
    return Export("servicenow_incident.csv", "ServiceNow incident list export",
                  _csv(rows, quoting=csv.QUOTE_ALL).encode("utf-8"), truth)


# --- Zendesk: tickets from the API, flattened to CSV (via.channel), solved_at from the ticket metrics ------
_ZD_CHANNELS = ["email", "web", "api", "voice", "chat"]
_ZD_SUBJECTS = {"question": "Question about my invoice", "incident": "Cannot log in",
                "problem": "Password reset emails not arriving", "task": "Please update my address", "": "Help"}


def zendesk() -> Export:
    rng = random.Random(202)
    header = ["id", "created_at", "updated_at", "type", "subject", "description", "priority", "status",
              "requester_id", "group_id", "via.channel", "tags", "solved_at"]
    rows, truth = [header], []
    for i in range(100):
        created = _when(rng)
        kind = rng.choice(list(_ZD_SUBJECTS))
        channel = rng.choice(_ZD_CHANNELS)
        subject = _ZD_SUBJECTS[kind]
        desc = _paragraphs(rng, f"Hi, {subject.lower()}.", [
            "I tried again this morning, same thing.", "Your chat said someone would email me, nobody did.",
            "Order number is in the subject, thanks.", "Kind regards,\nSam"], rng.randint(1, 3))
        solved = created + timedelta(minutes=rng.randint(5, 3000)) if rng.random() < 0.7 else None
        ticket = str(35400 + i)
        rows.append([ticket, f"{created:%Y-%m-%dT%H:%M:%SZ}", f"{(solved or created):%Y-%m-%dT%H:%M:%SZ}", kind,
                     subject, desc, rng.choice(["low", "normal", "high", "urgent", ""]),
                     "solved" if solved else rng.choice(["new", "open", "pending"]), str(rng.randint(10**11, 10**12)),
                     "360001234567", channel, " ".join(rng.sample(["billing", "login", "vip", "repeat"], 2)),
                     f"{solved:%Y-%m-%dT%H:%M:%SZ}" if solved else ""])
        truth.append(Record(created, channel, desc, kind, ticket, resolved=solved))
    return Export("zendesk_tickets.csv", "Zendesk tickets (API, flattened)", _csv(rows, newline="\n").encode(),
                  truth)


# --- Salesforce Service Cloud: a cases report exported as CSV (UTF-8 with BOM, quoted, US dates, footer) ----
_SF_REASONS = ["Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design",
               "Feedback", "Other"]
_SF_TYPES = ["Mechanical", "Electrical", "Electronic", "Structural", "Other"]
_SF_ORIGINS = ["Phone", "Email", "Web"]


def _us(t: datetime) -> str:
    return f"{t.month}/{t.day}/{t.year} {(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def salesforce() -> Export:
    rng = random.Random(303)
    header = ["Case Number", "Date/Time Opened", "Case Origin", "Subject", "Description", "Type", "Case Reason",
              "Status", "Priority", "Closed", "Date/Time Closed", "Account Name", "Case Owner"]
    rows, truth = [header], []
    for i in range(80):
        opened = _when(rng).replace(second=0)
        reason = rng.choice(_SF_REASONS)
        origin = rng.choice(_SF_ORIGINS)
        subject = f"{reason}: generator {rng.randint(100, 999)}"
        desc = _paragraphs(rng, "The generator stopped, again.", [
            "Engineer came last week, same fault.", "Please call me on the number on file.",
            "Is this covered by the warranty?"], rng.randint(0, 2))
        closed = opened + timedelta(minutes=rng.randint(30, 5000)) if rng.random() < 0.6 else None
        number = f"{1026 + i:08d}"
        rows.append([number, _us(opened), origin, subject, desc, rng.choice(_SF_TYPES), reason,
                     "Closed" if closed else "New", rng.choice(["High", "Medium", "Low"]), "1" if closed else "0",
                     _us(closed) if closed else "", f"Account {rng.randint(1, 20)}", "Service Team"])
        truth.append(Record(opened, origin, desc, reason, number, resolved=closed))
    footer = [[""], ["Confidential Information - Do Not Distribute"],
              ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]
    text = _csv(rows, quoting=csv.QUOTE_ALL) + _csv(footer, quoting=csv.QUOTE_ALL)
    return Export("salesforce_cases_report.csv", "Salesforce cases report export", text.encode("utf-8-sig"),
                  truth)


# --- Jira Service Management: issues exported as CSV (dd/MMM/yy h:mm AM/PM, "Custom field (...)") ----------
_JIRA_TYPES = ["Get IT help", "Request new hardware", "Report a system problem", "Fix an account problem"]
_JIRA_CHANNELS = ["email", "portal", "api", "jira"]


def _jira(t: datetime) -> str:
    return f"{t:%d/%b/%y} {(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def jira() -> Export:
    rng = random.Random(404)
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Resolution", "Assignee",
              "Reporter", "Created", "Updated", "Resolved", "Description", "Custom field (Customer Request Type)",
              "Custom field (Request channel type)"]
    rows, truth = [header], []
    for i in range(90):
        created = _when(rng).replace(second=0)
        rtype = rng.choice(_JIRA_TYPES)
        channel = rng.choice(_JIRA_CHANNELS)
        desc = _paragraphs(rng, f"{rtype}, please.", [
            "My manager approved this yesterday.", "Ticket SD-12 was closed but it still fails.",
            "Screenshot attached; error code 0x80070005."], rng.randint(1, 2))
        resolved = created + timedelta(minutes=rng.randint(10, 6000)) if rng.random() < 0.75 else None
        key = f"SD-{200 + i}"
        rows.append([rtype, key, str(10300 + i), rng.choice(["Service Request", "Incident"]),
                     "Resolved" if resolved else "Waiting for support", "Medium", "Done" if resolved else "",
                     f"agent{rng.randint(1, 5)}", f"customer{rng.randint(1, 50)}", _jira(created),
                     _jira(resolved or created), _jira(resolved) if resolved else "", desc, rtype, channel])
        truth.append(Record(created, channel, desc, rtype, key, resolved=resolved))
    return Export("jira_service_management.csv", "Jira Service Management issues export", _csv(rows).encode(),
                  truth)


# --- Freshdesk: ticket export CSV ------------------------------------------------------------------------
_FD_SOURCES = ["Email", "Portal", "Phone", "Chat", "Feedback Widget"]
_FD_TYPES = ["Question", "Incident", "Problem", "Feature Request", "Refund"]


def freshdesk() -> Export:
    rng = random.Random(505)
    header = ["Ticket ID", "Subject", "Description", "Status", "Priority", "Source", "Type", "Agent", "Group",
              "Created time", "Due by Time", "Resolved time", "Closed time", "Last update time",
              "Initial response time", "Time tracked", "First response time (in hrs)", "Resolution time (in hrs)",
              "Agent interactions", "Customer interactions", "Tags"]
    rows, truth = [header], []
    for i in range(150):
        created = _when(rng)
        kind = rng.choice(_FD_TYPES)
        source = rng.choice(_FD_SOURCES)
        subject = f"{kind} - order #{rng.randint(1000, 9999)}"
        desc = _paragraphs(rng, "Hello team,", [
            "My parcel has not arrived, tracking says delivered.", "I was charged twice, see attached.",
            "Can I change the delivery address?", "Third email about this; please reply."], rng.randint(1, 2))
        resolved = created + timedelta(minutes=rng.randint(15, 4000)) if rng.random() < 0.7 else None
        first = created + timedelta(minutes=rng.randint(1, 240))
        f = "%Y-%m-%d %H:%M:%S"
        ticket = str(5100 + i)
        rows.append([ticket, subject, desc, "Resolved" if resolved else "Open", rng.choice(["Low", "Medium", "High"]),
                     source, kind, f"Agent {rng.randint(1, 8)}", "Customer Support", created.strftime(f),
                     (created + timedelta(days=1)).strftime(f), resolved.strftime(f) if resolved else "",
                     (resolved + timedelta(days=2)).strftime(f) if resolved else "",
                     (resolved or first).strftime(f), first.strftime(f), f"00:{rng.randint(2, 59):02d}",
                     f"{(first - created).total_seconds() / 3600:.2f}",
                     f"{(resolved - created).total_seconds() / 3600:.2f}" if resolved else "",
                     str(rng.randint(1, 6)), str(rng.randint(1, 4)), rng.choice(["", "refund", "delivery"])])
        truth.append(Record(created, source, desc, kind, ticket, resolved=resolved))
    return Export("freshdesk_tickets.csv", "Freshdesk ticket export", _csv(rows).encode(), truth)


# --- Dynamics 365 Customer Service: cases exported, saved as CSV by Excel with ';' (BOM, day-first) -----------
_D365_ORIGINS = ["Phone", "Email", "Web", "Facebook", "Twitter"]
_D365_TYPES = ["Question", "Problem", "Request"]


def dynamics() -> Export:
    rng = random.Random(606)
    header = ["Case Number", "Case Title", "Created On", "Origin", "Case Type", "Subject", "Priority", "Status",
              "Status Reason", "Customer", "Owner", "Description", "Modified On", "Resolve By"]
    rows, truth = [header], []
    for i in range(60):
        created = _when(rng).replace(second=0)
        kind = rng.choice(_D365_TYPES)
        origin = rng.choice(_D365_ORIGINS)
        desc = _paragraphs(rng, "Meter reading submitted; bill still estimated.", [
            "Reading: 04512; date: 01/03/2026.", "I rang on Monday and was told it would be fixed.",
            "Please don't send another estimate."], rng.randint(1, 2))
        number = f"CAS-{1000 + i:05d}-{rng.choice(['K8D2F1', 'P3Q9R7', 'X1Y2Z3'])}"
        f = "%d/%m/%Y %H:%M"
        rows.append([number, f"{kind}: billing", created.strftime(f), origin, kind,
                     rng.choice(["Billing", "Meter readings", "Payments"]), rng.choice(["High", "Normal", "Low"]),
                     "Active", rng.choice(["In Progress", "On Hold", "Waiting for Details"]),
                     f"Customer {rng.randint(1, 30)}", "Customer Service", desc,
                     (created + timedelta(hours=rng.randint(1, 48))).strftime(f),
                     (created + timedelta(days=5)).strftime(f)])
        truth.append(Record(created, origin, desc, kind, number))
    return Export("dynamics365_cases.csv", "Dynamics 365 cases, saved by Excel with ';'",
                  _csv(rows, delimiter=";").encode("utf-8-sig"), truth)


# --- A bank's call-centre log (ACD): tab-separated, YYMMDD dates, time-of-day columns, times in seconds ------
_ACD_TYPES = ["PS", "PE", "IN", "NE", "NW", "TT"]


def _tod(t: datetime) -> str:
    return f"{t.hour}:{t.minute:02d}:{t.second:02d}"


def call_centre_log() -> Export:
    rng = random.Random(707)
    header = ["vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
              "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"]
    rows, truth = [header], []
    for i in range(200):
        entry = _when(rng)
        kind = rng.choice(_ACD_TYPES)
        vru = rng.randint(1, 20)
        queued = entry + timedelta(seconds=vru)
        wait = rng.randint(0, 400)
        outcome = "AGENT" if rng.random() < 0.8 else "HANG"
        served = queued + timedelta(seconds=wait)
        ser = rng.randint(20, 900) if outcome == "AGENT" else 0
        zero = "0:00:00"
        call_id = str(33116 + i * 3)
        rows.append([f"AA0{rng.randint(1, 6)}{rng.randint(1, 16):02d}", call_id, str(rng.choice([0, rng.randint(10**6, 10**8)])),
                     str(rng.choice([0, 1, 2])), kind, f"{entry:%y%m%d}", _tod(entry), _tod(queued), str(vru),
                     _tod(queued), _tod(served), str(wait), outcome,
                     _tod(served) if ser else zero, _tod(served + timedelta(seconds=ser)) if ser else zero, str(ser),
                     rng.choice(["MICHAL", "ANAT", "DORIT", "AVI"]) if ser else "NO_SERVER"])
        truth.append(Record(entry.replace(hour=0, minute=0, second=0), "unknown", "", kind, call_id, seconds=ser))
    return Export("bank_call_centre_log.txt", "Bank call-centre (ACD) log", _csv(rows, delimiter="\t").encode(),
                  truth)


# --- A contact-centre platform's call detail records (CDR) as CSV: camelCase, ISO times with Z, seconds ------
_CDR_QUEUES = ["Billing", "Moving home", "Faults", "Payments"]


def call_detail_records() -> Export:
    rng = random.Random(808)
    header = ["callId", "startTime", "answerTime", "endTime", "channel", "queue", "ani", "dnis", "direction",
              "disposition", "talkTimeSeconds", "holdTimeSeconds", "wrapTimeSeconds", "handleTimeSeconds"]
    rows, truth = [header], []
    for _ in range(150):
        start = _when(rng) + timedelta(milliseconds=rng.randrange(1000))
        queue = rng.choice(_CDR_QUEUES)
        channel = rng.choice(["VOICE", "VOICE", "VOICE", "CHAT"])
        abandoned = rng.random() < 0.15
        answer = start + timedelta(seconds=rng.randint(5, 300))
        talk, hold, wrap = (0, 0, 0) if abandoned else (rng.randint(30, 1200), rng.randint(0, 120), rng.randint(0, 90))
        end = answer + timedelta(seconds=talk + hold)

        def iso(t: datetime) -> str:
            return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"

        call = f"c{rng.getrandbits(48):012x}"
        rows.append([call, iso(start), "" if abandoned else iso(answer), iso(end if not abandoned else answer),
                     channel, queue, f"+4477009{rng.randint(10000, 99999)}", "+448000000000", "INBOUND",
                     "ABANDONED" if abandoned else "COMPLETED", "" if abandoned else str(talk),
                     "" if abandoned else str(hold), "" if abandoned else str(wrap),
                     "" if abandoned else str(talk + hold + wrap)])
        truth.append(Record(start, channel, "", queue, call, seconds=None if abandoned else talk + hold + wrap))
    return Export("contact_centre_cdr.csv", "Contact-centre call detail records", _csv(rows, newline="\n").encode(),
                  truth)


# --- Consumer complaints (CFPB database CSV): long narratives, many blank, newlines and commas inside --------
_CFPB_PRODUCTS = {"Checking or savings account": ["Checking account", "Savings account"],
                  "Credit card": ["General-purpose credit card or charge card", "Store credit card"],
                  "Mortgage": ["Conventional home mortgage", "FHA mortgage"],
                  "Debt collection": ["Medical debt", "Credit card debt"]}
_CFPB_ISSUES = {"Checking or savings account": ["Managing an account", "Closing an account"],
                "Credit card": ["Problem with a purchase shown on your statement", "Fees or interest"],
                "Mortgage": ["Trouble during payment process", "Applying for a mortgage"],
                "Debt collection": ["Attempts to collect debt not owed", "Written notification about debt"]}
_CFPB_VIA = ["Web", "Web", "Web", "Referral", "Phone", "Postal mail", "Fax", "Email"]
# A consumer's pasted spreadsheet excerpt: a line inside a narrative that names more known fields than the
# file's header does. Read line by line (the old header search), it looked like the header.
PASTED_TABLE = "Date,Channel,Description,Type of demand,Reference,Resolved at,Minutes,V/F,Cause"


def cfpb() -> Export:
    rng = random.Random(909)
    header = ["Date received", "Product", "Sub-product", "Issue", "Sub-issue", "Consumer complaint narrative",
              "Company public response", "Company", "State", "ZIP code", "Tags", "Consumer consent provided?",
              "Submitted via", "Date sent to company", "Company response to consumer", "Timely response?",
              "Consumer disputed?", "Complaint ID"]
    rows, truth = [header], []
    for i in range(220):
        received = _when(rng).replace(hour=0, minute=0, second=0)
        product = rng.choice(list(_CFPB_PRODUCTS))
        issue = rng.choice(_CFPB_ISSUES[product])
        via = "Web" if i == 2 else rng.choice(_CFPB_VIA)
        has_story = i == 2 or (via == "Web" and rng.random() < 0.6)
        story = ""
        if has_story:
            story = _paragraphs(rng, f"On XX/XX/2026 I contacted XXXX about {issue.lower()}, and again a week later.", [
                "They told me, \"it has been escalated\", but nothing happened.",
                "I was charged {$35.00} in fees, then another {$35.00}, which I dispute.",
                "I have called XXXX times, sent letters, and visited a branch.",
                "",
                "Please help; I have the letters, the call logs, and my statements."], rng.randint(2, 5))
            if i == 2:
                story += f"\nMy own log of the calls:\n{PASTED_TABLE}\n01/02/2026,Phone,asked again,chasing,X1,,12,F,not done"
        sent = received + timedelta(days=rng.randint(0, 3))
        complaint = str(8400000 + i * 7)
        rows.append([f"{received:%m/%d/%Y}", product, rng.choice(_CFPB_PRODUCTS[product]), issue,
                     rng.choice(["", "Deposits and withdrawals", "Problem using a debit or ATM card"]), story,
                     "Company has responded to the consumer and the CFPB and chooses not to provide a public response"
                     if rng.random() < 0.4 else "", f"BANK {rng.choice('ABCD')}, N.A.", rng.choice(["CA", "NY", "TX", "FL"]),
                     f"{rng.randint(10, 99)}XXX", rng.choice(["", "Older American", "Servicemember"]),
                     "Consent provided" if has_story else rng.choice(["Consent not provided", "N/A", ""]), via,
                     f"{sent:%m/%d/%Y}", rng.choice(["Closed with explanation", "Closed with monetary relief", "In progress"]),
                     "Yes", "N/A", complaint])
        truth.append(Record(received, via, story, issue, complaint))
    return Export("cfpb_complaints.csv", "Consumer complaints (CFPB database)", _csv(rows, newline="\n").encode(),
                  truth)


MAKERS: tuple[Callable[[], Export], ...] = (servicenow, zendesk, salesforce, jira, freshdesk, dynamics,
                                            call_centre_log, call_detail_records, cfpb)


def build() -> dict[str, Export]:
    exports = [make() for make in MAKERS]
    return {e.name: e for e in exports}


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else HERE
    for name, export in build().items():
        (target / name).write_bytes(export.data)
        print(f"{name}: {len(export.truth)} records, {len(export.data):,} bytes ({export.system})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
