"""Altair chart builders. Each takes a small aggregated frame (from `workbench.demand.analysis` or
`workbench.spc`) and returns a chart; none sees raw rows, so what reaches the browser stays small.

Colours carry meaning everywhere: value demand teal, failure demand orange-red, not yet classified grey;
signals on process behaviour charts red. Labels are plain words for a workshop audience.

Building charts is on every rerun of a page, so two habits keep it cheap: layers are drawn from one `_layer_base()`
and the data is given once to `alt.layer(..., data=...)` (layers that each carry the data make Altair hash every
copy of it to find they are the same), and conditional values are typed (`alt.ColorValue(..., condition=...)`),
not `alt.condition` dicts, which Altair looks up and validates against the whole Vega-Lite schema each time.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import cast

import altair as alt
import pandas as pd

from workbench import schema, spc

NATURE_LABELS = {schema.VALUE: "Value", schema.FAILURE: "Failure", schema.UNCLASSIFIED: "Not yet classified"}
NATURE_COLOURS = {"Value": "#2a9d8f", "Failure": "#e76f51", "Not yet classified": "#adb5bd"}
SIGNAL_COLOUR = "#c1121f"
LINE_COLOUR = "#264653"
LIMIT_COLOUR = "#8d99ae"


def _layer_base() -> alt.Chart:
    """A layer with no data of its own: the data goes to `alt.layer(..., data=data)`."""
    return alt.Chart()


def _rows_height(rows: int, per_row: int = 38) -> int:
    """Total height for a horizontal bar chart: Streamlit fits the whole chart (title, axes) in it."""
    return 110 + per_row * max(rows, 1)


_nature_scale = alt.Scale(domain=list(NATURE_COLOURS), range=list(NATURE_COLOURS.values()))


def _nature_colour(title: str = "Demand") -> alt.Color:
    return alt.Color("Nature:N", scale=_nature_scale, title=title, legend=alt.Legend(orient="top"))


def nature_bar(shares: pd.DataFrame) -> alt.LayerChart:
    """Value / failure / not yet classified as one horizontal bar of shares (from `nature_shares`)."""
    data = shares.assign(Nature=shares[schema.NATURE].map(NATURE_LABELS), Count=shares["count"],
                         Share=shares["share"])
    base = _layer_base().encode(
        y=alt.Y("Nature:N", sort=list(NATURE_COLOURS), title=None),
        x=alt.X("Share:Q", axis=alt.Axis(format="%"), title="Share of all demand"),
        tooltip=["Nature:N", "Count:Q", alt.Tooltip("Share:Q", format=".1%")],
    )
    bars = base.mark_bar().encode(color=alt.Color("Nature:N", scale=_nature_scale, legend=None))
    text = base.mark_text(align="left", dx=4, fontSize=14).encode(
        text=alt.Text("Share:Q", format=".0%"))
    return cast(alt.LayerChart, alt.layer(bars, text, data=data).properties(height=230,
                                                                          title="Value and failure demand"))


def pareto_chart(types: pd.DataFrame, top: int = 20) -> alt.LayerChart:
    """Bars of demand types by count, coloured by nature, with the cumulative share as a line."""
    data = types.head(top).assign(
        Type=lambda d: d[schema.DEMAND_TYPE], Nature=lambda d: d[schema.NATURE].map(NATURE_LABELS),
        Count=lambda d: d["count"], Cumulative=lambda d: d["cumulative_share"])
    order = list(data["Type"])
    x = alt.X("Type:N", sort=order, title=None, axis=alt.Axis(labelAngle=-35, labelLimit=240, labelOverlap=False))
    bars = _layer_base().mark_bar().encode(
        x=x, y=alt.Y("Count:Q", title="Demands"), color=_nature_colour(),
        tooltip=["Type:N", "Nature:N", "Count:Q", alt.Tooltip("share:Q", format=".1%", title="Share"),
                 alt.Tooltip("Cumulative:Q", format=".0%", title="Cumulative share")])
    line = _layer_base().mark_line(point=True, color=LINE_COLOUR).encode(
        x=x, y=alt.Y("Cumulative:Q", axis=alt.Axis(format="%"), title="Cumulative share",
                     scale=alt.Scale(domain=[0, 1])))
    title = "What customers contact us about (most common first)"
    return alt.layer(bars, line, data=data).resolve_scale(y="independent").properties(height=560, title=title)


def causes_chart(causes: pd.DataFrame) -> alt.LayerChart:
    data = causes.assign(Cause=causes[schema.FAILURE_CAUSE], Count=causes["count"], Share=causes["share"])
    base = _layer_base().encode(
        y=alt.Y("Cause:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("Count:Q", title="Failure demands"),
        tooltip=["Cause:N", "Count:Q", alt.Tooltip("Share:Q", format=".1%", title="Share of failure")])
    bars = base.mark_bar(color=NATURE_COLOURS["Failure"])
    text = base.mark_text(align="left", dx=4, fontSize=13).encode(text=alt.Text("Share:Q", format=".0%"))
    return cast(alt.LayerChart, alt.layer(bars, text, data=data).properties(height=_rows_height(len(data)),
                                                                          title="Why failure demand happens"))


def touchpoint_chart(touchpoints: pd.DataFrame) -> alt.Chart:
    """Stacked bars per touchpoint (from `by_touchpoint`)."""
    long = touchpoints.melt(id_vars=[schema.TOUCHPOINT], value_vars=list(schema.NATURES),
                            var_name=schema.NATURE, value_name="Count")
    long["Nature"] = long[schema.NATURE].map(NATURE_LABELS)
    long["Touchpoint"] = long[schema.TOUCHPOINT]
    order = list(touchpoints[schema.TOUCHPOINT])
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("Touchpoint:N", sort=order, title=None),
        x=alt.X("Count:Q", title="Demands", stack="zero"),
        color=_nature_colour(),
        order=alt.Order("order:Q"),
        tooltip=["Touchpoint:N", "Nature:N", "Count:Q"],
    ).transform_calculate(
        order=f"indexof({list(NATURE_COLOURS)}, datum.Nature)"
    ).properties(height=_rows_height(len(order)) + 40, title="Where demand arrives")


def volume_chart(series: pd.DataFrame, freq_label: str = "Week") -> alt.Chart:
    """Stacked bars of demand per period by nature (from `over_time`)."""
    long = series.melt(id_vars=["period_start"], value_vars=list(schema.NATURES),
                       var_name=schema.NATURE, value_name="Count")
    long["Nature"] = long[schema.NATURE].map(NATURE_LABELS)
    long["Period"] = long["period_start"].dt.strftime("%d %b")
    order = list(dict.fromkeys(long.sort_values("period_start")["Period"]))
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("Period:O", sort=order, title=f"{freq_label} starting", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Count:Q", title="Demands", stack="zero"),
        color=_nature_colour(),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("period_start:T", title=freq_label), "Nature:N", "Count:Q"],
    ).transform_calculate(
        order=f"indexof({list(NATURE_COLOURS)}, datum.Nature)"
    ).properties(height=340, title=f"Demand per {freq_label.lower()}")


SUBTITLE_WIDTH = 95  # characters per subtitle line: Vega does not wrap a subtitle


def chart_title(title: str, notes: Sequence[str | None] = ()) -> alt.TitleParams | str:
    """A title with its notes (what is measured, which days, provisional limits) as subtitle lines, wrapped;
    the plain title when there are none. The title's text stays `title`."""
    lines = [line for note in notes if note for line in textwrap.wrap(note, SUBTITLE_WIDTH)]
    return alt.TitleParams(text=title, subtitle=lines, subtitleColor="#495057") if lines else title


def xmr_chart(table: pd.DataFrame, title: str, measure_label: str, percent: bool = False,
              period_label: str = "Week starting", number_format: str | None = None,
              notes: Sequence[str | None] = ()) -> alt.LayerChart:
    """Process behaviour chart from an `spc.xmr` table indexed by date: points, centre line and natural
    process limits per phase; points that are signals drawn large and red. `number_format` (d3) overrides the
    default of whole numbers or percentages (e.g. ",.1f" for days). `notes` (e.g. which days it covers) are
    shown under the title, and so is `spc.provisional_note` when the limits are provisional (fewer than 20
    points), so a chart never shows soft limits as firm ones."""
    data = table.reset_index(names="period").copy()
    data.attrs = {}  # what the table says about itself (its window) is for the caller, not the browser
    data["Signal"] = data.apply(lambda r: ", ".join(spc.signal_names(r)) or "none", axis=1)
    data["is_signal"] = data[spc.SIGNAL]
    fmt = number_format or (".0%" if percent else ",.0f")
    x = alt.X("period:T", title=period_label, axis=alt.Axis(format="%d %b"))
    y_scale = alt.Scale(zero=False)
    base = _layer_base()
    line = base.mark_line(color=LINE_COLOUR).encode(x=x, y=alt.Y("value:Q", title=measure_label,
                                                                 axis=alt.Axis(format=fmt), scale=y_scale))
    points = base.mark_point(filled=True).encode(
        x=x, y="value:Q",
        color=alt.ColorValue(LINE_COLOUR, condition={"test": "datum.is_signal", "value": SIGNAL_COLOUR}),
        size=alt.SizeValue(40, condition={"test": "datum.is_signal", "value": 110}),
        tooltip=[alt.Tooltip("period:T", title=period_label), alt.Tooltip("value:Q", format=fmt, title=measure_label),
                 alt.Tooltip(f"{spc.CENTRE}:Q", format=fmt, title="Average"),
                 alt.Tooltip(f"{spc.LOWER}:Q", format=fmt, title="Lower limit"),
                 alt.Tooltip(f"{spc.UPPER}:Q", format=fmt, title="Upper limit"), "Signal:N"])
    layers = [line]
    for col, dash, colour in ((spc.CENTRE, [], "#2a9d8f"), (spc.LOWER, [6, 4], LIMIT_COLOUR),
                              (spc.UPPER, [6, 4], LIMIT_COLOUR)):
        layers.append(base.mark_line(strokeDash=dash, color=colour, interpolate="step-after").encode(
            x=x, y=f"{col}:Q", detail=f"{spc.PHASE}:N"))
    layers.append(points)
    heading = chart_title(title, [*notes, spc.provisional_note(table)])
    return cast(alt.LayerChart, alt.layer(*layers, data=data).properties(height=360, title=heading))


def moving_range_chart(table: pd.DataFrame, measure_label: str, percent: bool = False,
                       number_format: str | None = None) -> alt.LayerChart:
    """The mR half of an XmR chart: point-to-point ranges with the upper range limit."""
    data = table.reset_index(names="period")
    data.attrs = {}
    fmt = number_format or (".0%" if percent else ",.0f")
    x = alt.X("period:T", title=None, axis=alt.Axis(format="%d %b"))
    base = _layer_base()
    ranges = base.mark_line(point=True, color=LINE_COLOUR).encode(
        x=x, y=alt.Y(f"{spc.MOVING_RANGE}:Q", title=f"Change in {measure_label.lower()}",
                     axis=alt.Axis(format=fmt)))
    limit = base.mark_line(strokeDash=[6, 4], color=LIMIT_COLOUR, interpolate="step-after").encode(
        x=x, y=f"{spc.RANGE_LIMIT}:Q", detail=f"{spc.PHASE}:N")
    return cast(alt.LayerChart, alt.layer(ranges, limit, data=data).properties(height=190))


E2E_STATUS_COLOURS = {"Met": "#2a9d8f", "Open (waiting so far)": "#e9c46a"}


def e2e_histogram(distribution: pd.DataFrame) -> alt.Chart:
    """How many needs took how long, from `end_to_end.distribution`: met needs by their end-to-end days, open
    needs (stacked on top) by how long they have waited so far."""
    data = distribution.assign(Status=distribution["status"], Needs=distribution["needs"])
    scale = alt.Scale(domain=list(E2E_STATUS_COLOURS), range=list(E2E_STATUS_COLOURS.values()))
    return alt.Chart(data).mark_bar(binSpacing=1).encode(
        x=alt.X("bin_start:Q", bin="binned", title="Days from first contact to need met"),
        x2="bin_end:Q",
        y=alt.Y("Needs:Q", title="Needs", stack="zero"),
        color=alt.Color("Status:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
        tooltip=["Status:N", alt.Tooltip("bin_start:Q", format=",.1f", title="From day"),
                 alt.Tooltip("bin_end:Q", format=",.1f", title="To day"), "Needs:Q"],
    ).properties(height=320, title="How long customers wait for their need to be met")


def e2e_ecdf(ecdf: pd.DataFrame) -> alt.Chart:
    """Share of met needs met within N days (from `end_to_end.ecdf`)."""
    return alt.Chart(ecdf).mark_line(strokeWidth=3, interpolate="step-after", color=LINE_COLOUR).encode(
        x=alt.X("days:Q", title="Days from first contact to need met"),
        y=alt.Y("share:Q", title="Share of met needs", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("days:Q", format=",.1f", title="Days"),
                 alt.Tooltip("share:Q", format=".0%", title="Met within")],
    ).properties(height=320, title="Share of needs met within so many days")


def minutes_chart(per_group: pd.DataFrame, by: str, label: str) -> alt.Chart:
    """Median handling minutes per touchpoint or type (from `analysis.by_field`)."""
    data = per_group.assign(Group=per_group[by])
    return alt.Chart(data).mark_bar(color=LINE_COLOUR).encode(
        y=alt.Y("Group:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("minutes_median:Q", title="Median handling minutes"),
        tooltip=[alt.Tooltip("Group:N", title=label), alt.Tooltip("minutes_median:Q", format=".1f", title="Median"),
                 alt.Tooltip("hours_total:Q", format=",.0f", title="Total hours"), "count:Q"],
    ).properties(height=_rows_height(len(data), 30), title=f"Handling time by {label.lower()}")


def one_stop_chart(per_group: pd.DataFrame, by: str, label: str) -> alt.Chart:
    data = per_group.dropna(subset=["one_stop_share"]).assign(Group=lambda d: d[by])
    return alt.Chart(data).mark_bar(color="#2a9d8f").encode(
        y=alt.Y("Group:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("one_stop_share:Q", title="Resolved at first contact", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("Group:N", title=label),
                 alt.Tooltip("one_stop_share:Q", format=".0%", title="Resolved first time"),
                 alt.Tooltip("one_stop_recorded:Q", title="Recorded")],
    ).properties(height=_rows_height(len(data), 30), title=f"Resolved at first contact, by {label.lower()}")


DESIGN_COLOURS = ["#e76f51", "#2a9d8f", "#264653", "#e9c46a", "#8d99ae", "#6a4c93"]


def _design_scale(designs: list[str]) -> alt.Scale:
    return alt.Scale(domain=designs, range=DESIGN_COLOURS[: max(len(designs), 1)])


def e2e_ecdf_chart(distribution: pd.DataFrame, designs: list[str]) -> alt.Chart:
    """Share of demands whose need is met within N days, per design (from `Comparison.e2e_distribution`)."""
    return alt.Chart(distribution).mark_line(strokeWidth=3, interpolate="step-after").encode(
        x=alt.X("days:Q", title="Days from first contact to the need met (log scale)",
                scale=alt.Scale(type="symlog"), axis=alt.Axis(values=[0, 1, 2, 5, 10, 20, 50, 100, 200])),
        y=alt.Y("share:Q", title="Share of demands", axis=alt.Axis(format="%")),
        color=alt.Color("design:N", title="Design", scale=_design_scale(designs), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("design:N", title="Design"), alt.Tooltip("days:Q", format=".1f", title="Days"),
                 alt.Tooltip("share:Q", format=".0%", title="Met within")],
    ).properties(height=380, title="How long customers wait for their need to be met")


def design_metric_bars(table: pd.DataFrame, metric: str, title: str, designs: list[str],
                       percent: bool = False) -> alt.LayerChart:
    """One metric per design as bars with their 95% intervals (rows of `Comparison.table()`)."""
    data = table[table["metric"] == metric].dropna(subset=["mean"])
    fmt = ".0%" if percent else ",.2f"
    base = alt.Chart(data).encode(y=alt.Y("design:N", title=None, sort=designs, axis=alt.Axis(labelLimit=240)))
    bars = base.mark_bar().encode(
        x=alt.X("mean:Q", title=title, axis=alt.Axis(format=fmt)),
        color=alt.Color("design:N", scale=_design_scale(designs), legend=None),
        tooltip=[alt.Tooltip("design:N", title="Design"), alt.Tooltip("mean:Q", format=fmt, title=title),
                 alt.Tooltip("low:Q", format=fmt, title="95% from"), alt.Tooltip("high:Q", format=fmt, title="to")])
    rules = base.mark_rule(color="#1b262c", strokeWidth=2).encode(x="low:Q", x2="high:Q")
    text = base.mark_text(align="left", dx=6, dy=-10, fontSize=13).encode(
        x="mean:Q", text=alt.Text("mean:Q", format=fmt))
    return cast(alt.LayerChart, alt.layer(bars, rules, text).properties(height=_rows_height(len(data), 46),
                                                                       title=title))


def utilisation_chart(table: pd.DataFrame, designs: list[str]) -> alt.Chart:
    data = table[table["metric"].str.startswith("utilisation_")].dropna(subset=["mean"]).copy()
    data["role"] = data["metric"].str.removeprefix("utilisation_")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("role:N", title=None),
        yOffset=alt.YOffset("design:N", sort=designs),
        x=alt.X("mean:Q", title="Share of working time busy", axis=alt.Axis(format="%")),
        color=alt.Color("design:N", scale=_design_scale(designs), title="Design", legend=alt.Legend(orient="top")),
        tooltip=["design:N", "role:N", alt.Tooltip("mean:Q", format=".0%", title="Utilisation")],
    ).properties(height=_rows_height(data["role"].nunique() * max(len(designs), 1), 18), title="How busy each role is")
