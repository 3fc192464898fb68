"""The study's demand and cached calls into the core, shared by the pages.

The demand file, how it is read and every correction live in the study store (workbench.store): the pages
read them at each rerun, so a refresh, a restart or another person's edit shows what is saved. Expensive work
(reading a file, cleaning it, aggregating) is cached with `st.cache_data`, keyed by a digest of the file
rather than its bytes so that large uploads are not re-hashed on every rerun.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from workbench import paths, schema
from workbench.app import study
from workbench.demand import analysis, end_to_end
from workbench.demand.catalogue import Catalogue, parse_catalogue
from workbench.demand.corrections import Correction, apply_corrections
from workbench.demand.load import LoadedDemand, RawTable, clean_as, read_table
from workbench.demand.reading import ReadOptions
from workbench.eventlog import EventLog, looks_like_event_log, read_log
from workbench.eventlog.cases import cases_as_demand
from workbench.safe_export import to_csv_bytes, to_xlsx_bytes
from workbench.store import studies

SAMPLE_NAME = "Housing repairs sample"


@dataclass
class Source:
    """A demand file and how to read it: everything needed to load it again."""

    name: str
    data: bytes
    is_sample: bool = False
    options: ReadOptions = field(default_factory=lambda: ReadOptions(date_order="auto"))
    catalogue_name: str | None = None
    source_id: int | None = None  # its id in the study store, once stored
    # sha1 of `data`, worked out once when the Source is made; dataclasses.replace (a new way of reading the same
    # bytes) copies it, so big files are not re-hashed on every use or every rerun. Never replace `data` alone.
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            self.digest = hashlib.sha1(self.data).hexdigest()

    def key(self) -> tuple[object, ...]:
        return (self.digest, self.name, *self.options.key())


def sample_source() -> Source:
    return Source(SAMPLE_NAME, paths.SAMPLE_DEMAND.read_bytes(), is_sample=True,
                  options=ReadOptions(date_order="auto",
                                      catalogue_text=paths.SAMPLE_CATALOGUE.read_text(encoding="utf-8")),
                  catalogue_name=paths.SAMPLE_CATALOGUE.name)


@st.cache_resource(show_spinner=False, max_entries=8)
def _read_raw(digest: str, _data: bytes, name: str, sheet: str | None, header_row: int | None
              ) -> tuple[RawTable, bool]:
    table = read_table(_data, name, sheet=sheet, header_row=header_row)
    return table, looks_like_event_log(table)


# The file's own table is kept as it is (cache_resource: nothing changes it), not unpickled at every rerun as
# cache_data would (tens of ms for a 100,000-row file, on every interaction of the Demand page), and whether it
# looks like an event log (a pass over every case id) is worked out once with it.
def read_raw(digest: str, data: bytes, name: str, sheet: str | None, header_row: int | None) -> RawTable:
    return _read_raw(digest, data, name, sheet, header_row)[0]


def looks_like_log(digest: str, data: bytes, name: str, sheet: str | None, header_row: int | None) -> bool:
    return _read_raw(digest, data, name, sheet, header_row)[1]


@st.cache_data(show_spinner=False, max_entries=8)
def catalogue_from_text(text: str, name: str) -> Catalogue:
    return parse_catalogue(text, name)


def catalogue(src: Source) -> Catalogue | None:
    """The demand-type catalogue `src` is read with, parsed (cached), or None when it has none."""
    if not src.options.catalogue_text:
        return None
    return catalogue_from_text(src.options.catalogue_text, src.catalogue_name or "catalogue")


@st.cache_data(show_spinner=False, max_entries=4)
def _event_log(key: tuple[object, ...], _src: Source) -> EventLog:
    # the demand fields' mapping is not the log's: the log's columns are recognised by their names
    options = dataclasses.replace(_src.options, mapping_pairs=())
    return read_log(_src.data, _src.name, options)


def event_log(src: Source) -> EventLog:
    """The study's file read as an event log (cached); EventLogError (a DemandFileError) when it is not one."""
    return _event_log(src.key(), src)


def rolled_up(log: EventLog, src: Source) -> LoadedDemand:
    """An event log as demand: one demand per case, classified from the study's catalogue by type."""
    return cases_as_demand(log, src.name, src.options, catalogue(src))


# The loaded demand and its view are kept as they are, not copied on every use (st.cache_resource, not cache_data):
# cache_data pickles a value when it is made and unpickles it at every hit, which for a 100,000-row frame cost tens of
# milliseconds each time a page asked for it (several times a rerun). Nothing changes them in place: the pages and
# the core functions they call read them and make new frames.
@st.cache_resource(show_spinner=False, max_entries=8)
def _load(key: tuple[object, ...], _src: Source) -> LoadedDemand:
    if _src.options.event_log:
        return rolled_up(event_log(_src), _src)
    raw = read_raw(_src.digest, _src.data, _src.name, _src.options.sheet, _src.options.header_row)
    return clean_as(raw, _src.options, catalogue(_src))


def load(src: Source) -> LoadedDemand:
    return _load(src.key(), src)


@dataclass
class DemandView:
    """The corrected frame and every aggregate the Demand page draws."""

    frame: pd.DataFrame
    headline: analysis.Headline
    shares: pd.DataFrame
    touchpoints: pd.DataFrame
    types: pd.DataFrame
    causes: pd.DataFrame
    weekly: pd.DataFrame
    daily: pd.DataFrame
    by_touchpoint: pd.DataFrame
    by_type: pd.DataFrame
    end_to_end: end_to_end.EndToEnd  # the customer's clock from the data (or why it cannot be measured)


@st.cache_resource(show_spinner=False, max_entries=8)
def _clock(key: tuple[object, ...], _src: Source) -> end_to_end.EndToEnd:
    """The customer's clock of the file as read. Corrections change labels only, never dates or case ids, so a
    corrected view starts from this (`end_to_end.relabel`) instead of measuring 100,000 rows again."""
    return end_to_end.measure(load(_src).frame)


@st.cache_resource(show_spinner=False, max_entries=16)
def _by_field(key: tuple[object, ...], by: str, corrections: tuple[Correction, ...], _frame: pd.DataFrame
              ) -> pd.DataFrame:
    return analysis.by_field(_frame, by)


def _field_table(key: tuple[object, ...], by: str, corrections: tuple[Correction, ...], frame: pd.DataFrame
                 ) -> pd.DataFrame:
    """Demands, one-stop and handling per touchpoint or type depend on that field alone, and only a type can be
    corrected: keyed by the corrections of that field, a value/failure correction finds them made already."""
    return _by_field(key, by, tuple(c for c in corrections if c.field == by), frame)


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(key: tuple[object, ...], corrections: tuple[Correction, ...], _src: Source) -> DemandView:
    loaded = load(_src)
    frame = apply_corrections(loaded.frame, list(corrections), catalogue(_src)) if corrections else loaded.frame
    clock = _clock(key, _src)
    return DemandView(
        frame=frame,
        headline=analysis.headline(frame),
        shares=analysis.nature_shares(frame),
        touchpoints=analysis.by_touchpoint(frame),
        types=analysis.pareto(frame),
        causes=analysis.failure_causes(frame),
        weekly=analysis.over_time(frame, "W"),
        daily=analysis.over_time(frame, "D"),
        by_touchpoint=_field_table(key, schema.TOUCHPOINT, corrections, frame),
        by_type=_field_table(key, schema.DEMAND_TYPE, corrections, frame),
        end_to_end=end_to_end.relabel(clock, frame) if corrections else clock,
    )


def view(src: Source, corrections: list[Correction]) -> DemandView:
    return _view(src.key(), tuple(corrections), src)


def _export_frame(src: Source, corrections: tuple[Correction, ...]) -> pd.DataFrame:
    frame = view(src, list(corrections)).frame.drop(columns=[schema.TOUCHPOINT_KEY])
    return frame.rename(columns=schema.FIELD_LABELS)


# The downloads are made when the person asks for one (st.download_button's deferred data), never while the page
# is drawn: an Excel file of 100,000 rows takes openpyxl tens of seconds, which every mapping change used to pay.
@st.cache_data(show_spinner=False, max_entries=2)
def download_csv(key: tuple[object, ...], corrections: tuple[Correction, ...], _src: Source) -> bytes:
    """The cleaned, classified demand as CSV (formula-safe)."""
    return to_csv_bytes(_export_frame(_src, corrections))


@st.cache_data(show_spinner=False, max_entries=2)
def download_xlsx(key: tuple[object, ...], corrections: tuple[Correction, ...], _src: Source) -> bytes:
    """The cleaned, classified demand as Excel (formula-safe), with the set-aside rows on a sheet of their own."""
    return to_xlsx_bytes({"Demand": _export_frame(_src, corrections), "Set aside": load(_src).set_aside_rows})


# ---------------------------------------------------------------------------------- the study's demand

SAMPLE_DIGEST = hashlib.sha1(paths.SAMPLE_DEMAND.read_bytes()).hexdigest() if paths.SAMPLE_DEMAND.exists() else ""


@st.cache_resource(max_entries=8, show_spinner=False)
def _stored_file(url: str, source_id: int, created_at: str) -> tuple[bytes, str]:
    """A stored demand file's bytes and digest, read once per server (stored files never change). Keyed by when
    it was stored too: SQLite may give a deleted file's id to a new one."""
    data = study.call(studies.demand_file, source_id)
    return data, hashlib.sha1(data).hexdigest()


def saved_catalogue() -> studies.CatalogueVersion | None:
    """The latest version of the study's own catalogue (the Demand types editor's), or None before the team
    saves one; then the catalogue stored with the demand file is used."""
    current = study.current()
    return study.call(studies.get_catalogue, current.id) if current else None


def _from_store(stored: studies.DemandSource) -> Source:
    data, digest = _stored_file(study.database_key(), stored.id, stored.created_at.isoformat())
    reading = stored.reading
    saved = saved_catalogue()  # the study's catalogue, when the team has saved one, reads every file
    text = saved.yaml_text if saved else reading.catalogue_text
    return Source(stored.name, data, is_sample=digest == SAMPLE_DIGEST,
                  options=dataclasses.replace(reading, date_order=reading.order,  # the page shows 'auto'
                                              catalogue_text=text),
                  catalogue_name=(f"the study's catalogue, version {saved.version}" if saved
                                  else "catalogue.yaml" if text else None),
                  source_id=stored.id, digest=digest)


def active_source() -> Source | None:
    """The current study's demand file as stored, or None when the study has none yet."""
    current = study.current()
    if current is None:
        return None
    stored = study.call(studies.current_demand_source, current.id, with_data=False)
    return _from_store(stored) if stored else None


def require_source() -> Source:
    """The study's demand, or a message pointing to the Demand page and a stop."""
    src = active_source()
    if src is None:
        st.info("This study has no demand data yet: load a file on the **Demand** page.", icon=":material/info:")
        st.stop()
    assert src is not None
    return src


def set_active(src: Source) -> Source:
    """Store a newly chosen file (or a new way of reading the current one) in the study, at once.

    The same bytes read differently keep their corrections (their rows are the same rows); a different file
    starts without any (the earlier file and its corrections are kept in the study)."""
    current = study.require()
    previous = active_source()
    if previous is not None and previous.digest == src.digest and previous.name == src.name:
        stored = study.call(studies.update_demand_reading, current.id, previous.source_id, src.options,
                            with_data=False)  # the page holds the bytes already
    else:
        stored = study.call(studies.set_demand_source, current.id, src.name, src.data, src.options,
                            author=study.author())
    return _from_store(stored)


@st.cache_data(show_spinner=False, max_entries=16)
def _correction_log(database: str, study_id: int, source_id: int | None, changed: object
                    ) -> list[studies.CorrectionRecord]:
    """Read once per state of the study: every save touches the study's `updated_at`, which is in the key."""
    return study.call(studies.correction_log, study_id, source_id)


def correction_log(src: Source | None = None) -> list[studies.CorrectionRecord]:
    """Every correction of the study's current file (or `src`'s), oldest first: read from the store when the
    study has changed since it was last read (a study of thousands of corrections is not read three times a
    rerun), else from the cache."""
    current = study.current()
    if current is None or (src is not None and src.source_id is None):
        return []
    return _correction_log(study.database_key(), current.id, src.source_id if src else None, current.updated_at)


def corrections(src: Source | None = None) -> list[Correction]:
    """The corrections stored for the study's current file, in the order they were made."""
    return [r.as_correction() for r in correction_log(src)]


def correction_versions(src: Source | None = None) -> dict[tuple[int, str], int]:
    """{(row, field): its latest version}: what the next correction of that cell is made from."""
    out: dict[tuple[int, str], int] = {}
    for r in correction_log(src):
        out[(r.row, r.field)] = max(out.get((r.row, r.field), 0), r.version)
    return out
