"""Session state and cached calls into the core, shared by the pages.

Expensive work (reading a file, cleaning it, aggregating) is cached with `st.cache_data`, keyed by a digest
of the file rather than its bytes so that large uploads are not re-hashed on every rerun.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from workbench import paths, schema
from workbench.demand import analysis
from workbench.demand.catalogue import Catalogue, parse_catalogue
from workbench.demand.corrections import Correction, apply_corrections
from workbench.demand.load import LoadedDemand, RawTable, clean, read_table
from workbench.safe_export import to_csv_bytes, to_xlsx_bytes

SAMPLE_NAME = "Housing repairs sample"


@dataclass
class Source:
    """A demand file and how to read it: everything needed to load it again."""

    name: str
    data: bytes
    is_sample: bool = False
    sheet: str | None = None
    header_row: int | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    date_order: str = "auto"
    catalogue_text: str | None = None
    catalogue_name: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.data).hexdigest()

    def key(self) -> tuple[object, ...]:
        return (self.digest, self.name, self.sheet, self.header_row, tuple(sorted(self.mapping.items())),
                self.date_order, self.catalogue_text)


def sample_source() -> Source:
    return Source(SAMPLE_NAME, paths.SAMPLE_DEMAND.read_bytes(), is_sample=True,
                  catalogue_text=paths.SAMPLE_CATALOGUE.read_text(encoding="utf-8"),
                  catalogue_name=paths.SAMPLE_CATALOGUE.name)


@st.cache_data(show_spinner=False, max_entries=8)
def read_raw(digest: str, _data: bytes, name: str, sheet: str | None, header_row: int | None) -> RawTable:
    return read_table(_data, name, sheet=sheet, header_row=header_row)


@st.cache_data(show_spinner=False, max_entries=8)
def catalogue_from_text(text: str, name: str) -> Catalogue:
    return parse_catalogue(text, name)


def _catalogue(src: Source) -> Catalogue | None:
    if not src.catalogue_text:
        return None
    return catalogue_from_text(src.catalogue_text, src.catalogue_name or "catalogue")


@st.cache_data(show_spinner=False, max_entries=8)
def _load(key: tuple[object, ...], _src: Source) -> LoadedDemand:
    raw = read_raw(_src.digest, _src.data, _src.name, _src.sheet, _src.header_row)
    return clean(raw, _src.mapping, date_order=_src.date_order, catalogue=_catalogue(_src))


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


@st.cache_data(show_spinner=False, max_entries=16)
def _view(key: tuple[object, ...], corrections: tuple[Correction, ...], _src: Source) -> DemandView:
    loaded = load(_src)
    frame = apply_corrections(loaded.frame, list(corrections), _catalogue(_src)) if corrections else loaded.frame
    return DemandView(
        frame=frame,
        headline=analysis.headline(frame),
        shares=analysis.nature_shares(frame),
        touchpoints=analysis.by_touchpoint(frame),
        types=analysis.pareto(frame),
        causes=analysis.failure_causes(frame),
        weekly=analysis.over_time(frame, "W"),
        daily=analysis.over_time(frame, "D"),
        by_touchpoint=analysis.by_field(frame, schema.TOUCHPOINT),
        by_type=analysis.by_field(frame, schema.DEMAND_TYPE),
    )


def view(src: Source, corrections: list[Correction]) -> DemandView:
    return _view(src.key(), tuple(corrections), src)


@st.cache_data(show_spinner=False, max_entries=4)
def downloads(key: tuple[object, ...], corrections: tuple[Correction, ...], _src: Source) -> tuple[bytes, bytes]:
    """The cleaned, classified demand as CSV and Excel (formula-safe), with the set-aside rows in Excel."""
    frame = view(_src, list(corrections)).frame.drop(columns=[schema.TOUCHPOINT_KEY])
    frame = frame.rename(columns=schema.FIELD_LABELS)
    aside = load(_src).set_aside_rows
    return to_csv_bytes(frame), to_xlsx_bytes({"Demand": frame, "Set aside": aside})


# ---------------------------------------------------------------------------------- session helpers

ACTIVE = "demand_source"
CORRECTIONS = "demand_corrections"


def active_source() -> Source:
    """The demand the pages show: the sample until the user loads something else that works."""
    if ACTIVE not in st.session_state:
        st.session_state[ACTIVE] = sample_source()
        st.session_state[CORRECTIONS] = []
    return st.session_state[ACTIVE]


def set_active(src: Source) -> None:
    previous = st.session_state.get(ACTIVE)
    st.session_state[ACTIVE] = src
    if previous is None or previous.digest != src.digest:
        st.session_state[CORRECTIONS] = []


def corrections() -> list[Correction]:
    return st.session_state.setdefault(CORRECTIONS, [])
