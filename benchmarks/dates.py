"""Load + summary of the benchmark demand file with its dates written in the forms real exports use, against the
same file with plain ISO dates, measured in the same run.

    .venv/bin/python benchmarks/dates.py [--rows N] [--repeat K]

1. Takes the demand CSV of `benchmarks/run.py` (generated once and cached: `received_at` and `resolved_at` as
   'YYYY-MM-DD HH:MM', a few blank or 'TBC' dates) and writes copies (cached too) whose two date columns are
   written as: fractional seconds ('2025/01/06 09:15:00.000'), ISO with a 'Z' offset, month names
   ('06 Jan 2025 09:15'), a 12-hour clock ('01/06/2025 09:15 AM', month-first), Unix seconds and Unix
   milliseconds. Every other byte is the ISO file's (same cells, same quoting); blank and 'TBC' dates stay as
   they were.
2. Times, K times each and interleaved (so a busy spell on a shared machine hits all alike), what
   `workbench demand summary` does: `load_demand(path, catalogue=...)` then `analysis.summary(frame)`.
3. Prints best-of and median seconds per form and the ratio to the ISO file (target: within 1.5x), checks that
   each form's load read the same dates as the ISO one, and writes the figures to benchmarks/out/dates.json.

A benchmark reports; it does not gate: the exit code is 0 whatever the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (benchmarks/run.py: the generator, the timed call, the machine description)

from workbench import schema  # noqa: E402
from workbench.demand.catalogue import parse_catalogue  # noqa: E402

TARGET_RATIO = 1.5
FORMS_VERSION = 3  # bump when the forms below change: cached copies are keyed by it
# name -> how a timestamp column (Arrow timestamp[s]) is written
FORMS = {
    "fractional seconds": lambda ts: pc.strftime(ts, format="%Y/%m/%d %H:%M:%S.000"),
    "ISO with Z": lambda ts: pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ"),
    "month names": lambda ts: pc.strftime(ts, format="%d %b %Y %H:%M"),
    "AM/PM": lambda ts: pc.strftime(ts, format="%m/%d/%Y %I:%M %p"),
    "Unix seconds": lambda ts: pc.cast(pc.cast(ts, pa.int64()), pa.string()),
    "Unix milliseconds": lambda ts: pc.cast(pc.multiply(pc.cast(ts, pa.int64()), 1000), pa.string()),
    # a date and a time of day in two columns (a call log's 'Call date', 'Call time'), joined by the loader
    "date and time apart": lambda ts: pc.strftime(ts, format="%d/%m/%Y,%H:%M"),
}
# forms whose date cells are two columns: the header names them (recognised without options)
TWO_COLUMNS = {"date and time apart": ("Call date,Call time", "Date resolved,Time resolved")}
DATE_FIELDS = (schema.RECEIVED_AT, schema.RESOLVED_AT)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def write_form(iso_path: Path, name: str, rows: int) -> Path:
    """A copy of the ISO file with its date columns written in form `name` (cached). Only the date cells
    change: `received_at` is each line's first field and `resolved_at` its last (never quoted), so the lines
    are cut at their first and last comma and every other byte is the ISO file's (same quoting, same cells)."""
    path = run.OUT / f"demand_{rows}_g{run.GENERATOR_VERSION}_dates{FORMS_VERSION}_{_slug(name)}.csv"
    if path.exists():
        return path
    header, body = iso_path.read_bytes().split(b"\n", 1)
    assert list(header.decode().split(",")) == list(run.COLUMNS) and (
        run.COLUMNS[0], run.COLUMNS[-1]) == DATE_FIELDS, "the date columns are expected first and last"
    lines = pc.split_pattern(pa.array([body.rstrip(b"\n").decode()], pa.large_string()), "\n").flatten()
    head = pc.split_pattern(lines, ",", max_splits=1)
    tail = pc.split_pattern(pc.list_element(head, 1), ",", max_splits=1, reverse=True)
    first, middle, last = pc.list_element(head, 0), pc.list_element(tail, 0), pc.list_element(tail, 1)

    apart = TWO_COLUMNS.get(name)

    def rewrite(text: pa.Array) -> pa.Array:
        ts = pc.strptime(text, format="%Y-%m-%d %H:%M", unit="s", error_is_null=True)
        unread = (pc.binary_join_element_wise(text, pa.scalar("", pa.large_string()), pa.scalar(",", pa.large_string()))
                  if apart else text)
        return pc.if_else(pc.is_null(ts), unread, pc.cast(FORMS[name](ts), pa.large_string()))

    written = pc.binary_join_element_wise(rewrite(first), middle, rewrite(last), pa.scalar(",", pa.large_string()))
    written = pc.binary_join_element_wise(written, pa.scalar("", pa.large_string()),
                                          pa.scalar("\n", pa.large_string()))  # each line and its newline
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        if apart:  # the first and last column names become two each
            names = header.decode().split(",")
            header = ",".join([apart[0], *names[1:-1], apart[1]]).encode()
        f.write(header + b"\n")
        f.write(run._lines_bytes(written))
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.size_arguments(parser, 1_000_000, "file")
    args = parser.parse_args(argv)

    # 'Z' times are converted to the machine's zone (workbench.demand.dates.local_zone); UTC here, so that
    # every form reads the same instants as the ISO file and the sanity check can compare them
    os.environ["TZ"] = "UTC"
    iso_path, _ = run.dataset(args.rows)
    catalogue = parse_catalogue((run.OUT / "catalogue.yaml").read_text(), "catalogue.yaml")
    t0 = time.perf_counter()
    paths = {"plain ISO (baseline)": iso_path} | {name: write_form(iso_path, name, args.rows) for name in FORMS}
    print(f"data: {args.rows:,} rows per file; copies ready in {time.perf_counter() - t0:.1f} s", flush=True)
    load_before = run._load()
    times: dict[str, list[float]] = {name: [] for name in paths}
    problems: list[str] = []
    reference = None
    for i in range(args.repeat):
        for name, path in paths.items():
            t, (loaded, _) = run._timed(lambda p=path: run.workbench(p, catalogue))
            times[name].append(t)
            if i == 0:
                dates = loaded.frame[schema.RECEIVED_AT].to_numpy()
                if reference is None:
                    reference = dates
                elif len(dates) != len(reference) or not np.array_equal(dates, reference):
                    problems.append(f"{name}: the dates read differ from the ISO file's")
                if i == 0 and name != "plain ISO (baseline)":
                    print(f"  {name}: {loaded.report.date_notes[0] if loaded.report.date_notes else ''}")
            del loaded
        print(f"  run {i + 1}/{args.repeat} done", flush=True)

    base = min(times["plain ISO (baseline)"])
    base_median = statistics.median(times["plain ISO (baseline)"])
    print()
    print(f"{'dates written as':<24}{'best':>9}{'median':>9}{'ratio':>8}  (load_demand + summary)")
    result: dict[str, object] = {}
    for name, xs in times.items():
        best, median = min(xs), statistics.median(xs)
        ratio = best / base
        result[name] = {"best": round(best, 4), "median": round(median, 4), "ratio_best": round(ratio, 3),
                        "ratio_median": round(median / base_median, 3), "runs": [round(x, 4) for x in xs]}
        verdict = "" if name.startswith("plain") else ("  ok" if ratio <= TARGET_RATIO else "  over 1.5x")
        print(f"{name:<24}{best:>8.3f}s{median:>8.3f}s{ratio:>7.2f}x{verdict}")
    info = run.machine()
    print(f"\nload average {load_before} before, {run._load()} after; {info['cpus_usable']} CPUs, "
          f"python {info['python']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}")
    if problems:
        print("SANITY CHECK FAILED: " + "; ".join(problems))
    (run.OUT / "dates.json").write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "rows": args.rows, "repeat": args.repeat,
        "forms": result, "load_average": {"before": load_before, "after": run._load()}, "machine": info,
        "git": run._git(), "sanity_problems": problems}, indent=2) + "\n")
    print(f"figures written to {(run.OUT / 'dates.json').relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
