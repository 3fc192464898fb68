"""Load + validate + summary of a large demand CSV, against a bare `pyarrow.csv.read_csv` of the same file.

    .venv/bin/python benchmarks/run.py [--rows N] [--repeat K] [--no-phases]      (or: make bench)

What it does, in one process and one run:

1. Generates (once; cached in benchmarks/out/, keyed by row count and GENERATOR_VERSION) a seeded,
   realistic demand CSV with the header of ten demand fields (`COLUMNS`): ISO dates over a year with
   busy Mondays and quiet weekends, touchpoints typed in varied case and spacing, a few hundred customer
   phrases (some quoted: commas, quotes, '£'), 20 demand types with spelling variants, value/failure
   labels as teams write them ('V', 'FD', 'value demand', blank...), failure causes, yes/no/blank one-stop,
   decimal handling minutes, case ids, resolved dates or blank, and a handful of rows with no readable
   date (set aside by the loader). Generation is vectorised (numpy + pyarrow.compute), not a loop per row.
2. Times, K times each, interleaved:
   * baseline: `pyarrow.csv.read_csv(path)` with default options (type inference, all cores);
   * workbench: `load_demand(path, catalogue=...)` + `analysis.summary(frame)`, i.e. load + validate +
     summary, the way the CLI's `demand summary` does it;
   * phases (unless --no-phases), in a separate pass: `read_table`, `clean`, `summary`;
   * for reference only: Arrow reading every column as text, which is what `read_table` asks Arrow for.
3. Prints best-of and median seconds, the ratio workbench / baseline and whether the 1.5x target is met,
   and writes the figures to benchmarks/out/latest.json.

A benchmark reports; it does not gate: the exit code is 0 whatever the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable from a checkout without `pip install -e .`; an installed or
    sys.path.append(str(ROOT))  # PYTHONPATH workbench comes first (to time another copy of it)

from workbench import schema  # noqa: E402
from workbench.demand import analysis  # noqa: E402
from workbench.demand.catalogue import Catalogue, parse_catalogue  # noqa: E402
from workbench.demand.load import LoadedDemand, clean, load_demand, read_table  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO = 1.5
SEED = 20260105
# Bump when the generated data changes (values, rates, chunking): cached files are keyed by it.
GENERATOR_VERSION = 2  # 2: the header names the ten columns written (schema.FIELDS grew two call-log fields)
CHUNK_ROWS = 250_000  # rows generated and written at a time (part of the data: the draws are per chunk)

FIRST_DAY = np.datetime64("2025-01-06")  # a Monday; the sample covers 52 weeks
WEEKS = 52
BLANK_DATE_EVERY = 20_000  # 1 row in 20,000 has no date; 1 in 50,000 has an unreadable one ('TBC')
UNREADABLE_DATE_EVERY = 50_000

# --------------------------------------------------------------------------------------------- the data

# (type, nature, cause, customer-word stems). Natures and causes are what the catalogue says.
TYPES: list[tuple[str, str, str, list[str]]] = [
    ("Report a leak", "value", "", [
        "Water is coming through the kitchen ceiling", "The pipe under the sink is dripping",
        "There's a leak from the flat upstairs", "The bath tap won't stop running",
        "Water coming in round the back door when it rains"]),
    ("Report no heating or hot water", "value", "", [
        "The boiler has stopped working", "No hot water since yesterday",
        "The radiators are cold, I've got a baby at home", "Boiler keeps showing an error code",
        "Heating comes on then cuts out"]),
    ("Report a broken door, window or lock", "value", "", [
        "The handle's come off the back door", "Front door lock is jammed",
        "Window won't close, it's stuck open", "The letterbox is hanging off",
        'Kids broke the glass in the "safety" window']),
    ("Report damp and mould", "value", "", [
        "Black mould in the bedroom again", "I've spent £60 on a dehumidifier and the mould is still coming back",
        "Damp patch on the living room wall", "The bathroom ceiling is going green",
        "Condensation running down the windows"]),
    ("Report an electrical fault", "value", "", [
        "The sockets in the kitchen have no power", "Smoke alarm keeps beeping",
        "Bathroom fan doesn't work", "Lights flicker, trips the fuse box", "Extractor hood is sparking"]),
    ("Report a blocked drain or toilet", "value", "", [
        "The toilet is blocked", "Kitchen sink won't drain", "Drain outside is overflowing",
        "Bath water comes back up the plughole", "Smell from the drains, it's awful"]),
    ("Book a gas safety check", "value", "", [
        "Got a letter about the gas check, can I book it", "I need to book my gas safety check",
        "Can the gas check be on a Saturday", "Booking the annual gas service"]),
    ("Request an adaptation", "value", "", [
        "Can I have a grab rail by the bath", "My mum needs a ramp at the front",
        "Asking about a level-access shower", "Need a second handrail on the stairs"]),
    ("Report a broken communal light", "value", "", [
        "The light on the third floor landing is out", "Car park lights are off",
        "Stairwell is pitch black at night", "Entrance light keeps flashing"]),
    ("Report a pest problem", "value", "", [
        "Mice in the kitchen", "Wasps nest in the roof", "Cockroaches coming from next door",
        "Rats in the bin store"]),
    ("Ask about a planned improvement", "value", "", [
        "When are we getting the new kitchens", "Is my block on the list for new windows",
        "Heard about new roofs, when is ours", "Will the new boilers come before winter"]),
    ("Chasing a repair", "failure", "progress chasing", [
        "When is someone coming about the leak? I've already rung once",
        "Still waiting for the boiler man, it's been two weeks", "Ringing again about the mould",
        "Any news on my repair", "I reported this a month ago", "Nobody has been about the door"]),
    ("Operative did not turn up", "failure", "no-show", [
        "Waited in all day and nobody came", "I took a day off work and no one turned up",
        "The engineer never arrived", 'They said "between 8 and 1" and nobody came']),
    ("Repair did not fix the problem", "failure", "not done right first time", [
        "They fixed the tap but it's leaking again", "Boiler broke again the day after the visit",
        "Same mould came back a week after they painted over it", "The lock still sticks"]),
    ("Promised call-back not received", "failure", "not done", [
        "Someone said they'd ring me back yesterday about the hall light and they never did",
        "Still waiting for the call back", "Was promised a call from the supervisor"]),
    ("Don't understand the letter", "failure", "unclear communication", [
        "What does this letter mean", "Got a letter saying I owe for a repair, why",
        "The letter says access refused, I was in"]),
    ("Asking what the text message means", "failure", "unclear communication", [
        "Had a text saying my job is closed but nothing was done", "What does this text mean",
        "Text says appointment cancelled, did I cancel it?"]),
    ("Sent here by another department", "failure", "wrong place", [
        "The council tax office told me to ring you", "Housing officer said to call repairs",
        "Was put through to the wrong team twice"]),
    ("Complaint about a repair", "failure", "not done right first time", [
        "They left a mess in the kitchen", "Paint all over the carpet after the job",
        "Want to complain about the work done"]),
    ("Rearrange a missed appointment", "failure", "no-show", [
        "Need a new date, nobody came on Tuesday", "Can you rebook the visit that didn't happen",
        "Missed appointment, need another"]),
]
TYPE_WEIGHTS = np.array([14, 9, 7, 8, 6, 5, 6, 2, 3, 2, 2, 12, 4, 4, 3, 2, 2, 3, 2, 2], dtype=float)
TAILS = ["", " please", ", it's urgent", " again", ", I'm disabled", " - can someone ring me"]

TOUCHPOINTS = [  # (spelling, weight): six touchpoints, typed as people type them
    ("Phone", 40), ("phone", 6), (" Phone ", 2), ("PHONE", 1),
    ("Email", 14), ("email ", 3), ("E-mail", 1),
    ("Web form", 16), ("web form", 3), ("Web  form", 1),
    ("Counter", 5), ("counter", 1),
    ("Letter", 3),
    ("On site", 5), ("on site", 1), ("On Site", 1),
]
VALUE_LABELS = [("value", 45), ("Value", 14), ("V", 10), ("v", 3), ("value demand", 5), ("Value ", 2), ("VD", 1)]
FAILURE_LABELS = [("failure", 45), ("Failure", 14), ("F", 8), ("FD", 6), ("failure demand", 5),
                  ("Failure Demand", 2), ("fail", 1)]
UNSURE_LABELS = [("?", 2), ("not sure", 1), ("TBC", 1)]
ONE_STOP = [("yes", 40), ("Yes", 10), ("Y", 5), ("no", 25), ("No", 8), ("N", 4), ("", 8)]

# Shares of rows (by the type's true nature): label blank (the catalogue fills it), label unsure,
# label contradicting the catalogue; cause blank for failure demand (the catalogue fills it).
NATURE_BLANK, NATURE_UNSURE, NATURE_CONFLICT, CAUSE_BLANK = 0.10, 0.01, 0.001, 0.25
MINUTES_BLANK, RESOLVED_BLANK = 0.05, 0.15
# The columns written, in order: the demand fields a typical sample has (no call-log queue fields).
COLUMNS = (schema.RECEIVED_AT, schema.TOUCHPOINT, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE, schema.NATURE,
           schema.FAILURE_CAUSE, schema.ONE_STOP, schema.HANDLING_MINUTES, schema.CASE_ID, schema.RESOLVED_AT)



def in_child(setup: str, code: str, path: Path, cpu: list[float] | None = None) -> tuple[float, float, str]:
    """Run `code` in a fresh Python process after `setup` (imports and reading, before the clock starts), with
    the file's path as sys.argv[1]: (seconds, peak memory in MB, the first line it printed). Peak memory is the
    kernel's high-water mark of the child's own address space (VmHWM): ru_maxrss would carry the parent's peak
    over fork and exec. The child's CPU seconds (every thread) over the same span are appended to `cpu`."""
    measure = (setup + "; import resource, sys, time; t0_ = time.perf_counter(); "
               "u_ = resource.getrusage(resource.RUSAGE_SELF); exec(sys.argv[2]); "
               "print('SECONDS', time.perf_counter() - t0_); v_ = resource.getrusage(resource.RUSAGE_SELF); "
               "print('CPU', v_.ru_utime + v_.ru_stime - u_.ru_utime - u_.ru_stime); "
               "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
               "print('RSS_MB', int(hwm[0].split()[1]) / 1024 if hwm else "
               "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", measure, str(path), code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    values = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("SECONDS", "RSS_MB", "CPU ")))
    said = next((line for line in out.splitlines() if not line.startswith(("SECONDS", "RSS_MB", "CPU "))), "")
    if cpu is not None:
        cpu.append(float(values["CPU"]))
    return float(values["SECONDS"]), float(values["RSS_MB"]), said

def _csv_field(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _S(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _vocab(values: list[str]) -> pa.Array:
    return pa.array([_csv_field(v) for v in values], type=pa.large_string())


def _weighted(rng: np.random.Generator, pairs: list[tuple[str, float]], n: int) -> np.ndarray:
    weights = np.array([w for _, w in pairs], dtype=float)
    return rng.choice(len(pairs), size=n, p=weights / weights.sum())


def _type_variants(name: str) -> list[str]:
    """How a type is typed: mostly as in the catalogue, sometimes lower case or with stray spaces."""
    return [name, name.lower(), name + " ", " " + name, name.replace(" ", "  ", 1)]


TYPE_VARIANT_WEIGHTS = np.array([85, 7, 4, 2, 2], dtype=float)


def catalogue_yaml() -> str:
    lines = ["service: Benchmark housing repairs", "types:"]
    for name, nature, cause, _ in TYPES:
        lines.append(f"  - type: {json.dumps(name)}")
        lines.append(f"    nature: {nature}")
        if cause:
            lines.append(f"    cause: {cause}")
    return "\n".join(lines) + "\n"


def _received_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Minutes since FIRST_DAY for n contacts, sorted: busy Mondays, quiet weekends, office hours."""
    days = WEEKS * 7
    weekday = np.arange(days) % 7
    day_weight = np.array([1.5, 1.0, 1.0, 1.0, 0.9, 0.25, 0.15])[weekday]
    day_weight *= 1.0 + 0.1 * np.sin(np.arange(days) / 20.0)  # a slow drift, as real volumes have
    day = rng.choice(days, size=n, p=day_weight / day_weight.sum())
    office = rng.random(n) < 0.92
    minute = np.where(office, rng.integers(8 * 60, 18 * 60, size=n), rng.integers(0, 24 * 60, size=n))
    out = day.astype(np.int64) * 1440 + minute
    out.sort()
    return out


def _dates(minutes: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM' for minutes since FIRST_DAY (numpy's formatting: 3x faster than pc.strftime)."""
    stamps = FIRST_DAY.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    iso = pa.array(np.datetime_as_string(stamps, unit="m"), type=pa.large_string())  # 2025-01-06T09:15
    return pc.replace_substring(iso, "T", " ")


def _chunk(rng: np.random.Generator, received: np.ndarray, first_case: int) -> pa.Array:
    """CSV lines (each ending in a newline) for one chunk of rows, as one large_string array."""
    n = len(received)
    type_code = rng.choice(len(TYPES), size=n, p=TYPE_WEIGHTS / TYPE_WEIGHTS.sum())
    is_failure = np.array([t[1] == "failure" for t in TYPES])[type_code]

    # received_at, with a few rows blank or unreadable
    received_text = _dates(received)
    bad = np.zeros(n, dtype=bool)
    blank_date = rng.random(n) < 1 / BLANK_DATE_EVERY
    unreadable = rng.random(n) < 1 / UNREADABLE_DATE_EVERY
    received_text = pc.if_else(pa.array(blank_date), _S(""), received_text)
    received_text = pc.if_else(pa.array(unreadable & ~blank_date), _S("TBC"),
                               received_text)
    bad |= blank_date | unreadable

    touch = _vocab([t for t, _ in TOUCHPOINTS]).take(_weighted(rng, TOUCHPOINTS, n))

    # customer words: a phrase of the row's type, sometimes with a tail
    phrases: list[str] = []
    offsets = []
    for _, _, _, stems in TYPES:
        offsets.append(len(phrases))
        phrases.extend(stem + tail for stem in stems for tail in TAILS)
    stems_per_type = np.array([len(t[3]) for t in TYPES])
    stem = (rng.random(n) * stems_per_type[type_code]).astype(np.int64)
    tail = rng.choice(len(TAILS), size=n, p=np.array([60, 10, 10, 10, 4, 6]) / 100)
    words = _vocab(phrases).take(np.array(offsets)[type_code] + stem * len(TAILS) + tail)

    variants = [v for name, *_ in TYPES for v in _type_variants(name)]
    variant = rng.choice(len(TYPE_VARIANT_WEIGHTS), size=n, p=TYPE_VARIANT_WEIGHTS / TYPE_VARIANT_WEIGHTS.sum())
    demand_type = _vocab(variants).take(type_code * len(TYPE_VARIANT_WEIGHTS) + variant)

    # nature as recorded: value/failure labels, blank, unsure, or (rarely) contradicting the catalogue
    labels = [t for t, _ in VALUE_LABELS] + [t for t, _ in FAILURE_LABELS] + [t for t, _ in UNSURE_LABELS] + [""]
    value_pick = _weighted(rng, VALUE_LABELS, n)
    failure_pick = _weighted(rng, FAILURE_LABELS, n) + len(VALUE_LABELS)
    unsure_pick = _weighted(rng, UNSURE_LABELS, n) + len(VALUE_LABELS) + len(FAILURE_LABELS)
    u = rng.random(n)
    conflict = u < NATURE_CONFLICT
    recorded_failure = is_failure ^ conflict
    nature_code = np.where(recorded_failure, failure_pick, value_pick)
    nature_code = np.where((u >= NATURE_CONFLICT) & (u < NATURE_CONFLICT + NATURE_UNSURE), unsure_pick,
                           nature_code)
    nature_blank = (u >= NATURE_CONFLICT + NATURE_UNSURE) & (u < NATURE_CONFLICT + NATURE_UNSURE + NATURE_BLANK)
    nature_code = np.where(nature_blank, len(labels) - 1, nature_code)
    nature = _vocab(labels).take(nature_code)

    # failure cause: the type's cause in the team's spelling, blank for value demand and sometimes for failure
    causes = sorted({t[2] for t in TYPES if t[2]})
    cause_labels = [""] + [c for c in causes] + [c.capitalize() for c in causes]
    type_cause = np.array([causes.index(t[2]) + 1 if t[2] else 0 for t in TYPES])[type_code]
    capital = rng.random(n) < 0.3
    cause_code = np.where(capital & (type_cause > 0), type_cause + len(causes), type_cause)
    cause_code = np.where(is_failure & ~conflict & (rng.random(n) >= CAUSE_BLANK), cause_code, 0)
    cause = _vocab(cause_labels).take(cause_code)

    one_stop_code = _weighted(rng, ONE_STOP, n)
    one_stop = _vocab([t for t, _ in ONE_STOP]).take(one_stop_code)

    # handling minutes: log-normal, one decimal, some blank
    tenths = np.clip(np.round(rng.lognormal(np.log(80), 0.7, size=n)), 1, 9999).astype(np.int64)
    minutes = pc.binary_join_element_wise(
        pc.cast(pa.array(tenths // 10), pa.large_string()), pc.cast(pa.array(tenths % 10), pa.large_string()), _S("."))
    minutes = pc.if_else(pa.array(rng.random(n) < MINUTES_BLANK), _S(""), minutes)

    # case id: a new case, or for failure demand often the case it chases
    case = first_case + np.arange(n, dtype=np.int64)
    chases = is_failure & (rng.random(n) < 0.5)
    case = np.where(chases, case - (rng.random(n) * np.minimum(case, 20_000)).astype(np.int64), case)
    case_id = pc.binary_join_element_wise(
        _S("HR-"), pc.utf8_lpad(pc.cast(pa.array(case), pa.large_string()), 7, "0"), _S(""))

    # resolved: hours to weeks after receipt, or blank (still open; always for rows without a date)
    delay = np.clip(rng.lognormal(np.log(2 * 1440), 1.3, size=n), 5, 120 * 1440).astype(np.int64)
    resolved = _dates(received + delay)
    resolved = pc.if_else(pa.array((rng.random(n) < RESOLVED_BLANK) | bad), _S(""),
                          resolved)

    columns = [received_text, touch, words, demand_type, nature, cause, one_stop, minutes, case_id, resolved]
    lines = pc.binary_join_element_wise(*columns, _S(","))
    return pc.binary_join_element_wise(lines, _S(""), _S("\n"))


def _lines_bytes(lines: pa.Array) -> memoryview:
    """The concatenated text of a large_string array without nulls (its data buffer, offsets first to last)."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]]


def generate(path: Path, rows: int) -> None:
    """Write the CSV (atomically: an interrupted run leaves no half file in the cache)."""
    rng = np.random.default_rng(SEED)
    received = _received_minutes(rng, rows)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        f.write((",".join(COLUMNS) + "\n").encode())
        for start in range(0, rows, CHUNK_ROWS):
            chunk = received[start: start + CHUNK_ROWS]
            f.write(_lines_bytes(_chunk(rng, chunk, start + 1)))
    tmp.replace(path)


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def size_arguments(parser: argparse.ArgumentParser, rows: int, what: str = "measurement") -> None:
    """--rows (of the generated file) and --repeat (timed runs), each a whole number from 1: what every
    benchmark on the generated demand file takes."""
    parser.add_argument("--rows", type=_at_least_one, default=rows, help=f"rows in the generated file ({rows:,})")
    parser.add_argument("--repeat", type=_at_least_one, default=3, help=f"timed runs of each {what} (3)")


def dataset(rows: int) -> tuple[Path, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"demand_{rows}_g{GENERATOR_VERSION}.csv"
    seconds = 0.0
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, rows)
        seconds = time.perf_counter() - t0
    (OUT / "catalogue.yaml").write_text(catalogue_yaml())
    return path, seconds


# --------------------------------------------------------------------------------------------- timing


def baseline(path: Path) -> pa.Table:
    """The bare read the target is measured against: default options (type inference, all cores)."""
    return pa_csv.read_csv(path)


def string_read(path: Path) -> pa.Table:
    """For reference only: every column as text, which is what the loader asks Arrow for (no inference)."""
    return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types=dict.fromkeys(COLUMNS, pa.string()), strings_can_be_null=False))


def workbench(path: Path, catalogue: Catalogue) -> tuple[LoadedDemand, dict[str, object]]:
    """What `workbench demand summary` does: load (read + validate + clean) and summarise."""
    loaded = load_demand(path, catalogue=catalogue)
    return loaded, analysis.summary(loaded.frame)


def phases(path: Path, catalogue: Catalogue) -> dict[str, float]:
    """The same work, timed step by step: load_demand is read_table then clean."""
    gc.collect()
    t0 = time.perf_counter()
    raw = read_table(path)
    t1 = time.perf_counter()
    loaded = clean(raw, catalogue=catalogue)
    t2 = time.perf_counter()
    analysis.summary(loaded.frame)
    t3 = time.perf_counter()
    return {"read_table": t1 - t0, "clean": t2 - t1, "summary": t3 - t2}


CPU_SECONDS: dict[str, list[float]] = {}  # process CPU time (every thread) of each timed run, by label


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(fn, label: str = ""):  # noqa: ANN001, ANN202
    """Wall seconds and the result; the run's CPU seconds go to CPU_SECONDS[label]. On a shared machine
    the CPU time moves far less than the wall time: it says how much work was done, not how long it took."""
    gc.collect()
    c0 = _cpu()
    t0 = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - t0
    if label:
        CPU_SECONDS.setdefault(label, []).append(_cpu() - c0)
    return wall, result


def _stats(xs: list[float]) -> dict[str, object]:
    return {"best": min(xs), "median": statistics.median(xs), "runs": [round(x, 4) for x in xs]}


def _git() -> dict[str, object]:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "workbench"], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout.strip())
        return {"commit": head, "workbench_modified": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {}


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "machine": platform.machine(),
        "system": platform.system(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "arrow_threads": pa.cpu_count(),
    }


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def check(loaded: LoadedDemand, summary: dict[str, object], rows: int) -> list[str]:
    """Sanity checks, so that the figures are of a load that did the whole job."""
    problems = []
    report = loaded.report
    expected_aside = rows // BLANK_DATE_EVERY // 4  # far fewer than this would mean no dates were checked
    if report.rows_read != rows:
        problems.append(f"rows_read {report.rows_read:,} != {rows:,}")
    if report.rows_used + len(report.set_aside) + report.blank_rows != rows:
        problems.append("rows used + set aside + blank != rows")
    if report.rows_used != len(loaded.frame):
        problems.append("rows_used != len(frame)")
    if len(report.set_aside) < expected_aside:
        problems.append(f"only {len(report.set_aside)} row(s) set aside; the data has about {rows // BLANK_DATE_EVERY}")
    if report.unknown_types:
        problems.append(f"unknown types: {report.unknown_types}")
    if rows >= 1000 and not report.filled_from_catalogue:  # about 10% of rows have a blank value/failure
        problems.append("the catalogue filled nothing")
    total = summary["value"] + summary["failure"] + summary["unclassified"]  # type: ignore[operator]
    if total != len(loaded.frame):
        problems.append("summary total != rows used")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size_arguments(parser, 1_000_000)
    parser.add_argument("--no-phases", action="store_true", help="skip the step-by-step pass (faster)")
    args = parser.parse_args(argv)

    path, gen_seconds = dataset(args.rows)
    size_mb = path.stat().st_size / 1e6
    catalogue = parse_catalogue((OUT / "catalogue.yaml").read_text(), "catalogue.yaml")
    import workbench as wb_package

    print(f"data: {path.relative_to(ROOT)} ({args.rows:,} rows, {size_mb:.1f} MB"
          + (f", generated in {gen_seconds:.1f} s" if gen_seconds else ", cached") + ")")
    print(f"workbench: {Path(wb_package.__file__).parent}", flush=True)
    load_before = _load()
    baseline(path)  # untimed: the file into the page cache, Arrow's thread pool and allocator warmed up

    times: dict[str, list[float]] = {"baseline": [], "string_read": [], "workbench": []}
    phase_s: dict[str, list[float]] = {"read_table": [], "clean": [], "summary": []}
    problems: list[str] = []
    report_lines: list[str] = []
    for i in range(args.repeat):  # interleaved, so that a slow spell on a shared machine hits all alike
        t, table = _timed(lambda: baseline(path), "baseline")
        times["baseline"].append(t)
        del table
        t, table = _timed(lambda: string_read(path), "string_read")
        times["string_read"].append(t)
        del table
        t, (loaded, summ) = _timed(lambda: workbench(path, catalogue), "workbench")
        times["workbench"].append(t)
        if i == 0:
            problems = check(loaded, summ, args.rows)
            report_lines = loaded.report.summary_lines()
        del loaded, summ
        if not args.no_phases:
            for k, v in phases(path, catalogue).items():
                phase_s[k].append(v)
        print(f"  run {i + 1}/{args.repeat}: baseline {times['baseline'][-1]:.3f} s, "
              f"workbench {times['workbench'][-1]:.3f} s", flush=True)

    base, wb, ref = _stats(times["baseline"]), _stats(times["workbench"]), _stats(times["string_read"])
    ratio_best = wb["best"] / base["best"]
    ratio_median = wb["median"] / base["median"]
    met = ratio_best <= TARGET_RATIO
    info = machine()
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "generator_version": GENERATOR_VERSION,
        "repeat": args.repeat,
        "baseline_s": base,
        "workbench_s": wb,
        "ratio_best": round(ratio_best, 3),
        "ratio_median": round(ratio_median, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": met,
        "phases_s": {k: _stats(v) for k, v in phase_s.items() if v},
        "reference_string_read_s": ref,
        "cpu_s": {k: _stats(v) for k, v in CPU_SECONDS.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": {"before": load_before, "after": _load()},
        "machine": info,
        "workbench_path": str(Path(wb_package.__file__).parent),
        "git": _git(),
        "sanity_problems": problems,
        "load_report": report_lines,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.json").write_text(json.dumps(result, indent=2) + "\n")

    def line(label: str, s: dict[str, object]) -> str:
        return f"{label:<40}{s['best']:>9.3f}s{s['median']:>9.3f}s"

    print()
    print(f"{'':<40}{'best':>10}{'median':>10}")
    print(line("baseline: pyarrow.csv.read_csv(path)", base))
    print(line("workbench: load_demand + summary", wb))
    print(f"{'ratio workbench / baseline':<40}{ratio_best:>9.2f}x{ratio_median:>9.2f}x")
    if phase_s["read_table"]:
        for k in ("read_table", "clean", "summary"):
            print(line(f"  phase {k}", _stats(phase_s[k])))
    print(line("reference: Arrow read, all columns text", ref) + "   (what read_table asks Arrow for)")
    cpu = {k: min(v) for k, v in CPU_SECONDS.items()}
    if cpu.get("baseline"):
        print(f"CPU seconds (every thread, best): baseline {cpu['baseline']:.3f}, workbench {cpu['workbench']:.3f}, "
              f"all-text read {cpu['string_read']:.3f}; ratio {cpu['workbench'] / cpu['baseline']:.2f}x "
              "(the work done, which a busy machine moves far less than the wall time)")
    print()
    print(f"rows {args.rows:,}   file {size_mb:.1f} MB   peak RSS {result['peak_rss_mb']:,} MB   "
          f"load average {load_before} before, {result['load_average']['after']} after")
    print(f"machine: {info['cpus_usable']} of {info['cpu_count']} CPUs usable, {info['machine']}, "
          f"python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}")
    if load_before is not None and load_before > 0.5 * (info["cpus_usable"] or 1):
        print("note: the machine was busy when the run started; figures (the baseline most, it uses every core) "
              "may be inflated and noisy")
    if problems:
        print("SANITY CHECK FAILED (the figures may not be of a full load): " + "; ".join(problems))
    verdict = "MET" if met else "NOT MET"
    print(f"target: workbench within {TARGET_RATIO}x of the bare read (best of {args.repeat}): {verdict} "
          f"({ratio_best:.2f}x)")
    print(f"figures written to {(OUT / 'latest.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
