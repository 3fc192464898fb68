"""An event log as demand: one demand per case, with a load report in the words a demand file gets, and the
team's catalogue applied by demand type, so every demand chart, the dashboard and Compare take a log as they
take a demand file. The app and the CLI both come here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.demand.catalogue import Catalogue, parse_catalogue
from workbench.demand.cleaning import classify_by_type
from workbench.demand.reading import ReadOptions
from workbench.demand.report import LoadedDemand, LoadReport
from workbench.eventlog.analysis import rollup
from workbench.eventlog.columns import LOG_FIELDS
from workbench.eventlog.log import EventLog, read_log


def log_options(options: ReadOptions) -> ReadOptions:
    """The reading options for the log itself: a mapping of demand fields (`received_at=...`) is not the
    log's; the log's columns are recognised by their names, or mapped with the log's own field names."""
    pairs = tuple((f, c) for f, c in options.mapping_pairs if f in LOG_FIELDS)
    return options.updated(mapping=dict(pairs)) if pairs != options.mapping_pairs else options


def cases_as_demand(log: EventLog, name: str, options: ReadOptions | None = None,
                    catalogue: Catalogue | None = None) -> LoadedDemand:
    """One demand per case (`rollup`), classified by type from the catalogue where it knows the type."""
    options = options or ReadOptions()
    if catalogue is None and options.catalogue_text:
        catalogue = parse_catalogue(options.catalogue_text)
    lr = log.report
    frame = rollup(log)
    report = LoadReport(source=name, kind=lr.kind, header_row=options.header_row or 1,
                        columns=list(lr.mapping.values()), mapping=dict(lr.mapping), date_order=options.order,
                        rows_read=len(frame))
    frame = classify_by_type(frame, catalogue, report)
    report.read_as = f"Read {name} as an event log: {len(frame):,} cases (one demand each) from " \
                     f"{lr.events_used:,} events."
    report.notes = [*lr.summary_lines()[1:]]
    if report.filled_from_catalogue:
        report.notes.append(f"Value or failure of {report.filled_from_catalogue:,} case(s) came from the "
                            "catalogue, by demand type.")
    unclassified = int((frame["nature"] == "unclassified").sum())
    if unclassified:
        report.notes.append(f"Value or failure is not yet classified for {unclassified:,} case(s): classify "
                            "them in Customers' words" + (" or add their types to the catalogue." if catalogue
                                                          else "."))
    aside = pd.DataFrame({"row": [a.row for a in lr.set_aside], "reason": [a.reason for a in lr.set_aside]})
    return LoadedDemand(frame, report, aside)


def load_cases(source: str | Path | bytes, name: str | None = None, options: ReadOptions | None = None,
               catalogue: Catalogue | None = None) -> LoadedDemand:
    """Read an event log (CSV, Excel, XES) as demand, one per case: `read_log` then `cases_as_demand`."""
    options = options or ReadOptions()
    log = read_log(source, name, log_options(options))
    return cases_as_demand(log, log.report.source, options, catalogue)
